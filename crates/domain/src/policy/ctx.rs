//! Where a policy error is: each file of the policy has its own context, so a reference names
//! the file (the part) and the line it was written on.

use super::ArticleStatus;
use super::raw::S;
use crate::ids::Article;
use std::collections::{BTreeMap, HashSet};

/// A policy file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The articles the policy lists, by number, with their status.
pub(super) type Listed = BTreeMap<u32, ArticleStatus>;

/// One file of the policy being loaded, and the articles listed anywhere in the policy.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    text: &'a str,
    listed: &'a Listed,
    /// The articles of the documents issued under the measures, by short title.
    issued: &'a super::issued::Issued,
}

/// Before the articles are read nothing is listed: citations are checked only afterwards.
static NONE_LISTED: Listed = BTreeMap::new();
static NONE_ISSUED: super::issued::Issued = BTreeMap::new();

/// The line of a byte offset of `text`, counting from 1.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl<'a> Ctx<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Ctx<'a> {
        Ctx {
            file,
            text,
            listed: &NONE_LISTED,
            issued: &NONE_ISSUED,
        }
    }

    /// The same file, now checking each citation against the listed articles (the measures'
    /// and those of the documents issued under them).
    pub(super) fn citing(&self, listed: &'a Listed, issued: &'a super::issued::Issued) -> Ctx<'a> {
        Ctx {
            file: self.file,
            text: self.text,
            listed,
            issued,
        }
    }

    pub(super) fn line(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    pub(super) fn err_at(&self, offset: usize, message: String) -> PolicyError {
        PolicyError {
            file: self.file.to_string(),
            line: self.line(offset),
            message,
        }
    }

    pub(super) fn err(&self, at: &S, message: String) -> PolicyError {
        self.err_at(at.span().start, message)
    }

    /// An article the policy cites: well formed, listed among the measures' articles, and not
    /// marked `not yet` (what the policy cites is at least partly modelled).
    pub(super) fn article(&self, s: &S) -> Result<Article, PolicyError> {
        let Some(article) = Article::parse(s.get_ref()) else {
            return Err(self.err(
                s,
                format!(
                    "`{}` is not an article like 13, 13.2 or 《运维管理办法》5",
                    s.get_ref()
                ),
            ));
        };
        if let Some(title) = article.source() {
            if article.paragraph().is_some() {
                return Err(self.err(
                    s,
                    format!("cite 《{title}》 by article (《{title}》5): its articles have no paragraphs"),
                ));
            }
            return match self.issued.get(title) {
                Some(numbers) if numbers.contains(&article.number()) => Ok(article),
                Some(numbers) => Err(self.err(
                    s,
                    format!(
                        "art. {} is not among the articles of 《{title}》 (it has {})",
                        article.number(),
                        numbers.len()
                    ),
                )),
                None => Err(self.err(
                    s,
                    format!("《{title}》 is not a document the policy loads (`[[issued]]`)"),
                )),
            };
        }
        match self.listed.get(&article.number()) {
            Some(ArticleStatus::NotYet) => Err(self.err(
                s,
                format!(
                    "art. {} is marked `not yet` among the articles; mark it `partly` or `modelled` now that the policy cites it",
                    article.number()
                ),
            )),
            Some(_) => Ok(article),
            None => Err(self.err(
                s,
                match self.listed.last_key_value() {
                    Some((last, _)) => format!(
                        "art. {} is not among the articles the policy lists (1 to {last})",
                        article.number()
                    ),
                    None => format!(
                        "art. {} is not among the articles the policy lists (it lists none: add `[[article]]` tables)",
                        article.number()
                    ),
                },
            )),
        }
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

    pub(super) fn unique(&self, ids: &[&S], what: &str) -> Result<HashSet<String>, PolicyError> {
        unique(ids.iter().map(|id| (self, *id)), what)
    }
}

/// The ids of things written in several files, each once: a second one is an error at its line.
pub(super) fn unique<'c, 'a: 'c>(
    ids: impl IntoIterator<Item = (&'c Ctx<'a>, &'c S)>,
    what: &str,
) -> Result<HashSet<String>, PolicyError> {
    let mut set = HashSet::new();
    for (ctx, id) in ids {
        if !set.insert(id.get_ref().clone()) {
            return Err(ctx.err(id, format!("duplicate {what} `{}`", id.get_ref())));
        }
    }
    Ok(set)
}
