//! A project under construction (R15.3, R15.4): its milestones with schedule variance, its
//! risks and inspections, and the timeline page with a milestone chart (ECharts, embedded).

use super::panels::{Cell, Panel, cell, new_panel, t};
use crate::AppState;
use crate::auth::WebUser;
use crate::contract::ids;
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::items::ItemView;
use app::{AppError, Platform, Principal};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::{ItemId, Lang, Text};

fn status(m: &app::progress::Milestone, lang: Lang) -> Cell {
    let (zh, en) = match (m.actual, m.variance_days) {
        (Some(_), d) if d > 0 => (format!("延期 {d} 天完成"), format!("{d} days late")),
        (Some(_), d) if d < 0 => (format!("提前 {} 天完成", -d), format!("{} days early", -d)),
        (Some(_), _) => ("按期完成".into(), "on time".into()),
        (None, d) if d > 0 => (format!("已逾期 {d} 天"), format!("{d} days overdue")),
        (None, _) => ("未到期".into(), "not yet due".into()),
    };
    Cell {
        text: Text::new(zh, en).get(lang).to_string(),
        href: None,
        class: if m.late { "late" } else { "" },
    }
}

/// Milestones as planned and reached, with the link to the timeline.
pub fn milestones_panel(v: &ItemView, lang: Lang, today: chrono::NaiveDate) -> Option<Panel> {
    let ms = app::progress::milestones(&v.row.item, today);
    if ms.is_empty() {
        return None;
    }
    let mut panel = new_panel(
        "milestones",
        t(lang, "里程碑与进度偏差", "Milestones and schedule variance"),
        vec![
            t(lang, "里程碑", "Milestone"),
            t(lang, "计划完成", "Planned"),
            t(lang, "实际完成", "Reached"),
            t(lang, "偏差", "Variance"),
        ],
    );
    for m in &ms {
        panel.rows.push(vec![
            cell(m.name.clone()),
            cell(m.planned.to_string()),
            cell(m.actual.map(|d| d.to_string()).unwrap_or_default()),
            status(m, lang),
        ]);
    }
    panel.links.push((
        t(lang, "进度时间轴", "Timeline"),
        format!("/items/{}/timeline", v.row.item.id.get()),
        "timeline".into(),
    ));
    Some(panel)
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    frame: Frame,
    title: String,
    number: String,
    id: i64,
    /// The chart's data as JSON, read by /static/timeline.js (no inline script: CSP).
    data: String,
    rows: Vec<(String, String, String, String, bool)>,
}

/// The project's timeline: planned and actual dates of each milestone on one chart.
pub async fn timeline(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let v = app::items::view(p, &who, ItemId::new(id))
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let today = p.today();
    let ms = app::progress::milestones(&v.row.item, today);
    let data = serde_json::json!({
        "names": ms.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
        "planned": ms.iter().map(|m| m.planned.to_string()).collect::<Vec<_>>(),
        "actual": ms.iter().map(|m| m.actual.map(|d| d.to_string())).collect::<Vec<_>>(),
        "late": ms.iter().map(|m| m.late).collect::<Vec<_>>(),
        "today": today.to_string(),
        "labels": {
            "planned": t(lang, "计划", "Planned"),
            "actual": t(lang, "实际", "Reached"),
            "today": t(lang, "今天", "Today"),
        },
    });
    let heading = t(lang, "进度时间轴", "Timeline");
    let frame = Frame::new(
        p,
        &who,
        "project",
        &heading,
        &format!("/items/{id}/timeline"),
    )
    .crumb(
        &p.policy
            .kind(ids::PROJECT)
            .map(|k| k.name.get(lang).to_string())
            .unwrap_or_default(),
        "/items?kind=project",
    )
    .crumb(&v.row.title, &format!("/items/{id}"));
    Ok(html(TimelinePage {
        title: v.row.title.clone(),
        number: v.row.number.clone(),
        id,
        // Inside a <script> block: no typed name may close it.
        data: data
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
        rows: ms
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    m.planned.to_string(),
                    m.actual.map(|d| d.to_string()).unwrap_or_default(),
                    status(m, lang).text,
                    m.late,
                )
            })
            .collect(),
        frame,
    }))
}

/// The project's risks and inspections, with links to record more.
pub async fn panels(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    out: &mut Vec<Panel>,
) -> Result<(), AppError> {
    let lang = who.lang;
    let number = &v.row.number;
    if let Some(panel) = milestones_panel(v, lang, p.today()) {
        out.push(panel);
    }
    for (kind, id, zh, en) in [
        (ids::RISK, "risks", "风险登记", "Risk register"),
        (ids::INSPECTION, "inspections", "监督检查", "Inspections"),
    ] {
        // Shown while the project's state lets the kind be recorded, or once there is one.
        let building = app::items::parent_accepts(p, kind, &v.row);
        let rows = app::cycle::children(p, who, kind, number).await?;
        if rows.is_empty() && !building {
            continue;
        }
        let mut panel = new_panel(
            id,
            t(lang, zh, en),
            vec![
                t(lang, "编号", "No."),
                t(lang, "名称", "Title"),
                t(lang, "说明", "Note"),
                t(lang, "状态", "State"),
            ],
        );
        for r in &rows {
            let note = match kind {
                ids::RISK => format!("{}{}", t(lang, "风险值 ", "level "), r.item.field("level")),
                _ => r.item.field("inspected_on").to_string(),
            };
            panel.rows.push(vec![
                super::panels::item_link(r),
                cell(r.title.clone()),
                cell(note),
                super::panels::state_cell(p, r, lang),
            ]);
        }
        // One link per step that creates one here now (登记监督检查 while it is built,
        // 组织初验 once it is reported done), in the step's words.
        if let Some(k) = p.policy.kind(kind) {
            panel
                .links
                .extend(super::children::creation_links(p, who, k, &v.row));
        }
        out.push(panel);
    }
    Ok(())
}
