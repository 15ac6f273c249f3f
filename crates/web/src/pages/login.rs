//! Login, logout and the language switch.

use crate::AppState;
use crate::auth::{LANG_COOKIE, WebUser, check_csrf, clear_cookie, cookie_value, session_cookie};
use crate::error::{WebError, html};
use crate::i18n::Tr;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Lang;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    error: String,
    username: String,
    policy_title: String,
}

fn lang_of(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == LANG_COOKIE).then(|| v.to_string())
        });
    cookie.map(|c| Lang::parse(&c)).unwrap_or_default()
}

pub async fn page(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    html(LoginPage {
        t: Tr(lang),
        error: String::new(),
        username: String::new(),
        policy_title: s.platform.policy.title.get(lang).to_string(),
    })
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    origin: Option<axum::Extension<app::Origin>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    let t = Tr(lang);
    let again = |error: &str, username: &str, status: StatusCode| {
        let mut r = html(LoginPage {
            t,
            error: error.to_string(),
            username: username.to_string(),
            policy_title: s.platform.policy.title.get(lang).to_string(),
        });
        *r.status_mut() = status;
        r
    };
    let too_many = |wait: u64| {
        let mut r = again(
            crate::edges::too_many_logins(wait).get(lang),
            "",
            StatusCode::TOO_MANY_REQUESTS,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(wait));
        r
    };
    let source = s.edges.client_ip(addr.ip(), &headers);
    if let Err(wait) = s.edges.login_from(source) {
        return too_many(wait);
    }
    let username = f.username.trim();
    if username.is_empty() || f.password.is_empty() {
        return again(
            t.s("login_required"),
            username,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if username.len() > crate::edges::MAX_USERNAME_BYTES {
        // No account has such a name: refused before anything is looked up or written.
        return again(
            t.s("username_too_long"),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if let Err(wait) = s.edges.login_as(username) {
        return too_many(wait);
    }
    match app::identity::login(
        &s.platform,
        username,
        &f.password,
        app::Origin {
            source: source.to_string(),
            request_id: origin.map(|o| o.0.request_id).unwrap_or_default(),
        },
        "web",
        lang,
    )
    .await
    {
        Ok((token, _)) => (
            [(header::SET_COOKIE, session_cookie(&token))],
            Redirect::to("/"),
        )
            .into_response(),
        Err(app::AppError::LoginFailed) => {
            again(t.s("login_failed"), username, StatusCode::UNAUTHORIZED)
        }
        // The right password on an account without a role yet: the login page says so.
        Err(app::AppError::Denied(d)) => again(d.reason.get(lang), username, StatusCode::FORBIDDEN),
        Err(e) => WebError::App(e, lang).into_response(),
    }
}

pub async fn logout(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    app::identity::logout(&s.platform, &who)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    Ok((
        [(header::SET_COOKIE, clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Switches the language; kept in the session when logged in, in a cookie otherwise.
pub async fn switch(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Back>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::parse(&code);
    // Only a path of this site: no scheme, no `//host`, no backslash or control character that a
    // browser would turn into another host.
    let back = q
        .back
        .filter(|b| {
            b.starts_with('/')
                && !b.starts_with("//")
                && b.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_?=&.%-~".contains(c))
        })
        .unwrap_or_else(|| "/".into());
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers;
    if let Some(token) = cookie_value(&parts, crate::auth::COOKIE)
        && let Ok(who) = app::identity::authenticate(&s.platform, &token, "web").await
    {
        let _ = app::identity::set_lang(&s.platform, &who, lang).await;
    }
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Secure",
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
