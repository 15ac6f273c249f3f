//! The money (art. 24-28): what each budget line holds and what draws on it. The lines are a
//! table of an item (a special fund's budget by purpose, a project's approved baseline); the
//! items that draw on them are those the policy's `within` rules hold to that table (a fund's
//! allocations, a project's contracts and disbursements), counted in the states the rule
//! names. The same reading the step's check makes, shown to the reader.

pub mod report;

use crate::{AppError, Platform, Principal};
use domain::{ItemId, Text};
use std::collections::BTreeMap;

/// What draws on a line, by kind: the contracts, the disbursements, the allocations.
#[derive(Debug, Clone)]
pub struct Draw {
    pub kind: String,
    pub label: Text,
    pub fen: i64,
}

/// A budget line with what draws on it and what is left.
#[derive(Debug, Clone)]
pub struct LineUse {
    pub line: usize,
    pub item: String,
    pub approved_fen: i64,
    pub draws: Vec<Draw>,
    /// The approved amount less the largest draw (each kind is held to the line on its own:
    /// contracts commit it, disbursements pay it out).
    pub left_fen: i64,
}

/// A kind that draws on a budget: (kind, its table, the states counted, the budget's table).
pub(crate) type Drawer = (String, String, Vec<String>, String);

/// The kinds the policy holds to a table of items of `kind`: (kind, its table, the states
/// counted, the table of the parent it draws on).
pub(crate) fn drawers(p: &Platform, kind: &str) -> Vec<Drawer> {
    let mut out = Vec::new();
    for k in &p.policy.kinds {
        let Some(parent) = k.parent_field.as_ref().and_then(|f| k.field(f)) else {
            continue;
        };
        if !matches!(&parent.ty, domain::policy::FieldType::ItemRef { kind: of } if of == kind) {
            continue;
        }
        // One entry per kind and table: a kind with several `within` rules on one table is
        // counted once, in every state any of them counts.
        for t in &k.transitions {
            let Some(w) = &t.within else { continue };
            let at = out
                .iter()
                .position(|e: &Drawer| e.0 == k.id && e.1 == w.table && e.3 == w.budget);
            match at {
                Some(i) => {
                    for s in &w.counted {
                        if !out[i].2.contains(s) {
                            out[i].2.push(s.clone());
                        }
                    }
                }
                None => out.push((
                    k.id.clone(),
                    w.table.clone(),
                    w.counted.clone(),
                    w.budget.clone(),
                )),
            }
        }
    }
    out
}

/// The table of a kind that others draw on (a fund's `lines`, a project's `baseline`).
pub fn budget_table(p: &Platform, kind: &str) -> Option<String> {
    drawers(p, kind).first().map(|d| d.3.clone())
}

/// The lines of the item `id` (for the principal, who must be able to read it), each with what
/// the items drawing on it hold; empty when nothing draws on a table of its kind.
pub async fn lines(p: &Platform, who: &Principal, id: ItemId) -> Result<Vec<LineUse>, AppError> {
    let view = crate::items::view(p, who, id).await?;
    let draws = drawers(p, &view.row.item.kind);
    let Some(table) = draws.first().map(|d| d.3.clone()) else {
        return Ok(Vec::new());
    };
    let mut c = p.store.read().await?;
    // Each drawing kind's sum per line, read as the step's own check reads it.
    let mut per_kind: Vec<(String, BTreeMap<usize, i64>)> = Vec::new();
    for (kind, field, counted, _) in draws.iter().filter(|d| d.3 == table) {
        let f = store::items::Filter {
            kind: kind.clone(),
            parent: Some(view.row.number.clone()),
            states: counted.clone(),
            ..Default::default()
        };
        let mut used = BTreeMap::new();
        for child in store::items::list_all(&mut c, &f).await? {
            crate::steps::facts::add_allocations(&mut used, child.item.field(field));
        }
        per_kind.push((kind.clone(), used));
    }
    let none = BTreeMap::new();
    let out = crate::steps::facts::lines_with(view.row.item.field(&table), &none)
        .into_iter()
        .map(|b| {
            let draws: Vec<Draw> = per_kind
                .iter()
                .map(|(k, used)| Draw {
                    kind: k.clone(),
                    label: p
                        .policy
                        .kind(k)
                        .map(|d| d.name.clone())
                        .unwrap_or_else(|| Text::new(k.as_str(), k.as_str())),
                    fen: used.get(&b.line).copied().unwrap_or(0),
                })
                .collect();
            let most = draws.iter().map(|d| d.fen).max().unwrap_or(0);
            LineUse {
                line: b.line,
                item: b.item,
                approved_fen: b.approved_fen,
                draws,
                left_fen: b.approved_fen - most,
            }
        })
        .collect();
    Ok(out)
}
