//! The attachments box of a new item's form (issue 12, point 11): files are chosen with the
//! rest of the form and sent with it. Each is checked as it arrives and kept for the clerk
//! (`app::uploads`); a refused form comes back with the files it kept listed (ticked), so they
//! need not be chosen again, and the item is created with them in one step.

use crate::AppState;
use crate::error::WebError;
use app::{Platform, Principal};
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::{IntoResponse, Response};
use domain::policy::ItemKind;

/// The box as the form shows it.
pub struct FilesBox {
    pub label: String,
    pub help: String,
    /// Files kept from an earlier try: (id, name, size as read).
    pub staged: Vec<(i64, String, String)>,
    /// Why a file was refused ("" when none was).
    pub error: String,
}

/// The box for a new item of `kind` created in `state`, when the principal may attach files
/// to it there.
pub fn of(p: &Platform, who: &Principal, kind: &ItemKind, state: &str) -> Option<FilesBox> {
    let field = app::uploads::field_on_create(p, who, &kind.id, state)?;
    let t = crate::i18n::Tr(who.lang);
    Some(FilesBox {
        label: field.label.get(who.lang).to_string(),
        help: t.s("attach_on_create").to_string(),
        staged: Vec::new(),
        error: String::new(),
    })
}

/// A size as the clerk reads it (KB below a megabyte).
pub fn size(bytes: usize) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// A new item's form as sent: its fields, and the files it carried (multipart) if any.
pub struct Sent {
    pub form: Vec<(String, String)>,
    pub files: Vec<(String, app::files::Received)>,
    pub too_large: bool,
    pub broken: bool,
}

impl Sent {
    /// The ids of the kept files the form still ticks.
    pub fn staged(&self) -> Vec<i64> {
        // Each once, in the order sent: a file named twice is attached once.
        let mut ids: Vec<i64> = Vec::new();
        for id in self
            .form
            .iter()
            .filter(|(k, _)| k == "_staged")
            .filter_map(|(_, v)| v.trim().parse().ok())
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.truncate(20);
        ids
    }
}

/// Reads the body of a new item's form: urlencoded, or multipart when it carries files.
pub async fn read(s: &AppState, req: Request) -> Result<Sent, Response> {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let axum::Form(form) = axum::Form::<Vec<(String, String)>>::from_request(req, &())
            .await
            .map_err(IntoResponse::into_response)?;
        return Ok(Sent {
            form,
            files: Vec::new(),
            too_large: false,
            broken: false,
        });
    }
    let mut m = Multipart::from_request(req, &())
        .await
        .map_err(IntoResponse::into_response)?;
    let edges = &s.edges.edges;
    let parts = super::read_parts(&mut m, edges.upload_bytes, edges.form_bytes).await;
    Ok(Sent {
        form: parts.fields,
        files: parts
            .files
            .into_iter()
            .map(|((_, name), f)| (name, f))
            .collect(),
        too_large: parts.too_large,
        broken: parts.broken,
    })
}

/// Keeps each file sent for the principal; the ids kept (earlier ones first), and the first
/// refusal's message (the files before it are kept, the refused one is not).
pub async fn keep(
    s: &AppState,
    who: &Principal,
    kind: &str,
    sent: Sent,
) -> Result<(Vec<i64>, String), WebError> {
    let p = &s.platform;
    let mut ids = sent.staged();
    let lang = who.lang;
    if sent.broken {
        return Ok((ids, super::upload_broken().get(lang).to_string()));
    }
    if sent.too_large {
        return Ok((
            ids,
            crate::edges::file_too_large(s.edges.edges.upload_bytes)
                .get(lang)
                .to_string(),
        ));
    }
    for (name, file) in sent.files {
        match app::uploads::stage(p, who, kind, &name, file).await {
            Ok(s) => ids.push(s.id),
            Err(app::AppError::Invalid(why)) => {
                return Ok((ids, crate::i18n::Tr(lang).labelled(&name, why.get(lang))));
            }
            Err(e) => return Err(WebError::App(e, lang)),
        }
    }
    Ok((ids, String::new()))
}

/// The box again with the files kept and the refusal, for a form shown again.
pub async fn refill(
    p: &Platform,
    who: &Principal,
    mut b: FilesBox,
    ids: &[i64],
    error: String,
) -> Result<FilesBox, WebError> {
    let kept = app::uploads::staged(p, who, ids)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    b.staged = kept
        .into_iter()
        .map(|s| (s.id, s.name, size(s.size)))
        .collect();
    b.error = error;
    Ok(b)
}
