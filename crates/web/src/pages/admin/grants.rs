//! 授权管理 and 单位管理 (the security administrator): grant an account its role, with the
//! administrator's password again; register an organisation.

use super::{Fields, Problems, checked, frame};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::admin::grants;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "admin_grant.html")]
pub struct GrantPage {
    pub frame: Frame,
    pub username: String,
    pub display_name: String,
    pub org: String,
    pub current: String,
    /// (role id, name, chosen)
    pub roles: Vec<(String, String, bool)>,
    pub problems: Problems,
}

async fn render_grant(
    s: &AppState,
    who: &app::Principal,
    username: &str,
    chosen: &str,
    problems: Problems,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let err = |e| WebError::App(e, lang);
    let account = app::admin::accounts::one(p, who, username)
        .await
        .map_err(err)?;
    let roles = grants::roles_for(p, &account.org_kind)
        .into_iter()
        .map(|r| {
            let pick = if chosen.is_empty() {
                &account.role
            } else {
                chosen
            };
            (r.id.clone(), r.name.get(lang).to_string(), r.id == *pick)
        })
        .collect();
    let t = crate::i18n::Tr(lang);
    Ok(html(GrantPage {
        frame: frame(p, who, "/admin/accounts", "grant")
            .crumb(t.s("grants_title"), "/admin/accounts"),
        username: account.username,
        display_name: account.display_name,
        org: account.org_name.get(lang).to_string(),
        current: account.role_name.get(lang).to_string(),
        roles,
        problems,
    }))
}

pub async fn grant_page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    render_grant(&s, &who, &username, "", Problems::default()).await
}

pub async fn grant(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(username): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = checked(&who, &form)?;
    let (role, password) = (v.get("role").to_string(), v.get("password"));
    match grants::grant(&s.platform, &who, &username, &role, password).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(e) => {
            let problems = Problems::of(e, who.lang)?;
            render_grant(&s, &who, &username, &role, problems).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_orgs.html")]
pub struct OrgsPage {
    pub frame: Frame,
    /// (code, name, kind's name, county)
    pub rows: Vec<(String, String, String, String)>,
    /// (kind id, name)
    pub kinds: Vec<(String, String)>,
    pub values: Fields,
    pub problems: Problems,
}

async fn render_orgs(
    s: &AppState,
    who: &app::Principal,
    values: Fields,
    problems: Problems,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    app::admin::require(p, who, domain::policy::AdminKind::Security)
        .map_err(|e| WebError::App(e, lang))?;
    let kind_name = |id: &str| {
        p.policy
            .org_kinds
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.name.get(lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let rows = app::accounts::orgs(p)
        .await
        .map_err(|e| WebError::App(e, lang))?
        .into_iter()
        .map(|o| {
            let name = match lang {
                domain::Lang::Zh => o.name_zh,
                domain::Lang::En => o.name_en,
            };
            (
                o.code,
                name,
                kind_name(&o.kind),
                o.county.unwrap_or_default(),
            )
        })
        .collect();
    let kinds = p
        .policy
        .org_kinds
        .iter()
        .map(|k| (k.id.clone(), k.name.get(lang).to_string()))
        .collect();
    Ok(html(OrgsPage {
        frame: frame(p, who, "/admin/orgs", "orgs_title"),
        rows,
        kinds,
        values,
        problems,
    }))
}

pub async fn orgs(State(s): State<AppState>, WebUser(who): WebUser) -> Result<Response, WebError> {
    render_orgs(&s, &who, Fields::default(), Problems::default()).await
}

pub async fn add_org(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = checked(&who, &form)?;
    let get = |k: &str| v.get(k);
    let new = grants::NewOrg {
        code: get("code"),
        name_zh: get("name_zh"),
        name_en: get("name_en"),
        kind: get("kind"),
        county: get("county"),
    };
    match grants::add_org(&s.platform, &who, &new).await {
        Ok(()) => Ok(Redirect::to("/admin/orgs").into_response()),
        Err(e) => {
            let problems = Problems::of(e, who.lang)?;
            render_orgs(&s, &who, v, problems).await
        }
    }
}
