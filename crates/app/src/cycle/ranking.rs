//! The year's demands ranked by the Data Center's scores (issue 11, point 16; R13.4): for the
//! Bureau drawing up the plan, sortable by any score or by the total, and exported.

use crate::{AppError, Platform, Principal};
use domain::Text;
use store::items::{Filter, ItemRow};

/// One demand of the campaign with its scores (in the kind's `ranking` order) and their total.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub row: ItemRow,
    pub scores: Vec<Option<i64>>,
    /// The sum of the scores given; `None` when none was.
    pub total: Option<i64>,
}

/// The ranking: the score fields (id, label) and the demands, best first by `by` (a score
/// field, or the total when `by` names none); demands without that score come last.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub fields: Vec<(String, Text)>,
    pub by: Option<String>,
    pub rows: Vec<Ranked>,
}

/// The campaign's demands the principal may see, ranked.
pub async fn ranking(
    p: &Platform,
    who: &Principal,
    kind: &str,
    campaign: &ItemRow,
    by: Option<&str>,
) -> Result<Ranking, AppError> {
    let Some(k) = p.policy.kind(kind) else {
        return Err(AppError::NotFound);
    };
    let fields: Vec<(String, Text)> = k
        .ranking
        .iter()
        .filter_map(|f| k.field(f).map(|d| (f.clone(), d.label.clone())))
        .collect();
    let by = by
        .filter(|b| fields.iter().any(|(f, _)| f == b))
        .map(str::to_string);
    let mut rows = Vec::new();
    for page in 1.. {
        let f = Filter {
            kind: kind.to_string(),
            parent: Some(campaign.number.clone()),
            page,
            per_page: 200,
            ..Filter::default()
        };
        let Some(f) = crate::items::visible_filter(p, who, kind, f) else {
            break;
        };
        let mut c = p.store.read().await?;
        let got = store::items::list(&mut c, &f).await?;
        let last = got.len() < 200;
        rows.extend(got.into_iter().map(|row| {
            let scores: Vec<Option<i64>> = fields
                .iter()
                .map(|(f, _)| row.item.field(f).trim().parse().ok())
                .collect();
            let given: Vec<i64> = scores.iter().flatten().copied().collect();
            let total = (!given.is_empty()).then(|| given.iter().sum());
            Ranked { row, scores, total }
        }));
        if last {
            break;
        }
    }
    let key = |r: &Ranked| match &by {
        Some(b) => fields
            .iter()
            .position(|(f, _)| f == b)
            .and_then(|i| r.scores[i]),
        None => r.total,
    };
    rows.sort_by(|a, b| {
        key(b)
            .cmp(&key(a))
            .then_with(|| a.row.number.cmp(&b.row.number))
    });
    Ok(Ranking { fields, by, rows })
}
