//! Turns the raw file into a `Policy`, checking every reference; the first bad one is reported
//! with its file and line.

use super::raw::{RawKind, RawPolicy, RawTransition, S};
use super::{FieldDef, FieldType, ItemKind, OrgKind, Policy, Role, StateDef, Transition};
use crate::guards::Guard;
use crate::ids::Article;
use crate::text::Text;
use std::collections::{BTreeMap, HashSet};

/// A policy file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

pub(super) struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    pub(super) fn err(&self, at: &S, message: String) -> PolicyError {
        PolicyError {
            file: self.file.to_string(),
            line: self.line_of(at.span().start),
            message,
        }
    }

    fn article(&self, s: &S) -> Result<Article, PolicyError> {
        Article::parse(s.get_ref()).ok_or_else(|| {
            self.err(
                s,
                format!("`{}` is not an article like 13 or 13.2", s.get_ref()),
            )
        })
    }

    pub(super) fn known<'s>(
        &self,
        s: &'s S,
        set: &HashSet<String>,
        what: &str,
    ) -> Result<&'s str, PolicyError> {
        if set.contains(s.get_ref()) {
            Ok(s.get_ref())
        } else {
            let mut known: Vec<&String> = set.iter().collect();
            known.sort();
            Err(self.err(
                s,
                format!("unknown {what} `{}` (known: {known:?})", s.get_ref()),
            ))
        }
    }

    fn unique(&self, ids: &[&S], what: &str) -> Result<HashSet<String>, PolicyError> {
        let mut set = HashSet::new();
        for id in ids {
            if !set.insert(id.get_ref().clone()) {
                return Err(self.err(id, format!("duplicate {what} `{}`", id.get_ref())));
            }
        }
        Ok(set)
    }
}

pub fn load(file: &str, text: &str) -> Result<Policy, PolicyError> {
    let ctx = Ctx { file, text };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError {
        file: file.to_string(),
        line: e.span().map(|s| ctx.line_of(s.start)).unwrap_or(1),
        message: e.message().to_string(),
    })?;
    let effective = chrono::NaiveDate::parse_from_str(raw.policy.effective.get_ref(), "%Y-%m-%d")
        .map_err(|_| {
        ctx.err(
            &raw.policy.effective,
            "effective must be a date like 2025-01-01".into(),
        )
    })?;

    let org_ids = ctx.unique(
        &raw.org_kind.iter().map(|o| &o.id).collect::<Vec<_>>(),
        "organisation kind",
    )?;
    let mut org_kinds = Vec::new();
    for o in &raw.org_kind {
        org_kinds.push(OrgKind {
            id: o.id.get_ref().clone(),
            name: Text::new(&o.zh, &o.en),
            article: ctx.article(&o.article)?,
            demand_unit: o.demand_unit,
        });
    }

    let role_ids = ctx.unique(&raw.role.iter().map(|r| &r.id).collect::<Vec<_>>(), "role")?;
    let mut roles = Vec::new();
    for r in &raw.role {
        let mut kinds = Vec::new();
        for k in &r.org_kinds {
            kinds.push(ctx.known(k, &org_ids, "organisation kind")?.to_string());
        }
        let duties = r
            .duties
            .iter()
            .map(|d| ctx.article(d))
            .collect::<Result<_, _>>()?;
        roles.push(Role {
            id: r.id.get_ref().clone(),
            name: Text::new(&r.zh, &r.en),
            org_kinds: kinds,
            duties,
            sees: r.sees,
            admin: r.admin,
        });
    }

    let kind_ids = ctx.unique(
        &raw.kind.iter().map(|k| &k.id).collect::<Vec<_>>(),
        "item kind",
    )?;
    let kinds = raw
        .kind
        .iter()
        .map(|k| load_kind(&ctx, k, &role_ids, &kind_ids))
        .collect::<Result<Vec<_>, _>>()?;
    for (rk, k) in raw.kind.iter().zip(&kinds) {
        super::links::check(&ctx, rk, k, &kinds)?;
    }

    Ok(Policy {
        id: raw.policy.id,
        title: Text::new(raw.policy.title_zh, raw.policy.title_en),
        version: raw.policy.version,
        effective,
        org_kinds,
        roles,
        kinds,
    })
}

fn load_kind(
    ctx: &Ctx,
    k: &RawKind,
    role_ids: &HashSet<String>,
    kind_ids: &HashSet<String>,
) -> Result<ItemKind, PolicyError> {
    let field_ids = ctx.unique(&k.field.iter().map(|f| &f.id).collect::<Vec<_>>(), "field")?;
    let state_ids = ctx.unique(&k.state.iter().map(|s| &s.id).collect::<Vec<_>>(), "state")?;
    let transition_ids = ctx.unique(
        &k.transition.iter().map(|t| &t.id).collect::<Vec<_>>(),
        "transition",
    )?;
    let section_ids: HashSet<String> = k.section.iter().map(|s| s.id.clone()).collect();
    ctx.known(&k.title_field, &field_ids, "field")?;
    if let Some(a) = &k.amount_field {
        ctx.known(a, &field_ids, "field")?;
        let is_money = k
            .field
            .iter()
            .any(|f| f.id.get_ref() == a.get_ref() && f.ty.get_ref() == "money");
        if !is_money {
            return Err(ctx.err(
                a,
                format!("amount_field `{}` must be a money field", a.get_ref()),
            ));
        }
    }

    let mut fields = Vec::new();
    for f in &k.field {
        let ref_kind = match &f.ref_kind {
            Some(r) => ctx.known(r, kind_ids, "item kind")?.to_string(),
            None => k.id.get_ref().clone(),
        };
        let len = |default: usize| {
            f.max
                .and_then(|m| usize::try_from(m).ok())
                .unwrap_or(default)
        };
        let ty = match f.ty.get_ref().as_str() {
            "text" => FieldType::Text { max: len(200) },
            "longtext" => FieldType::LongText { max: len(20_000) },
            "money" => FieldType::Money,
            "date" => FieldType::Date,
            "orgs" => FieldType::Orgs,
            "files" => FieldType::Files,
            "credit_code" => FieldType::CreditCode,
            "integer" => FieldType::Integer {
                min: f.min.unwrap_or(0),
                max: f.max.unwrap_or(i64::MAX),
            },
            "item_ref" => FieldType::ItemRef { kind: ref_kind },
            "item_refs" => FieldType::ItemRefs { kind: ref_kind },
            "table" => FieldType::Table(load_columns(ctx, f, &field_ids, kind_ids)?),
            "choice" if !f.options.is_empty() => FieldType::Choice(
                f.options
                    .iter()
                    .map(|o| (o.id.clone(), Text::new(&o.zh, &o.en)))
                    .collect(),
            ),
            other => {
                return Err(ctx.err(
                    &f.ty,
                    format!(
                        "unknown field type `{other}` (text, longtext, money, date, integer, orgs, files, credit_code, item_ref, item_refs, table, or choice with options)"
                    ),
                ));
            }
        };
        let section = match &f.section {
            Some(s) => Some(ctx.known(s, &section_ids, "section")?.to_string()),
            None => None,
        };
        fields.push(FieldDef {
            id: f.id.get_ref().clone(),
            label: Text::new(&f.zh, &f.en),
            help: Text::new(&f.help_zh, &f.help_en),
            ty,
            section,
            default: f.default.clone(),
            system: f.system,
            copies: f.copies,
            product: match f.product.as_slice() {
                [] => None,
                [a, b] => Some((
                    ctx.known(a, &field_ids, "field")?.to_string(),
                    ctx.known(b, &field_ids, "field")?.to_string(),
                )),
                _ => return Err(ctx.err(&f.id, "`product` names exactly two fields".into())),
            },
        });
    }

    let mut states = Vec::new();
    for s in &k.state {
        let note = match (&s.note_zh, &s.note_en, &s.note_article) {
            (Some(zh), Some(en), Some(a)) => Some((Text::new(zh, en), ctx.article(a)?)),
            (None, None, None) => None,
            _ => {
                return Err(ctx.err(
                    &s.id,
                    "a state note needs note_zh, note_en and note_article".into(),
                ));
            }
        };
        states.push(StateDef {
            id: s.id.get_ref().clone(),
            name: Text::new(&s.zh, &s.en),
            tag: s.tag.clone(),
            private: s.private,
            note,
        });
    }

    let transitions = k
        .transition
        .iter()
        .map(|t| {
            load_transition(
                ctx,
                t,
                &Known {
                    role_ids,
                    field_ids: &field_ids,
                    state_ids: &state_ids,
                    transition_ids: &transition_ids,
                },
            )
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(ItemKind {
        id: k.id.get_ref().clone(),
        name: Text::new(&k.zh, &k.en),
        prefix: k.prefix.clone(),
        sections: k
            .section
            .iter()
            .map(|s| (s.id.clone(), Text::new(&s.zh, &s.en)))
            .collect(),
        title_field: k.title_field.get_ref().clone(),
        amount_field: k.amount_field.as_ref().map(|a| a.get_ref().clone()),
        public: k.public,
        module: k.module.clone(),
        facet_field: match &k.facet_field {
            Some(f) => Some(ctx.known(f, &field_ids, "field")?.to_string()),
            None => None,
        },
        parent_field: match &k.parent_field {
            Some(p) => Some(ctx.known(p, &field_ids, "field")?.to_string()),
            None => None,
        },
        fields,
        states,
        transitions,
    })
}

fn load_columns(
    ctx: &Ctx,
    f: &super::raw::RawField,
    field_ids: &HashSet<String>,
    kind_ids: &HashSet<String>,
) -> Result<Vec<super::Column>, PolicyError> {
    use super::ColumnType;
    if f.column.is_empty() {
        return Err(ctx.err(&f.id, "a table needs at least one column".into()));
    }
    let ids = ctx.unique(
        &f.column.iter().map(|c| &c.id).collect::<Vec<_>>(),
        "column",
    )?;
    let mut out = Vec::new();
    for c in &f.column {
        let ty = match c.ty.get_ref().as_str() {
            "text" => ColumnType::Text {
                max: c.max.and_then(|m| usize::try_from(m).ok()).unwrap_or(200),
            },
            "money" => ColumnType::Money,
            "date" => ColumnType::Date,
            "integer" => ColumnType::Integer {
                min: c.min.unwrap_or(0),
                max: c.max.unwrap_or(i64::MAX),
            },
            "item_ref" => ColumnType::ItemRef {
                kind: match &f.ref_kind {
                    Some(r) => ctx.known(r, kind_ids, "item kind")?.to_string(),
                    None => {
                        return Err(ctx.err(
                            &c.ty,
                            "an item_ref column needs the table's ref_kind".into(),
                        ));
                    }
                },
            },
            other => {
                return Err(ctx.err(
                    &c.ty,
                    format!("unknown column type `{other}` (text, money, date, integer, item_ref)"),
                ));
            }
        };
        let product = match c.product.as_slice() {
            [] => None,
            [a, b] => {
                ctx.known(a, &ids, "column")?;
                ctx.known(b, &ids, "column")?;
                if ty != ColumnType::Money {
                    return Err(ctx.err(&c.id, "a product column must be money".into()));
                }
                Some((a.get_ref().clone(), b.get_ref().clone()))
            }
            _ => return Err(ctx.err(&c.id, "`product` names exactly two columns".into())),
        };
        let field = |s: &Option<S>| -> Result<Option<String>, PolicyError> {
            s.as_ref()
                .map(|s| ctx.known(s, field_ids, "field").map(str::to_string))
                .transpose()
        };
        out.push(super::Column {
            id: c.id.get_ref().clone(),
            label: Text::new(&c.zh, &c.en),
            ty,
            required: c.required,
            product,
            one_of: match &c.one_of {
                // `table.column`: the values of a column of another table field.
                Some(o) if o.get_ref().contains('.') => {
                    let table = o.get_ref().split('.').next().unwrap_or_default();
                    if !field_ids.contains(table) {
                        return Err(ctx.err(o, format!("unknown field `{table}`")));
                    }
                    Some(o.get_ref().clone())
                }
                other => field(other)?,
            },
            sum_into: field(&c.sum_into)?,
        });
    }
    Ok(out)
}

struct Known<'a> {
    role_ids: &'a HashSet<String>,
    field_ids: &'a HashSet<String>,
    state_ids: &'a HashSet<String>,
    transition_ids: &'a HashSet<String>,
}

fn load_transition(ctx: &Ctx, t: &RawTransition, k: &Known) -> Result<Transition, PolicyError> {
    let list =
        |items: &[S], set: &HashSet<String>, what: &str| -> Result<Vec<String>, PolicyError> {
            items
                .iter()
                .map(|s| ctx.known(s, set, what).map(str::to_string))
                .collect()
        };
    let mut sets = BTreeMap::new();
    for (field, value) in &t.sets {
        if !k.field_ids.contains(field) {
            return Err(ctx.err(value, format!("`sets` names unknown field `{field}`")));
        }
        sets.insert(field.clone(), value.get_ref().clone());
    }
    let guards = t
        .guards
        .iter()
        .map(|g| {
            Guard::parse(g.get_ref()).ok_or_else(|| {
                ctx.err(
                    g,
                    format!(
                        "unknown guard `{}` (known: {:?})",
                        g.get_ref(),
                        Guard::NAMES
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if t.roles.is_empty() {
        return Err(ctx.err(&t.id, "a transition needs at least one role".into()));
    }
    let confirm = match (&t.confirm_zh, &t.confirm_en) {
        (Some(zh), Some(en)) => Some(Text::new(zh, en)),
        _ => None,
    };
    let from = list(&t.from, k.state_ids, "state")?;
    // Without `to` the step keeps the item in whichever state it is in.
    let to = match &t.to {
        Some(to) => ctx.known(to, k.state_ids, "state")?.to_string(),
        None if from.len() == 1 => from[0].clone(),
        None if !from.is_empty() => String::new(),
        None => {
            return Err(ctx.err(&t.id, "a transition that creates an item needs `to`".into()));
        }
    };
    let roles = list(&t.roles, k.role_ids, "role")?;
    for r in &t.countersign {
        if !roles.contains(r.get_ref()) {
            return Err(ctx.err(
                r,
                format!(
                    "countersign role `{}` is not among the transition's roles",
                    r.get_ref()
                ),
            ));
        }
    }
    Ok(Transition {
        id: t.id.get_ref().clone(),
        label: Text::new(&t.zh, &t.en),
        from,
        to,
        roles,
        required: list(&t.required, k.field_ids, "field")?,
        inputs: list(&t.inputs, k.field_ids, "field")?,
        sets,
        guards,
        distinct_from: list(&t.distinct_from, k.transition_ids, "transition")?,
        deadline_days: t.deadline_days,
        article: ctx.article(&t.article)?,
        confirm,
        style: t.style.clone().unwrap_or_else(|| "default".into()),
        window: t.window.as_ref().map(|w| super::WindowRule {
            kind: w.kind.get_ref().clone(),
            states: w.states.iter().map(|s| s.get_ref().clone()).collect(),
            field: w.field.get_ref().clone(),
        }),
        requires: t
            .requires
            .iter()
            .map(|r| {
                Ok(super::RefRule {
                    field: r.field.get_ref().clone(),
                    states: r.states.iter().map(|s| s.get_ref().clone()).collect(),
                    facets: r.facets.iter().map(|s| s.get_ref().clone()).collect(),
                    own: r.own,
                    parent_states: r
                        .parent_states
                        .iter()
                        .map(|s| s.get_ref().clone())
                        .collect(),
                    article: ctx.article(&r.article)?,
                })
            })
            .collect::<Result<_, PolicyError>>()?,
        countersign: t.countersign.iter().map(|r| r.get_ref().clone()).collect(),
        effect: t.effect.as_ref().map(|e| super::Effect {
            on: e.on.get_ref().clone(),
            action: e.action.get_ref().clone(),
        }),
        internal: t.internal,
        forbid: t
            .forbid
            .iter()
            .map(|f| {
                Ok(super::Forbid {
                    field: ctx.known(&f.field, k.field_ids, "field")?.to_string(),
                    values: f.values.clone(),
                    article: ctx.article(&f.article)?,
                    message: Text::new(&f.zh, &f.en),
                })
            })
            .collect::<Result<_, PolicyError>>()?,
        when: t
            .when
            .iter()
            .map(|w| {
                Ok(super::When {
                    field: ctx.known(&w.field, k.field_ids, "field")?.to_string(),
                    values: w.values.clone(),
                })
            })
            .collect::<Result<_, PolicyError>>()?,
        actor_in: t
            .actor_in
            .as_ref()
            .map(|f| ctx.known(f, k.field_ids, "field").map(str::to_string))
            .transpose()?,
        sign: list(&t.sign, k.field_ids, "field")?,
        cuts: t
            .cuts
            .as_ref()
            .map(|c| {
                Ok::<_, PolicyError>(super::Cuts {
                    table: ctx.known(&c.table, k.field_ids, "field")?.to_string(),
                    of: ctx.known(&c.of, k.field_ids, "field")?.to_string(),
                    total: ctx.known(&c.total, k.field_ids, "field")?.to_string(),
                    baseline: c
                        .baseline
                        .as_ref()
                        .map(|b| ctx.known(b, k.field_ids, "field").map(str::to_string))
                        .transpose()?,
                })
            })
            .transpose()?,
        within: t
            .within
            .as_ref()
            .map(|w| {
                Ok::<_, PolicyError>(super::Within {
                    table: ctx.known(&w.table, k.field_ids, "field")?.to_string(),
                    budget: w.budget.get_ref().clone(),
                    counted: w.counted.iter().map(|s| s.get_ref().clone()).collect(),
                    article: ctx.article(&w.article)?,
                })
            })
            .transpose()?,
        draw: match &t.draw {
            Some(d) if super::DRAWS.contains(&d.get_ref().as_str()) => Some(d.get_ref().clone()),
            Some(d) => {
                return Err(ctx.err(
                    d,
                    format!("unknown draw `{}` (known: {:?})", d.get_ref(), super::DRAWS),
                ));
            }
            None => None,
        },
        document: match &t.document {
            Some(d) if super::DOCUMENTS.contains(&d.get_ref().as_str()) => {
                Some(d.get_ref().clone())
            }
            Some(d) => {
                return Err(ctx.err(
                    d,
                    format!(
                        "unknown document `{}` (known: {:?})",
                        d.get_ref(),
                        super::DOCUMENTS
                    ),
                ));
            }
            None => None,
        },
    })
}
