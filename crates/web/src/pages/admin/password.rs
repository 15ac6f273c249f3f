//! 修改密码: anyone replaces their own password; after an administrator's one-time password,
//! this is the only page that opens until they do.

use super::{Problems, checked, frame};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub frame: Frame,
    /// Why the password must be replaced now ("" when it need not).
    pub due: &'static str,
    pub done: bool,
    pub problems: Problems,
}

fn render(s: &AppState, who: &app::Principal, done: bool, problems: Problems) -> Response {
    html(PasswordPage {
        frame: frame(
            &s.platform,
            who,
            crate::auth::PASSWORD_PAGE,
            "password_title",
        ),
        due: match (who.must_change_password(&s.platform), done) {
            (Some(app::identity::PasswordDue::OneTime), false) => "password_one_time",
            (Some(app::identity::PasswordDue::TooOld), false) => "password_too_old",
            _ => "",
        },
        done,
        problems,
    })
}

pub async fn page(State(s): State<AppState>, WebUser(who): WebUser) -> Response {
    render(&s, &who, false, Problems::default())
}

/// Nothing typed is shown again: passwords are never sent back to the page.
pub async fn submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = checked(&who, &form)?;
    let get = |k: &str| v.get(k);
    let r = app::identity::password::change_own(
        &s.platform,
        &who,
        get("current"),
        get("new"),
        get("again"),
    )
    .await;
    match r {
        Ok(()) => Ok(render(&s, &who, true, Problems::default())),
        Err(e) => Ok(render(&s, &who, false, Problems::of(e, who.lang)?)),
    }
}
