//! 打印审批单 (issue 12, point 5): an item's approval record on one A4 sheet, as the staff
//! file it: the item, every value it holds (personal ones left out), and every step with who,
//! when, under which article, and what it decided (opinions, minutes, numbers, cuts,
//! signatures). It closes with the SM3 hash at the end of the item's record chain, so a
//! printed sheet can be checked against the platform years later (`tongchou audit verify`).

use super::detail::{HistoryRow, history_row, shown};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{short_time, state_tag};
use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::{ItemId, Lang};

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    frame: Frame,
    id: i64,
    heading: String,
    number: String,
    /// (label, value) of the item itself, then of each field it holds.
    facts: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    /// The hash at the end of the item's record chain, and how many entries it covers.
    chain: Option<(String, usize)>,
    printed: String,
    lang_en: bool,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let v = app::items::view(p, &who, ItemId::new(id))
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let kind = p
        .policy
        .kind(&v.row.item.kind)
        .ok_or(WebError::App(AppError::NotFound, lang))?;
    let item = &v.row.item;
    let names = super::names::of(p, &who, kind, item, &v.history).await;
    let t = |zh: &str, en: &str| domain::Text::new(zh, en).get(lang).to_string();
    let mut facts = vec![
        (t("事项编号", "Number"), v.row.number.clone()),
        (t("事项名称", "Title"), v.row.title.clone()),
        (
            t("所属单位", "Organisation"),
            v.row.owner_name(lang).to_string(),
        ),
        (
            t("当前状态", "State"),
            state_tag(Some(kind), &item.state, lang).name,
        ),
        (
            t("适用制度版本", "Policy version"),
            item.policy_version.clone(),
        ),
        (t("创建时间", "Created"), short_time(&v.row.created_at)),
    ];
    // What the record holds, as the item page shows it, tables a row a line (the budget
    // lines the cuts refer to); personal values (a contact's phone) stay on screen behind
    // their reveal, never on paper.
    facts.extend(
        kind.fields
            .iter()
            .filter(|f| !f.system && !f.personal)
            .filter(|f| !item.field(&f.id).is_empty() && f.id != kind.title_field)
            .map(|f| {
                (
                    f.label.get(lang).to_string(),
                    shown(f, item.field(&f.id), &names, lang),
                )
            }),
    );
    let heading = match lang {
        Lang::Zh => format!("{}审批单", kind.name.zh),
        Lang::En => format!("{}: approval sheet", kind.name.en),
    };
    let frame = Frame::new(p, &who, &kind.id, &heading, &format!("/items/{id}/print"));
    let printed = format!(
        "{} · {}",
        who.user.display_name,
        p.now().format("%Y-%m-%d %H:%M")
    );
    Ok(html(PrintPage {
        id,
        heading,
        number: v.row.number.clone(),
        facts,
        history: v
            .history
            .iter()
            .map(|e| history_row(p, kind, e, &names, lang))
            .collect(),
        chain: v.history.last().map(|e| (e.hash.clone(), v.history.len())),
        printed,
        lang_en: lang == Lang::En,
        frame,
    }))
}
