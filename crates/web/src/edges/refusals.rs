//! The edges' refusals: an error page or problem+json in the user's language, marked as the
//! edges' own, and the texts of the refusals that handlers give too (rate limits, sizes).
//! Apart so every refusal reads alike wherever it is made.

use super::{KB, MB};
use crate::error::ErrorPage;
use crate::i18n::Tr;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{Lang, Text};

/// `20 MB`, `8 KB`, `1500 字节`: a limit as people read it (1 MB = 1024 KB, as the files
/// module counts).
pub fn size_label(bytes: usize) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB && bytes.is_multiple_of(KB) {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} B")
    }
}

/// Marks an answer the edges (or a handler) wrote themselves, so the body-limit rewrite in
/// `guard` leaves it alone.
#[derive(Clone, Copy)]
pub(super) struct OwnRefusal;

/// Marks a handler's own 413 (a file over the limit, already explained) as final.
pub fn own(mut r: Response) -> Response {
    r.extensions_mut().insert(OwnRefusal);
    r
}

/// A refusal at the edge: an error page for the pages, problem+json for the API.
pub fn refusal(status: StatusCode, api: bool, lang: Lang, text: &Text) -> Response {
    let mut r = if api {
        let body = serde_json::json!({
            "type": "about:blank",
            "status": status.as_u16(),
            "title": text.en,
            "title_zh": text.zh,
        });
        (
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    } else {
        crate::error::html(ErrorPage::new(Tr(lang), text.get(lang).to_string()))
    };
    *r.status_mut() = status;
    r.extensions_mut().insert(OwnRefusal);
    r
}

/// 429 with `Retry-After`.
pub fn too_many(api: bool, lang: Lang, wait: u64, text: &Text) -> Response {
    let mut r = refusal(StatusCode::TOO_MANY_REQUESTS, api, lang, text);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    r
}

pub fn too_many_logins(wait: u64) -> Text {
    Text::new(
        format!("登录尝试过于频繁，请 {wait} 秒后再试。"),
        format!("Too many login attempts; try again in {wait} s."),
    )
}

pub fn too_many_calls(wait: u64) -> Text {
    Text::new(
        format!("请求过于频繁，请 {wait} 秒后再试。"),
        format!("Too many requests; try again in {wait} s."),
    )
}

/// The refusal of a file over the upload limit.
pub fn file_too_large(limit: usize) -> Text {
    let l = size_label(limit);
    Text::new(
        format!("文件超过 {l} 上限，请压缩或拆分后上传；本次未保存任何内容。"),
        format!("The file is over the {l} limit; compress or split it. Nothing was kept."),
    )
}

pub(super) fn body_too_large(limit: usize) -> Text {
    let l = size_label(limit);
    Text::new(
        format!("提交的内容超过 {l} 上限，未予处理。"),
        format!("The request is over the {l} limit; nothing was done."),
    )
}
