//! Table fields on the item page: each as its own panel with a total row, and an approved
//! FSR's lines with the amount asked, the amount approved and the reason for each cut.

use super::panels::{Cell, Panel, cell, new_panel};
use domain::policy::{ColumnType, FieldType, ItemKind};
use domain::{Item, Lang, Money};

fn t(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::En { en } else { zh }.to_string()
}

fn money_cell(fen: i64) -> Cell {
    Cell {
        text: Money::from_fen(fen).yuan_string(),
        href: None,
        class: "num",
    }
}

/// One panel per filled table field, in the order of the kind's fields.
pub fn panels(policy: &domain::Policy, kind: &ItemKind, item: &Item, lang: Lang) -> Vec<Panel> {
    // Baselines are shown elsewhere: an FSR's with its lines and cuts, a project's with what
    // contracts took of it.
    let shown_elsewhere: Vec<&str> = kind
        .transitions
        .iter()
        .filter_map(|t| t.cuts.as_ref().and_then(|c| c.baseline.as_deref()))
        .chain(policy.kinds.iter().flat_map(|k| {
            k.transitions
                .iter()
                .filter_map(|t| t.within.as_ref().map(|w| w.budget.as_str()))
        }))
        .collect();
    let cuts_of: Vec<(&str, &str)> = kind
        .transitions
        .iter()
        .filter_map(|t| t.cuts.as_ref())
        .map(|c| (c.of.as_str(), c.table.as_str()))
        .collect();
    let mut out = Vec::new();
    for f in &kind.fields {
        let FieldType::Table(columns) = &f.ty else {
            continue;
        };
        let stored = item.field(&f.id);
        let rows = domain::table::rows(stored);
        if rows.is_empty() {
            continue;
        }
        // Cuts are shown with the lines they cut, not on their own.
        if cuts_of.iter().any(|(_, table)| *table == f.id)
            || (f.system && shown_elsewhere.contains(&f.id.as_str()))
        {
            continue;
        }
        let cuts = cuts_of
            .iter()
            .find(|(of, _)| *of == f.id)
            .map(|(_, table)| item.field(table))
            .filter(|c| !c.is_empty());
        let mut headers = vec![t(lang, "序号", "No.")];
        headers.extend(columns.iter().map(|c| c.label.get(lang).to_string()));
        let summed = columns.iter().find(|c| c.sum_into.is_some());
        if cuts.is_some() {
            headers.push(t(lang, "核定金额（元）", "Approved (yuan)"));
            headers.push(t(lang, "核减理由", "Reason for the cut"));
        }
        let mut panel = new_panel(
            format!("table-{}", f.id),
            f.label.get(lang).to_string(),
            headers,
        );
        let baseline = summed
            .zip(cuts)
            .map(|(s, c)| domain::table::baseline(stored, &s.id, c))
            .unwrap_or_default();
        for (n, r) in rows.iter().enumerate() {
            let mut line = vec![cell((n + 1).to_string())];
            for c in columns {
                let v = r.get(&c.id).cloned().unwrap_or_default();
                line.push(match (&c.ty, v.parse::<i64>()) {
                    (ColumnType::Money, Ok(fen)) => money_cell(fen),
                    _ => cell(domain::table::shown(c, &v, lang)),
                });
            }
            if let Some(b) = baseline.get(n) {
                let mut approved = money_cell(b.approved_fen);
                if b.approved_fen < b.requested_fen {
                    approved.class = "num cut";
                }
                line.push(approved);
                line.push(cell(b.reason.clone()));
            }
            panel.rows.push(line);
        }
        if let Some(s) = summed {
            let mut total = vec![cell(t(lang, "合计", "Total"))];
            for c in columns {
                total.push(if c.id == s.id {
                    money_cell(domain::table::sum(stored, &s.id))
                } else {
                    cell("")
                });
            }
            if !baseline.is_empty() {
                total.push(money_cell(baseline.iter().map(|b| b.approved_fen).sum()));
                total.push(cell(""));
            }
            panel.rows.push(total);
        }
        out.push(panel);
    }
    out
}
