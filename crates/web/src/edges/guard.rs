//! The middleware every request passes first: it names the request and its source, then applies
//! the other parts in order (headers, Origin, body limit, timeout). Apart so the order of the
//! checks reads in one place.

use super::limits::{HEADER_LIMITS, is_upload};
use super::origin::origin_check;
use super::refusals::{OwnRefusal, body_too_large, file_too_large, refusal};
use crate::AppState;
use crate::auth::LANG_COOKIE;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::{Lang, Text};

/// The edge every request passes first: it gives the request an id (answered in
/// `X-Request-Id`, recorded with every step and security event) and its source address, then
/// bounded headers, the Origin check on state-changing page requests, the body limit of its
/// route, and the request timeout.
pub async fn guard(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = app::Origin::new_request_id();
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let source = peer.map(|ip| s.edges.client_ip(ip, req.headers()));
    req.extensions_mut().insert(app::Origin {
        source: source.map(|ip| ip.to_string()).unwrap_or_default(),
        request_id: request_id.clone(),
    });
    let mut r = checked(State(s), req, next).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}

async fn checked(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let edges = &s.edges;
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    let lang = lang_of(req.headers());
    for (name, max) in HEADER_LIMITS {
        if let Some(long) = req
            .headers()
            .get_all(*name)
            .iter()
            .map(|v| v.len())
            .reduce(|a, b| a + b)
            .filter(|n| n > max)
        {
            let text = Text::new(
                format!("请求头 {name} 过长（{long} 字节，上限 {max} 字节），未予处理。"),
                format!(
                    "The {name} header is too long ({long} bytes, at most {max}); nothing was done."
                ),
            );
            return refusal(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                api,
                lang,
                &text,
            );
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe
        && !api
        && let Err(text) = origin_check(req.headers(), &edges.edges.public_origins)
    {
        return refusal(StatusCode::FORBIDDEN, api, lang, &text);
    }
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let limit = edges.body_limit(req.method(), &path, multipart);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let upload = is_upload(&path, multipart);
    if declared.is_some_and(|n| n > limit.bytes as u64) {
        let text = match upload {
            true => file_too_large(limit.named),
            false => body_too_large(limit.named),
        };
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, lang, &text);
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit.bytes)));
    let seconds = edges.edges.request_timeout.as_secs().max(1);
    let r = match tokio::time::timeout(edges.edges.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(path = %path, seconds, "request timed out");
            let text = Text::new(
                format!("请求未在 {seconds} 秒内完成，已中止。"),
                format!("The request did not complete within {seconds} s and was stopped."),
            );
            return refusal(StatusCode::REQUEST_TIMEOUT, api, lang, &text);
        }
    };
    // An extractor's own refusal of a body over the limit (English, plain text): say it in the
    // user's language, naming the limit.
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE && r.extensions().get::<OwnRefusal>().is_none() {
        let text = match upload {
            true => file_too_large(limit.named),
            false => body_too_large(limit.named),
        };
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, lang, &text);
    }
    r
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == LANG_COOKIE).then(|| Lang::parse(v))
        })
        .unwrap_or_default()
}

fn is_api(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}
