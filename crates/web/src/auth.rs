//! Who is asking: the session cookie for pages, the bearer token for the API. Pages without a
//! live session go to the login page; the API answers 401.

use crate::AppState;
use crate::error::{ApiError, WebError};
use app::Principal;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

pub const COOKIE: &str = "tc_session";
pub const LANG_COOKIE: &str = "tc_lang";

/// A logged-in user of the web pages.
pub struct WebUser(pub Principal);

/// A caller of the JSON API with a bearer token.
pub struct ApiUser(pub Principal);

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<WebUser, WebError> {
        let token = cookie_value(parts, COOKIE).ok_or(WebError::Login)?;
        match app::identity::authenticate(&state.platform, &token, "web").await {
            Ok(mut p) => {
                p.origin = origin_of(parts);
                // A one-time password (set by the system administrator), or one past its
                // maximum age, is replaced before anything else is done.
                let path = parts.uri.path();
                let due = p.must_change_password(&state.platform).is_some();
                if due && path != PASSWORD_PAGE && path != "/logout" {
                    return Err(WebError::ChangePassword);
                }
                Ok(WebUser(p))
            }
            Err(app::AppError::Unauthenticated) => Err(WebError::Login),
            Err(e) => Err(WebError::App(e, domain::Lang::Zh)),
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Response;

    /// The token's session, then its rate limit (`Edges::api_per_token`): 429 with
    /// `Retry-After` over it.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, Response> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(app::AppError::Unauthenticated).into_response())?;
        let mut who = app::identity::authenticate(&state.platform, token.trim(), "api")
            .await
            .map_err(|e| ApiError(e).into_response())?;
        who.origin = origin_of(parts);
        if who.must_change_password(&state.platform).is_some() {
            let must = domain::Text::new(
                "请先在网页上修改密码（一次性密码或已过期的密码），再使用接口。",
                "Change your password on the web first (a one-time or expired one), then use the API.",
            );
            return Err(ApiError(app::AppError::Invalid(must)).into_response());
        }
        if let Err(wait) = state.edges.api_call(&who.token_hash) {
            return Err(crate::edges::too_many(
                true,
                who.lang,
                wait,
                &crate::edges::too_many_calls(wait),
            ));
        }
        Ok(ApiUser(who))
    }
}

/// Where a person changes their own password.
pub const PASSWORD_PAGE: &str = "/password";

/// Where the request came from, as the edge (`edges::guard`) recorded it.
pub fn origin_of(parts: &Parts) -> app::Origin {
    parts
        .extensions
        .get::<app::Origin>()
        .cloned()
        .unwrap_or_default()
}

/// The cookie that carries a web session (SECURITY.md: Secure; HttpOnly; SameSite=Strict).
pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// Refuses a state-changing form without the session's anti-CSRF token.
pub fn check_csrf(who: &Principal, form: &[(String, String)]) -> Result<(), WebError> {
    let sent = form
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let expected = who.csrf.as_bytes();
    let ok = sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.iter())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0;
    if ok {
        Ok(())
    } else {
        Err(WebError::Csrf(who.lang))
    }
}
