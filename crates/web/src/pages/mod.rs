//! The web pages, one module per resource.

pub mod act;
pub mod admin;
pub mod articles;
pub mod attachments;
pub mod batch;
pub mod bell;
pub mod build;
mod children;
mod choices;
mod cycle_panels;
pub mod delegation;
pub mod detail;
pub mod form;
pub mod funds;
pub mod handling;
pub mod help;
pub mod import;
pub mod inbox;
pub mod list;
pub mod login;
mod names;
mod panels;
mod picks;
pub mod print;
pub mod progress;
pub mod ranking;
pub mod step;
pub mod tables;
pub mod versions;

use axum::extract::Multipart;
use std::collections::BTreeMap;

/// A multipart form with one file (the field `file`) and a few short text fields (`_csrf`).
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    /// The file's name as sent and the file, digested while it streamed; `None` when no file
    /// was sent.
    pub file: Option<(String, app::files::Received)>,
    /// The file was over the limit: it was read to its end (so the browser gets the answer,
    /// not a reset connection) and dropped.
    pub too_large: bool,
    /// The form did not arrive whole (the client went away, the body was cut at the route's
    /// limit, or it is not a valid multipart form): nothing of it may be kept.
    pub broken: bool,
}

/// The most a text field of an upload form may hold (the `_csrf` token has 32 characters).
const UPLOAD_TEXT_BYTES: usize = 4096;

/// Reads an upload form as it streams: the file is kept up to `limit` bytes and dropped past
/// it; text fields over `UPLOAD_TEXT_BYTES` are dropped. Memory stays within `limit` plus the
/// text fields whatever the client sends; the route's body limit (`edges`) ends the stream.
pub async fn read_upload(form: &mut Multipart, limit: usize) -> Upload {
    let parts = read_parts(form, limit, UPLOAD_TEXT_BYTES).await;
    Upload {
        fields: parts.fields,
        file: parts
            .files
            .into_iter()
            .find(|(name, _)| name.0 == "file")
            .map(|(name, f)| (name.1, f)),
        too_large: parts.too_large,
        broken: parts.broken,
    }
}

/// A multipart form read whole: its text fields, and its files as ((field, file name), file).
#[derive(Default)]
pub struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<((String, String), app::files::Received)>,
    /// The files together were over the limit: read to the end and dropped, all of them.
    pub too_large: bool,
    /// The form did not arrive whole: nothing of it may be kept.
    pub broken: bool,
}

/// Reads a multipart form as it streams: files (parts with a file name) up to `limit` bytes in
/// all, text fields up to `text_bytes` each (a longer one is dropped); a file input left empty
/// (no name, no bytes) is no file.
pub async fn read_parts(form: &mut Multipart, limit: usize, text_bytes: usize) -> Parts {
    let mut up = Parts::default();
    let mut file_bytes = 0usize;
    loop {
        let mut part = match form.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(_) => {
                up.broken = true;
                break;
            }
        };
        let name = part.name().unwrap_or_default().to_string();
        let filename = part.file_name().map(str::to_string);
        let is_file = filename.is_some();
        let cap = if is_file {
            limit.saturating_sub(file_bytes)
        } else {
            text_bytes
        };
        // Each piece is digested (SM3) as it arrives, text fields alike (they are small).
        let mut bytes = app::files::Received::digesting();
        let mut over = false;
        loop {
            match part.chunk().await {
                Ok(Some(chunk)) => {
                    if over || bytes.len() + chunk.len() > cap {
                        over = true;
                        bytes = app::files::Received::digesting();
                    } else {
                        bytes.push(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    up.broken = true;
                    break;
                }
            }
        }
        if is_file && over {
            up.too_large = true;
        }
        if up.broken {
            break;
        }
        match (filename, over) {
            (Some(f), false) if !(f.is_empty() && bytes.is_empty()) => {
                file_bytes += bytes.len();
                up.files.push(((name, f), bytes.finish()));
            }
            (None, false) => {
                if let Ok(v) = String::from_utf8(bytes.finish().into_bytes()) {
                    up.fields.push((name, v));
                }
            }
            _ => {}
        }
    }
    if up.too_large || up.broken {
        up.files.clear();
    }
    up
}

/// The refusal of an upload that did not arrive whole.
pub fn upload_broken() -> domain::Text {
    domain::Text::new(
        "上传没有完整送达（连接中断或内容格式有误），未保存任何内容，请重新上传。",
        "The upload did not arrive whole (the connection broke or the form is malformed); nothing was kept. Upload it again.",
    )
}

/// The fields a form carries for the framework, not for the item.
const FRAMEWORK_FIELDS: &[&str] = &["_csrf", "_once", "op"];

/// The idempotency of a form sent from a page with its one-time key (`Frame::once`): sent again
/// with the same fields it has one effect; the same key with other fields is refused (422).
pub fn once(form: &[(String, String)], path: &str) -> Option<app::items::Idempotency> {
    let key = form
        .iter()
        .find(|(k, _)| k == "_once")
        .map(|(_, v)| v.as_str())?;
    if key.is_empty() || key.len() > 64 {
        return None;
    }
    let body: String = form
        .iter()
        .filter(|(k, _)| k != "_csrf" && k != "_once")
        .map(|(k, v)| {
            format!(
                "{}={}\n",
                crate::routes::urlencode(k),
                crate::routes::urlencode(v)
            )
        })
        .collect();
    Some(app::items::Idempotency::new(
        &format!("web:{key}"),
        "POST",
        path,
        body.as_bytes(),
    ))
}

/// The first value a form sent under `name`, or empty.
pub(crate) fn form_value(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The form's fields without the framework's own (`_csrf`, `_once`, `op`).
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
        .filter(|(k, _)| !FRAMEWORK_FIELDS.contains(&k.as_str()) && !k.contains('.'))
    {
        input
            .entry(k.clone())
            // Ticks and a box for other numbers share a name: an empty box adds nothing.
            .and_modify(|e: &mut String| {
                if v.trim().is_empty() {
                    return;
                }
                if !e.trim().is_empty() {
                    e.push(',');
                }
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
