//! The JSON API `/api/v1`: bearer-token login, items, their actions, and performing a step
//! with an `Idempotency-Key`. Errors are problem+json naming the field. Same use cases as the
//! pages.

mod openapi;

use crate::AppState;
use crate::auth::ApiUser;
use crate::contract::ids;
use crate::error::ApiError;
use app::items::{Command, ListQuery};
use app::{AppError, Platform};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Input, ItemId, Lang};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/items", get(list).post(create))
        .route("/workbench", get(workbench))
        .route("/items/{id}", get(item))
        .route("/items/{id}/actions", get(actions))
        .route("/items/{id}/actions/{action}", post(perform))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

async fn login(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    origin: Option<axum::Extension<app::Origin>>,
    headers: HeaderMap,
    Json(b): Json<LoginBody>,
) -> Result<Json<Value>, Response> {
    let too_many =
        |wait| crate::edges::too_many(true, Lang::Zh, wait, &crate::edges::too_many_logins(wait));
    let source = s.edges.client_ip(addr.ip(), &headers);
    s.edges.login_from(source).map_err(too_many)?;
    let username = b.username.trim();
    if username.len() > crate::edges::MAX_USERNAME_BYTES {
        return Err(ApiError(AppError::Invalid(domain::Text::new(
            "用户名不超过 64 个字符",
            "A username has at most 64 characters",
        )))
        .into_response());
    }
    s.edges.login_as(username).map_err(too_many)?;
    let (token, who) = app::identity::login(
        &s.platform,
        username,
        &b.password,
        app::Origin {
            source: source.to_string(),
            request_id: origin.map(|o| o.0.request_id).unwrap_or_default(),
        },
        "api",
        Lang::Zh,
    )
    .await
    .map_err(|e| ApiError(e).into_response())?;
    Ok(Json(json!({
        "token": token,
        "user": { "id": who.user.id.get(), "username": who.user.username, "name": who.user.display_name, "role": who.user.role, "org": who.org.code },
    })))
}

async fn logout(State(s): State<AppState>, ApiUser(who): ApiUser) -> Result<StatusCode, ApiError> {
    app::identity::logout(&s.platform, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    kind: Option<String>,
    state: Option<String>,
    year: Option<i64>,
    q: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

fn item_json(r: &app::items::ItemRow) -> Value {
    json!({
        "id": r.item.id.get(),
        "number": r.number,
        "kind": r.item.kind,
        "title": r.title,
        "state": r.item.state,
        "owner": { "id": r.item.owner_org.get(), "name": r.owner_name_zh },
        "year": r.year,
        "due": r.item.due,
        "policy_version": r.item.policy_version,
        "version": r.version,
        "updated_at": r.updated_at,
    })
}

fn summary_json(r: &app::items::Summary) -> Value {
    json!({
        "id": r.id.get(),
        "number": r.number,
        "kind": r.kind,
        "title": r.title,
        "state": r.state,
        "owner": { "id": r.owner_org.get(), "name": r.owner_name_zh },
        "year": r.year,
        "due": r.due,
        "policy_version": r.policy_version,
        "version": r.version,
        "updated_at": r.updated_at,
        "amount_fen": r.amount_fen,
    })
}

async fn list(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let query = ListQuery {
        kind: q.kind.unwrap_or_else(|| ids::DEMAND.into()),
        state: q.state,
        year: q.year,
        text: q.q,
        owner: None,
        facet: None,
        order: Default::default(),
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(25),
    };
    if s.platform.policy.kind(&query.kind).is_none() {
        return Err(ApiError(AppError::Invalid(domain::Text::new(
            "没有这类事项",
            "unknown kind",
        ))));
    }
    let page = app::items::list(&s.platform, &who, &query).await?;
    Ok(Json(json!({
        "items": page.rows.iter().map(summary_json).collect::<Vec<_>>(),
        "total": page.total,
        "more": page.more,
        "page": page.page,
        "per_page": page.per_page,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkbenchParams {
    tab: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The caller's workbench (RX.3), a tab at a time: `todo` (待办: what awaits them, earliest
/// deadline first, with the steps asked of them), `done` (已办) or `mine` (我发起的).
async fn workbench(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<WorkbenchParams>,
) -> Result<Json<Value>, ApiError> {
    let p = &s.platform;
    let per_page = q.per_page.unwrap_or(25).clamp(1, 100);
    let n = q.page.unwrap_or(1);
    let (rows, total, page): (Vec<Value>, i64, i64) = match q.tab.as_deref().unwrap_or("todo") {
        "todo" => {
            let t = app::inbox::todo(p, &who, n, per_page).await?;
            let rows = t
                .rows
                .iter()
                .map(|t| {
                    let mut v = item_json(&t.row);
                    v["actions"] = actions_json(&t.actions);
                    v
                })
                .collect();
            (rows, t.total, t.page)
        }
        "done" => {
            let t = app::inbox::done_by(p, &who, n, per_page).await?;
            (t.rows.iter().map(item_json).collect(), t.total, t.page)
        }
        "mine" => {
            let t = app::inbox::started_by(p, &who, n, per_page).await?;
            (t.rows.iter().map(item_json).collect(), t.total, t.page)
        }
        _ => {
            return Err(ApiError(AppError::Invalid(domain::Text::new(
                "tab 只能是 todo、done 或 mine",
                "tab is one of todo, done and mine",
            ))));
        }
    };
    Ok(Json(json!({
        "items": rows,
        "total": total,
        "page": page,
        "per_page": per_page,
    })))
}

async fn item(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let v = app::items::view(&s.platform, &who, ItemId::new(id)).await?;
    let mut body = item_json(&v.row);
    let kind = s.platform.policy.kind(&v.row.item.kind);
    body["fields"] = v
        .row
        .item
        .fields
        .iter()
        .map(|(k, raw)| {
            let personal = kind.and_then(|kd| kd.field(k)).is_some_and(|d| d.personal);
            let shown = if personal {
                app::personal::masked(raw)
            } else {
                raw.clone()
            };
            (k.clone(), Value::String(shown))
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    body["history"] = v
        .history
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "seq": e.seq, "at": e.event.at, "actor": e.event.actor_name, "org": e.event.org_name,
                "role": e.event.role, "action": e.event.action, "article": e.event.article,
                "from": e.event.before_state, "to": e.event.after_state,
                "payload": serde_json::from_str::<Value>(&app::personal::strip_sealed(&e.event.payload)).unwrap_or_default(), "hash": e.hash,
            })
        })
        .collect();
    body["actions"] = actions_json(&v.actions);
    Ok(Json(body))
}

fn actions_json(actions: &[domain::policy::Transition]) -> Value {
    actions
        .iter()
        .map(|t| json!({ "id": t.id, "label": t.label, "article": t.article.as_str(), "inputs": t.inputs, "required": t.required, "to": t.to }))
        .collect()
}

async fn actions(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let v = app::items::view(&s.platform, &who, ItemId::new(id)).await?;
    Ok(Json(actions_json(&v.actions)))
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    kind: String,
    action: Option<String>,
    #[serde(default)]
    fields: Input,
    then: Option<String>,
}

/// The request's Idempotency-Key, bound to the method, the path and the body as parsed (its
/// canonical JSON: the same request always gives the same fingerprint).
fn idempotency(
    headers: &HeaderMap,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<Option<app::items::Idempotency>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if !k.is_empty() && k.len() <= 128 => {
                let body = serde_json::to_vec(body).unwrap_or_default();
                Ok(Some(app::items::Idempotency::new(k, "POST", path, &body)))
            }
            _ => Err(ApiError(AppError::Invalid(domain::Text::new(
                "Idempotency-Key 须为 1-128 个可见字符",
                "Idempotency-Key must be 1-128 visible characters",
            )))),
        },
    }
}

async fn state_of(p: &Platform, who: &app::Principal, id: ItemId) -> Result<Value, ApiError> {
    let v = app::items::view(p, who, id).await?;
    Ok(item_json(&v.row))
}

async fn create(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    headers: HeaderMap,
    Json(b): Json<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = &s.platform;
    let idempotency = idempotency(&headers, "/api/v1/items", &b)?;
    let action = match b.action {
        Some(a) => a,
        None => app::items::creations(p, &who, &b.kind)
            .first()
            .map(|t| t.id.clone())
            .ok_or(ApiError(AppError::NotFound))?,
    };
    let cmd = Command {
        action,
        input: b.fields,
        then: b.then,
        idempotency,
    };
    let id = app::items::create(p, &who, &b.kind, cmd).await?;
    Ok((StatusCode::CREATED, Json(state_of(p, &who, id).await?)))
}

#[derive(Deserialize, serde::Serialize, Default)]
#[serde(deny_unknown_fields)]
struct ActBody {
    #[serde(default)]
    fields: Input,
}

async fn perform(
    State(s): State<AppState>,
    ApiUser(who): ApiUser,
    Path((id, action)): Path<(i64, String)>,
    headers: HeaderMap,
    body: Option<Json<ActBody>>,
) -> Result<Json<Value>, ApiError> {
    let p = &s.platform;
    let b = body.map(|Json(b)| b).unwrap_or_default();
    let idempotency = idempotency(
        &headers,
        &format!("/api/v1/items/{id}/actions/{action}"),
        &b,
    )?;
    let cmd = Command {
        action,
        input: b.fields,
        then: None,
        idempotency,
    };
    let id = app::items::perform(p, &who, ItemId::new(id), cmd).await?;
    Ok(Json(state_of(p, &who, id).await?))
}
