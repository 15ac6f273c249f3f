//! 转办, 抄送 and 催办 on an item (issue 11, point 17): the domain decides who may
//! (`domain::handling`), this keeps the act among the item's acts and in its record in one
//! write, and records a refusal in the security record like a refused step.

use crate::record::{Who, handling_event};
use crate::{AppError, Platform, Principal};
use domain::handling::{self, HandlingAct};
use domain::{Actor, Denied, ItemId, OrgId, Text, UserId};
use store::Conn;
use store::items::ItemRow;
use store::orgs::Org;
use store::users::User;

mod delegation;
pub use delegation::{
    DELEGATE_ACTION, DELEGATE_END_ACTION, DELEGATION_MAX_DAYS, Delegation, delegate,
    delegation_colleagues, delegations, end_delegation,
};

/// What is asked, with the words given.
#[derive(Debug, Clone)]
pub enum Request {
    HandOver {
        to: UserId,
        reason: String,
    },
    Copy {
        users: Vec<UserId>,
        orgs: Vec<OrgId>,
        note: String,
    },
    Urge {
        note: String,
    },
}

impl Request {
    pub fn act(&self) -> HandlingAct {
        match self {
            Request::HandOver { .. } => HandlingAct::HandOver,
            Request::Copy { .. } => HandlingAct::Copy,
            Request::Urge { .. } => HandlingAct::Urge,
        }
    }

    fn words(&self) -> &str {
        match self {
            Request::HandOver { reason, .. } => reason,
            Request::Copy { note, .. } | Request::Urge { note } => note,
        }
    }
}

/// The most people, and the most units, one copy names.
pub const COPY_MAX: usize = 20;

/// The longest reason or note kept, in characters.
pub const NOTE_MAX: usize = 500;

/// Does what is asked, or refuses it saying why (and records the refusal).
pub async fn handle(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    req: Request,
) -> Result<(), AppError> {
    let detail = serde_json::json!({ "item": id.get(), "action": req.act().id() });
    let r = handle_unrecorded(p, who, id, req).await;
    crate::admin::recording_refusal(p, who, crate::items::STEP_ACTION, detail, r).await
}

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Denied(Denied {
        reason: Text::new(zh, en),
        article: None,
        fields: Vec::new(),
    })
}

/// The words as kept: invisible characters at either end do not count.
fn words_of(raw: &str) -> String {
    raw.trim_matches(domain::fields::is_invisible).to_string()
}

async fn handle_unrecorded(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    req: Request,
) -> Result<(), AppError> {
    let note = words_of(req.words());
    if note.chars().count() > NOTE_MAX {
        return Err(refuse(
            format!("说明不能超过 {NOTE_MAX} 个字。"),
            format!("The note may be at most {NOTE_MAX} characters."),
        ));
    }
    if matches!(req, Request::HandOver { .. }) && note.is_empty() {
        return Err(refuse(
            "请填写转办理由（例如休假、工作调整），接办同事和审批记录都会看到。",
            "Give the reason for handing it over (leave, a change of duties); the colleague and the record show it.",
        ));
    }
    let mut req = req;
    if let Request::Copy { users, orgs, .. } = &mut req {
        users.sort();
        users.dedup();
        orgs.sort();
        orgs.dedup();
        if users.is_empty() && orgs.is_empty() {
            return Err(refuse(
                "请选择要抄送的人员或单位。",
                "Choose the people or units to copy it to.",
            ));
        }
        if users.len() > COPY_MAX || orgs.len() > COPY_MAX {
            return Err(refuse(
                format!(
                    "一次最多抄送 {COPY_MAX} 人、{COPY_MAX} 个单位；需要更多时请分次抄送，或抄送到单位。"
                ),
                format!(
                    "Copy to at most {COPY_MAX} people and {COPY_MAX} units at once; copy to a unit for more."
                ),
            ));
        }
    }
    let (p2, who2) = (p.clone(), who.clone());
    p.store
        .write(move |c| {
            Box::pin(async move {
                let row = store::items::get(c, id).await?.ok_or(AppError::NotFound)?;
                let (act, names) = decide(c, &p2, &who2, &row, &req).await?;
                keep(c, &p2, &who2, &row, act, &names, &note).await?;
                Ok(())
            })
        })
        .await
}

/// The act to keep, once the domain and the readers' rights allow it, with the names of
/// whom it names.
async fn decide(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    row: &ItemRow,
    req: &Request,
) -> Result<(domain::Act, Vec<String>), AppError> {
    let policy = &p.policy;
    let item = &row.item;
    if !domain::permissions::can_see(policy, &who.actor, item) {
        return Err(AppError::NotFound);
    }
    let kind = policy.kind(&item.kind).ok_or(AppError::NotFound)?;
    let today = p.today();
    let act = |to: Vec<UserId>, to_orgs: Vec<OrgId>| {
        handling::act(req.act(), &who.actor, to, to_orgs, Some(today))
    };
    match req {
        Request::HandOver { to, .. } => {
            // A colleague away on a delegation (委托): it goes on to whom they delegated to.
            let away = store::delegations::in_force(c, *to, &today.to_string()).await?;
            let (to, via) = match &away {
                Some(d) => (
                    &d.to_user,
                    actor_of(c, policy, d.from_user).await?.map(|a| a.1),
                ),
                None => (to, None),
            };
            let Some((colleague, user)) = actor_of(c, policy, *to).await? else {
                return Err(refuse(
                    "所选同事不存在，请重新选择。",
                    "That colleague does not exist; choose again.",
                ));
            };
            handling::may_hand_over(policy, kind, item, &who.actor, &colleague)
                .map_err(AppError::Denied)?;
            let name = match via {
                Some(v) => format!("{}（{}委托）", user.display_name, v.display_name),
                None => user.display_name,
            };
            Ok((act(vec![*to], Vec::new()), vec![name]))
        }
        Request::Copy { users, orgs, .. } => {
            handling::may_copy(policy, kind, item, &who.actor).map_err(AppError::Denied)?;
            // One read of the accounts and units for every person and unit named (a copy
            // names up to 20 of each).
            let (everyone, units) = (store::users::all(c).await?, store::orgs::all(c).await?);
            let mut names = Vec::new();
            for u in users {
                let found = everyone
                    .iter()
                    .find(|x| x.id == *u)
                    .and_then(|x| units.iter().find(|o| o.id == x.org).map(|o| (x, o)));
                match found {
                    Some((user, unit)) if reads(policy, user, unit, item) => {
                        names.push(user.display_name.clone());
                    }
                    // Not named: an id typed by hand must not tell whose account it is.
                    Some(_) => {
                        return Err(refuse(
                            "所选人员中有人无权查看此事项，不能抄送；请从列表中选择。",
                            "Someone chosen may not read this item; choose from the list.",
                        ));
                    }
                    None => {
                        return Err(refuse(
                            "所选人员不存在，请重新选择。",
                            "A person chosen does not exist; choose again.",
                        ));
                    }
                }
            }
            for o in orgs {
                let Some(unit) = units.iter().find(|u| u.id == *o) else {
                    return Err(refuse(
                        "所选单位不存在，请重新选择。",
                        "A unit chosen does not exist; choose again.",
                    ));
                };
                if !everyone.iter().any(|u| reads(policy, u, unit, item)) {
                    return Err(refuse(
                        format!("{}无人有权查看此事项，不能抄送该单位。", unit.name_zh),
                        format!(
                            "Nobody in {} may read this item, so it cannot be copied there.",
                            unit.name_en
                        ),
                    ));
                }
                names.push(unit.name_zh.clone());
            }
            Ok((act(users.clone(), orgs.clone()), names))
        }
        Request::Urge { .. } => {
            handling::may_urge(policy, kind, item, &who.actor, today).map_err(AppError::Denied)?;
            // Whom it nudges: the colleague it was handed to, else everyone of the roles
            // whose step it awaits (the 待办 shows it to them).
            let holder: Vec<UserId> = handling::hand_overs_in_force(kind, item)
                .iter()
                .flat_map(|h| h.to.iter().copied())
                .collect();
            let mut names = Vec::new();
            for u in &holder {
                if let Some((_, user)) = actor_of(c, policy, *u).await? {
                    names.push(user.display_name);
                }
            }
            Ok((act(holder, Vec::new()), names))
        }
    }
}

/// Whether this user of this unit may read the item.
fn reads(policy: &domain::Policy, u: &User, unit: &Org, item: &domain::Item) -> bool {
    u.org == unit.id
        && domain::permissions::can_see(policy, &crate::identity::actor(policy, u, unit), item)
}

async fn actor_of(
    c: &mut Conn,
    policy: &domain::Policy,
    id: UserId,
) -> Result<Option<(Actor, User)>, AppError> {
    let Some(u) = store::users::get(c, id).await? else {
        return Ok(None);
    };
    let Some(org) = store::orgs::get(c, u.org).await? else {
        return Ok(None);
    };
    Ok(Some((crate::identity::actor(policy, &u, &org), u)))
}

/// What the principal may do with the item besides its steps, for its page.
#[derive(Debug, Clone, Default)]
pub struct Offers {
    /// Colleagues the item can be handed to (empty: no 转办).
    pub colleagues: Vec<User>,
    /// Whether 抄送 is offered, and to whom: people (with their unit's name) and units.
    pub copy: bool,
    pub copy_users: Vec<(User, String)>,
    pub copy_orgs: Vec<Org>,
    pub urge: bool,
}

pub async fn offers(p: &Platform, who: &Principal, row: &ItemRow) -> Result<Offers, AppError> {
    let policy = &p.policy;
    let item = &row.item;
    let Some(kind) = policy.kind(&item.kind) else {
        return Ok(Offers::default());
    };
    let mut out = Offers {
        urge: handling::may_urge(policy, kind, item, &who.actor, p.today()).is_ok(),
        copy: handling::may_copy(policy, kind, item, &who.actor).is_ok(),
        ..Offers::default()
    };
    // Colleagues are checked one by one below (the cheap checks first).
    let hand_over = kind.handling.hand_over;
    if !hand_over && !out.copy {
        return Ok(out);
    }
    let mut c = p.store.read().await?;
    let (everyone, units) = (
        store::users::all(&mut c).await?,
        store::orgs::all(&mut c).await?,
    );
    for u in everyone.iter().filter(|u| u.id != who.user.id) {
        let Some(unit) = units.iter().find(|o| o.id == u.org) else {
            continue;
        };
        let a = crate::identity::actor(policy, u, unit);
        if hand_over && handling::may_hand_over(policy, kind, item, &who.actor, &a).is_ok() {
            out.colleagues.push(u.clone());
        }
        if out.copy && domain::permissions::can_see(policy, &a, item) {
            out.copy_users.push((u.clone(), unit.name_zh.clone()));
            if !out.copy_orgs.iter().any(|o| o.id == unit.id) {
                out.copy_orgs.push(unit.clone());
            }
        }
    }
    Ok(out)
}

/// The display names of these accounts (who handed over, copied or urged), by id.
pub async fn names(p: &Platform) -> Result<std::collections::BTreeMap<UserId, String>, AppError> {
    let mut c = p.store.read().await?;
    Ok(store::users::all(&mut c)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// Items copied to the principal or their unit (抄送我的), newest first, with the copy.
pub async fn copied_to(
    p: &Platform,
    who: &Principal,
) -> Result<Vec<(ItemRow, domain::Act)>, AppError> {
    let mine = |a: &domain::Act| {
        a.action == HandlingAct::Copy.id()
            && (a.to.contains(&who.user.id) || a.to_orgs.contains(&who.org.id))
    };
    let rows = crate::inbox::visible_recent(p, who, |r| r.item.acts.iter().any(mine)).await?;
    let mut out: Vec<(ItemRow, domain::Act)> = rows
        .into_iter()
        .filter_map(|r| {
            let copy = r.item.acts.iter().rev().find(|a| mine(a)).cloned()?;
            Some((r, copy))
        })
        .collect();
    // Newest copy first.
    out.sort_by_key(|(r, c)| std::cmp::Reverse((c.on, r.item.id)));
    Ok(out)
}

/// Whether the item was handed over to this person and has not moved since.
pub(crate) fn held_by(p: &Platform, r: &ItemRow, user: UserId) -> bool {
    p.policy.kind(&r.item.kind).is_some_and(|k| {
        handling::hand_overs_in_force(k, &r.item)
            .iter()
            .any(|h| h.to.contains(&user))
    })
}

/// Keeps a handling act on the item, in its acts and its record, inside the caller's write.
pub(crate) async fn keep(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    row: &ItemRow,
    act: domain::Act,
    names: &[String],
    note: &str,
) -> Result<(), AppError> {
    let mut acts = row.item.acts.clone();
    acts.push(act.clone());
    store::items::set_acts(c, row.item.id, row.version, &acts).await?;
    let who_rec = Who {
        name: &who.user.display_name,
        org_name: &who.org.name_zh,
        origin: &who.origin,
    };
    let at = store::timestamp(p.now());
    let stored =
        store::events::append(c, &handling_event(row, &act, names, note, &at, &who_rec)).await?;
    // A hand-over is handling the item (已办); a copy or an urge is not.
    if act.action == domain::handling::HandlingAct::HandOver.id() {
        store::queue::handled(c, who.user.id.get(), row.item.id.get(), stored.id).await?;
    }
    Ok(())
}
