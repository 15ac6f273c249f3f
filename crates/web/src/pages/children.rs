//! Children the pages do not draw themselves: for every kind whose parent field names this
//! item's kind, the items under it the person may see and a link for each creation step they
//! may take under it as it is now, in the step's own words (a project's trial defects and its
//! final acceptance, its audit findings). A new kind under a parent needs no page code.

use super::panels::{Panel, cell, item_link, new_panel, state_cell, t};
use crate::contract::ids;
use app::items::{ItemRow, ItemView};
use app::{AppError, Platform, Principal};
use domain::policy::{Chart, FieldType, ItemKind};

/// The child kinds whose lists the pages draw with their own columns and links.
const DRAWN: &[&str] = &[
    ids::DEMAND,
    "plan_opinion",
    ids::DEMAND_CHANGE,
    ids::PLAN_ITEM,
    ids::EMERGENCY,
    "county_item",
    ids::PROJECT,
    ids::FSR,
    ids::PROCUREMENT,
    ids::PROJECT_CHANGE,
    ids::RISK,
    ids::INSPECTION,
    ids::RECTIFICATION,
];

pub async fn panels(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    out: &mut Vec<Panel>,
) -> Result<(), AppError> {
    let lang = who.lang;
    for k in &p.policy.kinds {
        if DRAWN.contains(&k.id.as_str()) || !is_under(k, &v.row.item.kind) {
            continue;
        }
        let rows = app::cycle::children(p, who, &k.id, &v.row.number).await?;
        let links = creation_links(p, who, k, &v.row);
        if rows.is_empty() && links.is_empty() {
            continue;
        }
        let mut panel = match &k.chart {
            Some(chart) => chart_panel(k, chart, &rows, lang),
            None => {
                let mut panel = new_panel(
                    format!("children-{}", k.id),
                    k.name.get(lang).to_string(),
                    vec![
                        t(lang, "编号", "No."),
                        t(lang, "名称", "Title"),
                        t(lang, "状态", "State"),
                    ],
                );
                for r in &rows {
                    panel.rows.push(vec![
                        item_link(r),
                        cell(r.title.clone()),
                        state_cell(p, r, lang),
                    ]);
                }
                panel
            }
        };
        panel.links = links;
        out.push(panel);
    }
    Ok(())
}

/// Bar lengths in tenths of the largest figure, as classes: the CSP allows no inline style.
const BARS: [&str; 11] = [
    "bar b0", "bar b1", "bar b2", "bar b3", "bar b4", "bar b5", "bar b6", "bar b7", "bar b8",
    "bar b9", "bar b10",
];

/// The children's figures by `x` (a system's usage by month, oldest first), one column per
/// series, the first drawn as bars against the largest of them.
fn chart_panel(k: &ItemKind, chart: &Chart, rows: &[ItemRow], lang: domain::Lang) -> Panel {
    let label = |f: &str| {
        k.field(f)
            .map(|d| d.label.get(lang).to_string())
            .unwrap_or_default()
    };
    let mut headers = vec![label(&chart.x)];
    headers.extend(chart.series.iter().map(|s| label(s)));
    let mut panel = new_panel(
        format!("chart-{}", k.id),
        k.name.get(lang).to_string(),
        headers,
    );
    let mut rows: Vec<&ItemRow> = rows.iter().collect();
    rows.sort_by(|a, b| a.item.field(&chart.x).cmp(b.item.field(&chart.x)));
    let first = |r: &ItemRow| r.item.field(&chart.series[0]).parse::<i64>().unwrap_or(0);
    let top = rows.iter().map(|r| first(r)).max().unwrap_or(0).max(1);
    for r in rows {
        let mut line = vec![super::panels::link(
            r.item.field(&chart.x).to_string(),
            format!("/items/{}", r.item.id.get()),
        )];
        for (i, s) in chart.series.iter().enumerate() {
            let mut c = cell(r.item.field(s).to_string());
            if i == 0 {
                let tenth = usize::try_from(first(r).max(0) * 10 / top).unwrap_or(0);
                c.class = BARS[tenth.min(10)];
            }
            line.push(c);
        }
        panel.rows.push(line);
    }
    panel
}

/// Whether `k`'s parent field refers to items of `parent`.
fn is_under(k: &ItemKind, parent: &str) -> bool {
    k.parent_field
        .as_ref()
        .and_then(|f| k.field(f))
        .is_some_and(|f| matches!(&f.ty, FieldType::ItemRef { kind } if kind == parent))
}

/// A link for each step creating a `k` under `parent` that the person may take now: its label,
/// the new-item form with the parent filled in, and an id (`new-{kind}` for `create`,
/// `new-{kind}-{step}` otherwise).
pub fn creation_links(
    p: &Platform,
    who: &Principal,
    k: &ItemKind,
    parent: &ItemRow,
) -> Vec<(String, String, String)> {
    let Some(field) = &k.parent_field else {
        return Vec::new();
    };
    app::items::creations_under(p, who, &k.id, parent)
        .into_iter()
        .map(|step| {
            let id = if step.id == ids::CREATE {
                format!("new-{}", k.id)
            } else {
                format!("new-{}-{}", k.id, step.id)
            };
            (
                step.label.get(who.lang).to_string(),
                format!(
                    "/items/new?kind={}&action={}&{field}={}",
                    k.id, step.id, parent.number
                ),
                id,
            )
        })
        .collect()
}
