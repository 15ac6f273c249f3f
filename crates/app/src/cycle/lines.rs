//! The plan's lines from the demands the Data Center accepted (art. 13(1)-(2), issue 12
//! point 3): the planner picks an accepted demand and the line is filled from it (its title,
//! its unit, its budget, the demands merged into it, the next 序号) instead of retyping them.

use super::{children, plan_view};
use crate::contract::ids;
use crate::{AppError, Platform, Principal};
use std::collections::{BTreeMap, BTreeSet};
use store::items::{Filter, ItemRow};

/// An accepted demand not yet in the plan, with the demands merged into it: one plan line.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub demand: ItemRow,
    pub merged: Vec<ItemRow>,
}

impl Candidate {
    /// Its demands' budgets together, in fen: the line's starting budget.
    pub fn budget_fen(&self) -> i64 {
        budget_fen(std::iter::once(&self.demand).chain(&self.merged))
    }

    /// All its demands' numbers, the accepted one first: what the line cites (依据需求).
    pub fn numbers(&self) -> Vec<String> {
        std::iter::once(&self.demand)
            .chain(&self.merged)
            .map(|r| r.number.clone())
            .collect()
    }
}

/// The year's campaigns (the plan is drawn up from the demands collected in them).
pub(crate) async fn campaigns_of_year(
    p: &Platform,
    who: &Principal,
    year: &str,
) -> Result<Vec<ItemRow>, AppError> {
    let f = Filter {
        kind: ids::CAMPAIGN.to_string(),
        page: 1,
        per_page: 200,
        ..Filter::default()
    };
    let Some(f) = crate::items::visible_filter(p, who, ids::CAMPAIGN, f) else {
        return Ok(Vec::new());
    };
    let mut c = p.store.read().await?;
    Ok(store::items::list(&mut c, &f)
        .await?
        .into_iter()
        .filter(|c| c.item.field("year") == year)
        .collect())
}

/// The accepted demands of the plan's year that no line of it cites yet, oldest first, each
/// with the demands merged into it (a merged demand whose target is not offered is left out:
/// it is planned with its target).
pub async fn plan_candidates(
    p: &Platform,
    who: &Principal,
    plan: &ItemRow,
) -> Result<Vec<Candidate>, AppError> {
    let cited: BTreeSet<String> = plan_view(p, who, plan)
        .await?
        .lines
        .iter()
        .flat_map(|l| split(l.item.field("demands")))
        .collect();
    let mut given: Vec<ItemRow> = Vec::new();
    for campaign in campaigns_of_year(p, who, plan.item.field("year")).await? {
        given.extend(
            children(p, who, ids::DEMAND, &campaign.number)
                .await?
                .into_iter()
                .filter(|d| {
                    d.item.state == ids::DEMAND_OPINION_GIVEN && !cited.contains(&d.number)
                }),
        );
    }
    let opinion = |d: &ItemRow| d.item.field(ids::DEMAND_OPINION).to_string();
    let mut merged: BTreeMap<String, Vec<ItemRow>> = BTreeMap::new();
    for d in given.iter().filter(|d| opinion(d) == ids::OPINION_MERGE) {
        let into = d.item.field("merge_into").trim().to_ascii_uppercase();
        merged.entry(into).or_default().push(d.clone());
    }
    Ok(given
        .iter()
        .filter(|d| opinion(d) == ids::OPINION_ACCEPT)
        .map(|d| Candidate {
            merged: merged.remove(&d.number).unwrap_or_default(),
            demand: d.clone(),
        })
        .collect())
}

/// A new line's values from the demands it is made of (`XQ-..,XQ-..`, as the candidate's link
/// gives them): the first one's title, the units that raised them, their budgets together, and
/// the 序号 after the plan's last. Demands the person may not read are ignored.
pub async fn line_from_demands(
    p: &Platform,
    who: &Principal,
    plan: Option<&ItemRow>,
    demands: &str,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut rows = Vec::new();
    for n in split(demands) {
        if let Ok(r) = crate::items::by_number(p, who, &n).await
            && r.item.kind == ids::DEMAND
        {
            rows.push(r);
        }
    }
    let mut out = BTreeMap::new();
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    let mut units: Vec<String> = Vec::new();
    for r in &rows {
        if !units.contains(&r.owner_name_zh) {
            units.push(r.owner_name_zh.clone());
        }
    }
    let budget = budget_fen(&rows);
    out.insert("title".into(), first.title.clone());
    out.insert("unit".into(), units.join("、"));
    out.insert("budget".into(), budget.to_string());
    out.insert(
        "demands".into(),
        rows.iter()
            .map(|r| r.number.clone())
            .collect::<Vec<_>>()
            .join(","),
    );
    if let Some(plan) = plan {
        let last = plan_view(p, who, plan)
            .await?
            .lines
            .iter()
            .filter_map(|l| l.item.field("seq").parse::<i64>().ok())
            .max()
            .unwrap_or(0);
        out.insert("seq".into(), (last + 1).to_string());
    }
    Ok(out)
}

/// The demands' budgets together, in fen (a demand without one counts nothing).
fn budget_fen<'a>(demands: impl IntoIterator<Item = &'a ItemRow>) -> i64 {
    demands
        .into_iter()
        .filter_map(|r| r.item.field("budget").parse::<i64>().ok())
        .sum()
}

fn split(numbers: &str) -> impl Iterator<Item = String> + '_ {
    numbers
        .split(',')
        .map(|n| n.trim().to_ascii_uppercase())
        .filter(|n| !n.is_empty())
}
