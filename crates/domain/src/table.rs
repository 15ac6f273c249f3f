//! Table fields: rows of typed cells such as an FSR's budget lines (R14.2). A table is stored
//! as a JSON array of objects keyed by column id, money in fen, so versions compare line by line
//! and the event record keeps every row. Fully blank rows are dropped; computed columns
//! (quantity x unit price) are filled here, never typed.

/// The column of a cuts table naming the line it cuts (1-based), as the policy declares it.
pub const CUT_LINE: &str = "line";

use crate::decide::FieldError;
use crate::fields::{bad_number, item_number, parse_date};
use crate::ids::Money;
use crate::item::Item;
use crate::policy::{Column, ColumnType, FieldType, ItemKind, Transition};
use crate::text::Text;
use std::collections::BTreeMap;

/// One row: cell values by column id, as stored.
pub type Row = BTreeMap<String, String>;

/// The rows of a stored (or typed) table; anything unreadable reads as no rows.
pub fn rows(stored: &str) -> Vec<Row> {
    if stored.trim().is_empty() {
        return Vec::new();
    }
    let Ok(values) = serde_json::from_str::<Vec<BTreeMap<String, serde_json::Value>>>(stored)
    else {
        return Vec::new();
    };
    values
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect()
        })
        .collect()
}

fn store(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    serde_json::to_string(rows).unwrap_or_default()
}

/// Checks typed rows (money in yuan) and returns the stored form, or the first problem with
/// its row and column.
pub fn normalise(columns: &[Column], raw: &str) -> Result<String, Text> {
    normalise_at(columns, raw).map_err(|(message, _)| message)
}

/// Where in a table a problem is: `field.row.column` (the row from 0, as a form names its
/// inputs), so a form marks the cell and keeps every other row as typed.
pub fn cell_name(field: &str, row: usize, column: &str) -> String {
    format!("{field}.{row}.{column}")
}

/// [`normalise`], with the (row from 0, column) of the problem where it is one cell's.
pub(crate) fn normalise_at(
    columns: &[Column],
    raw: &str,
) -> Result<String, (Text, Option<(usize, String)>)> {
    let whole = |t: Text| (t, None);
    let parsed = serde_json::from_str::<Vec<BTreeMap<String, serde_json::Value>>>(raw)
        .map_err(|_| whole(Text::new("表格内容格式有误。", "The table is malformed.")))?;
    let typed = rows(raw);
    let mut out = Vec::new();
    for (n, row) in typed.iter().enumerate() {
        let n = n + 1;
        if let Some(unknown) = parsed
            .get(n - 1)
            .and_then(|r| r.keys().find(|k| !columns.iter().any(|c| &c.id == *k)))
        {
            return Err(whole(Text::new(
                format!("第 {n} 行有未知的列 {unknown}。"),
                format!("Row {n} has an unknown column {unknown}."),
            )));
        }
        let cell = |c: &Column| row.get(&c.id).map(|v| v.trim()).unwrap_or("");
        let blank = columns
            .iter()
            .filter(|c| c.product.is_none())
            .all(|c| cell(c).is_empty());
        if blank {
            continue;
        }
        let mut stored = Row::new();
        for c in columns.iter().filter(|c| c.product.is_none()) {
            let v = cell(c);
            let at = |msg: Text| {
                (
                    Text::new(
                        format!("第 {n} 行「{}」：{}", c.label.zh, msg.zh),
                        format!("Row {n}, {}: {}", c.label.en, msg.en),
                    ),
                    Some((n - 1, c.id.clone())),
                )
            };
            if v.is_empty() {
                if c.required {
                    return Err(at(Text::new("请填写此项。", "required.")));
                }
                continue;
            }
            stored.insert(c.id.clone(), cell_value(&c.ty, v).map_err(at)?);
        }
        for c in columns {
            if let Some((a, b)) = &c.product {
                let num = |id: &str| stored.get(id).and_then(|v| v.parse::<i64>().ok());
                if let (Some(x), Some(y)) = (num(a), num(b)) {
                    let product = x.checked_mul(y).ok_or_else(|| {
                        (
                            Text::new(
                                format!("第 {n} 行金额过大。"),
                                format!("Row {n}: the amount is too large."),
                            ),
                            Some((n - 1, c.id.clone())),
                        )
                    })?;
                    stored.insert(c.id.clone(), product.to_string());
                }
            }
        }
        out.push(stored);
    }
    Ok(store(&out))
}

fn cell_value(ty: &ColumnType, v: &str) -> Result<String, Text> {
    match ty {
        ColumnType::Text { max } if v.chars().count() > *max => Err(Text::new(
            format!("不能超过 {max} 个字。"),
            format!("at most {max} characters."),
        )),
        ColumnType::Text { .. } => Ok(v.to_string()),
        ColumnType::Money => Money::parse_yuan(v)
            .map(|m| m.fen().to_string())
            .ok_or_else(|| {
                Text::new(
                    "请填写金额（元），最多两位小数。",
                    "enter an amount in yuan, at most two decimals.",
                )
            }),
        ColumnType::Integer { min, max } => match v.parse::<i64>() {
            Ok(n) if (*min..=*max).contains(&n) => Ok(n.to_string()),
            _ => Err(Text::new(
                format!("请填写 {min} 至 {max} 之间的整数。"),
                format!("enter a whole number from {min} to {max}."),
            )),
        },
        ColumnType::Date => parse_date(v).map(|d| d.to_string()).ok_or_else(|| {
            Text::new(
                "请填写日期，如 2026-10-11。",
                "enter a date such as 2026-10-11.",
            )
        }),
        ColumnType::ItemRef { .. } => item_number(v).ok_or_else(bad_number),
        // The value, or its words in either language (a sheet typed in English).
        ColumnType::Choice(options) => options
            .iter()
            .find(|(id, l)| id == v || l.zh == v || l.en.eq_ignore_ascii_case(v))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                let list = |en: bool| {
                    options
                        .iter()
                        .map(|(_, l)| if en { l.en.clone() } else { l.zh.clone() })
                        .collect::<Vec<_>>()
                };
                Text::new(
                    format!("请选择：{}。", list(false).join("、")),
                    format!("choose one of: {}.", list(true).join(", ")),
                )
            }),
    }
}

/// A stored cell as a reader of `lang` reads it: a choice by its words, anything else as kept.
pub fn shown(column: &Column, value: &str, lang: crate::Lang) -> String {
    match &column.ty {
        ColumnType::Choice(options) => options
            .iter()
            .find(|(id, _)| id == value)
            .map(|(_, l)| l.get(lang).to_string())
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

/// The stored table as a user would type it (money back in yuan), for forms and effects.
pub fn typed(columns: &[Column], stored: &str) -> String {
    let out: Vec<Row> = rows(stored)
        .into_iter()
        .map(|mut r| {
            for c in columns.iter().filter(|c| c.ty == ColumnType::Money) {
                if let Some(v) = r.get_mut(&c.id)
                    && let Ok(fen) = v.parse::<i64>()
                {
                    *v = Money::from_fen(fen).yuan_string();
                }
            }
            // Computed cells are recomputed on the way back in.
            r.retain(|k, _| columns.iter().any(|c| &c.id == k && c.product.is_none()));
            r
        })
        .collect();
    store(&out)
}

/// The sum of a money column of a stored table, in fen.
pub fn sum(stored: &str, column: &str) -> i64 {
    rows(stored)
        .iter()
        .filter_map(|r| r.get(column).and_then(|v| v.parse::<i64>().ok()))
        .fold(0, i64::saturating_add)
}

/// One line of an approved baseline: what was asked, what was approved, and why it was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineLine {
    /// 1-based line number in the approved version.
    pub line: usize,
    pub cells: Row,
    pub requested_fen: i64,
    pub approved_fen: i64,
    pub reason: String,
}

/// The lines with their cuts applied. `amount` is the lines' summed money column.
pub fn baseline(lines: &str, amount: &str, cuts: &str) -> Vec<BaselineLine> {
    let cuts = rows(cuts);
    rows(lines)
        .into_iter()
        .enumerate()
        .map(|(i, cells)| {
            let line = i + 1;
            let requested_fen = cells.get(amount).and_then(|v| v.parse().ok()).unwrap_or(0);
            let cut = cuts
                .iter()
                .find(|c| c.get(CUT_LINE).and_then(|v| v.parse().ok()) == Some(line));
            let approved_fen = cut
                .and_then(|c| c.get("approved").and_then(|v| v.parse().ok()))
                .unwrap_or(requested_fen);
            let reason = cut
                .and_then(|c| c.get("reason").cloned())
                .unwrap_or_default();
            BaselineLine {
                line,
                cells,
                requested_fen,
                approved_fen,
                reason,
            }
        })
        .collect()
}

/// Checks cuts against the lines: each names an existing line once, approves no more than was
/// asked and says why. Returns the approved total in fen.
pub fn check_cuts(lines: &str, amount: &str, cuts: &str) -> Result<i64, Text> {
    let n_lines = rows(lines).len();
    let mut seen = Vec::new();
    for (i, cut) in rows(cuts).iter().enumerate() {
        let n = i + 1;
        let line = cut.get(CUT_LINE).and_then(|v| v.parse::<usize>().ok());
        let Some(line) = line.filter(|l| (1..=n_lines).contains(l)) else {
            return Err(Text::new(
                format!("第 {n} 条核减：预算明细共 {n_lines} 行，请填写其中的行号。"),
                format!("Cut {n}: the budget has {n_lines} lines; give one of their numbers."),
            ));
        };
        if seen.contains(&line) {
            return Err(Text::new(
                format!("第 {n} 条核减：第 {line} 行已核减过一次。"),
                format!("Cut {n}: line {line} is already cut once."),
            ));
        }
        seen.push(line);
        if cut.get("reason").is_none_or(|r| r.trim().is_empty()) {
            return Err(Text::new(
                format!("第 {n} 条核减：请写明核减理由。"),
                format!("Cut {n}: give the reason for the cut."),
            ));
        }
    }
    let lines = baseline(lines, amount, cuts);
    if let Some(l) = lines.iter().find(|l| l.approved_fen > l.requested_fen) {
        return Err(Text::new(
            format!(
                "第 {} 行核定金额不能超过申报金额 {} 元。",
                l.line,
                Money::from_fen(l.requested_fen).yuan_string()
            ),
            format!(
                "Line {}: the approved amount cannot exceed the {} yuan asked.",
                l.line,
                Money::from_fen(l.requested_fen).yuan_string()
            ),
        ));
    }
    Ok(lines.iter().map(|l| l.approved_fen).sum())
}

/// What tables imply for a step: sums kept in their fields, values that must come from another
/// field, and cuts checked with the approved total. Problems are added to `errors`.
pub(crate) fn derive(
    kind: &ItemKind,
    t: &Transition,
    item: Option<&Item>,
    changes: &mut BTreeMap<String, String>,
    errors: &mut Vec<FieldError>,
) {
    let value = |changes: &BTreeMap<String, String>, f: &str| {
        changes
            .get(f)
            .cloned()
            .or_else(|| item.map(|i| i.field(f).to_string()))
            .unwrap_or_default()
    };
    for def in &kind.fields {
        if let Some((a, b)) = &def.product {
            let num = |f: &str| value(changes, f).parse::<i64>().ok();
            if let (Some(x), Some(y)) = (num(a), num(b)) {
                changes.insert(def.id.clone(), x.saturating_mul(y).to_string());
            }
        }
    }
    for def in &kind.fields {
        let FieldType::Table(columns) = &def.ty else {
            continue;
        };
        let Some(stored) = changes.get(&def.id).cloned() else {
            continue;
        };
        for c in columns {
            if let Some(into) = &c.sum_into {
                changes.insert(into.clone(), sum(&stored, &c.id).to_string());
            }
            if let Some(list) = &c.one_of {
                // Another field's values, or (`table.column`) a column of another table.
                let allowed: Vec<String> = match list.split_once('.') {
                    Some((table, column)) => rows(&value(changes, table))
                        .iter()
                        .filter_map(|r| r.get(column).cloned())
                        .collect(),
                    None => value(changes, list)
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .collect(),
                };
                let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                let stray = rows(&stored).into_iter().enumerate().find_map(|(n, r)| {
                    r.get(&c.id)
                        .filter(|v| !allowed.contains(&v.as_str()))
                        .map(|v| (n + 1, v.clone()))
                });
                if let Some((n, v)) = stray {
                    let label = kind
                        .field(list.split('.').next().unwrap_or(list))
                        .map(|f| f.label.clone())
                        .unwrap_or_default();
                    errors.push(FieldError {
                        field: cell_name(&def.id, n - 1, &c.id),
                        message: Text::new(
                            format!("第 {n} 行「{}」{v} 不在「{}」之列。", c.label.zh, label.zh),
                            format!("Row {n}: {} {v} is not among {}.", c.label.en, label.en),
                        ),
                    });
                }
            }
        }
    }
    if let Some(rule) = &t.cuts {
        let amount = match kind.field(&rule.of).map(|f| &f.ty) {
            Some(FieldType::Table(cols)) => cols
                .iter()
                .find(|c| c.sum_into.is_some())
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let lines = value(changes, &rule.of);
        let cuts = value(changes, &rule.table);
        match check_cuts(&lines, &amount, &cuts) {
            Ok(total) => {
                changes.insert(rule.total.clone(), total.to_string());
                if let Some(field) = &rule.baseline {
                    let rows: Vec<Row> = baseline(&lines, &amount, &cuts)
                        .into_iter()
                        .map(|l| {
                            let mut r = Row::new();
                            r.insert(CUT_LINE.into(), l.line.to_string());
                            for c in ["category", "item"] {
                                if let Some(v) = l.cells.get(c) {
                                    r.insert(c.into(), v.clone());
                                }
                            }
                            r.insert("approved".into(), l.approved_fen.to_string());
                            r
                        })
                        .collect();
                    changes.insert(field.clone(), store(&rows));
                }
            }
            Err(message) => errors.push(FieldError {
                field: rule.table.clone(),
                message,
            }),
        }
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
