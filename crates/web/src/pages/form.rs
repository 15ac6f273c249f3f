//! The item form (new and edit): sections with required marks, 暂存 beside 提交, errors in
//! red under each field, and everything typed kept when the server refuses.

use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::contract::ids;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{SectionView, form_sections, input_value};
use app::items::Command;
use app::{AppError, Platform, Principal};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{ItemKind, Transition};
use domain::{Denied, ItemId};
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    frame: Frame,
    heading: String,
    hint: String,
    summary: String,
    article: String,
    /// Refused fields this form does not show (a contract's allocation, refused at signing):
    /// (label, message), listed under the summary.
    elsewhere: Vec<(String, String)>,
    action_url: String,
    cancel_url: String,
    submit_confirm: Option<String>,
    sections: Vec<SectionView>,
    /// The item's version as the form was read: a change by someone else in between is
    /// refused, and this form is shown again with everything typed (issue 4, concurrency).
    version: Option<i64>,
    /// One step's own page: its button (label, confirmation) instead of 暂存/提交.
    single: Option<(String, String)>,
    /// A new item's attachments, sent with the form.
    files: Option<super::attachments::FilesBox>,
}

/// Whether the clerk pressed 提交 rather than 暂存.
fn wants_submit(form: &[(String, String)]) -> bool {
    form.iter().any(|(k, v)| k == "op" && v == "submit")
}

/// The step from `state` that submits the whole form (e.g. draft -> submitted), if any.
fn submit_step<'k>(kind: &'k ItemKind, state: &str) -> Option<&'k Transition> {
    kind.transitions.iter().find(|t| {
        t.from.iter().any(|s| s == state)
            && t.to != state
            && !t.to.is_empty()
            && !t.internal
            && t.inputs.len() > 3
    })
}

/// The step from `state` that saves the form without moving on (暂存).
fn save_step<'k>(kind: &'k ItemKind, state: &str) -> Option<&'k Transition> {
    kind.transitions
        .iter()
        .find(|t| t.from == [state.to_string()] && t.to == state)
}

pub(crate) struct FormSpec<'a> {
    pub kind: &'a ItemKind,
    pub base: &'a Transition,
    pub heading: String,
    pub action_url: String,
    pub cancel_url: String,
    pub version: Option<i64>,
    /// A single step's page rather than the item's form.
    pub single: bool,
    /// Table columns whose values come from the record, offered as choices.
    pub picks: crate::views::Picks,
    /// A new item's form: it offers the attachments box when the kind takes files in the state
    /// the item is created in.
    pub attach: bool,
}

pub(crate) async fn render(
    p: &Platform,
    who: &Principal,
    spec: &FormSpec<'_>,
    values: &BTreeMap<String, String>,
    denied: Option<&Denied>,
) -> Response {
    render_with(p, who, spec, values, denied, None).await
}

/// [`render`] with the attachments box as it stands after a try.
async fn render_with(
    p: &Platform,
    who: &Principal,
    spec: &FormSpec<'_>,
    values: &BTreeMap<String, String>,
    denied: Option<&Denied>,
    files: Option<super::attachments::FilesBox>,
) -> Response {
    let lang = who.lang;
    let kind = spec.kind;
    let files = files.or_else(|| {
        spec.attach
            .then(|| super::attachments::of(p, who, kind, &spec.base.to))
            .flatten()
    });
    let submit = submit_step(kind, &spec.base.to).filter(|_| !spec.single);
    let required = submit
        .map(|t| t.required.clone())
        .unwrap_or_else(|| spec.base.required.clone());
    let empty = Vec::new();
    let errors = denied.map(|d| &d.fields).unwrap_or(&empty);
    let frame = Frame::new(p, who, &kind.id, &spec.heading, &spec.action_url)
        .crumb(kind.name.get(lang), &format!("/items?kind={}", kind.id));
    // The demand's own content rules, on its own forms (not on an opinion given on it).
    let hint = if kind.id == ids::DEMAND && spec.base.does == Some(domain::policy::Does::Prepare) {
        frame.t.s("demand_hint").to_string()
    } else {
        String::new()
    };
    let page = FormPage {
        heading: spec.heading.clone(),
        hint,
        summary: denied
            .map(|d| d.reason.get(lang).to_string())
            .unwrap_or_default(),
        article: denied
            .and_then(|d| d.article.as_ref())
            .map(|a| a.cite(lang))
            .unwrap_or_default(),
        elsewhere: errors
            .iter()
            .filter(|e| {
                let field = crate::views::field_of(&e.field).to_string();
                !spec.base.inputs.contains(&field)
                    && !submit.is_some_and(|t| t.inputs.contains(&field))
            })
            .map(|e| {
                let label = kind
                    .field(crate::views::field_of(&e.field))
                    .map(|f| f.label.get(lang).to_string())
                    .unwrap_or_else(|| e.field.clone());
                (label, e.message.get(lang).to_string())
            })
            .collect(),
        action_url: spec.action_url.clone(),
        cancel_url: spec.cancel_url.clone(),
        version: spec.version,
        single: spec.single.then(|| {
            (
                spec.base.label.get(lang).to_string(),
                spec.base
                    .confirm
                    .as_ref()
                    .map(|c| c.get(lang).to_string())
                    .unwrap_or_default(),
            )
        }),
        submit_confirm: submit.map(|t| {
            t.confirm
                .as_ref()
                .map(|c| c.get(lang).to_string())
                .unwrap_or_default()
        }),
        sections: super::choices::fill(
            p,
            who,
            kind,
            form_sections(
                kind,
                spec.base,
                &required,
                values,
                errors,
                &spec.picks,
                lang,
            ),
        )
        .await,
        files,
        frame,
    };
    let failed = denied.is_some() || page.files.as_ref().is_some_and(|b| !b.error.is_empty());
    let mut r = html(page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    kind: String,
    action: Option<String>,
}

fn creation<'k>(
    p: &'k Platform,
    who: &Principal,
    q: &NewQuery,
) -> Result<(&'k ItemKind, &'k Transition), WebError> {
    let not_found = || WebError::App(AppError::NotFound, who.lang);
    let kind = p.policy.kind(&q.kind).ok_or_else(not_found)?;
    let allowed = app::items::creations(p, who, &kind.id);
    let action = q
        .action
        .clone()
        .or_else(|| allowed.first().map(|t| t.id.clone()))
        .ok_or_else(not_found)?;
    if !allowed.iter().any(|t| t.id == action) {
        return Err(not_found());
    }
    Ok((kind, kind.transition(&action).ok_or_else(not_found)?))
}

fn new_spec<'a>(kind: &'a ItemKind, t: &'a Transition, lang: domain::Lang) -> FormSpec<'a> {
    FormSpec {
        kind,
        base: t,
        heading: t.label.get(lang).to_string(),
        action_url: format!("/items/new?kind={}&action={}", kind.id, t.id),
        cancel_url: format!("/items?kind={}", kind.id),
        version: None,
        single: false,
        picks: Default::default(),
        attach: true,
    }
}

pub async fn new_page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<NewQuery>,
    Query(given): Query<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let (kind, t) = creation(p, &who, &q)?;
    let stored = app::cycle::prefill(p, &who, kind, &given)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let values = stored
        .iter()
        .map(|(k, v)| {
            let shown = kind
                .field(k)
                .map_or_else(|| v.clone(), |f| input_value(f, v));
            (k.clone(), shown)
        })
        .collect();
    Ok(render(p, &who, &new_spec(kind, t, who.lang), &values, None).await)
}

pub async fn new_submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<NewQuery>,
    req: axum::extract::Request,
) -> Result<Response, WebError> {
    let sent = match super::attachments::read(&s, req).await {
        Ok(sent) => sent,
        Err(r) => return Ok(r),
    };
    check_csrf(&who, &sent.form)?;
    let p = &s.platform;
    let (kind, t) = creation(p, &who, &q)?;
    let form = sent.form.clone();
    let spec = new_spec(kind, t, who.lang);
    let files = super::attachments::of(p, &who, kind, &t.to);
    // Files are kept first, each checked as it arrives: a refused one is named at the box and
    // the form comes back with everything typed; nothing is created.
    let (staged, file_error) = match files.is_some() {
        true => super::attachments::keep(&s, &who, &kind.id, sent).await?,
        false => (Vec::new(), String::new()),
    };
    let input = super::input_of(&form);
    let again = Again {
        spec: &spec,
        input: &input,
        files,
        staged: &staged,
    };
    if !file_error.is_empty() {
        return again.show(p, &who, None, file_error).await;
    }
    let submit = wants_submit(&form);
    let then = submit
        .then(|| submit_step(kind, &t.to).map(|s| s.id.clone()))
        .flatten();
    // The message after it names the last step taken (提交上报 when it was submitted too).
    let done = then.clone().unwrap_or_else(|| t.id.clone());
    let cmd = Command {
        action: t.id.clone(),
        input: input.clone(),
        then,
        idempotency: super::once(
            &form,
            &format!("/items/new?kind={}&action={}", kind.id, t.id),
        ),
    };
    match app::uploads::create_with(p, &who, &kind.id, cmd, &staged).await {
        Ok(id) => Ok(Redirect::to(&format!("/items/{}?done={done}", id.get())).into_response()),
        Err(AppError::Denied(d)) => again.show(p, &who, Some(&d), String::new()).await,
        // A kept file gone (a day old) or no longer accepted: named at the box.
        Err(AppError::Invalid(why)) if !staged.is_empty() => {
            let why = why.get(who.lang).to_string();
            again.show(p, &who, None, why).await
        }
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}

/// A new item's form shown again: what was typed, the files kept, and why.
struct Again<'a> {
    spec: &'a FormSpec<'a>,
    input: &'a domain::Input,
    files: Option<super::attachments::FilesBox>,
    staged: &'a [i64],
}

impl Again<'_> {
    async fn show(
        self,
        p: &Platform,
        who: &Principal,
        denied: Option<&Denied>,
        file_error: String,
    ) -> Result<Response, WebError> {
        let files = match self.files {
            Some(b) => Some(super::attachments::refill(p, who, b, self.staged, file_error).await?),
            None => None,
        };
        Ok(render_with(p, who, self.spec, self.input, denied, files).await)
    }
}

async fn edit_spec<'k>(
    p: &'k Platform,
    who: &Principal,
    id: i64,
) -> Result<(FormSpec<'k>, BTreeMap<String, String>), WebError> {
    let err = |e| WebError::App(e, who.lang);
    let v = app::items::view(p, who, ItemId::new(id))
        .await
        .map_err(err)?;
    let kind = p
        .policy
        .kind(&v.row.item.kind)
        .ok_or(err(AppError::NotFound))?;
    let base = save_step(kind, &v.row.item.state)
        .filter(|t| v.actions.iter().any(|a| a.id == t.id))
        .ok_or_else(|| {
            // Not editable now: explain why, citing the article (e.g. frozen after submission).
            let facts = app::facts::Facts::default();
            let denied = domain::decide(
                &p.policy,
                &kind.id,
                Some(&v.row.item),
                "edit",
                &who.actor,
                &Default::default(),
                &facts.context(p, p.now(), false),
            );
            match denied {
                Err(d) => err(AppError::Denied(d)),
                Ok(_) => err(AppError::NotFound),
            }
        })?;
    let values = kind
        .fields
        .iter()
        .map(|f| (f.id.clone(), input_value(f, v.row.item.field(&f.id))))
        .collect();
    let spec = FormSpec {
        kind,
        base,
        heading: format!("{} · {}", base.label.get(who.lang), v.row.number),
        action_url: format!("/items/{id}/edit"),
        cancel_url: format!("/items/{id}"),
        version: Some(v.row.version),
        single: false,
        picks: Default::default(),
        attach: false,
    };
    Ok((spec, values))
}

pub async fn edit_page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match edit_spec(&s.platform, &who, id).await {
        Ok((spec, values)) => Ok(render(&s.platform, &who, &spec, &values, None).await),
        Err(WebError::App(AppError::Denied(d), _)) => Ok(super::act::refused(
            &s.platform,
            &who,
            &d,
            &format!("/items/{id}"),
        )),
        Err(e) => Err(e),
    }
}

pub async fn edit_submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let (spec, _) = match edit_spec(p, &who, id).await {
        Ok(v) => v,
        Err(WebError::App(AppError::Denied(d), _)) => {
            return Ok(super::act::refused(p, &who, &d, &format!("/items/{id}")));
        }
        Err(e) => return Err(e),
    };
    let input = super::input_of(&form);
    let submit = wants_submit(&form);
    let action = if submit {
        submit_step(spec.kind, &spec.base.to).unwrap_or(spec.base)
    } else {
        spec.base
    };
    let cmd = Command {
        action: action.id.clone(),
        input: input.clone(),
        then: None,
        idempotency: super::once(&form, &format!("/items/{id}/edit")),
    };
    match app::items::perform(p, &who, ItemId::new(id), cmd).await {
        Ok(_) => Ok(Redirect::to(&format!("/items/{id}")).into_response()),
        Err(AppError::Denied(d)) => Ok(render(p, &who, &spec, &input, Some(&d)).await),
        Err(AppError::Conflict) => {
            Ok(render(p, &who, &spec, &input, Some(&changed_meanwhile())).await)
        }
        Err(e) => Err(WebError::App(e, who.lang)),
    }
}

/// Why a form is shown again after someone else changed the item first.
pub(crate) fn changed_meanwhile() -> Denied {
    Denied {
        reason: domain::Text::new(
            "提交未成功：在您填写期间，他人已修改或办理了此事项。您填写的内容仍保留在下方，请打开事项核对最新内容后再提交。",
            "Not saved: someone else changed or acted on this item while you were filling in the form. What you typed is kept below; check the item's latest content, then submit again.",
        ),
        article: None,
        fields: Vec::new(),
    }
}
