//! Errors of the web layer. Pages get a page in the user's language, the API gets
//! `application/problem+json` naming the fields; internal errors are logged, never shown.

use crate::i18n::Tr;
use app::AppError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Lang;

#[derive(Debug)]
pub enum WebError {
    /// No live session: go to the login page.
    Login,
    /// A one-time password must be replaced first: go to the password page.
    ChangePassword,
    Csrf(Lang),
    App(AppError, Lang),
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub t: Tr,
    /// 未能办理, or 页面不存在 for something not found.
    pub heading: String,
    pub message: String,
}

impl ErrorPage {
    pub(crate) fn new(t: Tr, message: String) -> ErrorPage {
        ErrorPage {
            t,
            heading: t.s("refused").to_string(),
            message,
        }
    }
}

/// Any address the platform does not have: its own page (the API answers problem+json).
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError(AppError::NotFound).into_response();
    }
    let t = Tr(Lang::Zh);
    let mut r = html(ErrorPage {
        t,
        heading: t.s("no_page").to_string(),
        message: t.s("no_page_hint").to_string(),
    });
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Denied(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
        AppError::Conflict => StatusCode::CONFLICT,
        AppError::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Startup(_) | AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// How long a client is asked to wait before sending a refused write again.
pub const RETRY_AFTER_SECONDS: &str = "30";

/// A 503 carries `Retry-After`.
fn with_retry_after(e: &AppError, mut r: Response) -> Response {
    if matches!(e, AppError::Unavailable(_)) {
        r.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    r
}

pub fn html(page: impl Template) -> Response {
    match page.render() {
        Ok(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, lang, message) = match self {
            WebError::Login => return Redirect::to("/login").into_response(),
            WebError::ChangePassword => {
                return Redirect::to(crate::auth::PASSWORD_PAGE).into_response();
            }
            WebError::Csrf(lang) => (StatusCode::FORBIDDEN, lang, Tr(lang).s("csrf").to_string()),
            WebError::App(e, lang) => {
                let t = Tr(lang);
                let message = match &e {
                    AppError::Denied(d) => d.reason.get(lang).to_string(),
                    AppError::NotFound => t.s("not_found").to_string(),
                    AppError::Unauthenticated => return Redirect::to("/login").into_response(),
                    AppError::LoginFailed => t.s("login_failed").to_string(),
                    AppError::Conflict => t.s("conflict").to_string(),
                    AppError::KeyReused => t.s("key_reused").to_string(),
                    AppError::Invalid(text) => text.get(lang).to_string(),
                    AppError::Unavailable(why) => {
                        tracing::error!(error = %why, "write refused: storage unavailable");
                        t.s("unavailable").to_string()
                    }
                    AppError::Startup(_) | AppError::Store(_) => {
                        tracing::error!(error = %e, "request failed");
                        t.s("server_error").to_string()
                    }
                };
                let heading = match &e {
                    AppError::NotFound => t.s("no_page"),
                    _ => t.s("refused"),
                }
                .to_string();
                let mut r = html(ErrorPage {
                    t,
                    heading,
                    message,
                });
                *r.status_mut() = status_of(&e);
                return with_retry_after(&e, r);
            }
        };
        let mut r = html(ErrorPage::new(Tr(lang), message));
        *r.status_mut() = status;
        r
    }
}

/// An error of the JSON API, rendered as RFC 9457 problem details.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        let mut body = serde_json::json!({
            "type": "about:blank",
            "status": status.as_u16(),
        });
        match &e {
            AppError::Denied(d) => {
                body["title"] = d.reason.en.clone().into();
                body["title_zh"] = d.reason.zh.clone().into();
                body["article"] = d.article.as_ref().map(|a| a.as_str().to_string()).into();
                body["errors"] = d
                    .fields
                    .iter()
                    .map(|f| serde_json::json!({ "field": f.field, "message": f.message.en, "message_zh": f.message.zh }))
                    .collect();
            }
            AppError::KeyReused => {
                body["title"] = "This Idempotency-Key was already used for another request; nothing was changed. Use a new key for a new request.".into();
                body["title_zh"] =
                    "该 Idempotency-Key 已用于另一请求，本次未作任何更改；新请求请使用新的键。"
                        .into();
            }
            AppError::Invalid(text) => {
                body["title"] = text.en.clone().into();
                body["title_zh"] = text.zh.clone().into();
            }
            AppError::Unavailable(why) => {
                tracing::error!(error = %why, "api write refused: storage unavailable");
                body["title"] =
                    "The platform cannot save right now; nothing was changed. Retry later.".into();
                body["title_zh"] = "系统暂时无法保存，本次操作未生效，请稍后重试。".into();
            }
            AppError::Startup(_) | AppError::Store(_) => {
                tracing::error!(error = %e, "api request failed");
                body["title"] = "internal error".into();
            }
            other => body["title"] = other.to_string().into(),
        }
        let r = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        with_retry_after(&e, r)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}
