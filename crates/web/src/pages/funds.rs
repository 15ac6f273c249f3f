//! The money on an item's page (issue 14): a budget's lines with what draws on each (a fund's
//! allocations; a project's contracts and disbursements, requests under review included) and
//! what is left, read as the steps' own checks read it (`app::funds`).

use super::panels::{Cell, Panel, cell, new_panel, t};
use app::items::ItemView;
use app::{AppError, Platform, Principal};
use domain::policy::ItemKind;

/// The panel of a budget's use, when something draws on a table of this kind.
pub async fn lines_panel(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    v: &ItemView,
) -> Result<Option<Panel>, AppError> {
    let lines = app::funds::lines(p, who, v.row.item.id).await?;
    let Some(first) = lines.first() else {
        return Ok(None);
    };
    let lang = who.lang;
    let table = app::funds::budget_table(p, &kind.id)
        .and_then(|f| kind.field(&f))
        .map(|f| f.label.get(lang).to_string())
        .unwrap_or_default();
    let mut headers = vec![
        t(lang, "行号", "Line"),
        t(lang, "内容", "Item"),
        t(lang, "核定（元）", "Approved (yuan)"),
    ];
    for d in &first.draws {
        headers.push(match lang {
            domain::Lang::Zh => format!("{}（元）", d.label.zh),
            domain::Lang::En => format!("{} (yuan)", d.label.en),
        });
    }
    headers.push(t(lang, "剩余（元）", "Left (yuan)"));
    let mut panel = new_panel(
        "execution",
        match lang {
            domain::Lang::Zh => format!("{table}执行情况"),
            domain::Lang::En => format!("Use of the {}", table.to_lowercase()),
        },
        headers,
    );
    let money = |fen: i64| Cell {
        text: domain::Money::from_fen(fen).yuan_string(),
        href: None,
        class: "num",
    };
    let mut totals = vec![0i64; first.draws.len() + 2];
    for l in &lines {
        let mut row = vec![
            cell(l.line.to_string()),
            cell(l.item.clone()),
            money(l.approved_fen),
        ];
        totals[0] += l.approved_fen;
        for (i, d) in l.draws.iter().enumerate() {
            row.push(money(d.fen));
            totals[i + 1] += d.fen;
        }
        row.push(money(l.left_fen));
        totals[first.draws.len() + 1] += l.left_fen;
        panel.rows.push(row);
    }
    let mut sum = vec![cell(String::new()), cell(t(lang, "合计", "Total"))];
    sum.extend(totals.into_iter().map(money));
    panel.rows.push(sum);
    panel.note = Some(t(
        lang,
        "各类事项分别不得超过各行核定金额；拨付含审核中的申请（第二十五条）。",
        "Each kind is held to every line on its own; payments include requests under review (art. 25).",
    ));
    Ok(Some(panel))
}
