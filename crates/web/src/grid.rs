//! Tables as forms and as text: a table field's grid of inputs (saved rows, blank rows to add,
//! choices where the record or the policy gives them, the cell an error names marked) and a
//! table as the record reads it, a row a line.

use crate::views::Opt;
use domain::policy::{Column, ColumnType};
use domain::{FieldError, Lang, Money};
use std::collections::BTreeMap;

/// A table as the record reads it: one line per row, "（1）专家：ZJ-2026-0003；意见：同意；
/// 评分：84", amounts in yuan, empty cells left out.
pub fn table_text(
    columns: &[Column],
    raw: &str,
    names: &BTreeMap<String, String>,
    lang: Lang,
) -> String {
    domain::table::rows(raw)
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let cells: Vec<String> = columns
                .iter()
                .filter_map(|c| {
                    let v = r.get(&c.id).filter(|v| !v.is_empty())?;
                    let v = match (&c.ty, v.parse::<i64>()) {
                        (ColumnType::Money, Ok(fen)) => Money::from_fen(fen).yuan_string(),
                        // An expert or a vendor by name as well as number.
                        _ => match names.get(v.as_str()) {
                            Some(title) => format!("{v} {title}"),
                            None => domain::table::shown(c, v, lang),
                        },
                    };
                    Some(match lang {
                        Lang::Zh => format!("{}：{v}", c.label.zh),
                        Lang::En => format!("{}: {v}", c.label.en),
                    })
                })
                .collect();
            match lang {
                Lang::Zh => format!("（{}）{}", n + 1, cells.join("；")),
                Lang::En => format!("({}) {}", n + 1, cells.join("; ")),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Values table columns take from the record, as choices: (field, column) → the options.
pub type Picks = BTreeMap<(String, String), Vec<Opt>>;

/// A table's grid of inputs. A column whose values come from the record is a choice; a table
/// not yet filled whose rows are the record's (one per drawn expert) starts with those rows.
/// A cell an error names (`field.row.column`) is marked.
pub(crate) fn table_input(
    field: &str,
    columns: &[Column],
    typed: &str,
    errors: &[FieldError],
    picks: &Picks,
    lang: Lang,
) -> TableInput {
    let pick = |c: &Column| picks.get(&(field.to_string(), c.id.clone()));
    let mut rows = domain::table::rows(typed);
    let fixed = columns
        .iter()
        .find(|c| c.one_of.as_deref().is_some_and(|o| !o.contains('.')))
        .and_then(|c| pick(c).map(|opts| (c, opts)));
    let blank = match (rows.is_empty(), fixed) {
        (true, Some((c, opts))) => {
            rows = opts
                .iter()
                .map(|o| BTreeMap::from([(c.id.clone(), o.id.clone())]))
                .collect();
            0
        }
        _ if rows.len() < 3 => 5 - rows.len(),
        _ => 3,
    };
    rows.extend(std::iter::repeat_with(BTreeMap::new).take(blank));
    TableInput {
        headers: columns
            .iter()
            .map(|c| c.label.get(lang).to_string())
            .collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(n, r)| {
                columns
                    .iter()
                    .map(|c| {
                        let name = format!("{field}.{n}.{}", c.id);
                        let value = r.get(&c.id).cloned().unwrap_or_default();
                        let mut options: Vec<Opt> = pick(c)
                            .map(|opts| {
                                opts.iter()
                                    .map(|o| Opt {
                                        id: o.id.clone(),
                                        label: o.label.clone(),
                                        selected: o.id == value,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        // A choice column offers its values in the reader's language.
                        if let ColumnType::Choice(choices) = &c.ty {
                            options = choices
                                .iter()
                                .map(|(id, l)| Opt {
                                    id: id.clone(),
                                    label: l.get(lang).to_string(),
                                    selected: *id == value,
                                })
                                .collect();
                        }
                        CellInput {
                            error: errors.iter().any(|e| e.field == name),
                            name,
                            value,
                            kind: match c.ty {
                                ColumnType::Date => "date",
                                ColumnType::Money => "money",
                                ColumnType::Integer { .. } => "integer",
                                _ => "text",
                            },
                            computed: c.product.is_some(),
                            options,
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

pub struct TableInput {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<CellInput>>,
}

pub struct CellInput {
    pub name: String,
    pub value: String,
    pub kind: &'static str,
    pub computed: bool,
    /// The record's values to choose from (empty: typed).
    pub options: Vec<Opt>,
    /// An error names this cell.
    pub error: bool,
}
