//! Numbers shown with the names they stand for (issue 12, point 9): a vendor, an expert or a
//! project reads "GS-2026-0001 南阳市数字城市设计研究院" wherever the record names it, in the
//! item's fields, in its record and on the approval sheet. Only items the person may read are
//! named; any other number stays a number.

use app::items::StoredEvent;
use app::{Platform, Principal};
use domain::policy::{ColumnType, FieldType, ItemKind};
use std::collections::BTreeMap;

/// Item number → its title; for a reader in English also each unit's Chinese name → its
/// English one (the record keeps the name a unit had that day, in Chinese). The keys cannot
/// collide: a number is a prefix, a year and a sequence.
pub type Names = BTreeMap<String, String>;

/// Whether a field holds item numbers (a reference, references, or a table with a column of
/// them).
fn holds_numbers(ty: &FieldType) -> bool {
    match ty {
        FieldType::ItemRef { .. } | FieldType::ItemRefs { .. } | FieldType::Records => true,
        FieldType::Table(columns) => columns
            .iter()
            .any(|c| c.one_of.is_some() || matches!(c.ty, ColumnType::ItemRef { .. })),
        _ => false,
    }
}

/// The numbers in one value of such a field.
fn numbers_in(ty: &FieldType, raw: &str, out: &mut Vec<String>) {
    match ty {
        FieldType::Table(columns) => {
            for r in domain::table::rows(raw) {
                for c in columns
                    .iter()
                    .filter(|c| c.one_of.is_some() || matches!(c.ty, ColumnType::ItemRef { .. }))
                {
                    if let Some(v) = r.get(&c.id) {
                        out.push(v.trim().to_string());
                    }
                }
            }
        }
        _ => out.extend(raw.split(',').map(|n| n.trim().to_string())),
    }
}

/// The names of every number the item and its record hold.
pub(crate) async fn of(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    item: &domain::Item,
    history: &[StoredEvent],
) -> Names {
    let fields: Vec<_> = kind
        .fields
        .iter()
        .filter(|f| holds_numbers(&f.ty))
        .collect();
    let mut numbers = Vec::new();
    for f in &fields {
        numbers_in(&f.ty, item.field(&f.id), &mut numbers);
    }
    // Each event's payload read once, for every field that holds numbers.
    for e in history.iter().filter(|_| !fields.is_empty()) {
        let payload: serde_json::Value = serde_json::from_str(&e.event.payload).unwrap_or_default();
        for f in &fields {
            if let Some(v) = payload["changes"][f.id.as_str()].as_str() {
                numbers_in(&f.ty, v, &mut numbers);
            }
        }
    }
    numbers.sort();
    numbers.dedup();
    let mut names = Names::new();
    // A number is a series prefix, a year and a sequence (XQ-2026-0001); anything else typed
    // into a table cell is not looked up.
    for n in numbers.into_iter().filter(|n| n.split('-').count() == 3) {
        if let Ok(r) = app::items::by_number(p, who, &n).await {
            names.insert(n, r.title);
        }
    }
    if who.lang == domain::Lang::En
        && let Ok(units) = app::accounts::orgs(p).await
    {
        names.extend(units.into_iter().map(|o| (o.name_zh, o.name_en)));
    }
    names
}

/// "GS-2026-0001 南阳市数字城市设计研究院、GS-2026-0002 …" for a list of numbers.
pub(crate) fn named(raw: &str, names: &Names) -> String {
    raw.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| match names.get(n) {
            Some(title) => format!("{n} {title}"),
            None => n.to_string(),
        })
        .collect::<Vec<_>>()
        .join("、")
}
