//! One step's own page, for steps whose form is too big for the side panel (a table of budget
//! cuts, the experts' opinions) and for a step refused because someone else acted first: the
//! form is shown again with everything typed, and says why.

use super::form::{FormSpec, changed_meanwhile, render};
use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::WebError;
use crate::views::input_value;
use app::items::Command;
use app::{AppError, Platform, Principal};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ItemId;
use std::collections::BTreeMap;

async fn spec<'p>(
    p: &'p Platform,
    who: &Principal,
    id: i64,
    action: &str,
) -> Result<(FormSpec<'p>, BTreeMap<String, String>), WebError> {
    let err = |e| WebError::App(e, who.lang);
    let v = app::items::view(p, who, ItemId::new(id))
        .await
        .map_err(err)?;
    let kind = p
        .policy
        .kind(&v.row.item.kind)
        .ok_or(err(AppError::NotFound))?;
    let t = kind.transition(action).ok_or(err(AppError::NotFound))?;
    let values = kind
        .fields
        .iter()
        .filter(|f| t.inputs.contains(&f.id))
        .map(|f| (f.id.clone(), input_value(f, v.row.item.field(&f.id))))
        .collect();
    let spec = FormSpec {
        kind,
        base: t,
        heading: format!("{} · {}", t.label.get(who.lang), v.row.number),
        action_url: format!("/items/{id}/step/{action}"),
        cancel_url: format!("/items/{id}"),
        version: Some(v.row.version),
        single: true,
        picks: super::picks::of(p, who, kind, t, &v.row).await,
        attach: false,
    };
    Ok((spec, values))
}

/// The step's own page again after a refusal or a conflict, with everything typed and the
/// reason at the fields it names (a side-panel form's refusal comes here too).
pub(crate) async fn show_refused(
    p: &Platform,
    who: &Principal,
    id: i64,
    action: &str,
    input: &BTreeMap<String, String>,
    d: &domain::Denied,
) -> Result<Response, WebError> {
    let (spec, _) = spec(p, who, id, action).await?;
    Ok(render(p, who, &spec, input, Some(d)).await)
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (spec, values) = spec(&s.platform, &who, id, &action).await?;
    Ok(render(&s.platform, &who, &spec, &values, None).await)
}

pub async fn submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let input = super::input_of(&form);
    let cmd = Command {
        action: action.clone(),
        input: input.clone(),
        then: None,
        idempotency: super::once(&form, &format!("/items/{id}/step/{action}")),
    };
    match app::items::perform(p, &who, ItemId::new(id), cmd).await {
        // Back to the item, where the table just filled is shown.
        Ok(_) => Ok(Redirect::to(&format!("/items/{id}?done={action}")).into_response()),
        Err(AppError::Denied(d)) => show_refused(p, &who, id, &action, &input, &d).await,
        Err(AppError::Conflict) => {
            show_refused(p, &who, id, &action, &input, &changed_meanwhile()).await
        }
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}
