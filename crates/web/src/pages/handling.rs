//! 转办, 抄送 and 催办 on the item page: the forms beside the steps, and the post that does one.

use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::WebError;
use app::handling::{Offers, Request};
use app::{AppError, Platform};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::handling::HandlingAct;
use domain::{ItemId, Lang, OrgId, UserId};

/// The handling forms of the item page; `None` when nothing is offered.
pub struct HandlingView {
    /// (account id, name) of the colleagues it can be handed to.
    pub colleagues: Vec<(i64, String)>,
    pub copy: bool,
    /// (account id, "name（unit）") and (unit id, name).
    pub copy_users: Vec<(i64, String)>,
    pub copy_orgs: Vec<(i64, String)>,
    pub urge: bool,
}

impl HandlingView {
    pub fn of(o: Offers, lang: Lang) -> Option<HandlingView> {
        if o.colleagues.is_empty() && !o.copy && !o.urge {
            return None;
        }
        Some(HandlingView {
            colleagues: o
                .colleagues
                .into_iter()
                .map(|u| (u.id.get(), u.display_name))
                .collect(),
            copy: o.copy,
            copy_users: o
                .copy_users
                .into_iter()
                .map(|(u, unit)| {
                    let shown = u.display_name.clone() + &crate::i18n::Tr(lang).paren(&unit);
                    (u.id.get(), shown)
                })
                .collect(),
            copy_orgs: o
                .copy_orgs
                .into_iter()
                .map(|u| {
                    let name = if lang == Lang::En {
                        u.name_en
                    } else {
                        u.name_zh
                    };
                    (u.id.get(), name)
                })
                .collect(),
            urge: o.urge,
        })
    }
}

/// Where the item stands on hand-overs and urges, for the item page: "由 X 转办给 Y（日期）",
/// "X 于 日期 催办". Empty when there is nothing to say.
pub fn status_lines(
    p: &Platform,
    item: &domain::Item,
    names: &std::collections::BTreeMap<UserId, String>,
    lang: Lang,
) -> Vec<String> {
    let Some(kind) = p.policy.kind(&item.kind) else {
        return Vec::new();
    };
    let name = |u: &UserId| names.get(u).cloned().unwrap_or_default();
    let day = |a: &domain::Act| a.on.map(|d| d.to_string()).unwrap_or_default();
    let mut out = Vec::new();
    for h in domain::handling::hand_overs_in_force(kind, item) {
        let to: Vec<String> = h.to.iter().map(name).collect();
        out.push(match lang {
            Lang::Zh => format!(
                "由{}转办给{}办理（{}）",
                name(&h.user),
                to.join("、"),
                day(h)
            ),
            Lang::En => format!(
                "Handed over by {} to {} ({})",
                name(&h.user),
                to.join(", "),
                day(h)
            ),
        });
    }
    for u in domain::handling::urges(kind, item) {
        out.push(match lang {
            Lang::Zh => format!("{}于 {} 催办", name(&u.user), day(u)),
            Lang::En => format!("Urged by {} on {}", name(&u.user), day(u)),
        });
    }
    out
}

/// Does one handling act from its form; a refusal shows why, with the way back to the item.
pub async fn handle(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, act)): Path<(i64, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let Some(act) = HandlingAct::parse(&act) else {
        return Err(WebError::App(AppError::NotFound, who.lang));
    };
    let req = request(act, &form);
    match app::handling::handle(p, &who, ItemId::new(id), req).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/items/{id}?tab=record&done={}", act.id())).into_response())
        }
        Err(AppError::Denied(d)) => Ok(super::act::refused(p, &who, &d, &format!("/items/{id}"))),
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}

/// The request a form makes: ids that do not parse name nobody (and are refused as such).
fn request(act: HandlingAct, form: &[(String, String)]) -> Request {
    let value = |k: &str| super::form_value(form, k);
    let ids = |k: &str| -> Vec<i64> {
        form.iter()
            .filter(|(f, v)| f == k && !v.is_empty())
            .map(|(_, v)| v.parse().unwrap_or(0))
            .collect()
    };
    match act {
        HandlingAct::HandOver => Request::HandOver {
            to: UserId::new(value("to").parse().unwrap_or(0)),
            reason: value("reason"),
        },
        HandlingAct::Copy => Request::Copy {
            users: ids("users").into_iter().map(UserId::new).collect(),
            orgs: ids("orgs").into_iter().map(OrgId::new).collect(),
            note: value("note"),
        },
        HandlingAct::Urge => Request::Urge {
            note: value("note"),
        },
    }
}
