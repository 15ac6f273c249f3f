//! Item use cases: list, view, create, act. Every change goes through `domain::decide` inside
//! the writer, so the state, its event and the idempotency record commit together or not at all.

use crate::{AppError, Platform, Principal};
use domain::permissions::Sight;
use domain::policy::{FieldType, Transition};
use domain::{Input, ItemId, available_actions};
use store::Conn;
pub use store::events::StoredEvent;
use store::items::Filter;
pub use store::items::{ItemRow, Order, Summary};

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
    /// Newest first unless asked otherwise.
    pub order: Order,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<Summary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// A search with more matches than it counts (`total` is then the cap): "1,000+".
    pub more: bool,
}

/// Narrows a filter to what the principal may see: the domain's one visibility rule
/// (`domain::permissions::sight`) as SQL, so a list shows exactly the items `view` would.
pub fn visible_filter(p: &Platform, who: &Principal, kind: &str, mut f: Filter) -> Option<Filter> {
    // A hidden state (a deleted draft) is left out unless asked for by name.
    if f.states.is_empty()
        && let Some(k) = p.policy.kind(kind)
    {
        f.hidden_states = k
            .states
            .iter()
            .filter(|s| s.hidden)
            .map(|s| s.id.clone())
            .collect();
    }
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
            ..
        } => {
            f.viewer_org = Some(org);
            f.private_states = private_states;
        }
        Sight::Party { org, party, .. } => {
            f.viewer_org = Some(org);
            f.party = Some(party);
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
        order: q.order,
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
            more: false,
        });
    };
    let (rows, total) = p.store.list_page(&f).await?;
    let more = total > store::items::SEARCH_COUNT_CAP;
    Ok(Page {
        rows,
        total: if more {
            store::items::SEARCH_COUNT_CAP
        } else {
            total
        },
        page,
        per_page,
        more,
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

/// The items of these ids the principal may see, with their fields (a list page that shows
/// one of them, such as an expert's employer).
pub async fn by_ids(p: &Platform, who: &Principal, ids: &[i64]) -> Result<Vec<ItemRow>, AppError> {
    let mut c = p.store.read().await?;
    Ok(store::items::by_ids(&mut c, ids)
        .await?
        .into_iter()
        .filter(|r| domain::permissions::can_see(&p.policy, &who.actor, &r.item))
        .collect())
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

/// The creations of `child` the principal may take under `parent` as it is now, in the
/// policy's order (the Data Center's 组织初验 under a completed project).
pub fn creations_under(
    p: &Platform,
    who: &Principal,
    child: &str,
    parent: &ItemRow,
) -> Vec<Transition> {
    let Some(k) = p.policy.kind(child) else {
        return Vec::new();
    };
    creations(p, who, child)
        .into_iter()
        .filter(|t| accepts(k, t, parent))
        .collect()
}

/// Whether creation `t` of kind `k` names the parent's kind in its `requires` and every such
/// rule accepts the parent's state. A creation that says nothing about the parent's kind is not
/// a creation under it.
fn accepts(k: &domain::policy::ItemKind, t: &Transition, parent: &ItemRow) -> bool {
    let refers_to_parent = |field: &str| {
        k.field(field).is_some_and(
            |f| matches!(&f.ty, FieldType::ItemRef { kind } if *kind == parent.item.kind),
        )
    };
    let mut on_parent = t
        .requires
        .iter()
        .filter(|r| refers_to_parent(&r.field))
        .peekable();
    on_parent.peek().is_some()
        && on_parent.all(|r| r.states.is_empty() || r.states.contains(&parent.item.state))
}

/// A request to change something, as the web, API and CLI pass it in.
#[derive(Debug, Clone)]
pub struct Command {
    pub action: String,
    pub input: Input,
    /// A second step to take at once (e.g. create then submit); both or neither happen.
    pub then: Option<String>,
    /// A retried request with the same key has one effect (API `Idempotency-Key`).
    pub idempotency: Option<Idempotency>,
}

/// An Idempotency-Key bound to the request it came with: a retry of the same request gets the
/// first answer; the same key with another request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    /// SM3 over the method, the path and the body.
    pub fingerprint: String,
}

impl Idempotency {
    pub fn new(key: &str, method: &str, path: &str, body: &[u8]) -> Idempotency {
        Idempotency {
            key: key.to_string(),
            fingerprint: crypto::sm3_parts(&[
                method.as_bytes(),
                b"\n",
                path.as_bytes(),
                b"\n",
                body,
            ]),
        }
    }
}

/// Creates an item of `kind`; returns its id.
pub async fn create(
    p: &Platform,
    who: &Principal,
    kind: &str,
    cmd: Command,
) -> Result<ItemId, AppError> {
    let detail = serde_json::json!({ "kind": kind, "action": cmd.action });
    let (p2, who2, kind) = (p.clone(), who.clone(), kind.to_string());
    let r = p
        .store
        .write(move |c| {
            Box::pin(async move { step(c, &p2, &who2, Target::New(kind), cmd, Input::new()).await })
        })
        .await;
    crate::admin::recording_refusal(p, who, STEP_ACTION, detail, r).await
}

/// The security record's action for a business step that was refused (issue 11, point 6:
/// every refused write attempt, by anyone, is recorded with who, what, when and why).
pub const STEP_ACTION: &str = "step";

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

pub(crate) use crate::steps::write::{Target, step};
