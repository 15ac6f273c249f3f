//! Children the pages do not draw themselves: for every kind whose parent field names this
//! item's kind, the items under it the person may see and a link for each creation step they
//! may take under it as it is now, in the step's own words (a project's trial defects and its
//! final acceptance, its audit findings). A new kind under a parent needs no page code.

use super::panels::{Panel, cell, item_link, new_panel, state_cell, t};
use crate::contract::ids;
use app::items::{ItemRow, ItemView};
use app::{AppError, Platform, Principal};
use domain::policy::{FieldType, ItemKind};

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
        panel.links = links;
        out.push(panel);
    }
    Ok(())
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
