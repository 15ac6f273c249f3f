//! The measures' own outline: its chapters and every article with its heading words and how far
//! the policy models it. Every article the policy cites must be listed, and the status must
//! agree with the citations: an article something cites is not `not yet`, and one that nothing
//! cites is.

use super::ctx::{Ctx, Listed, PolicyError};
use super::raw::RawFile;
use crate::ids::Article;
use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// How far the policy models an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ArticleStatus {
    /// Its rules are steps, rules and roles of the policy.
    #[serde(rename = "modelled")]
    Modelled,
    /// Some of it is in the policy (an organisation kind, a role, some steps), not all.
    #[serde(rename = "partly")]
    Partly,
    /// Nothing in the policy cites it yet.
    #[serde(rename = "not yet")]
    NotYet,
}

impl ArticleStatus {
    /// The word in the file: `modelled`, `partly`, `not yet`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Modelled => "modelled",
            ArticleStatus::Partly => "partly",
            ArticleStatus::NotYet => "not yet",
        }
    }

    pub fn label(self) -> Text {
        match self {
            ArticleStatus::Modelled => Text::new("已建模", "modelled"),
            ArticleStatus::Partly => Text::new("部分建模", "partly modelled"),
            ArticleStatus::NotYet => Text::new("尚未建模", "not modelled yet"),
        }
    }
}

/// A chapter of the measures (第三章 实施流程).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub number: u32,
    pub name: Text,
}

impl Chapter {
    /// `第三章 实施流程` / `Chapter 3 Implementation`.
    pub fn title(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Zh => format!(
                "第{}章 {}",
                crate::ids::chinese_number(self.number),
                self.name.zh
            ),
            crate::Lang::En => format!("Chapter {} {}", self.number, self.name.en),
        }
    }
}

/// An article of the measures, with heading words of our own (the measures have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDef {
    pub number: u32,
    pub chapter: u32,
    pub heading: Text,
    pub status: ArticleStatus,
    /// What the status does not say (e.g. what the platform does outside the policy).
    pub note: Option<Text>,
}

impl ArticleDef {
    /// The article as a citation (`13`).
    pub fn article(&self) -> Option<Article> {
        Article::whole(self.number)
    }
}

/// Chapters and articles as listed, with where each article's status is written (for the check
/// against the citations once the whole policy is loaded).
pub(super) struct Outline {
    pub chapters: Vec<Chapter>,
    pub articles: Vec<ArticleDef>,
    pub listed: Listed,
    /// Article number -> (file index, offset of its `status`).
    pub at: BTreeMap<u32, (usize, usize)>,
}

pub(super) fn load(files: &[(&Ctx, &RawFile)]) -> Result<Outline, PolicyError> {
    let mut chapters = Vec::new();
    let mut numbers = HashSet::new();
    for (ctx, raw) in files {
        for c in &raw.chapter {
            if !numbers.insert(*c.number.get_ref()) {
                return Err(ctx.err_at(
                    c.number.span().start,
                    format!("duplicate chapter {}", c.number.get_ref()),
                ));
            }
            chapters.push(Chapter {
                number: *c.number.get_ref(),
                name: Text::new(&c.zh, &c.en),
            });
        }
    }
    let mut out = Outline {
        chapters,
        articles: Vec::new(),
        listed: Listed::new(),
        at: BTreeMap::new(),
    };
    for (index, (ctx, raw)) in files.iter().enumerate() {
        for a in &raw.article {
            let number = *a.number.get_ref();
            let expected = out.articles.len() as u32 + 1;
            if number != expected {
                return Err(ctx.err_at(
                    a.number.span().start,
                    format!(
                        "article {number} where article {expected} was expected: list every article once, in order, from 1"
                    ),
                ));
            }
            if !numbers.contains(a.chapter.get_ref()) {
                return Err(ctx.err_at(
                    a.chapter.span().start,
                    format!("unknown chapter {}", a.chapter.get_ref()),
                ));
            }
            let note = match (&a.note_zh, &a.note_en) {
                (Some(zh), Some(en)) => Some(Text::new(zh, en)),
                (None, None) => None,
                _ => {
                    return Err(ctx.err_at(
                        a.number.span().start,
                        "an article's note needs note_zh and note_en".into(),
                    ));
                }
            };
            out.listed.insert(number, *a.status.get_ref());
            out.at.insert(number, (index, a.status.span().start));
            out.articles.push(ArticleDef {
                number,
                chapter: *a.chapter.get_ref(),
                heading: Text::new(&a.zh, &a.en),
                status: *a.status.get_ref(),
                note,
            });
        }
    }
    Ok(out)
}

/// An article listed as at least partly modelled must be cited by something in the policy
/// (the other way round, a citation of a `not yet` article, fails where it is written).
pub(super) fn check_status(
    files: &[Ctx],
    outline: &Outline,
    policy: &super::Policy,
) -> Result<(), PolicyError> {
    for a in &outline.articles {
        if a.status == ArticleStatus::NotYet {
            continue;
        }
        let cited = a
            .article()
            .and_then(|art| super::explain::explain(policy, &art).ok())
            .is_some_and(|e| !e.is_empty());
        if !cited
            && let Some((file, offset)) = outline.at.get(&a.number)
            && let Some(ctx) = files.get(*file)
        {
            return Err(ctx.err_at(
                *offset,
                format!(
                    "art. {} is marked `{}` but nothing in the policy cites it; mark it `not yet`",
                    a.number,
                    a.status.as_str()
                ),
            ));
        }
    }
    Ok(())
}
