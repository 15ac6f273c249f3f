//! 委托: a person going on leave hands their items to a colleague of the same post until a day
//! (issue 11, point 17), and ends it early when back. What was typed stays on a refusal.

use super::form_value as value;
use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::{AppError, Platform, Principal};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use domain::{Lang, UserId};

#[derive(Template)]
#[template(path = "delegation.html")]
struct DelegationPage {
    frame: Frame,
    problem: String,
    done: String,
    /// The principal's delegation in force, and its id.
    mine: Option<String>,
    mine_id: i64,
    /// "X 已委托您办理（至 日期）".
    to_me: Vec<String>,
    colleagues: Vec<(i64, String)>,
    today: String,
    typed_to: i64,
    typed_ends: String,
    typed_reason: String,
}

async fn render(
    p: &Platform,
    who: &Principal,
    problem: String,
    done: String,
    typed: (i64, String, String),
) -> Result<Response, WebError> {
    let err = |e| WebError::App(e, who.lang);
    let frame = Frame::new(
        p,
        who,
        "home",
        crate::i18n::Tr(who.lang).s("delegation_title"),
        "/delegation",
    );
    let (mine, to_me) = app::handling::delegations(p, who).await.map_err(err)?;
    let names = app::handling::names(p).await.map_err(err)?;
    let name = |u: &UserId| names.get(u).cloned().unwrap_or_default();
    let line = |zh: String, en: String| if who.lang == Lang::En { en } else { zh };
    let colleagues = app::handling::delegation_colleagues(p, who)
        .await
        .map_err(err)?
        .into_iter()
        .map(|u| (u.id.get(), u.display_name))
        .collect();
    Ok(html(DelegationPage {
        problem,
        done,
        mine_id: mine.as_ref().map(|d| d.id).unwrap_or_default(),
        mine: mine.map(|d| {
            line(
                format!(
                    "您已委托{}办理转办给您的事项，至 {}（{}）。",
                    name(&d.to_user),
                    d.ends,
                    d.reason
                ),
                format!(
                    "You delegate to {} until {} ({}).",
                    name(&d.to_user),
                    d.ends,
                    d.reason
                ),
            )
        }),
        to_me: to_me
            .iter()
            .map(|d| {
                line(
                    format!(
                        "{}已委托您办理其事项，至 {}（{}）。",
                        name(&d.from_user),
                        d.ends,
                        d.reason
                    ),
                    format!(
                        "{} delegates to you until {} ({}).",
                        name(&d.from_user),
                        d.ends,
                        d.reason
                    ),
                )
            })
            .collect(),
        colleagues,
        today: p.today().to_string(),
        typed_to: typed.0,
        typed_ends: typed.1,
        typed_reason: typed.2,
        frame,
    }))
}

pub async fn page(State(s): State<AppState>, WebUser(who): WebUser) -> Result<Response, WebError> {
    render(
        &s.platform,
        &who,
        String::new(),
        String::new(),
        (0, String::new(), String::new()),
    )
    .await
}

pub async fn submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let to: i64 = value(&form, "to").parse().unwrap_or(0);
    let (ends, reason) = (value(&form, "ends"), value(&form, "reason"));
    let typed = (to, ends.clone(), reason.clone());
    let Ok(day) = chrono::NaiveDate::parse_from_str(ends.trim(), "%Y-%m-%d") else {
        let t = crate::i18n::Tr(who.lang);
        return render(
            p,
            &who,
            t.s("delegation_bad_day").to_string(),
            String::new(),
            typed,
        )
        .await;
    };
    let done = app::handling::delegate(p, &who, UserId::new(to), day, &reason)
        .await
        .map(|n| match who.lang {
            Lang::Zh => format!("已委托。您手中的 {n} 项转办事项已转给受托同事。"),
            Lang::En => format!("Delegated; {n} item(s) you held went on to your colleague."),
        });
    answer(p, &who, done, typed).await
}

/// The page after a delegation or its end: the success said, or the refusal with what was
/// typed kept.
async fn answer(
    p: &Platform,
    who: &Principal,
    done: Result<String, AppError>,
    typed: (i64, String, String),
) -> Result<Response, WebError> {
    match done {
        Ok(done) => {
            render(
                p,
                who,
                String::new(),
                done,
                (0, String::new(), String::new()),
            )
            .await
        }
        Err(AppError::Denied(d)) => {
            render(
                p,
                who,
                d.reason.get(who.lang).to_string(),
                String::new(),
                typed,
            )
            .await
        }
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}

pub async fn end(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let id: i64 = value(&form, "id").parse().unwrap_or(0);
    let t = crate::i18n::Tr(who.lang);
    let done = app::handling::end_delegation(p, &who, id)
        .await
        .map(|()| t.s("delegation_ended").to_string());
    answer(p, &who, done, (0, String::new(), String::new())).await
}
