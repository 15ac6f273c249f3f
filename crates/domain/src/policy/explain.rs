//! What the policy makes of one article (`tongchou policy explain 14`): its heading and status,
//! and every organisation kind, role duty, named rule, guard, state and step that cites it,
//! with who may take each step. A pure function over the loaded policy, so the CLI prints it and
//! a page can show the same.

use super::{
    ArticleDef, Chapter, Forbid, ItemKind, NamedRule, OrgKind, Policy, RefRule, Role, StateDef,
    Transition, Within,
};
use crate::Lang;
use crate::guards::Guard;
use crate::ids::{Article, chinese_number, title_in};
use crate::text::Text;

/// Everything in the policy that cites an article (or, asked for `13.2`, that paragraph and
/// the article as a whole).
#[derive(Debug, Clone)]
pub struct Explanation<'p> {
    pub asked: Article,
    pub article: &'p ArticleDef,
    /// The document the article belongs to, when it is not the measures.
    pub issued: Option<&'p super::IssuedDoc>,
    pub chapter: Option<&'p Chapter>,
    pub org_kinds: Vec<&'p OrgKind>,
    pub duties: Vec<Duty<'p>>,
    pub rules: Vec<RuleUse<'p>>,
    pub guards: Vec<GuardUse<'p>>,
    pub kinds: Vec<KindCitations<'p>>,
}

/// A role whose duties include the article.
#[derive(Debug, Clone)]
pub struct Duty<'p> {
    pub role: &'p Role,
    pub cited: &'p Article,
}

/// A named rule citing the article, and the steps that obey it.
#[derive(Debug, Clone)]
pub struct RuleUse<'p> {
    pub rule: &'p NamedRule,
    pub used_by: Vec<(&'p ItemKind, &'p Transition)>,
}

/// A guard (a check written in Rust) whose refusal cites the article, and the steps using it.
#[derive(Debug, Clone)]
pub struct GuardUse<'p> {
    pub guard: Guard,
    pub cited: Article,
    pub used_by: Vec<(&'p ItemKind, &'p Transition)>,
}

/// An item kind with its states and steps that cite the article.
#[derive(Debug, Clone)]
pub struct KindCitations<'p> {
    pub kind: &'p ItemKind,
    /// States whose note cites it (why nothing else can happen there).
    pub states: Vec<&'p StateDef>,
    pub steps: Vec<Step<'p>>,
}

/// A step that cites the article, how, and who may take it.
#[derive(Debug, Clone)]
pub struct Step<'p> {
    pub transition: &'p Transition,
    pub cites: Vec<Cite<'p>>,
    pub roles: Vec<&'p Role>,
}

/// How a step cites an article.
#[derive(Debug, Clone)]
pub enum Cite<'p> {
    /// The step's own article: the measures allow the step.
    Step(&'p Article),
    /// A value that refuses the step (its own rule or a named one).
    Forbid(&'p Forbid),
    /// A state a referenced item must be in (its own rule or a named one).
    Requires(&'p RefRule),
    /// Allocations within what is left of the approved budget lines.
    Within(&'p Within),
    /// A further article the same budget rule cites (building to the approved FSR).
    WithinAlso(&'p Within, &'p Article),
    /// A guard whose refusal cites it.
    Guard(Guard, Article),
}

impl Cite<'_> {
    /// The provision this citation names.
    pub fn article(&self) -> &Article {
        match self {
            Cite::Step(a) => a,
            Cite::Forbid(f) => &f.article,
            Cite::Requires(r) => &r.article,
            Cite::Within(w) => &w.article,
            Cite::WithinAlso(_, a) => a,
            Cite::Guard(_, a) => a,
        }
    }
}

/// The article asked for is not one of the measures'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainError {
    pub asked: Article,
    /// The last article the policy lists, if it lists any.
    pub last: Option<u32>,
    /// For an article of a document issued under the measures: whether the policy loads that
    /// document at all.
    pub document_known: bool,
}

impl ExplainError {
    /// `第三十三条不在本办法中：本办法共三十二条。`
    pub fn message(&self) -> Text {
        let n = self.asked.number();
        if let Some(title) = self.asked.source() {
            return match self.last {
                None if self.document_known => Text::new(
                    format!("《{title}》没有列出条款。"),
                    format!("{} lists no articles.", title_in(title, Lang::En)),
                ),
                Some(last) => Text::new(
                    format!(
                        "《{title}》没有第{}条：它共{}条。",
                        chinese_number(n),
                        chinese_number(last)
                    ),
                    format!(
                        "{} has no art. {n}: it has {last} articles.",
                        title_in(title, Lang::En)
                    ),
                ),
                None => Text::new(
                    format!("《{title}》不是本制度加载的文件。"),
                    format!(
                        "{} is not a document the policy loads.",
                        title_in(title, Lang::En)
                    ),
                ),
            };
        }
        match self.last {
            Some(last) => Text::new(
                format!(
                    "第{}条不在本办法中：本办法共{}条。",
                    chinese_number(n),
                    chinese_number(last)
                ),
                format!("Art. {n} is not in the measures: they have {last} articles."),
            ),
            None => Text::new(
                format!("第{}条不在本办法中：本制度未列出条款。", chinese_number(n)),
                format!("Art. {n} is not in the measures: the policy lists no articles."),
            ),
        }
    }
}

impl Explanation<'_> {
    /// Nothing in the policy cites the article.
    pub fn is_empty(&self) -> bool {
        self.org_kinds.is_empty()
            && self.duties.is_empty()
            && self.rules.is_empty()
            && self.guards.is_empty()
            && self.kinds.is_empty()
    }
}

impl Policy {
    /// See [`explain`].
    pub fn explain(&self, asked: &Article) -> Result<Explanation<'_>, ExplainError> {
        explain(self, asked)
    }
}

/// Everything in `policy` that cites `asked`: `14` gathers art. 14 and each of its paragraphs,
/// `13.2` that paragraph and citations of art. 13 as a whole. An article the measures do not
/// have is an error; one nothing cites gives an empty explanation.
pub fn explain<'p>(policy: &'p Policy, asked: &Article) -> Result<Explanation<'p>, ExplainError> {
    let issued = match asked.source() {
        Some(title) => Some(policy.issued(title).ok_or_else(|| ExplainError {
            asked: asked.clone(),
            last: None,
            document_known: false,
        })?),
        None => None,
    };
    let found = match issued {
        Some(doc) => doc.article(asked.number()),
        None => policy.article(asked.number()),
    };
    let Some(article) = found else {
        return Err(ExplainError {
            document_known: issued.is_some(),
            asked: asked.clone(),
            last: match issued {
                Some(doc) => doc.articles.last().map(|a| a.number),
                None => policy.articles.last().map(|a| a.number),
            },
        });
    };
    let hits = |a: &Article| asked.covers(a);
    let steps_where = |pred: &dyn Fn(&Transition) -> bool| {
        policy
            .kinds
            .iter()
            .flat_map(|k| k.transitions.iter().map(move |t| (k, t)))
            .filter(|(_, t)| pred(t))
            .collect::<Vec<_>>()
    };
    let rules = policy
        .rules
        .iter()
        .filter(|r| r.article().is_some_and(hits))
        .map(|rule| RuleUse {
            rule,
            used_by: steps_where(&|t| {
                let named = Some(rule.id.as_str());
                t.forbid.iter().any(|f| f.rule.as_deref() == named)
                    || t.requires.iter().any(|r| r.rule.as_deref() == named)
                    || t.separation.as_ref().map(|s| s.rule.as_str()) == named
            }),
        })
        .collect();
    let guards = Guard::NAMES
        .iter()
        .filter_map(|name| Guard::parse(name))
        .filter_map(|g| g.article().filter(|a| hits(a)).map(|a| (g, a)))
        .map(|(guard, cited)| GuardUse {
            guard,
            cited,
            used_by: steps_where(&|t| t.guards.contains(&guard)),
        })
        .collect();
    let kinds = policy
        .kinds
        .iter()
        .filter_map(|kind| {
            let states: Vec<&StateDef> = kind
                .states
                .iter()
                .filter(|s| s.note.as_ref().is_some_and(|(_, a)| hits(a)))
                .collect();
            let steps: Vec<Step> = kind
                .transitions
                .iter()
                .filter_map(|t| {
                    let cites: Vec<Cite> = cites_of(t)
                        .into_iter()
                        .filter(|c| hits(c.article()))
                        .collect();
                    (!cites.is_empty()).then(|| Step {
                        transition: t,
                        cites,
                        roles: t.roles.iter().filter_map(|r| policy.role(r)).collect(),
                    })
                })
                .collect();
            (!(states.is_empty() && steps.is_empty())).then_some(KindCitations {
                kind,
                states,
                steps,
            })
        })
        .collect();
    Ok(Explanation {
        asked: asked.clone(),
        article,
        issued,
        chapter: policy.chapter(article.chapter),
        org_kinds: policy
            .org_kinds
            .iter()
            .filter(|o| hits(&o.article))
            .collect(),
        duties: policy
            .roles
            .iter()
            .flat_map(|role| {
                role.duties
                    .iter()
                    .filter(|d| hits(d))
                    .map(move |cited| Duty { role, cited })
            })
            .collect(),
        rules,
        guards,
        kinds,
    })
}

/// Every citation a transition makes, in the order a reader meets them.
fn cites_of(t: &Transition) -> Vec<Cite<'_>> {
    let mut out = vec![Cite::Step(&t.article)];
    out.extend(t.forbid.iter().map(Cite::Forbid));
    out.extend(t.requires.iter().map(Cite::Requires));
    out.extend(t.within.iter().map(Cite::Within));
    out.extend(
        t.within
            .iter()
            .flat_map(|w| w.also.iter().map(move |a| Cite::WithinAlso(w, a))),
    );
    out.extend(
        t.guards
            .iter()
            .filter_map(|g| g.article().map(|a| Cite::Guard(*g, a))),
    );
    out
}
