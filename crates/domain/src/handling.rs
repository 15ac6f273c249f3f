//! Handling acts (转办, 抄送, 催办): what staff do with an item besides its steps. None moves the
//! item or changes its fields; each is kept among the item's acts and in its record, with who
//! and when, so the record shows it and replay checks it like any step. A kind allows them in
//! the policy (`[kind.handling]`); their names are the engine's and no step may take one.
//!
//! Tasks are shared by role: everyone of a role in the unit sees the same 待办. A hand-over
//! makes one colleague the holder until the item moves on: only they take its next step in
//! that role, and it leaves the others' 待办.

use crate::decide::{Actor, Denied, permitted_now};
use crate::item::{Act, Item};
use crate::policy::{ItemKind, Policy, Transition};
use crate::text::Text;
use chrono::NaiveDate;

/// One of the handling acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlingAct {
    /// 转办: to a colleague of the same role and unit, who then holds the item.
    HandOver,
    /// 抄送: to people or units who may read the item; they find it under 抄送我的.
    Copy,
    /// 催办: to whoever holds an overdue item; shown in their 待办.
    Urge,
}

impl HandlingAct {
    pub const ALL: [HandlingAct; 3] = [HandlingAct::HandOver, HandlingAct::Copy, HandlingAct::Urge];

    /// Its name among the item's acts and in the record.
    pub fn id(self) -> &'static str {
        match self {
            HandlingAct::HandOver => "hand_over",
            HandlingAct::Copy => "copy",
            HandlingAct::Urge => "urge",
        }
    }

    pub fn parse(id: &str) -> Option<HandlingAct> {
        HandlingAct::ALL.into_iter().find(|h| h.id() == id)
    }

    pub fn label(self) -> Text {
        match self {
            HandlingAct::HandOver => Text::new("转办", "Hand over"),
            HandlingAct::Copy => Text::new("抄送", "Copy"),
            HandlingAct::Urge => Text::new("催办", "Urge"),
        }
    }

    /// Whether the kind allows it at all.
    pub fn allowed(self, kind: &ItemKind) -> bool {
        match self {
            HandlingAct::HandOver => kind.handling.hand_over,
            HandlingAct::Copy => kind.handling.copy,
            HandlingAct::Urge => kind.handling.urge,
        }
    }
}

/// Whether an act is a handling act rather than a step.
pub fn is_handling(a: &Act) -> bool {
    HandlingAct::parse(&a.action).is_some()
}

/// The acts since the item last moved (a step that keeps it where it is, an edit or an
/// effect with no state of its own, does not move it): what was handed over or urged about
/// the step it now awaits. A countersign that is not yet complete keeps the item where it is
/// too, but the acts cannot tell; no kind that allows handling countersigns (checked at load).
pub fn since_last_move<'a>(kind: &ItemKind, item: &'a Item) -> &'a [Act] {
    let moved = item.acts.iter().rposition(|a| {
        !is_handling(a)
            && kind
                .transition(&a.action)
                .is_none_or(|t| !t.to.is_empty() && t.from != [t.to.clone()])
    });
    match moved {
        Some(i) => &item.acts[i + 1..],
        None => &item.acts[..],
    }
}

/// The hand-overs in force, one per role: the last of each role since the item last moved.
pub fn hand_overs_in_force<'a>(kind: &ItemKind, item: &'a Item) -> Vec<&'a Act> {
    let mut out: Vec<&Act> = Vec::new();
    for a in since_last_move(kind, item).iter().rev() {
        if a.action == HandlingAct::HandOver.id() && !out.iter().any(|h| h.role == a.role) {
            out.push(a);
        }
    }
    out.reverse();
    out
}

/// The hand-over in force for one role (the post it was handed within).
pub fn hand_over_in_force<'a>(kind: &ItemKind, item: &'a Item, role: &str) -> Option<&'a Act> {
    hand_overs_in_force(kind, item)
        .into_iter()
        .find(|h| h.role == role)
}

/// The urges since the item last moved, oldest first.
pub fn urges<'a>(kind: &ItemKind, item: &'a Item) -> impl Iterator<Item = &'a Act> {
    since_last_move(kind, item)
        .iter()
        .filter(|a| a.action == HandlingAct::Urge.id())
}

/// A step refused because a colleague of the actor's role holds the item (转办).
pub(crate) fn held_by_other(
    kind: &ItemKind,
    t: &Transition,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    let Some(h) = hand_over_in_force(kind, item, &actor.role) else {
        return Ok(());
    };
    if !t.roles.contains(&actor.role) || h.to.contains(&actor.user) {
        return Ok(());
    }
    Err(refusal(Text::new(
        "此事项已转办给本岗位的其他同事，由其办理（见审批记录）；如需由您办理，请其再转办给您。",
        "This item was handed over to a colleague in your post, who takes its next step (see the record); ask them to hand it back if you should.",
    )))
}

/// The steps expected of the actor now (their 待办): not an edit that keeps the item where
/// it is, nor taking their own step back (撤回), nor a step the policy says is no task; a
/// recurring duty (`task_within_days`) only from so many days before the item is due `today`.
/// The cheap tests (state, role, the step's nature) come first: a workbench checks every
/// item on its page, and a refusal's words are not built for steps that could never be it.
pub fn tasks<'p>(
    policy: &'p Policy,
    item: &Item,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> Vec<&'p Transition> {
    tasks_at(policy, item, actor, Some(today))
}

/// [`tasks`] on `today`, or with every recurring duty counted whenever it is due (`None`:
/// who may hand an item over or copy it does not depend on the day).
fn tasks_at<'p>(
    policy: &'p Policy,
    item: &Item,
    actor: &Actor,
    today: Option<chrono::NaiveDate>,
) -> Vec<&'p Transition> {
    let Some(kind) = policy.kind(&item.kind) else {
        return Vec::new();
    };
    let due_by = |days: u32| match (today, item.due) {
        (None, _) => true,
        (Some(today), Some(due)) => today
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .is_none_or(|last| due <= last),
        (Some(_), None) => false,
    };
    kind.transitions
        .iter()
        .filter(|t| {
            is_task_from(t, &item.state, &actor.role) && t.task_within_days.is_none_or(due_by)
        })
        .filter(|t| permitted_now(policy, kind, t, item, actor).is_ok())
        .collect()
}

/// Whether `t` is, by its nature, a task of `role` on an item in `state`: a step the policy
/// does not mark as no task, not internal, not a withdrawal, and one that moves the item or
/// is a recurring duty. (Whether it is due yet is the caller's question.)
pub fn is_task_from(t: &Transition, state: &str, role: &str) -> bool {
    t.task
        && !t.internal
        && t.undoes.is_none()
        && t.from.iter().any(|s| s == state)
        && (t.from != [t.to.clone()] || t.task_within_days.is_some())
        && t.roles.iter().any(|r| r == role)
}

fn refusal(reason: Text) -> Denied {
    Denied {
        reason,
        article: None,
        fields: Vec::new(),
    }
}

fn not_allowed(kind: &ItemKind, h: HandlingAct) -> Denied {
    let label = h.label();
    refusal(Text::new(
        format!("{}不能「{}」。", kind.name.zh, label.zh),
        format!(
            "A {} cannot be handled by \"{}\".",
            kind.name.en.to_lowercase(),
            label.en
        ),
    ))
}

/// 转办: the actor must have a step to take now, and the colleague (same role, same unit,
/// someone else) must be able to take one once it is theirs; separation of duties holds for
/// them as for anyone, and the refusal says which rule keeps them out.
pub fn may_hand_over(
    policy: &Policy,
    kind: &ItemKind,
    item: &Item,
    actor: &Actor,
    to: &Actor,
) -> Result<(), Denied> {
    if !HandlingAct::HandOver.allowed(kind) {
        return Err(not_allowed(kind, HandlingAct::HandOver));
    }
    if to.user == actor.user {
        return Err(refusal(Text::new(
            "不能转办给本人，请选择本岗位的其他同事。",
            "You cannot hand an item to yourself; choose a colleague in your post.",
        )));
    }
    if to.role != actor.role || to.org != actor.org {
        return Err(refusal(Text::new(
            "只能转办给本单位同一岗位的同事。",
            "An item is handed over only to a colleague of the same role in the same unit.",
        )));
    }
    // Whoever handed it over may hand it on again (its holder moved to other duties), as
    // if it were back with them.
    let handed_by_me =
        hand_over_in_force(kind, item, &actor.role).is_some_and(|h| h.user == actor.user);
    let mut as_mine = item.clone();
    if handed_by_me {
        as_mine.acts.push(act(
            HandlingAct::HandOver,
            actor,
            vec![actor.user],
            Vec::new(),
            None,
        ));
    }
    let mine = tasks_at(policy, &as_mine, actor, None);
    if mine.is_empty() {
        return Err(refusal(Text::new(
            "您当前没有需要办理的步骤，不能转办。",
            "You have no step to take on this item now, so you cannot hand it over.",
        )));
    }
    let mut handed = item.clone();
    handed.acts.push(act(
        HandlingAct::HandOver,
        actor,
        vec![to.user],
        Vec::new(),
        None,
    ));
    let mut reason = None;
    for t in &mine {
        match permitted_now(policy, kind, t, &handed, to) {
            Ok(()) => return Ok(()),
            Err(d) => reason = reason.or(Some(d.reason)),
        }
    }
    // The reason was written to the colleague ("您…"); here it is read by whoever hands over.
    let why = reason.unwrap_or_default();
    let zh = why
        .zh
        .replace("您", "其")
        .trim_end_matches('。')
        .to_string();
    let en = why.en.replace("You ", "They ").replace(" you ", " they ");
    Err(refusal(Text::new(
        format!("所选同事不能办理此事项（{zh}），请选择其他同事。"),
        format!(
            "That colleague cannot take this item's step ({}); choose another colleague.",
            en.trim_end_matches('.')
        ),
    )))
}

/// 抄送: whoever took part in the item or has a step on it now may copy it; who may read it
/// is checked by the caller, who knows the people and units named.
pub fn may_copy(
    policy: &Policy,
    kind: &ItemKind,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    if !HandlingAct::Copy.allowed(kind) {
        return Err(not_allowed(kind, HandlingAct::Copy));
    }
    let took_part = item
        .acts
        .iter()
        .any(|a| a.user == actor.user && !is_handling(a));
    if took_part || !tasks_at(policy, item, actor, None).is_empty() {
        return Ok(());
    }
    Err(refusal(Text::new(
        "只有办理过或正在办理此事项的人员可以抄送。",
        "Only someone who took or has a step on this item can copy it.",
    )))
}

/// 催办: whoever started the item, or a role the policy names, nudges an overdue item, once a
/// day each.
pub fn may_urge(
    policy: &Policy,
    kind: &ItemKind,
    item: &Item,
    actor: &Actor,
    today: NaiveDate,
) -> Result<(), Denied> {
    if !HandlingAct::Urge.allowed(kind) {
        return Err(not_allowed(kind, HandlingAct::Urge));
    }
    // Whoever raised it: the same post in the unit that owns it (a colleague of the clerk who
    // left counts), or a role the policy names.
    let started = item
        .acts
        .first()
        .is_some_and(|a| a.role == actor.role && item.owner_org == actor.org);
    if !started && !kind.handling.urge_roles.contains(&actor.role) {
        let names: Vec<Text> = kind
            .handling
            .urge_roles
            .iter()
            .filter_map(|r| policy.role(r).map(|r| r.name.clone()))
            .collect();
        let join = |zh: bool| {
            names
                .iter()
                .map(|n| if zh { n.zh.as_str() } else { n.en.as_str() })
                .collect::<Vec<_>>()
        };
        return Err(refusal(Text::new(
            format!(
                "只有发起单位的经办岗位{}可以催办此事项。",
                if names.is_empty() {
                    String::new()
                } else {
                    format!("或{}", join(true).join("、"))
                }
            ),
            format!(
                "Only the post that raised this item{} can urge it.",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" or a {}", join(false).join(", "))
                }
            ),
        )));
    }
    match item.due {
        None => {
            return Err(refusal(Text::new(
                "此事项当前没有办理期限，无需催办。",
                "This item has no deadline now; there is nothing to urge.",
            )));
        }
        Some(due) if due >= today => {
            return Err(refusal(Text::new(
                format!("此事项的办理期限为 {due}，尚未逾期；逾期后方可催办。"),
                format!("This item is due on {due} and not overdue yet; urge it once it is."),
            )));
        }
        Some(_) => {}
    }
    let urged_today = item
        .acts
        .iter()
        .any(|a| a.action == HandlingAct::Urge.id() && a.user == actor.user && a.on == Some(today));
    if urged_today {
        return Err(refusal(Text::new(
            "您今天已催办过此事项，请明天再催办。",
            "You already urged this item today; urge it again tomorrow.",
        )));
    }
    Ok(())
}

/// The act as it is kept among the item's acts.
pub fn act(
    h: HandlingAct,
    actor: &Actor,
    to: Vec<crate::UserId>,
    to_orgs: Vec<crate::OrgId>,
    on: Option<NaiveDate>,
) -> Act {
    Act {
        action: h.id().to_string(),
        user: actor.user,
        role: actor.role.clone(),
        to,
        to_orgs,
        on,
    }
}
