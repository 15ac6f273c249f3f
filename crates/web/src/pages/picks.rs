//! Values a step's table takes from the record, offered as choices instead of typed codes
//! (issue 12, point 3): the drawn experts for their opinions (one row each, ready to fill),
//! the budget lines for the cuts, another table's rows for a column that must match one of
//! them (a milestone's name). What the domain then checks is the same: a choice is only a
//! faster, surer way to type an allowed value.

use crate::views::{Opt, Picks};
use app::items::ItemRow;
use app::{Platform, Principal};
use domain::Money;
use domain::policy::{ColumnType, FieldType, ItemKind, Transition};

fn opt(id: impl Into<String>, label: impl Into<String>) -> Opt {
    Opt {
        id: id.into(),
        label: label.into(),
        selected: false,
    }
}

/// The choices of step `t`'s table columns on `row`.
pub(crate) async fn of(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    t: &Transition,
    row: &ItemRow,
) -> Picks {
    let mut out = Picks::new();
    for f in kind.fields.iter().filter(|f| t.inputs.contains(&f.id)) {
        let FieldType::Table(columns) = &f.ty else {
            continue;
        };
        for c in columns {
            let opts = match c.one_of.as_deref() {
                // A column of another table: its values as they stand.
                Some(list) if list.contains('.') => {
                    let (table, column) = list.split_once('.').unwrap_or_default();
                    domain::table::rows(row.item.field(table))
                        .iter()
                        .filter_map(|r| r.get(column))
                        .filter(|v| !v.is_empty())
                        .map(|v| opt(v.clone(), v.clone()))
                        .collect()
                }
                // Numbers another field lists (the drawn experts): each with its name.
                Some(list) => {
                    let mut opts = Vec::new();
                    for n in row.item.field(list).split(',').map(str::trim) {
                        if n.is_empty() {
                            continue;
                        }
                        let label = match app::items::by_number(p, who, n).await {
                            Ok(r) => format!("{n} {}", r.title),
                            Err(_) => n.to_string(),
                        };
                        opts.push(opt(n, label));
                    }
                    opts
                }
                // The line a cut applies to: the lines of the table it cuts.
                None if c.id == domain::table::CUT_LINE
                    && t.cuts.as_ref().is_some_and(|k| k.table == f.id) =>
                {
                    t.cuts
                        .as_ref()
                        .map(|k| budget_lines(kind, &k.of, row, who.lang))
                        .unwrap_or_default()
                }
                None => continue,
            };
            if !opts.is_empty() {
                out.insert((f.id.clone(), c.id.clone()), opts);
            }
        }
    }
    out
}

/// "2 · 软件开发 · 定制开发 · 1,800,000.00": each line of the table by its number, its words
/// and its amount, so a cut is chosen from the lines the report asks for.
fn budget_lines(kind: &ItemKind, table: &str, row: &ItemRow, lang: domain::Lang) -> Vec<Opt> {
    let Some(FieldType::Table(columns)) = kind.field(table).map(|f| &f.ty) else {
        return Vec::new();
    };
    domain::table::rows(row.item.field(table))
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let mut parts = vec![(n + 1).to_string()];
            for c in columns {
                let v = r.get(&c.id).cloned().unwrap_or_default();
                match (&c.ty, v.parse::<i64>()) {
                    (ColumnType::Money, Ok(fen)) if c.sum_into.is_some() => {
                        parts.push(Money::from_fen(fen).yuan_string());
                    }
                    (ColumnType::Text { .. } | ColumnType::Choice(_), _) if !v.is_empty() => {
                        parts.push(domain::table::shown(c, &v, lang));
                    }
                    _ => {}
                }
            }
            opt((n + 1).to_string(), parts.join(" · "))
        })
        .collect()
}
