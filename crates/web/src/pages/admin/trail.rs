//! 安全审计记录 and 审计账本 (the audit administrator): search and export the security record;
//! watch the checkpoints, take the signed head to keep elsewhere, verify everything.

use super::frame;
use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::admin::trail::{self, Filter};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

#[derive(serde::Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl Search {
    fn filter(&self) -> Filter {
        Filter {
            actor: self.actor.trim().to_string(),
            action: self.action.trim().to_string(),
            result: self.result.trim().to_string(),
            from: self.from.trim().to_string(),
            before: self.before.trim().to_string(),
        }
    }

    /// The query string of these filters (without the page), for links.
    fn query(&self) -> String {
        let u = crate::routes::urlencode;
        format!(
            "actor={}&action={}&result={}&from={}&before={}",
            u(&self.actor),
            u(&self.action),
            u(&self.result),
            u(&self.from),
            u(&self.before)
        )
    }
}

/// A security action's name in the reader's language (its id where the words lack it).
pub(crate) fn action_label(t: crate::i18n::Tr, action: &str) -> String {
    let said = t.s(&format!("sec_{}", action.replace('.', "_")));
    if said.is_empty() {
        action.to_string()
    } else {
        said.to_string()
    }
}

/// A record as the page shows it: names instead of ids where the platform has them.
pub struct Shown {
    pub row: trail::Row,
    pub action: String,
    pub role: String,
    pub refused: bool,
}

#[derive(Template)]
#[template(path = "admin_trail.html")]
pub struct TrailPage {
    pub frame: Frame,
    pub f: Search,
    pub rows: Vec<Shown>,
    pub total: i64,
    /// (id, name)
    pub actions: Vec<(String, String)>,
    pub page: i64,
    pub pages: i64,
    pub query: String,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Search>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let page = f.page.unwrap_or(1).max(1);
    let found = trail::search(p, &who, &f.filter(), page)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let pages = ((found.total + trail::PAGE_ROWS - 1) / trail::PAGE_ROWS).max(1);
    let t = crate::i18n::Tr(who.lang);
    let rows = found
        .rows
        .into_iter()
        .map(|row| Shown {
            action: action_label(t, &row.action),
            role: p
                .policy
                .role(&row.role)
                .map(|r| r.name.get(who.lang).to_string())
                .unwrap_or_else(|| row.role.clone()),
            refused: row.result != "ok",
            row,
        })
        .collect();
    let actions = found
        .actions
        .into_iter()
        .map(|a| (action_label(t, &a), a))
        .map(|(label, id)| (id, label))
        .collect();
    Ok(html(TrailPage {
        frame: frame(p, &who, "/admin/trail", "trail_title"),
        query: f.query(),
        f,
        rows,
        total: found.total,
        actions,
        page,
        pages,
    }))
}

pub async fn export(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Search>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let bytes = trail::export(p, &who, &f.filter())
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    Ok(crate::pages::download(
        &format!(
            "{}-{}.xlsx",
            match who.lang {
                domain::Lang::Zh => "安全审计记录",
                domain::Lang::En => "security-record",
            },
            p.today()
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "admin_ledger.html")]
pub struct LedgerPage {
    pub frame: Frame,
    pub ledger: trail::Ledger,
    /// The signed head just taken, to keep elsewhere.
    pub anchor: Option<String>,
    /// A verification just run: (intact, events, MAC checked, breaches as lines).
    pub report: Option<(bool, u64, bool, Vec<String>)>,
}

async fn ledger_page(
    s: &AppState,
    who: &app::Principal,
    anchor: Option<String>,
    report: Option<app::audit::Report>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let ledger = trail::ledger(p, who, 20)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let report = report.map(|r| {
        let mut lines: Vec<String> = r
            .breaches
            .iter()
            .map(|b| format!("{} #{} (event {}): {}", b.stream, b.seq, b.event_id, b.what))
            .collect();
        if r.unlisted > 0 {
            lines.push(format!("… +{}", r.unlisted));
        }
        (r.is_intact(), r.events, r.mac_checked, lines)
    });
    Ok(html(LedgerPage {
        frame: frame(p, who, "/admin/ledger", "ledger_title"),
        ledger,
        anchor,
        report,
    }))
}

pub async fn ledger(
    State(s): State<AppState>,
    WebUser(who): WebUser,
) -> Result<Response, WebError> {
    ledger_page(&s, &who, None, None).await
}

pub async fn anchor(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let line = trail::anchor(&s.platform, &who)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    ledger_page(&s, &who, line, None).await
}

pub async fn verify(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let report = trail::verify(&s.platform, &who)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    ledger_page(&s, &who, None, Some(report)).await
}
