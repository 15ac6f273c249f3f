//! Item use cases: list, view, create, act. Every change goes through `domain::decide` inside
//! the writer, so the state, its event and the idempotency record commit together or not at all.

use crate::record::{Who, item_event};
use crate::{AppError, Platform, Principal};
use domain::permissions::Sight;
use domain::policy::{FieldType, Transition};
use domain::{Denied, FieldError, Input, Item, ItemId, Text, apply, available_actions, decide};
use store::Conn;
pub use store::events::StoredEvent;
use store::items::Filter;
pub use store::items::{ItemRow, Summary};

/// What a list asks for; everything but the kind is optional.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub kind: String,
    pub state: Option<String>,
    pub year: Option<i64>,
    pub text: Option<String>,
    /// The owning unit.
    pub owner: Option<i64>,
    /// The kind's facet value (a demand's opinion).
    pub facet: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<Summary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Narrows a filter to what the principal may see: the domain's one visibility rule
/// (`domain::permissions::sight`) as SQL, so a list shows exactly the items `view` would.
pub fn visible_filter(p: &Platform, who: &Principal, kind: &str, mut f: Filter) -> Option<Filter> {
    match domain::permissions::sight(&p.policy, &who.actor, kind) {
        Sight::Nothing => return None,
        Sight::Own(org) => f.only_owner = Some(org),
        // Asking only for public states needs no visibility clause (and keeps the query on
        // its index).
        Sight::OwnAndPublic { private_states, .. }
            if !f.states.is_empty() && f.states.iter().all(|s| !private_states.contains(s)) => {}
        Sight::OwnAndPublic {
            org,
            private_states,
        } => {
            f.viewer_org = Some(org);
            f.private_states = private_states;
        }
    }
    Some(f)
}

/// One page of the items of a kind the principal may see, newest first, with the total.
pub async fn list(p: &Platform, who: &Principal, q: &ListQuery) -> Result<Page, AppError> {
    let per_page = if q.per_page <= 0 {
        20
    } else {
        q.per_page.min(100)
    };
    // Bounded so an absurd page number cannot overflow the offset.
    let page = q.page.clamp(1, 1_000_000);
    let base = Filter {
        kind: q.kind.clone(),
        states: q.state.iter().filter(|s| !s.is_empty()).cloned().collect(),
        year: q.year,
        owner: q.owner.filter(|o| *o > 0).map(domain::OrgId::new),
        facet: q.facet.clone().filter(|f| !f.is_empty()),
        text: q
            .text
            .clone()
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_string()),
        page,
        per_page,
        ..Filter::default()
    };
    let Some(f) = visible_filter(p, who, &q.kind, base) else {
        return Ok(Page {
            rows: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let (rows, total) = p.store.list_page(&f).await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// An item with its history and the steps the principal may take now.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub row: ItemRow,
    pub history: Vec<StoredEvent>,
    pub actions: Vec<Transition>,
}

pub async fn view(p: &Platform, who: &Principal, id: ItemId) -> Result<ItemView, AppError> {
    let mut c = p.store.read().await?;
    let row = store::items::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !domain::permissions::can_see(&p.policy, &who.actor, &row.item) {
        return Err(AppError::NotFound);
    }
    let history = store::events::stream(&mut c, &format!("item:{}", id.get())).await?;
    let actions = available_actions(&p.policy, &row.item, &who.actor)
        .into_iter()
        .cloned()
        .collect();
    Ok(ItemView {
        row,
        history,
        actions,
    })
}

/// An item by its number, if the principal may see it.
pub async fn by_number(p: &Platform, who: &Principal, number: &str) -> Result<ItemRow, AppError> {
    let mut c = p.store.read().await?;
    let row = store::items::get_by_number(&mut c, number.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    if !domain::permissions::can_see(&p.policy, &who.actor, &row.item) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// The transitions that create an item of `kind` which the principal may take.
pub fn creations(p: &Platform, who: &Principal, kind: &str) -> Vec<Transition> {
    p.policy
        .kind(kind)
        .map(|k| {
            k.creations()
                .filter(|t| domain::decide::may_create(&p.policy, kind, &t.id, &who.actor))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the policy lets an item of `child` be created under `parent` as it is now: some
/// creation of `child` whose `requires` on a reference to the parent's kind accept the
/// parent's state (procurement only while the project's FSR is approved or it is under way,
/// an FSR only for a confirmed project). The code names no state for it.
pub fn parent_accepts(p: &Platform, child: &str, parent: &ItemRow) -> bool {
    p.policy
        .kind(child)
        .is_some_and(|k| k.creations().any(|t| accepts(k, t, parent)))
}

/// [`parent_accepts`], for a creation the principal may take (the link on the parent's page).
pub fn may_create_under(p: &Platform, who: &Principal, child: &str, parent: &ItemRow) -> bool {
    p.policy.kind(child).is_some_and(|k| {
        creations(p, who, child)
            .iter()
            .any(|t| accepts(k, t, parent))
    })
}

fn accepts(k: &domain::policy::ItemKind, t: &Transition, parent: &ItemRow) -> bool {
    let refers_to_parent = |field: &str| {
        k.field(field).is_some_and(
            |f| matches!(&f.ty, FieldType::ItemRef { kind } if *kind == parent.item.kind),
        )
    };
    t.requires
        .iter()
        .filter(|r| refers_to_parent(&r.field))
        .all(|r| r.states.is_empty() || r.states.contains(&parent.item.state))
}

/// A request to change something, as the web, API and CLI pass it in.
#[derive(Debug, Clone)]
pub struct Command {
    pub action: String,
    pub input: Input,
    /// A second step to take at once (e.g. create then submit); both or neither happen.
    pub then: Option<String>,
    /// A retried request with the same key has one effect (API `Idempotency-Key`).
    pub idempotency_key: Option<String>,
}

/// Creates an item of `kind`; returns its id.
pub async fn create(
    p: &Platform,
    who: &Principal,
    kind: &str,
    cmd: Command,
) -> Result<ItemId, AppError> {
    let (p2, who2, kind) = (p.clone(), who.clone(), kind.to_string());
    p.store
        .write(move |c| {
            Box::pin(async move { step(c, &p2, &who2, Target::New(kind), cmd, Input::new()).await })
        })
        .await
}

/// Creates an item inside a write the caller already holds (an import of many rows).
pub async fn create_in(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    kind: &str,
    cmd: Command,
) -> Result<ItemId, AppError> {
    step(c, p, who, Target::New(kind.to_string()), cmd, Input::new()).await
}

pub use crate::steps::perform;

/// The form field that carries the item version a form was read at.
pub const VERSION_FIELD: &str = "_version";

/// The item version a form was read at (`_version`), when the client sent one.
pub fn expected_version(input: &Input) -> Option<i64> {
    input.get(VERSION_FIELD).and_then(|v| v.trim().parse().ok())
}

pub(crate) enum Target {
    New(String),
    Existing(ItemId),
    /// An item already read inside this write (the pipeline checked its version).
    Read(Box<ItemRow>),
}

pub(crate) async fn step(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    target: Target,
    cmd: Command,
    system: Input,
) -> Result<ItemId, AppError> {
    if let Some(key) = &cmd.idempotency_key
        && let Some((_, body)) = store::idempotency::get(c, who.user.id.get(), key).await?
    {
        return body
            .parse::<i64>()
            .map(ItemId::new)
            .map_err(|_| AppError::Conflict);
    }
    let now = p.now();
    let row = match target {
        Target::New(kind) => Err(kind),
        Target::Existing(id) => Ok(store::items::get(c, id).await?.ok_or(AppError::NotFound)?),
        Target::Read(row) => Ok(*row),
    };
    let (mut current, kind) = match row {
        Err(kind) => (None, kind),
        Ok(row) => {
            let kind = row.item.kind.clone();
            (Some(row), kind)
        }
    };
    if let Some(row) = &current
        && !domain::permissions::can_see(&p.policy, &who.actor, &row.item)
    {
        return Err(AppError::NotFound);
    }
    // A form read at an older version: someone else changed the item since (a lost update
    // otherwise). The caller shows the form again with what was typed.
    if let (Some(expected), Some(row)) = (expected_version(&cmd.input), current.as_ref())
        && expected != row.version
    {
        return Err(AppError::Conflict);
    }
    let kind_def = p.policy.kind(&kind).ok_or(AppError::NotFound)?;
    // Values the platform fills (digests of generated documents) are never taken from users,
    // nor are the form's own keys (`_version`).
    let mut input: Input = cmd
        .input
        .into_iter()
        .filter(|(f, _)| !f.starts_with('_') && kind_def.field(f).is_none_or(|d| !d.system))
        .collect();
    input.extend(system);
    let mut steps = vec![(cmd.action.clone(), input)];
    if let Some(then) = &cmd.then {
        steps.push((then.clone(), Input::new()));
    }
    for (action, input) in steps {
        let row = take(
            c,
            p,
            who,
            &kind,
            current.take(),
            &action,
            &input,
            now,
            false,
        )
        .await?;
        let t = kind_def.transition(&action);
        if let Some(effect) = t.and_then(|t| t.effect.as_ref()) {
            effect_on(c, p, who, &row, effect, now).await?;
        }
        current = Some(row);
    }
    let id = current.map(|r| r.item.id).ok_or(AppError::NotFound)?;
    if let Some(key) = &cmd.idempotency_key {
        let at = store::timestamp(now);
        store::idempotency::put(c, who.user.id.get(), key, 200, &id.get().to_string(), &at).await?;
    }
    Ok(id)
}

/// Takes the step an effect names on the item the source's reference field points to, with
/// the source's values for that step's inputs (an approved change makes a new version).
async fn effect_on(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    source: &ItemRow,
    effect: &domain::policy::Effect,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), AppError> {
    let number = source.item.field(&effect.on);
    let target = store::items::get_by_number(c, number)
        .await?
        .ok_or(AppError::NotFound)?;
    // A request drafted on an older version would silently undo what was approved since.
    let since = store::events::stream(c, &format!("item:{}", target.item.id.get()))
        .await?
        .into_iter()
        .any(|e| e.event.action == effect.action && e.event.at > source.created_at);
    if since {
        return Err(AppError::Denied(Denied {
            reason: Text::new(
                format!(
                    "{} 在本申请提出后已按其他变更形成新版本，请基于最新版本重新提出申请。",
                    target.number
                ),
                format!(
                    "{} has a newer version since this request was made; make the request again on the latest version.",
                    target.number
                ),
            ),
            article: None,
            fields: Vec::new(),
        }));
    }
    let tkind = p.policy.kind(&target.item.kind).ok_or(AppError::NotFound)?;
    let t = tkind.transition(&effect.action).ok_or(AppError::NotFound)?;
    // Values go in as a user would type them: money back from fen to yuan.
    let source_kind = p.policy.kind(&source.item.kind);
    let input: Input = t
        .inputs
        .iter()
        .map(|f| {
            let raw = source.item.field(f);
            let def = source_kind.and_then(|k| k.field(f));
            let typed = match (def.map(|d| &d.ty), raw.parse::<i64>()) {
                (Some(FieldType::Money), Ok(fen)) => domain::Money::from_fen(fen).yuan_string(),
                (Some(FieldType::Table(columns)), _) => domain::table::typed(columns, raw),
                _ => raw.to_string(),
            };
            (f.clone(), typed)
        })
        .collect();
    let kind = target.item.kind.clone();
    take(
        c,
        p,
        who,
        &kind,
        Some(target),
        &effect.action,
        &input,
        now,
        true,
    )
    .await?;
    Ok(())
}

/// Decides one step, applies it, writes the item and its event; returns the item as written.
#[allow(clippy::too_many_arguments)]
async fn take(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    kind: &str,
    current: Option<ItemRow>,
    action: &str,
    input: &Input,
    now: chrono::DateTime<chrono::FixedOffset>,
    as_effect: bool,
) -> Result<ItemRow, AppError> {
    let kind_def = p.policy.kind(kind).ok_or(AppError::NotFound)?;
    let item: Option<&Item> = current.as_ref().map(|r| &r.item);
    let facts = match kind_def.transition(action) {
        Some(t) => crate::facts::gather(c, p, &who.actor, kind_def, t, item, input).await?,
        None => crate::facts::Facts::default(),
    };
    let cx = facts.context(p, now, as_effect);
    let ev = decide(&p.policy, kind, item, action, &who.actor, input, &cx)?;
    check_references(c, p, &who.actor, kind, item, ev.changes()).await?;
    let next = apply(item, item.map_or(ItemId::new(0), |i| i.id), &ev);
    let at = store::timestamp(now);
    let derived = store::items::Derived {
        title: next.field(&kind_def.title_field),
        amount_fen: kind_def
            .amount_field
            .as_ref()
            .and_then(|f| next.field(f).parse::<i64>().ok()),
        parent: kind_def
            .parent_field
            .as_ref()
            .map(|f| next.field(f))
            .filter(|v| !v.is_empty()),
        facet: kind_def
            .facet_field
            .as_ref()
            .map(|f| next.field(f))
            .filter(|v| !v.is_empty()),
    };
    let row = match current {
        None => {
            let year = chrono::Datelike::year(&now);
            let number = store::items::next_number(c, &kind_def.prefix, year).await?;
            let id = store::items::insert(c, &number, year, &derived, &next, &at).await?;
            store::items::get(c, id).await?.ok_or(AppError::NotFound)?
        }
        Some(mut row) => {
            let read = store::items::AsRead {
                state: &row.item.state,
                year: row.year,
                version: row.version,
            };
            store::items::update(c, &read, &next, &derived, &at).await?;
            row.version += 1;
            row.title = derived.title.to_string();
            row.item = next;
            row
        }
    };
    let who_rec = Who {
        name: &who.user.display_name,
        org_name: &who.org.name_zh,
    };
    store::events::append(
        c,
        &item_event(row.item.id.get(), &row.number, &ev, &who_rec),
    )
    .await?;
    Ok(row)
}

/// A field that names other items must name existing items of its kind that the actor may
/// see (and not the item itself); an organisation field must name existing organisations.
async fn check_references(
    c: &mut Conn,
    p: &Platform,
    actor: &domain::Actor,
    kind: &str,
    item: Option<&Item>,
    changes: &std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let Some(kind_def) = p.policy.kind(kind) else {
        return Ok(());
    };
    let refused = |field: &str, message: Text| {
        AppError::Denied(Denied {
            reason: Text::new("请按提示修改。", "See the field below."),
            article: None,
            fields: vec![FieldError {
                field: field.to_string(),
                message,
            }],
        })
    };
    for (field, value) in changes {
        if value.is_empty() {
            continue;
        }
        let (ref_kind, numbers): (&str, Vec<&str>) = match kind_def.field(field).map(|f| &f.ty) {
            Some(FieldType::ItemRef { kind }) => (kind, vec![value.as_str()]),
            Some(FieldType::ItemRefs { kind }) => (kind, value.split(',').collect()),
            Some(FieldType::Orgs) => {
                for id in value.split(',') {
                    let id = id.parse::<i64>().unwrap_or(0);
                    if store::orgs::get(c, domain::OrgId::new(id)).await?.is_none() {
                        return Err(refused(
                            field,
                            Text::new("所选单位不存在。", "A chosen unit does not exist."),
                        ));
                    }
                }
                continue;
            }
            _ => continue,
        };
        for number in numbers {
            let target = store::items::get_by_number(c, number).await?;
            let ok = target.is_some_and(|t| {
                t.item.kind == ref_kind
                    && Some(t.item.id) != item.map(|i| i.id)
                    && domain::permissions::can_see(&p.policy, actor, &t.item)
            });
            if !ok {
                let what = p
                    .policy
                    .kind(ref_kind)
                    .map(|k| k.name.clone())
                    .unwrap_or_default();
                return Err(refused(
                    field,
                    Text::new(
                        format!("没有编号为 {number} 的{}。", what.zh),
                        format!("There is no {} numbered {number}.", what.en.to_lowercase()),
                    ),
                ));
            }
        }
    }
    Ok(())
}
