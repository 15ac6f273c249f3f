//! 个人中心 (issue 12, point 11): the person's own account, unit and role, their password's
//! age and due date, their signing key, their delegations and their recent logins.

use super::frame;
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

/// One of the person's own security records as the page shows it.
pub struct Recent {
    pub at: String,
    pub action: String,
    pub ok: bool,
    pub source: String,
}

#[derive(Template)]
#[template(path = "me.html")]
pub struct MePage {
    pub frame: Frame,
    pub username: String,
    pub name: String,
    pub org: String,
    pub role: String,
    pub me: app::identity::me::Me,
    pub recent: Vec<Recent>,
}

pub async fn page(State(s): State<AppState>, WebUser(who): WebUser) -> Result<Response, WebError> {
    let p = &s.platform;
    let me = app::identity::me::me(p, &who)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let f = frame(p, &who, "/me", "me_title");
    let t = f.t;
    let recent = me
        .recent
        .iter()
        .map(|r| Recent {
            at: crate::views::short_time(&r.at),
            action: super::trail::action_label(t, &r.action),
            ok: r.ok(),
            source: r.source.clone(),
        })
        .collect();
    Ok(html(MePage {
        username: who.user.username.clone(),
        name: who.user.display_name.clone(),
        org: f.org.clone(),
        role: f.role.clone(),
        frame: f,
        me,
        recent,
    }))
}
