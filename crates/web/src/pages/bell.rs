//! The bell in the top bar (issue 12, point 11): how many tasks await the person, how many are
//! overdue, and the nearest few with their deadlines. Each page asks for it once it is shown
//! (`hx-trigger="load"`), so no page waits for it; without a live session it is empty.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::i18n::Tr;
use crate::views::{RowView, row_view};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "bell.html")]
struct BellPart {
    t: Tr,
    total: i64,
    overdue: String,
    late: bool,
    rows: Vec<(RowView, String)>,
}

pub async fn part(
    State(s): State<AppState>,
    who: Result<WebUser, WebError>,
) -> Result<Response, WebError> {
    // Logged out, or a password to replace first: no bell (the page itself says why).
    let Ok(WebUser(who)) = who else {
        return Ok(Html("<span id=\"bell\"></span>").into_response());
    };
    let p = &s.platform;
    let bell = app::inbox::bell(p, &who)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let t = Tr(who.lang);
    let kind_name = |k: &str| {
        p.policy
            .kind(k)
            .map(|k| k.name.get(who.lang).to_string())
            .unwrap_or_default()
    };
    Ok(html(BellPart {
        t,
        total: bell.total,
        overdue: match bell.overdue_more {
            true => format!("{}+", bell.overdue),
            false => bell.overdue.to_string(),
        },
        late: bell.overdue > 0,
        rows: bell
            .nearest
            .iter()
            .map(|task| (row_view(p, &task.row, t), kind_name(&task.row.item.kind)))
            .collect(),
    }))
}
