//! The money by project, by unit and by year (issue 14, point 9): each project's approved
//! budget, what contracts committed, what payments asked for (requests under review included)
//! and what was paid, what is left, and the payments by source. Read from the same tables the
//! ceilings read (`super::drawers`), three scans whatever the number of projects.

use crate::contract::ids::{DISBURSEMENT, DISBURSEMENT_PAID, DISBURSEMENT_SOURCE, PROJECT};
use crate::{AppError, Platform, Principal};
use std::collections::BTreeMap;

/// How the report groups the projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Project,
    /// The unit that uses the project (its `units`, the first named).
    Unit,
    Year,
}

impl By {
    pub fn parse(s: &str) -> By {
        match s {
            "unit" => By::Unit,
            "year" => By::Year,
            _ => By::Project,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            By::Project => "project",
            By::Unit => "unit",
            By::Year => "year",
        }
    }
}

/// One line of the report, amounts in fen.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// The project's number, the unit's id or the year.
    pub key: String,
    pub label: String,
    pub projects: usize,
    pub budget_fen: i64,
    pub committed_fen: i64,
    /// Asked for: every payment in flight, approved or paid.
    pub disbursed_fen: i64,
    pub paid_fen: i64,
    /// The budget less what payments asked for.
    pub left_fen: i64,
    /// Payments asked for, by their source (the choice's id).
    pub by_source: BTreeMap<String, i64>,
}

/// What a table of allocations (`line`, `amount`) holds in all.
fn allocated(table: &str) -> i64 {
    let mut per_line = BTreeMap::new();
    crate::steps::facts::add_allocations(&mut per_line, table);
    per_line.values().sum()
}

/// What a budget table's lines were approved at in all.
fn approved(table: &str) -> i64 {
    crate::steps::facts::lines_with(table, &BTreeMap::new())
        .iter()
        .map(|l| l.approved_fen)
        .sum()
}

/// The report for the principal: the projects they may read, grouped as asked, the largest
/// budget first.
pub async fn report(p: &Platform, who: &Principal, by: By) -> Result<Vec<Line>, AppError> {
    let project_kind = p.policy.kind(PROJECT).ok_or(AppError::NotFound)?;
    let Some(table) = super::budget_table(p, PROJECT) else {
        return Ok(Vec::new());
    };
    let mut c = p.store.read().await?;
    let projects: Vec<_> = store::items::list_all(
        &mut c,
        &store::items::Filter {
            kind: PROJECT.into(),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|r| domain::permissions::can_see(&p.policy, &who.actor, &r.item))
    .collect();
    // What draws on each project, by the drawing kind's id.
    let mut drawn: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (kind, field, counted, _) in super::drawers(p, PROJECT).iter().filter(|d| d.3 == table) {
        let Some(parent) = p.policy.kind(kind).and_then(|k| k.parent_field.clone()) else {
            continue;
        };
        let f = store::items::Filter {
            kind: kind.clone(),
            states: counted.clone(),
            ..Default::default()
        };
        for child in store::items::list_all(&mut c, &f).await? {
            // Only what the principal may read is added up: a payment a role cannot see is
            // not told by its amount either.
            if !domain::permissions::can_see(&p.policy, &who.actor, &child.item) {
                continue;
            }
            let project = child.item.field(&parent).to_ascii_uppercase();
            let amount = allocated(child.item.field(field));
            // Whatever commits the line (contracts) is one sum, whatever pays it out another.
            let what = if kind == DISBURSEMENT {
                DISBURSEMENT
            } else {
                ""
            };
            *drawn
                .entry((what.to_string(), project.clone()))
                .or_default() += amount;
            if kind == DISBURSEMENT {
                if child.item.state == DISBURSEMENT_PAID {
                    *paid.entry(project.clone()).or_default() += amount;
                }
                let source = child.item.field(DISBURSEMENT_SOURCE).to_string();
                *sources
                    .entry(project)
                    .or_default()
                    .entry(source)
                    .or_default() += amount;
            }
        }
    }
    drop(c);
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    let orgs = crate::accounts::orgs(p).await?;
    for r in &projects {
        let (key, label) = match by {
            By::Project => (r.number.clone(), r.title.clone()),
            By::Year => (r.year.to_string(), r.year.to_string()),
            By::Unit => {
                let units_field = project_kind
                    .fields
                    .iter()
                    .find(|f| matches!(f.ty, domain::policy::FieldType::Orgs))
                    .map(|f| f.id.clone())
                    .unwrap_or_default();
                let first = r
                    .item
                    .field(&units_field)
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let name = orgs
                    .iter()
                    .find(|o| o.id.get().to_string() == first)
                    .map(|o| match who.lang {
                        domain::Lang::Zh => o.name_zh.clone(),
                        domain::Lang::En => o.name_en.clone(),
                    })
                    .unwrap_or_default();
                (first, name)
            }
        };
        let number = r.number.to_ascii_uppercase();
        let line = lines.entry(key.clone()).or_insert_with(|| Line {
            key,
            label,
            ..Line::default()
        });
        line.projects += 1;
        line.budget_fen += approved(r.item.field(&table));
        line.committed_fen += drawn
            .get(&(String::new(), number.clone()))
            .copied()
            .unwrap_or(0);
        line.disbursed_fen += drawn
            .get(&(DISBURSEMENT.to_string(), number.clone()))
            .copied()
            .unwrap_or(0);
        line.paid_fen += paid.get(&number).copied().unwrap_or(0);
        for (source, fen) in sources.get(&number).into_iter().flatten() {
            *line.by_source.entry(source.clone()).or_default() += fen;
        }
    }
    let mut out: Vec<Line> = lines
        .into_values()
        .map(|mut l| {
            l.left_fen = l.budget_fen - l.disbursed_fen;
            l
        })
        .collect();
    out.sort_by(|a, b| b.budget_fen.cmp(&a.budget_fen).then(a.key.cmp(&b.key)));
    Ok(out)
}
