//! The web pages, one module per resource.

pub mod act;
pub mod articles;
pub mod build;
mod cycle_panels;
pub mod detail;
pub mod form;
pub mod import;
pub mod inbox;
pub mod list;
pub mod login;
mod panels;
pub mod progress;
pub mod step;
pub mod tables;
pub mod versions;

use axum::http::HeaderMap;
use std::collections::BTreeMap;

/// The caller's address for the security record.
pub fn source(headers: &HeaderMap, addr: Option<std::net::SocketAddr>) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| addr.map(|a| a.ip().to_string()))
        .unwrap_or_default()
}

/// The form's fields without the framework's own (`_csrf`, `op`).
/// The typed values by field; a field sent several times (checked units) becomes `a,b,c`.
pub fn input_of(form: &[(String, String)]) -> domain::Input {
    let mut input = domain::Input::new();
    // Table cells come as `field.row.column`; each table becomes one JSON value.
    type Grid = BTreeMap<String, BTreeMap<usize, BTreeMap<String, String>>>;
    let mut tables: Grid = BTreeMap::new();
    for (k, v) in form {
        let mut parts = k.splitn(3, '.');
        if let (Some(f), Some(Ok(row)), Some(col)) = (
            parts.next(),
            parts.next().map(str::parse::<usize>),
            parts.next(),
        ) {
            tables
                .entry(f.to_string())
                .or_default()
                .entry(row)
                .or_default()
                .insert(col.to_string(), v.clone());
        }
    }
    for (f, rows) in tables {
        let rows: Vec<&BTreeMap<String, String>> = rows.values().collect();
        input.insert(f, serde_json::to_string(&rows).unwrap_or_default());
    }
    for (k, v) in form
        .iter()
        .filter(|(k, _)| k != "_csrf" && k != "op" && !k.contains('.'))
    {
        input
            .entry(k.clone())
            .and_modify(|e: &mut String| {
                e.push(',');
                e.push_str(v);
            })
            .or_insert_with(|| v.clone());
    }
    input
}

/// A file download with a UTF-8 file name (RFC 5987), never sniffed or cached.
pub fn download(name: &str, media_type: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded = crate::routes::urlencode(name);
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}
