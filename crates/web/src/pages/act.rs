//! Taking a step from the item page, and the refusal page that says why and cites the article.

use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::items::Command;
use app::{AppError, Platform, Principal};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Denied, ItemId};

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    frame: Frame,
    reason: String,
    article: String,
    policy_title: String,
    fields: Vec<(String, String)>,
    back: String,
}

/// The fields a refusal names, as (label, what to fix): labels from the item's kind when it is
/// known, else from the first kind with the field; the re-entered password by its own word.
pub(crate) fn fixes(
    p: &Platform,
    kind: Option<&domain::policy::ItemKind>,
    d: &Denied,
    lang: domain::Lang,
) -> Vec<(String, String)> {
    let label = |f: &str| {
        if f == app::signing::PASSWORD_FIELD {
            return crate::i18n::Tr(lang).s("password").to_string();
        }
        kind.and_then(|k| k.field(f))
            .or_else(|| p.policy.kinds.iter().find_map(|k| k.field(f)))
            .map(|f| f.label.get(lang).to_string())
            .unwrap_or_else(|| f.to_string())
    };
    d.fields
        .iter()
        .map(|f| {
            (
                label(crate::views::field_of(&f.field)),
                f.message.get(lang).to_string(),
            )
        })
        .collect()
}

/// A page for a refusal: why, under which article, and what to fix.
pub fn refused(p: &Platform, who: &Principal, d: &Denied, back: &str) -> Response {
    let lang = who.lang;
    let frame = Frame::new(p, who, "", crate::i18n::Tr(lang).s("refused"), back);
    let page = RefusedPage {
        reason: d.reason.get(lang).to_string(),
        article: d.article.as_ref().map(|a| a.cite(lang)).unwrap_or_default(),
        policy_title: p.policy.title.get(lang).to_string(),
        fields: fixes(p, None, d, lang),
        back: back.to_string(),
        frame,
    };
    let mut r = html(page);
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

pub async fn perform(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let cmd = Command {
        action: action.clone(),
        input: super::input_of(&form),
        then: None,
        idempotency: super::once(&form, &format!("/items/{id}/act/{action}")),
    };
    let typed = cmd.input.clone();
    match app::items::perform(p, &who, ItemId::new(id), cmd).await {
        Ok(_) => Ok(Redirect::to(&format!("/items/{id}?tab=record&done={action}")).into_response()),
        // A step with something typed (an opinion's reason, a meeting's decision) comes back
        // as its own form with what was typed and the reason at the field; a plain button
        // (or a signature, whose password is never shown again) gets the refusal page.
        Err(AppError::Denied(d))
            if has_inputs(p, &who, id, &action).await && !is_signing(p, &action) =>
        {
            super::step::show_refused(p, &who, id, &action, &typed, &d).await
        }
        // Nothing typed to keep: the item page itself says why, above what to do next.
        Err(AppError::Denied(d)) => super::detail::show_refused(p, &who, id, &d).await,
        // A signature is never taken from a page other than the item's: back there, to read the
        // content as it now is.
        Err(AppError::Conflict) if is_signing(p, &action) => Ok(refused(
            p,
            &who,
            &super::form::changed_meanwhile(),
            &format!("/items/{id}"),
        )),
        // Someone acted first: the step's own page shows what was typed and why it was not
        // taken, so nothing typed is lost.
        Err(AppError::Conflict) => {
            super::step::show_refused(
                p,
                &who,
                id,
                &action,
                &typed,
                &super::form::changed_meanwhile(),
            )
            .await
        }
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}

/// Whether the item's step of this name has fields to fill (another kind's step of the same
/// name may have them where this one has none).
async fn has_inputs(p: &Platform, who: &Principal, id: i64, action: &str) -> bool {
    let Ok(v) = app::items::view(p, who, ItemId::new(id)).await else {
        return false;
    };
    p.policy
        .kind(&v.row.item.kind)
        .and_then(|k| k.transition(action))
        .is_some_and(|t| !t.inputs.is_empty())
}

fn is_signing(p: &Platform, action: &str) -> bool {
    p.policy
        .kinds
        .iter()
        .any(|k| k.transition(action).is_some_and(|t| !t.sign.is_empty()))
}

/// A step chosen in a grouped form (the `_action` radio), e.g. one of the four opinions.
pub async fn perform_chosen(
    state: State<AppState>,
    user: WebUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let action = super::form_value(&form, "_action");
    let rest = form.into_iter().filter(|(k, _)| k != "_action").collect();
    perform(state, user, Path((id, action)), Form(rest)).await
}
