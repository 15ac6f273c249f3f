//! Item lists with filters in the URL (bookmarkable), pagination and the total (RX.4).

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{Opt, RowView, summary_view};
use app::items::ListQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    frame: Frame,
    kind: String,
    q: String,
    states: Vec<Opt>,
    years: Vec<Opt>,
    creations: Vec<(String, String)>,
    rows: Vec<RowView>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Filters {
    kind: Option<String>,
    state: Option<String>,
    year: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

fn url(kind: &str, f: &Filters, page: i64) -> String {
    let enc = |s: &Option<String>| {
        s.as_deref()
            .map(crate::routes::urlencode)
            .unwrap_or_default()
    };
    format!(
        "/items?kind={kind}&state={}&year={}&q={}&page={page}",
        enc(&f.state),
        enc(&f.year),
        enc(&f.q)
    )
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Filters>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let kind_id = f.kind.clone().unwrap_or_else(|| "demand".into());
    let kind = p
        .policy
        .kind(&kind_id)
        .ok_or(WebError::App(app::AppError::NotFound, who.lang))?;
    let lang = who.lang;
    let query = ListQuery {
        kind: kind_id.clone(),
        state: f.state.clone().filter(|s| !s.is_empty()),
        year: f.year.as_deref().and_then(|y| y.parse().ok()),
        text: f.q.clone(),
        page: f.page.unwrap_or(1),
        per_page: 20,
    };
    let result = app::items::list(p, &who, &query)
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let here = url(&kind_id, &f, result.page);
    let title = kind.name.get(lang).to_string();
    let frame = Frame::new(p, &who, &kind_id, &title, &here);
    let t = frame.t;
    let pages = ((result.total + result.per_page - 1) / result.per_page).max(1);
    let this_year = chrono::Datelike::year(&app::clock::now());
    Ok(html(ListPage {
        kind: kind_id.clone(),
        q: f.q.clone().unwrap_or_default(),
        states: kind
            .states
            .iter()
            .map(|st| Opt {
                id: st.id.clone(),
                label: st.name.get(lang).to_string(),
                selected: query.state.as_deref() == Some(st.id.as_str()),
            })
            .collect(),
        years: (this_year - 3..=this_year + 1)
            .rev()
            .map(|y| Opt {
                id: y.to_string(),
                label: y.to_string(),
                selected: query.year == Some(i64::from(y)),
            })
            .collect(),
        creations: app::items::creations(p, &who, &kind_id)
            .iter()
            .map(|c| (c.id.clone(), c.label.get(lang).to_string()))
            .collect(),
        rows: result.rows.iter().map(|r| summary_view(p, r, t)).collect(),
        total: result.total,
        page: result.page,
        pages,
        prev_url: (result.page > 1).then(|| url(&kind_id, &f, result.page - 1)),
        next_url: (result.page < pages).then(|| url(&kind_id, &f, result.page + 1)),
        frame,
    }))
}
