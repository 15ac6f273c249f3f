//! The item page: header with number and state, the step bar, details or the approval record,
//! and the steps this user may take now, each labelled with its article.

use super::names::Names;
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{FieldView, Tag, display_value, due_text, field_view, short_time, state_tag};
use app::items::ItemView;
use app::items::StoredEvent;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::policy::ItemKind;
use domain::{ItemId, Lang, Text};

/// One of several steps offered in one form (e.g. the four opinions), chosen by a radio button.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub article: String,
    pub confirm: String,
}

pub struct ActionView {
    pub id: String,
    pub heading: String,
    pub choices: Vec<Choice>,
    pub label: String,
    pub article: String,
    /// The article's id for its page (`/articles/14`).
    pub article_id: String,
    pub style: String,
    pub confirm: Option<String>,
    pub link: Option<String>,
    pub fields: Vec<FieldView>,
}

pub struct HistoryRow {
    pub action: String,
    pub article: String,
    /// The article's id for its page, empty when the record's article does not parse.
    pub article_id: String,
    pub time: String,
    pub who: String,
    pub role: String,
    pub org: String,
    pub opinion: String,
    pub state_change: String,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    frame: Frame,
    id: i64,
    title: String,
    number: String,
    kind_name: String,
    owner: String,
    policy_version: String,
    /// The item's version, sent back with every step (a stale page is refused, not applied).
    version: i64,
    state: Tag,
    steps: Vec<(String, &'static str)>,
    due: Option<(String, bool)>,
    tab: String,
    fields: Vec<(String, String)>,
    /// The personal fields shown masked: (label, field id), each with a form to see it whole.
    personal: Vec<(String, String)>,
    created: String,
    history: Vec<HistoryRow>,
    actions: Vec<ActionView>,
    panels: Vec<super::panels::Panel>,
    /// 转办, 抄送, 催办 offered to this user, and where the item stands on them.
    handling: Option<super::handling::HandlingView>,
    handling_status: Vec<String>,
    /// "「提交上报」已办理。" after a step.
    done: String,
    /// A step just refused: why, under which article, and the fields it names (label, why).
    refusal: Option<(String, String, Fixes)>,
}

/// The fields a refusal names: (label, what to fix).
type Fixes = Vec<(String, String)>;

#[derive(serde::Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    /// The step just taken, for the message that says it was (a name the policy or the
    /// handling acts know; anything else says nothing).
    done: Option<String>,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<TabQuery>,
) -> Result<Response, WebError> {
    show(&s.platform, &who, id, q, None).await
}

/// The item page again after a step without anything typed was refused (a plain button, a
/// signature whose password is never shown again): the reason, its article and what to do
/// above the item, where the clerk acts next (issue 12, point 1), with status 422.
pub(crate) async fn show_refused(
    p: &app::Platform,
    who: &app::Principal,
    id: i64,
    d: &domain::Denied,
) -> Result<Response, WebError> {
    let q = TabQuery {
        tab: None,
        done: None,
    };
    let mut r = show(p, who, id, q, Some(d)).await?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

async fn show(
    p: &app::Platform,
    who: &app::Principal,
    id: i64,
    q: TabQuery,
    refusal: Option<&domain::Denied>,
) -> Result<Response, WebError> {
    let v = app::items::view(p, who, ItemId::new(id))
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let kind = p
        .policy
        .kind(&v.row.item.kind)
        .ok_or(WebError::App(app::AppError::NotFound, who.lang))?;
    let tab = if q.tab.as_deref() == Some("record") {
        "record"
    } else {
        "info"
    };
    let frame = Frame::new(
        p,
        who,
        &kind.id,
        &v.row.title,
        &format!("/items/{id}?tab={tab}"),
    )
    .crumb(kind.name.get(who.lang), &format!("/items?kind={}", kind.id));
    let panels = if tab == "info" {
        super::panels::build(p, who, kind, &v)
            .await
            .map_err(|e| WebError::App(e, who.lang))?
    } else {
        Vec::new()
    };
    let names = super::names::of(p, who, kind, &v.row.item, &v.history).await;
    let mut page = build(p, frame, kind, &v, tab, &names, who.lang);
    page.panels = panels;
    let done = q.done.as_deref().and_then(|d| {
        kind.transition(d)
            .map(|t| t.label.clone())
            .or_else(|| domain::handling::HandlingAct::parse(d).map(|h| h.label()))
    });
    if let Some(label) = done {
        page.done = match who.lang {
            Lang::Zh => format!("「{}」已办理。", label.zh),
            Lang::En => format!("\"{}\" done.", label.en),
        };
    }
    let offers = app::handling::offers(p, who, &v.row)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    page.handling = super::handling::HandlingView::of(offers, who.lang);
    if v.row.item.acts.iter().any(domain::handling::is_handling) {
        let names = app::handling::names(p)
            .await
            .map_err(|e| WebError::App(e, who.lang))?;
        page.handling_status = super::handling::status_lines(p, &v.row.item, &names, who.lang);
    }
    page.refusal = refusal.map(|d| {
        let fields = super::act::fixes(p, Some(kind), d, who.lang);
        let article = d.article.as_ref().map(|a| a.cite(who.lang));
        (
            d.reason.get(who.lang).to_string(),
            article.unwrap_or_default(),
            fields,
        )
    });
    name_units(p, kind, &v.row.item, who.lang, &mut page.fields).await;
    Ok(html(page))
}

/// Shows the units an `orgs` field lists by name (the demand unit that must confirm).
async fn name_units(
    p: &app::Platform,
    kind: &ItemKind,
    item: &domain::Item,
    lang: Lang,
    fields: &mut [(String, String)],
) {
    let orgs: Vec<&domain::policy::FieldDef> = kind
        .fields
        .iter()
        .filter(|f| f.ty == domain::policy::FieldType::Orgs && !item.field(&f.id).is_empty())
        .collect();
    if orgs.is_empty() {
        return;
    }
    let Ok(units) = app::cycle::demand_units(p).await else {
        return;
    };
    for f in orgs {
        let label = f.label.get(lang);
        let names: Vec<String> = item
            .field(&f.id)
            .split(',')
            .filter_map(|id| units.iter().find(|o| o.id.get().to_string() == id.trim()))
            .map(|o| {
                if lang == Lang::En {
                    o.name_en.clone()
                } else {
                    o.name_zh.clone()
                }
            })
            .collect();
        // A long list (every unit invited to a campaign) stays a count.
        if names.is_empty() || names.len() > 5 {
            continue;
        }
        if let Some(row) = fields.iter_mut().find(|(l, _)| l == label) {
            row.1 = names.join("、");
        }
    }
}

fn build(
    p: &app::Platform,
    frame: Frame,
    kind: &ItemKind,
    v: &ItemView,
    tab: &str,
    names: &Names,
    lang: Lang,
) -> DetailPage {
    let item = &v.row.item;
    // Only the states this item's path can pass through (a self-funded project's filing,
    // an emergency project's consent), in the policy's order.
    let path: Vec<&domain::policy::StateDef> = {
        let reach = reachable(kind, item);
        kind.states
            .iter()
            .filter(|s| reach.contains(&s.id))
            .collect()
    };
    let current = path.iter().position(|s| s.id == item.state).unwrap_or(0);
    // A branch the item did not take is left out: a state before the present one it never
    // was in, and a setback (a state tagged danger: returned, refused) it is not in and never
    // was, so an approved item does not read as once returned.
    let visited = visited(kind, item);
    let steps = path
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            *i == current
                || visited.contains(&s.id)
                || (*i > current && s.tag != crate::contract::DANGER_TAG)
        })
        .map(|(i, s)| {
            (
                s.name.get(lang).to_string(),
                if i < current {
                    "done"
                } else if i == current {
                    "current"
                } else {
                    "todo"
                },
            )
        })
        .collect();
    let fields = kind
        .fields
        .iter()
        // Tables have their own panels.
        .filter(|f| {
            !item.field(&f.id).is_empty() && !matches!(f.ty, domain::policy::FieldType::Table(_))
        })
        .map(|f| {
            (
                f.label.get(lang).to_string(),
                shown(f, item.field(&f.id), names, lang),
            )
        })
        .collect();
    let actions = action_views(kind, v, lang);
    DetailPage {
        id: item.id.get(),
        title: v.row.title.clone(),
        number: v.row.number.clone(),
        kind_name: kind.name.get(lang).to_string(),
        owner: v.row.owner_name(lang).to_string(),
        policy_version: item.policy_version.clone(),
        version: v.row.version,
        state: state_tag(Some(kind), &item.state, lang),
        steps,
        due: due_text(frame.t, p, item.due),
        tab: tab.to_string(),
        fields,
        personal: kind
            .fields
            .iter()
            .filter(|f| f.personal && !item.field(&f.id).is_empty())
            .map(|f| (f.label.get(lang).to_string(), f.id.clone()))
            .collect(),
        created: short_time(&v.row.created_at),
        history: v
            .history
            .iter()
            .map(|e| history_row(p, kind, e, names, lang))
            .collect(),
        actions,
        panels: Vec::new(),
        handling: None,
        handling_status: Vec::new(),
        done: String::new(),
        refusal: None,
        frame,
    }
}

pub(crate) fn history_row(
    p: &app::Platform,
    kind: &ItemKind,
    e: &StoredEvent,
    names: &Names,
    lang: Lang,
) -> HistoryRow {
    let ev = &e.event;
    let payload: serde_json::Value = serde_json::from_str(&ev.payload).unwrap_or_default();
    let changes = &payload["changes"];
    // What the step decided, as its form had it: every field it asks for and this event
    // changed (an opinion's reason, the meeting's minutes, the 批复 number, the cuts). A step
    // that prepares the content (draft, edit, submit) is read in its versions instead.
    let t = kind.transition(&ev.action);
    let mut opinion = Vec::new();
    // A draw is the platform's choice, and what it chose belongs in the record too.
    if let Some(t) = t.filter(|t| t.does != Some(domain::policy::Does::Prepare) || t.draw.is_some())
    {
        for f in t.inputs.iter().filter_map(|f| kind.field(f)) {
            let Some(v) = changes[f.id.as_str()].as_str().filter(|v| !v.is_empty()) else {
                continue;
            };
            // What a draw chose is the platform's (a system field), and belongs in the record.
            if (f.system && t.draw.is_none()) || f.personal {
                continue;
            }
            let shown = shown(f, v, names, lang);
            let shown = match &f.ty {
                // A table starts on its own line, a row a line.
                domain::policy::FieldType::Table(_) => format!("\n{shown}"),
                _ => shown,
            };
            opinion.push(match lang {
                Lang::Zh => format!("{}：{shown}", f.label.zh),
                Lang::En => format!("{}: {shown}", f.label.en),
            });
        }
    }
    // A signed step says so, and whose key signed it (the signature panel verifies it).
    let signature = app::signing::SYSTEM_FIELDS[0];
    if t.is_some_and(|t| !t.sign.is_empty()) && changes[signature].as_str().is_some() {
        opinion.push(match lang {
            Lang::Zh => format!("已由{}电子签名（SM2）", ev.actor_name),
            Lang::En => format!("Signed electronically by {} (SM2)", ev.actor_name),
        });
    }
    // A hand-over, a copy or an urge: whom it named, and the words given.
    let handled = domain::handling::HandlingAct::parse(&ev.action);
    if handled.is_some() {
        let names: Vec<&str> = payload["to_names"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        if !names.is_empty() {
            opinion.push(format!("→ {}", names.join("、")));
        }
        if let Some(n) = payload["note"].as_str().filter(|n| !n.is_empty()) {
            opinion.push(n.to_string());
        }
    }
    let state_name = |s: &Option<String>| {
        s.as_deref()
            .map(|s| state_tag(Some(kind), s, lang).name)
            .unwrap_or_default()
    };
    let state_change = match (&ev.before_state, &ev.after_state) {
        (Some(b), Some(a)) if b != a => format!(
            "{} → {}",
            state_name(&ev.before_state),
            state_name(&ev.after_state)
        ),
        (None, Some(_)) => state_name(&ev.after_state),
        _ => String::new(),
    };
    HistoryRow {
        action: kind
            .transition(&ev.action)
            .map(|t| t.label.get(lang).to_string())
            .or_else(|| handled.map(|h| h.label().get(lang).to_string()))
            .unwrap_or_else(|| ev.action.clone()),
        article: domain::Article::parse(&ev.article)
            .map(|a| a.cite(lang))
            .unwrap_or_else(|| ev.article.clone()),
        article_id: domain::Article::parse(&ev.article)
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        time: short_time(&ev.at),
        who: ev.actor_name.clone(),
        role: p
            .policy
            .role(&ev.role)
            .map(|r| r.name.get(lang).to_string())
            .unwrap_or_else(|| ev.role.clone()),
        // The unit as the record names it, in English for an English reader (issue 12,
        // point 10).
        org: match lang {
            Lang::En => names.get(&ev.org_name).unwrap_or(&ev.org_name).clone(),
            Lang::Zh => ev.org_name.clone(),
        },
        opinion: opinion.join(" · "),
        state_change,
    }
}

/// A step that works on the item's content (edit, submit, propose) rather than adding a
/// few new values (an opinion, a meeting's decision): it has its own page, or is a button that
/// takes what is already filled in, never an inline form that would blank saved values.
/// The states reachable from the state the item was created in, by steps whose `when`
/// holds for it (always including its present state).
fn reachable(kind: &ItemKind, item: &domain::Item) -> Vec<String> {
    let created = item
        .acts
        .first()
        .and_then(|a| kind.transition(&a.action))
        .map(|t| t.to.clone())
        .unwrap_or_else(|| item.state.clone());
    let applies = |t: &&domain::policy::Transition| {
        t.when
            .iter()
            .all(|w| w.values.iter().any(|v| v == item.field(&w.field)))
    };
    let mut seen = vec![created];
    let mut i = 0;
    while let Some(state) = seen.get(i).cloned() {
        for t in kind.transitions.iter().filter(applies) {
            if t.from.contains(&state) && !t.to.is_empty() && !seen.contains(&t.to) {
                seen.push(t.to.clone());
            }
        }
        i += 1;
    }
    if !seen.contains(&item.state) {
        seen.push(item.state.clone());
    }
    seen
}

/// The states the item has been in: where each of its steps led (the first, its creation).
fn visited(kind: &ItemKind, item: &domain::Item) -> Vec<String> {
    let mut out: Vec<String> = item
        .acts
        .iter()
        .filter_map(|a| kind.transition(&a.action))
        .filter(|t| !t.to.is_empty())
        .map(|t| t.to.clone())
        .collect();
    out.push(item.state.clone());
    out
}

/// Whether the step takes a table (budget cuts, experts' opinions).
fn has_table(kind: &ItemKind, t: &domain::policy::Transition) -> bool {
    t.inputs.iter().any(|f| {
        kind.field(f)
            .is_some_and(|d| !d.system && matches!(d.ty, domain::policy::FieldType::Table(_)))
    })
}

/// The password re-entered to sign (R14.1): a step-up, never stored.
fn password_field(action: &str, lang: Lang) -> FieldView {
    FieldView {
        id: app::signing::PASSWORD_FIELD.into(),
        dom: format!("{action}-password"),
        label: Text::new("登录密码（确认电子签名）", "Your password (to sign)")
            .get(lang)
            .to_string(),
        help: Text::new(
            "签名使用平台为您保管的 SM2 密钥，输入密码即表示本人签署。",
            "The platform signs with the SM2 key it holds for you; entering your password means you sign.",
        )
        .get(lang)
        .to_string(),
        required: true,
        kind: "password",
        value: String::new(),
        error: String::new(),
        options: Vec::new(),
        search_hint: String::new(),
        more_hint: String::new(),
        table: None,
    }
}

/// A step whose form is too large for the side panel: more than three fields to fill (what the
/// platform fills, a signature, does not count), on a form that edits in place or already
/// holds values.
fn is_big(kind: &ItemKind, t: &domain::policy::Transition, item: &domain::Item) -> bool {
    let typed: Vec<&String> = t
        .inputs
        .iter()
        .filter(|f| kind.field(f).is_none_or(|d| !d.system))
        .collect();
    let self_loop = t.from == [t.to.clone()];
    let filled = typed.iter().any(|f| !item.field(f).is_empty());
    typed.len() > 3 && (self_loop || filled)
}

/// The steps as the page offers them. Steps that lead to the same state with the same small
/// form (the four opinions of art. 13) become one form with a choice, as a clerk expects.
fn action_views(kind: &ItemKind, v: &ItemView, lang: Lang) -> Vec<ActionView> {
    let item = &v.row.item;
    let mut out: Vec<ActionView> = Vec::new();
    let mut grouped: Vec<&str> = Vec::new();
    for t in &v.actions {
        // Steps whose only inputs the platform fills (attaching a file) have their own form.
        let platform_only = !t.inputs.is_empty()
            && t.sign.is_empty()
            && t.inputs
                .iter()
                .all(|f| kind.field(f).is_some_and(|d| d.system));
        if grouped.contains(&t.id.as_str()) || platform_only {
            continue;
        }
        let big_form = is_big(kind, t, item);
        // A table, a draw or a signature is its own step, never one choice of a group.
        let own_step = |o: &domain::policy::Transition| {
            o.draw.is_some() || !o.sign.is_empty() || has_table(kind, o)
        };
        let siblings: Vec<&domain::policy::Transition> = v
            .actions
            .iter()
            .filter(|o| {
                !big_form
                    && !own_step(t)
                    && !own_step(o)
                    && !o.inputs.is_empty()
                    && o.to == t.to
                    && o.from == t.from
                    && !is_big(kind, o, item)
            })
            .collect();
        let fields_of = |prefix: &str, ts: &[&domain::policy::Transition]| -> Vec<FieldView> {
            kind.fields
                .iter()
                .filter(|f| !f.system && ts.iter().any(|t| t.inputs.contains(&f.id)))
                .map(|f| {
                    field_view(
                        prefix,
                        f,
                        ts.iter().all(|t| t.required.contains(&f.id)),
                        // Saved values are shown, so a step never blanks them unseen.
                        &crate::views::input_value(f, item.field(&f.id)),
                        &[],
                        lang,
                    )
                })
                .collect()
        };
        if siblings.len() > 1 {
            grouped.extend(siblings.iter().map(|s| s.id.as_str()));
            let set_field = t
                .sets
                .keys()
                .next()
                .filter(|k| siblings.iter().all(|s| s.sets.contains_key(*k)));
            let (id, heading) = match set_field.and_then(|f| kind.field(f)) {
                Some(f) => (f.id.clone(), f.label.get(lang).to_string()),
                None => (
                    t.to.clone(),
                    kind.state(&t.to)
                        .map(|s| s.name.get(lang).to_string())
                        .unwrap_or_default(),
                ),
            };
            out.push(ActionView {
                fields: fields_of(&format!("{id}-"), &siblings),
                choices: siblings
                    .iter()
                    .map(|s| Choice {
                        id: s.id.clone(),
                        label: s.label.get(lang).to_string(),
                        article: s.article.cite(lang),
                        confirm: s
                            .confirm
                            .as_ref()
                            .map(|c| c.get(lang).to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
                label: crate::i18n::Tr(lang).s("confirm").to_string(),
                article: t.article.cite(lang),
                article_id: t.article.as_str().to_string(),
                style: "primary".into(),
                confirm: None,
                link: None,
                heading,
                id,
            });
            continue;
        }
        let self_loop = t.from == [t.to.clone()];
        // A table does not fit the side panel: the step has its own page.
        if has_table(kind, t) {
            out.push(ActionView {
                id: t.id.clone(),
                heading: String::new(),
                choices: Vec::new(),
                label: t.label.get(lang).to_string(),
                article: t.article.cite(lang),
                article_id: t.article.as_str().to_string(),
                style: t.style.clone(),
                confirm: None,
                link: Some(format!("/items/{}/step/{}", item.id, t.id)),
                fields: Vec::new(),
            });
            continue;
        }
        let mut fields = if big_form {
            Vec::new()
        } else {
            fields_of(&format!("{}-", t.id), &[t])
        };
        if !t.sign.is_empty() {
            fields.push(password_field(&t.id, lang));
        }
        out.push(ActionView {
            id: t.id.clone(),
            heading: String::new(),
            choices: Vec::new(),
            label: t.label.get(lang).to_string(),
            article: t.article.cite(lang),
            article_id: t.article.as_str().to_string(),
            style: t.style.clone(),
            confirm: t.confirm.as_ref().map(|c| c.get(lang).to_string()),
            link: (big_form && self_loop).then(|| format!("/items/{}/edit", item.id)),
            fields,
        });
    }
    out
}

#[derive(askama::Template)]
#[template(path = "reveal.html")]
struct RevealPage {
    frame: crate::frame::Frame,
    id: i64,
    label: String,
    value: String,
    reason: String,
}

/// Shows a personal value whole to a user who gave a reason; the reason, the user and the
/// request are recorded first (`app::personal::reveal`).
pub async fn reveal(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path((id, field)): Path<(i64, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<axum::response::Response, WebError> {
    crate::auth::check_csrf(&who, &form)?;
    let reason = super::form_value(&form, "reason");
    let p = &s.platform;
    let value = app::personal::reveal(p, &who, domain::ItemId::new(id), &field, &reason)
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let v = app::items::view(p, &who, domain::ItemId::new(id))
        .await
        .map_err(|e| WebError::App(e, who.lang))?;
    let label = p
        .policy
        .kind(&v.row.item.kind)
        .and_then(|k| k.field(&field))
        .map(|f| f.label.get(who.lang).to_string())
        .unwrap_or_default();
    let frame =
        crate::frame::Frame::new(p, &who, &v.row.item.kind, &label, &format!("/items/{id}"))
            .crumb(&v.row.number, &format!("/items/{id}"));
    Ok(crate::error::html(RevealPage {
        frame,
        id,
        label,
        value,
        reason: reason.trim().to_string(),
    }))
}

/// A value as the item page and the record show it: numbers with the names they stand for,
/// tables a row a line, anything else as `display_value` has it.
pub(crate) fn shown(f: &domain::policy::FieldDef, raw: &str, names: &Names, lang: Lang) -> String {
    match &f.ty {
        domain::policy::FieldType::ItemRef { .. }
        | domain::policy::FieldType::ItemRefs { .. }
        | domain::policy::FieldType::Records
            if !raw.is_empty() =>
        {
            super::names::named(raw, names)
        }
        domain::policy::FieldType::Table(columns) if !raw.is_empty() => {
            crate::views::table_text(columns, raw, names, lang)
        }
        _ => display_value(f, raw, lang),
    }
}
