//! Any two versions of an item side by side (R13.3): every version stays readable and the
//! parts that differ are marked.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{display_value, short_time};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::{ItemId, Text};

pub struct Row {
    pub label: String,
    pub left: String,
    pub right: String,
    pub changed: bool,
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage {
    frame: Frame,
    id: i64,
    number: String,
    versions: Vec<(usize, String, String)>,
    a: usize,
    b: usize,
    rows: Vec<Row>,
    heading: String,
}

#[derive(serde::Deserialize)]
pub struct Pick {
    a: Option<usize>,
    b: Option<usize>,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<Pick>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let err = |e| WebError::App(e, lang);
    let view = app::items::view(p, &who, ItemId::new(id))
        .await
        .map_err(err)?;
    let versions = app::cycle::versions(p, &who, ItemId::new(id))
        .await
        .map_err(err)?;
    let kind = p
        .policy
        .kind(&view.row.item.kind)
        .ok_or(err(app::AppError::NotFound))?;
    let n = versions.len().max(1);
    let b = q.b.unwrap_or(n).clamp(1, n);
    let a = q.a.unwrap_or(b.saturating_sub(1)).clamp(1, n);
    let empty = Default::default();
    let pick = |k: usize| versions.get(k - 1).map_or(&empty, |v| &v.fields);
    let fields = app::cycle::content_fields(kind);
    let rows = app::cycle::compare(kind, &fields, pick(a), pick(b))
        .into_iter()
        .map(|r| {
            // A table's line comes already written out (第 n 行: 类别：…；金额：…).
            let show = |raw: &str| match kind.field(&r.field) {
                Some(f) if matches!(f.ty, domain::policy::FieldType::Table(_)) => raw.to_string(),
                Some(f) => display_value(f, raw, lang),
                None => String::new(),
            };
            Row {
                label: r.label.get(lang).to_string(),
                left: show(&r.left),
                right: show(&r.right),
                changed: r.changed,
            }
        })
        .collect();
    let heading = Text::new(
        format!("{} 版本比较", view.row.number),
        format!("{}: compare versions", view.row.number),
    )
    .get(lang)
    .to_string();
    let frame = Frame::new(
        p,
        &who,
        &kind.id,
        &heading,
        &format!("/items/{id}/versions"),
    )
    .crumb(kind.name.get(lang), &format!("/items?kind={}", kind.id))
    .crumb(&view.row.number, &format!("/items/{id}"));
    Ok(html(VersionsPage {
        frame,
        id,
        number: view.row.number.clone(),
        versions: versions
            .iter()
            .map(|v| (v.number, short_time(&v.at), v.by.clone()))
            .collect(),
        a,
        b,
        rows,
        heading,
    }))
}

/// A file kept with an item (the task book), for those who may see the item.
pub async fn file(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let f = app::taskbook::file(&s.platform, &who, ItemId::new(id), &name)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let access = app::access::Access::Download {
        item: id,
        name: &f.name,
    };
    app::access::record(&s.platform, &who, access, &f.content)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let label = format!("{}-{}", id, f.name);
    let mut r = super::download(&label, &f.media_type, f.content);
    if let Ok(v) = axum::http::HeaderValue::from_str(&f.sm3) {
        r.headers_mut().insert("x-content-sm3", v);
    }
    Ok(r)
}

/// Attaches an uploaded file (R13.2); a refused file is explained and nothing is kept. The file
/// is read as it streams, up to the upload limit (`Edges::upload_bytes`); a larger one is
/// refused naming the limit.
pub async fn upload(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    use axum::response::IntoResponse;
    let limit = s.edges.edges.upload_bytes;
    let up = super::read_upload(&mut form, limit).await;
    crate::auth::check_csrf(&who, &up.fields)?;
    let back = format!("/items/{id}");
    let refuse = |reason: Text, status: axum::http::StatusCode| {
        let d = domain::Denied {
            reason,
            article: domain::Article::parse("13.2"),
            fields: Vec::new(),
        };
        let mut r = super::act::refused(&s.platform, &who, &d, &back);
        *r.status_mut() = status;
        crate::edges::own(r)
    };
    if up.too_large {
        return Ok(refuse(
            crate::edges::file_too_large(limit),
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        ));
    }
    if up.broken {
        return Ok(refuse(
            super::upload_broken(),
            axum::http::StatusCode::BAD_REQUEST,
        ));
    }
    let Some((name, bytes)) = up.file else {
        return Ok(refuse(
            Text::new("请选择要上传的文件。", "Choose the file to upload."),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match app::files::attach(&s.platform, &who, ItemId::new(id), &name, bytes).await {
        Ok(_) => Ok(axum::response::Redirect::to(&back).into_response()),
        Err(app::AppError::Invalid(reason)) => {
            Ok(refuse(reason, axum::http::StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(app::AppError::Denied(d)) => Ok(super::act::refused(&s.platform, &who, &d, &back)),
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}
