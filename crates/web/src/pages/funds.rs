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

/// The auditor's package (R12.1): every fund record with its chained history, signed by the
/// platform, checked offline with `tongchou audit verify --package FILE`.
pub async fn package(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
    crate::auth::WebUser(who): crate::auth::WebUser,
) -> Result<axum::response::Response, crate::error::WebError> {
    let zip = app::package::export(&s.platform, &who)
        .await
        .map_err(|e| crate::error::WebError::App(e, who.lang))?;
    let t = crate::i18n::Tr(who.lang);
    let name = format!("{}-{}.zip", t.s("audit_package_file"), s.platform.today());
    Ok(super::download(&name, "application/zip", zip))
}

/// The report's columns as the page and the workbook show them: (heading, money column).
fn report_columns(t: crate::i18n::Tr, by: app::funds::report::By) -> Vec<String> {
    use app::funds::report::By;
    let first = match by {
        By::Project => t.s("report_project"),
        By::Unit => t.s("unit"),
        By::Year => t.s("report_year"),
    };
    [
        first,
        t.s("report_projects"),
        t.s("report_budget"),
        t.s("report_committed"),
        t.s("report_disbursed"),
        t.s("report_paid"),
        t.s("report_left"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[derive(serde::Deserialize)]
pub struct ReportQuery {
    by: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "funds_report.html")]
struct ReportPage {
    frame: crate::frame::Frame,
    by: &'static str,
    headers: Vec<String>,
    /// (label, projects, budget, committed, disbursed, paid, left, share of the budget asked
    /// for in per cent, by source)
    rows: Vec<ReportRow>,
    total: ReportRow,
}

struct ReportRow {
    label: String,
    href: String,
    projects: usize,
    money: Vec<String>,
    used_pct: i64,
    sources: String,
}

fn source_label(p: &Platform, lang: domain::Lang, id: &str) -> String {
    p.policy
        .kind(app::contract::ids::DISBURSEMENT)
        .and_then(|k| k.field(app::contract::ids::DISBURSEMENT_SOURCE))
        .and_then(|f| match &f.ty {
            domain::policy::FieldType::Choice(options) => options
                .iter()
                .find(|(o, _)| o == id)
                .map(|(_, name)| name.get(lang).to_string()),
            _ => None,
        })
        .unwrap_or_else(|| id.to_string())
}

fn report_row(
    p: &Platform,
    lang: domain::Lang,
    l: &app::funds::report::Line,
    href: String,
) -> ReportRow {
    let yuan = |fen: i64| domain::Money::from_fen(fen).yuan_string();
    ReportRow {
        label: l.label.clone(),
        href,
        projects: l.projects,
        money: [
            l.budget_fen,
            l.committed_fen,
            l.disbursed_fen,
            l.paid_fen,
            l.left_fen,
        ]
        .into_iter()
        .map(yuan)
        .collect(),
        used_pct: if l.budget_fen > 0 {
            (l.disbursed_fen * 100 / l.budget_fen).clamp(0, 100)
        } else {
            0
        },
        sources: l
            .by_source
            .iter()
            .map(|(s, fen)| format!("{} {}", source_label(p, lang, s), yuan(*fen)))
            .collect::<Vec<_>>()
            .join(match lang {
                domain::Lang::Zh => "；",
                domain::Lang::En => "; ",
            }),
    }
}

fn totals(lines: &[app::funds::report::Line]) -> app::funds::report::Line {
    let mut t = app::funds::report::Line::default();
    for l in lines {
        t.projects += l.projects;
        t.budget_fen += l.budget_fen;
        t.committed_fen += l.committed_fen;
        t.disbursed_fen += l.disbursed_fen;
        t.paid_fen += l.paid_fen;
        t.left_fen += l.left_fen;
        for (s, fen) in &l.by_source {
            *t.by_source.entry(s.clone()).or_default() += fen;
        }
    }
    t
}

/// 资金报表: the projects' money by project, unit or year, with a bar of what was asked for.
pub async fn report(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
    crate::auth::WebUser(who): crate::auth::WebUser,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Result<axum::response::Response, crate::error::WebError> {
    let p = &s.platform;
    let by = app::funds::report::By::parse(q.by.as_deref().unwrap_or_default());
    let lines = app::funds::report::report(p, &who, by)
        .await
        .map_err(|e| crate::error::WebError::App(e, who.lang))?;
    let t = crate::i18n::Tr(who.lang);
    let frame = crate::frame::Frame::new(
        p,
        &who,
        "/funds/report",
        t.s("funds_report_title"),
        "/funds/report",
    );
    let href = |l: &app::funds::report::Line| match by {
        app::funds::report::By::Project => format!("/items?kind=project&q={}", l.key),
        _ => String::new(),
    };
    let mut total = totals(&lines);
    total.label = t.s("report_total").to_string();
    Ok(crate::error::html(ReportPage {
        by: by.id(),
        headers: report_columns(t, by),
        rows: lines
            .iter()
            .map(|l| report_row(p, who.lang, l, href(l)))
            .collect(),
        total: report_row(p, who.lang, &total, String::new()),
        frame,
    }))
}

/// The same report as a workbook, the same columns as on screen, recorded as an export.
pub async fn report_xlsx(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
    crate::auth::WebUser(who): crate::auth::WebUser,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Result<axum::response::Response, crate::error::WebError> {
    use sheets::{Cell as X, Column, ColumnKind, Sheet};
    let p = &s.platform;
    let err = |e| crate::error::WebError::App(e, who.lang);
    let by = app::funds::report::By::parse(q.by.as_deref().unwrap_or_default());
    let lines = app::funds::report::report(p, &who, by).await.map_err(err)?;
    let t = crate::i18n::Tr(who.lang);
    let headers = report_columns(t, by);
    let kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Money,
        ColumnKind::Money,
        ColumnKind::Money,
        ColumnKind::Money,
        ColumnKind::Money,
    ];
    let mut columns: Vec<Column> = headers
        .iter()
        .zip(kinds)
        .map(|(h, k)| Column::new(h, k))
        .collect();
    columns.push(Column::new(t.s("report_sources"), ColumnKind::Text));
    let rows = lines
        .iter()
        .map(|l| {
            let r = report_row(p, who.lang, l, String::new());
            vec![
                X::from(l.label.as_str()),
                X::from(l.projects.to_string().as_str()),
                X::Money(l.budget_fen),
                X::Money(l.committed_fen),
                X::Money(l.disbursed_fen),
                X::Money(l.paid_fen),
                X::Money(l.left_fen),
                X::from(r.sources.as_str()),
            ]
        })
        .collect();
    let name = t.s("funds_report_title").to_string();
    let today = p.today();
    let sheet = Sheet::new(&name, columns).title(format!("{name}{}", t.paren(&today.to_string())));
    let sheet = Sheet { rows, ..sheet };
    let bytes = tokio::task::spawn_blocking(move || sheets::write(&[sheet]))
        .await
        .map_err(|_| err(app::AppError::Conflict))?
        .map_err(|e| err(app::AppError::Invalid(domain::Text::new(e.zh(), e.en()))))?;
    let access = app::access::Access::Export {
        kind: "funds_report",
        filters: serde_json::json!({ "by": by.id() }),
        rows: lines.len(),
    };
    app::access::record(p, &who, access, &bytes)
        .await
        .map_err(err)?;
    Ok(super::download(
        &format!("{name}-{today}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
