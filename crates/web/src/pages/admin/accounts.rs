//! 账户管理 (the system administrator) and the account list the security administrator grants
//! roles from: one page, whose buttons are the viewer's own work.

use super::{Fields, Problems, checked, frame, kind_of};
use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::admin::accounts::{self, Change, Standing};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::AdminKind;

pub struct Row {
    pub username: String,
    pub display_name: String,
    pub org: String,
    pub role: String,
    pub standing: String,
    pub color: &'static str,
    pub locked: bool,
    pub is_self: bool,
    pub is_admin: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
pub struct AccountsPage {
    pub frame: Frame,
    pub q: String,
    pub rows: Vec<Row>,
    /// The system administrator keeps accounts; the security administrator grants roles.
    pub keeps: bool,
    pub orgs: Vec<(String, String)>,
    pub values: Fields,
    pub problems: Problems,
}

#[derive(Template)]
#[template(path = "admin_secret.html")]
pub struct SecretPage {
    pub frame: Frame,
    pub username: String,
    pub password: String,
}

#[derive(serde::Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    pub q: String,
}

async fn render(
    s: &AppState,
    who: &app::Principal,
    q: &str,
    values: Fields,
    problems: Problems,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let err = |e| WebError::App(e, lang);
    let kind = kind_of(p, who)?;
    let list = accounts::list(p, who, q).await.map_err(err)?;
    let rows = list
        .into_iter()
        .map(|a| Row {
            is_self: a.username == who.user.username,
            locked: a.standing == Standing::Locked,
            color: match a.standing {
                Standing::Active => "success",
                Standing::Locked => "danger",
                Standing::NoRole | Standing::OneTime => "warning",
            },
            standing: a.standing.label().get(lang).to_string(),
            role: a.role_name.get(lang).to_string(),
            org: a.org_name.get(lang).to_string(),
            username: a.username,
            display_name: a.display_name,
            is_admin: a.is_admin,
        })
        .collect();
    let orgs = app::accounts::orgs(p)
        .await
        .map_err(err)?
        .into_iter()
        .map(|o| {
            let name = match lang {
                domain::Lang::Zh => o.name_zh,
                domain::Lang::En => o.name_en,
            };
            (o.code, name)
        })
        .collect();
    let key = match kind {
        AdminKind::Security => "grants_title",
        _ => "accounts_title",
    };
    Ok(html(AccountsPage {
        frame: frame(p, who, "/admin/accounts", key),
        q: q.to_string(),
        rows,
        keeps: kind == AdminKind::System,
        orgs,
        values,
        problems,
    }))
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Search>,
) -> Result<Response, WebError> {
    render(&s, &who, &f.q, Fields::default(), Problems::default()).await
}

/// Creates an account; a refusal shows the form again with what was typed.
pub async fn create(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = checked(&who, &form)?;
    let get = |k: &str| v.get(k);
    let new = accounts::NewAccount {
        username: get("username"),
        display_name: get("display_name"),
        org_code: get("org"),
    };
    let p = &s.platform;
    match accounts::create(p, &who, &new).await {
        Ok(one) => Ok(secret(p, &who, one)),
        Err(e) => {
            let problems = Problems::of(e, who.lang)?;
            render(&s, &who, "", v, problems).await
        }
    }
}

fn secret(p: &app::Platform, who: &app::Principal, one: accounts::OneTime) -> Response {
    html(SecretPage {
        frame: frame(p, who, "/admin/accounts", "secret_title").crumb(
            crate::i18n::Tr(who.lang).s("accounts_title"),
            "/admin/accounts",
        ),
        username: one.username,
        password: one.password,
    })
}

/// Locks, unlocks or resets an account.
pub async fn change(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((username, what)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let change = match what.as_str() {
        "lock" => Change::Lock,
        "unlock" => Change::Unlock,
        "reset" => Change::Reset,
        _ => return Err(WebError::App(app::AppError::NotFound, who.lang)),
    };
    let p = &s.platform;
    match accounts::change(p, &who, &username, change).await {
        Ok(Some(one)) => Ok(secret(p, &who, one)),
        Ok(None) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(e) => {
            let problems = Problems::of(e, who.lang)?;
            render(&s, &who, "", Fields::default(), problems).await
        }
    }
}
