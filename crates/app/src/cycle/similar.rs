//! Overlap checks for the analysis (R13.4): which existing demands and registered systems
//! a demand resembles. Chinese has no spaces, so text is compared as overlapping character
//! pairs (bigrams, the way CJK search engines index), weighted by how rare each pair is
//! (TF-IDF) and scored by cosine similarity: 100 means the same wording, 0 nothing shared.
//! A bigram model needs no dictionary, so new terms (项目名, 系统名) match as written.

use crate::{AppError, Platform, Principal};
use domain::ItemId;
use std::collections::HashMap;
use store::items::{Filter, ItemRow};

/// A similar item with its score (0-100) and the shared terms that explain it.
#[derive(Debug, Clone)]
pub struct Match {
    pub row: ItemRow,
    pub score: u32,
    pub shared: Vec<String>,
}

/// Fields compared for each kind.
fn text_of(row: &ItemRow) -> String {
    let i = &row.item;
    match i.kind.as_str() {
        "system" => format!(
            "{} {} {}",
            i.field("name"),
            i.field("name"),
            i.field("description")
        ),
        // The title twice: it names the thing, so it weighs more than the prose.
        _ => format!(
            "{} {} {} {} {}",
            i.field("title"),
            i.field("title"),
            i.field("problem"),
            i.field("functions"),
            i.field("scope")
        ),
    }
}

/// Overlapping pairs of CJK characters, and whole words of other letters and digits.
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for ch in text.chars() {
        let cjk = ('\u{4e00}'..='\u{9fff}').contains(&ch);
        if cjk {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word).to_lowercase());
            }
            run.push(ch);
        } else {
            flush_run(&mut run, &mut out);
            if ch.is_alphanumeric() {
                word.push(ch);
            } else if !word.is_empty() {
                out.push(std::mem::take(&mut word).to_lowercase());
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word.to_lowercase());
    }
    out
}

type Vector = HashMap<String, f64>;

fn counts(text: &str) -> HashMap<String, f64> {
    let mut m = HashMap::new();
    for t in terms(text) {
        *m.entry(t).or_insert(0.0) += 1.0;
    }
    m
}

fn cosine(a: &Vector, b: &Vector) -> f64 {
    let dot: f64 = a.iter().filter_map(|(t, x)| b.get(t).map(|y| x * y)).sum();
    let norm = |v: &Vector| v.values().map(|x| x * x).sum::<f64>().sqrt();
    let d = norm(a) * norm(b);
    if d == 0.0 { 0.0 } else { dot / d }
}

/// Scores every candidate against the subject; returns the best `limit` at or above `floor`.
pub fn rank(subject: &ItemRow, candidates: Vec<ItemRow>, floor: u32, limit: usize) -> Vec<Match> {
    let docs: Vec<HashMap<String, f64>> = candidates.iter().map(|r| counts(&text_of(r))).collect();
    let own = counts(&text_of(subject));
    let n = (docs.len() + 1) as f64;
    let mut df: HashMap<&str, f64> = HashMap::new();
    for d in docs.iter().chain(std::iter::once(&own)) {
        for t in d.keys() {
            *df.entry(t.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let weigh = |d: &HashMap<String, f64>| -> Vector {
        d.iter()
            .map(|(t, tf)| {
                let idf = (n / df.get(t.as_str()).copied().unwrap_or(1.0)).ln() + 1.0;
                (t.clone(), tf * idf)
            })
            .collect()
    };
    let subject_v = weigh(&own);
    let mut out: Vec<Match> = candidates
        .into_iter()
        .zip(docs.iter())
        .filter(|(r, _)| r.item.id != subject.item.id)
        .map(|(row, d)| {
            let v = weigh(d);
            let score = (cosine(&subject_v, &v) * 100.0).round() as u32;
            let mut shared: Vec<(&String, f64)> = subject_v
                .iter()
                .filter(|(t, _)| t.chars().count() > 1 && v.contains_key(*t))
                .map(|(t, w)| (t, *w))
                .collect();
            shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            Match {
                row,
                score,
                shared: shared.into_iter().take(6).map(|(t, _)| t.clone()).collect(),
            }
        })
        .filter(|m| m.score >= floor)
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.row.item.id.cmp(&b.row.item.id))
    });
    out.truncate(limit);
    out
}

/// The demands (of this and last year, visible to the principal and out of draft) and the
/// registered systems most like the demand `id`.
pub async fn similar_to(p: &Platform, who: &Principal, id: ItemId) -> Result<Vec<Match>, AppError> {
    let subject = crate::items::view(p, who, id).await?.row;
    let mut candidates = Vec::new();
    for (kind, years) in [
        ("demand", vec![subject.year, subject.year - 1]),
        ("system", vec![]),
    ] {
        let private: Vec<String> = p
            .policy
            .kind(kind)
            .map(|k| k.private_states().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let states: Vec<String> = p
            .policy
            .kind(kind)
            .map(|k| {
                k.states
                    .iter()
                    .filter(|s| !private.contains(&s.id))
                    .map(|s| s.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let year_list: Vec<Option<i64>> = if years.is_empty() {
            vec![None]
        } else {
            years.into_iter().map(Some).collect()
        };
        for year in year_list {
            let f = Filter {
                kind: kind.into(),
                states: states.clone(),
                year,
                page: 1,
                per_page: 200,
                ..Filter::default()
            };
            let Some(f) = crate::items::visible_filter(p, who, kind, f) else {
                continue;
            };
            let mut c = p.store.read().await?;
            // Up to 1,000 per year and kind: a city raises a few hundred demands a year.
            for page in 1..=5 {
                let rows = store::items::list(&mut c, &Filter { page, ..f.clone() }).await?;
                let done = rows.len() < 200;
                candidates.extend(rows);
                if done {
                    break;
                }
            }
        }
    }
    Ok(rank(&subject, candidates, 15, 5))
}

#[cfg(test)]
mod tests {
    use super::terms;

    #[test]
    fn chinese_text_becomes_overlapping_pairs_and_latin_words() {
        assert_eq!(terms("智慧停车 App2"), ["智慧", "慧停", "停车", "app2"]);
    }
}
