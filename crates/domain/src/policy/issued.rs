//! Documents issued under the measures by a body they name, loaded beside them: the Data
//! Center's O&M measures (art. 19: 运维管理办法由市政务大数据中心另行制定). Each has its own
//! issuer, version and effective date and its own articles, which the policy cites with the
//! document's short title (`《运维管理办法》5`, shown 《运维管理办法》第五条).

use super::articles::{ArticleDef, ArticleStatus};
use super::ctx::{Ctx, PolicyError};
use super::raw::RawFile;
use crate::ids::Article;
use crate::text::Text;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A document issued under the measures.
#[derive(Debug, Clone)]
pub struct IssuedDoc {
    /// What citations call it: `运维管理办法`.
    pub short: String,
    /// What English citations call it: `O&M Measures`.
    pub short_en: String,
    pub title: Text,
    /// The organisation kind that issues it (the Data Center).
    pub issuer: String,
    pub version: String,
    pub effective: NaiveDate,
    /// The article of the measures it is issued under.
    pub basis: Article,
    /// Its articles, each with its text as the note.
    pub articles: Vec<ArticleDef>,
}

impl IssuedDoc {
    pub fn article(&self, number: u32) -> Option<&ArticleDef> {
        self.articles.iter().find(|a| a.number == number)
    }
}

/// The article numbers of each issued document, by short title, for the citation checks.
pub(super) type Issued = BTreeMap<String, BTreeSet<u32>>;

/// The documents' short titles and article numbers: each document once, its articles listed
/// once each, in order from 1.
pub(super) fn numbers(files: &[(&Ctx, &RawFile)]) -> Result<Issued, PolicyError> {
    let mut out = Issued::new();
    for (ctx, raw) in files {
        for d in &raw.issued {
            let short = d.short.get_ref().trim().to_string();
            if short.is_empty() || short.contains(['《', '》']) {
                return Err(ctx.err(&d.short, "`short` is the title without 《》".into()));
            }
            let mut numbers = BTreeSet::new();
            for (i, a) in d.article.iter().enumerate() {
                let n = *a.number.get_ref();
                if usize::try_from(n).ok() != Some(i + 1) {
                    return Err(ctx.err_at(
                        a.number.span().start,
                        format!(
                            "article {n} of 《{short}》 where article {} was expected: list its articles in order, from 1",
                            i + 1
                        ),
                    ));
                }
                numbers.insert(n);
            }
            if out.insert(short.clone(), numbers).is_some() {
                return Err(ctx.err(&d.short, format!("duplicate document 《{short}》")));
            }
        }
    }
    Ok(out)
}

/// The documents themselves, once the organisation kinds are known (each names its issuer).
pub(super) fn load(
    files: &[(&Ctx, &RawFile)],
    org_kinds: &HashSet<String>,
) -> Result<Vec<IssuedDoc>, PolicyError> {
    let mut out = Vec::new();
    for (ctx, raw) in files {
        for d in &raw.issued {
            let effective =
                NaiveDate::parse_from_str(d.effective.get_ref(), "%Y-%m-%d").map_err(|_| {
                    ctx.err(
                        &d.effective,
                        "effective must be a date like 2026-03-01".into(),
                    )
                })?;
            let basis = ctx.article(&d.basis)?;
            if basis.source().is_some() {
                return Err(ctx.err(
                    &d.basis,
                    "`basis` is an article of the measures the document is issued under".into(),
                ));
            }
            out.push(IssuedDoc {
                short: d.short.get_ref().trim().to_string(),
                short_en: d.short_en.trim().to_string(),
                title: Text::new(&d.title_zh, &d.title_en),
                issuer: ctx
                    .known(&d.issuer, org_kinds, "organisation kind")?
                    .to_string(),
                version: d.version.clone(),
                effective,
                basis,
                articles: d
                    .article
                    .iter()
                    .map(|a| ArticleDef {
                        number: *a.number.get_ref(),
                        chapter: 0,
                        heading: Text::new(&a.zh, &a.en),
                        status: ArticleStatus::Modelled,
                        note: Some(Text::new(&a.text_zh, &a.text_en)),
                    })
                    .collect(),
            });
        }
    }
    Ok(out)
}
