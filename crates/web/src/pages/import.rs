//! Excel import of demands (R13.2, RX.4): download the template, upload it filled; every
//! good file becomes drafts, a file with any bad row imports nothing and lists each problem
//! by row and column.

use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::AppError;
use app::import::Imported;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Text;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    frame: Frame,
    kind: String,
    heading: String,
    message: String,
    ok: bool,
    errors: Vec<(u32, String, String)>,
    created: Vec<(i64, String)>,
}

#[derive(serde::Deserialize)]
pub struct KindQuery {
    kind: String,
}

fn page_for(s: &AppState, who: &app::Principal, kind_id: &str) -> Result<ImportPage, WebError> {
    let p = &s.platform;
    let kind = p
        .policy
        .kind(kind_id)
        .filter(|k| k.import)
        .filter(|_| {
            app::items::creations(p, who, kind_id)
                .iter()
                .any(|t| t.id == crate::contract::ids::CREATE)
        })
        .ok_or(WebError::App(AppError::NotFound, who.lang))?;
    let heading = Text::new(
        format!("导入{}", kind.name.zh),
        format!("Import {}", kind.name.en.to_lowercase()),
    )
    .get(who.lang)
    .to_string();
    let frame = Frame::new(
        p,
        who,
        kind_id,
        &heading,
        &format!("/items/import?kind={kind_id}"),
    )
    .crumb(kind.name.get(who.lang), &format!("/items?kind={kind_id}"));
    Ok(ImportPage {
        frame,
        kind: kind_id.to_string(),
        heading,
        message: String::new(),
        ok: false,
        errors: Vec::new(),
        created: Vec::new(),
    })
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<KindQuery>,
) -> Result<Response, WebError> {
    Ok(html(page_for(&s, &who, &q.kind)?))
}

pub async fn template(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<KindQuery>,
) -> Result<Response, WebError> {
    page_for(&s, &who, &q.kind)?;
    let kind = s
        .platform
        .policy
        .kind(&q.kind)
        .ok_or(WebError::App(AppError::NotFound, who.lang))?;
    let bytes =
        app::import::import_template(kind, who.lang).map_err(|e| WebError::App(e, who.lang))?;
    Ok(super::download(
        &match who.lang {
            domain::Lang::Zh => format!("{}导入模板.xlsx", kind.name.zh),
            domain::Lang::En => format!("{} import template.xlsx", kind.name.en),
        },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

pub async fn upload(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<KindQuery>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let lang = who.lang;
    let mut page = page_for(&s, &who, &q.kind)?;
    let limit = s.edges.edges.upload_bytes;
    let up = super::read_upload(&mut form, limit).await;
    check_csrf(&who, &up.fields)?;
    if up.too_large {
        page.message = crate::edges::file_too_large(limit).get(lang).to_string();
        let mut r = html(page);
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return Ok(crate::edges::own(r));
    }
    if up.broken {
        page.message = super::upload_broken().get(lang).to_string();
        let mut r = html(page);
        *r.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(r);
    }
    let Some(bytes) = up.file.map(|(_, b)| b).filter(|b| !b.is_empty()) else {
        page.message = Text::new(
            "请选择要导入的 Excel 文件。",
            "Choose the Excel file to import.",
        )
        .get(lang)
        .to_string();
        let mut r = html(page);
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let result = app::import::import(&s.platform, &who, &q.kind, bytes.into_bytes())
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let status = match result {
        Imported::Done(ids) => {
            page.ok = true;
            page.message = Text::new(
                format!("已导入 {} 项，均为草稿，请逐项核对后提交。", ids.len()),
                format!("{} imported as drafts; check each and submit.", ids.len()),
            )
            .get(lang)
            .to_string();
            page.created = ids.iter().map(|id| (id.get(), String::new())).collect();
            StatusCode::OK
        }
        Imported::Refused(errors) => {
            page.message = Text::new(
                format!(
                    "发现 {} 处问题，本次未导入任何数据。请修改后重新导入。",
                    errors.len()
                ),
                format!(
                    "{} problems found; nothing was imported. Correct them and import again.",
                    errors.len()
                ),
            )
            .get(lang)
            .to_string();
            page.errors = errors
                .into_iter()
                .map(|e| (e.row, e.column, e.message.get(lang).to_string()))
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Imported::Unreadable(why) => {
            page.message = why.get(lang).to_string();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Imported::Busy(why) => {
            page.message = why.get(lang).to_string();
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    let mut r = html(page);
    *r.status_mut() = status;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
        );
    }
    Ok(r)
}
