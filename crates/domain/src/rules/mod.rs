//! The general rules a transition can carry besides roles and guards: a time window held by
//! another item, countersigning by several roles, `blocked_by`, `when`, `actor_in`, withdrawals
//! and the separation of duties. What a step names (required states of referenced items,
//! `same`, `among`) is in `refs`, the money rules (`within`, `covers`) in `money`.

use crate::decide::{Actor, Context, Denied, Window};
use crate::item::Item;
use crate::policy::{FieldType, ItemKind, Policy, Transition};
use crate::text::Text;
use chrono::NaiveDate;
use std::collections::BTreeSet;

mod money;
mod refs;

pub(crate) use money::{covers, within};
pub(crate) use refs::{among, requires, same};

/// The due date of the step and the years it counted Monday to Friday (R13.1). A step that
/// keeps the state without a deadline of its own, or a consent still waiting for the others,
/// keeps the running deadline; otherwise `deadline_days` working days from today, always
/// with a date: a year the holiday table lacks is counted Monday to Friday and marked.
pub(crate) fn due(
    days: Option<u32>,
    item: Option<&Item>,
    (waiting, stays): (bool, bool),
    cx: &Context<'_>,
) -> (Option<NaiveDate>, BTreeSet<i32>) {
    if waiting || (stays && days.is_none()) {
        return (item.and_then(|i| i.due), BTreeSet::new());
    }
    match days {
        Some(days) => {
            let c = cx.calendar.working_days_after(cx.now.date_naive(), days);
            (Some(c.value), c.assumed)
        }
        None => (None, BTreeSet::new()),
    }
}

/// The next due date of a recurring duty: the date its `from` field holds after the step plus
/// the months its level gives (or the sooner interval); none for a level without one.
pub(crate) fn next_due(
    n: &crate::policy::NextDue,
    changes: &std::collections::BTreeMap<String, String>,
    item: Option<&Item>,
) -> Option<NaiveDate> {
    let from = crate::decide::parse_date(value_after(changes, item, &n.from))?;
    let sooner = n
        .sooner
        .as_ref()
        .filter(|(field, values, _)| {
            values
                .iter()
                .any(|v| v == value_after(changes, item, field))
        })
        .map(|(_, _, months)| *months);
    let months = match sooner {
        Some(m) => m,
        None => *n.months.get(value_after(changes, item, &n.by))?,
    };
    from.checked_add_months(chrono::Months::new(months))
}

/// The open window that allows the step, or why there is none (with the dates, R13.1).
pub(crate) fn window<'c>(
    t: &Transition,
    cx: &Context<'c>,
    actor: &Actor,
) -> Result<Option<&'c Window>, Denied> {
    let Some(rule) = &t.window else {
        return Ok(None);
    };
    let today = cx.now.date_naive();
    let mut of_kind: Vec<&Window> = cx.windows.iter().filter(|w| w.kind == rule.kind).collect();
    if let Some(open) = of_kind
        .iter()
        .find(|w| rule.states.contains(&w.state) && w.opens <= today && today <= w.closes)
    {
        // Only the units the window lists (R13.1: the Bureau decides whom it invites).
        if let Some(invited) = &open.invited
            && !invited.contains(&actor.org)
        {
            return Err(Denied {
                reason: Text::new(
                    format!(
                        "贵单位不在「{}」的征集范围内，不能上报；如确需上报，请联系市政务服务和大数据管理部门将贵单位列入征集范围。",
                        open.title
                    ),
                    format!(
                        "Your unit is not among those invited to \"{}\"; ask the Bureau to add it to the campaign if it must submit.",
                        open.title
                    ),
                ),
                article: Some(t.article.clone()),
                fields: Vec::new(),
            });
        }
        return Ok(Some(open));
    }
    of_kind.sort_by_key(|w| (w.closes, w.opens));
    let reason = match of_kind.last() {
        Some(w) => Text::new(
            format!(
                "当前不在征集期内：{}的时间为 {} 至 {}，今天是 {}。",
                w.title, w.opens, w.closes, today
            ),
            format!(
                "Outside the window: {} runs from {} to {}; today is {}.",
                w.title, w.opens, w.closes, today
            ),
        ),
        None => Text::new(
            "当前没有开放的征集期，请等待市政务服务和大数据管理部门发布征集通知。",
            "No collection window is open; wait for the Bureau to open one.",
        ),
    };
    Err(Denied {
        reason,
        article: Some(t.article.clone()),
        fields: Vec::new(),
    })
}

/// Each countersigning role consents once.
pub(crate) fn countersign_once(
    policy: &Policy,
    t: &Transition,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    if t.countersign.is_empty() {
        return Ok(());
    }
    let done = item
        .acts
        .iter()
        .any(|a| a.action == t.id && a.role == actor.role);
    if done {
        let role = policy
            .role(&actor.role)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        return Err(Denied {
            reason: Text::new(
                format!("{}已经「{}」，等待其他会签人。", role.zh, t.label.zh),
                format!(
                    "The {} has already given \"{}\"; waiting for the other signatories.",
                    role.en, t.label.en
                ),
            ),
            article: Some(t.article.clone()),
            fields: Vec::new(),
        });
    }
    Ok(())
}

/// Whether, with this actor's step, every countersigning role has taken it.
pub(crate) fn countersign_complete(t: &Transition, item: &Item, actor: &Actor) -> bool {
    t.countersign.iter().all(|role| {
        role == &actor.role
            || item
                .acts
                .iter()
                .any(|a| a.action == t.id && &a.role == role)
    })
}

/// The step is refused while items a `blocked_by` rule names are open, listing their numbers
/// (a trial defect not yet closed blocks the final acceptance, art. 16).
pub(crate) fn blocked(t: &Transition, cx: &Context<'_>) -> Result<(), Denied> {
    for (i, rule) in t.blocked_by.iter().enumerate() {
        // A caller that did not read what might block the step cannot take it.
        let Some(open) = cx.blocking.get(i) else {
            return Err(Denied {
                reason: Text::new(
                    format!("未能核对{}，请稍后重试。", rule.message.zh),
                    format!("Could not check: {}; try again.", rule.message.en),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        };
        if rule.when_none {
            if open.is_empty() {
                return Err(Denied {
                    reason: Text::new(
                        format!("{}。", rule.message.zh),
                        format!("{}.", rule.message.en),
                    ),
                    article: Some(rule.article.clone()),
                    fields: Vec::new(),
                });
            }
            continue;
        }
        if open.is_empty() {
            continue;
        }
        // The article goes with the refusal (the page cites it once), not into its words.
        return Err(Denied {
            reason: Text::new(
                format!("{}：{}。", rule.message.zh, open.join("、")),
                format!("{}: {}.", rule.message.en, open.join(", ")),
            ),
            article: Some(rule.article.clone()),
            fields: Vec::new(),
        });
    }
    Ok(())
}

/// The step applies only while the item's fields hold the listed values (a construction mode).
pub(crate) fn when(kind: &ItemKind, t: &Transition, item: &Item) -> Result<(), Denied> {
    for w in &t.when {
        let value = item.field(&w.field);
        if w.values.iter().any(|v| v == value) {
            continue;
        }
        if let Some((reason, article)) = &w.refusal {
            return Err(Denied {
                reason: reason.clone(),
                article: Some(article.clone()),
                fields: Vec::new(),
            });
        }
        let (label, shown) = label_and_value(kind, &w.field, value);
        return Err(Denied {
            reason: Text::new(
                format!(
                    "本事项「{}」为「{}」，不适用「{}」。",
                    label.zh, shown.zh, t.label.zh
                ),
                format!(
                    "This item's {} is \"{}\"; \"{}\" does not apply.",
                    label.en, shown.en, t.label.en
                ),
            ),
            article: Some(t.article.clone()),
            fields: Vec::new(),
        });
    }
    Ok(())
}

/// Only members of the organisations an `orgs` field names may take the step.
pub(crate) fn actor_in(
    kind: &ItemKind,
    t: &Transition,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    let Some(field) = &t.actor_in else {
        return Ok(());
    };
    if lists_org(item.field(field), actor) {
        return Ok(());
    }
    let label = kind
        .field(field)
        .map(|f| f.label.clone())
        .unwrap_or_default();
    Err(Denied {
        reason: Text::new(
            format!("只有「{}」所列单位的人员才能「{}」。", label.zh, t.label.zh),
            format!(
                "Only staff of the units listed under {} may \"{}\".",
                label.en, t.label.en
            ),
        ),
        article: Some(t.article.clone()),
        fields: Vec::new(),
    })
}

/// A field's value once the step is taken: what the step changes, else what the item holds.
pub(crate) fn value_after<'a>(
    changes: &'a std::collections::BTreeMap<String, String>,
    item: Option<&'a Item>,
    field: &str,
) -> &'a str {
    changes
        .get(field)
        .map(String::as_str)
        .or_else(|| item.map(|i| i.field(field)))
        .unwrap_or("")
}

/// A withdrawal (撤回): only of the actor's own step, and only while nobody has acted since.
pub(crate) fn undoes(
    kind: &ItemKind,
    t: &Transition,
    undone: &str,
    item: &Item,
    actor: &crate::Actor,
) -> Result<(), Denied> {
    // A hand-over, a copy or an urge is nobody's decision on it.
    let last = item
        .acts
        .iter()
        .rev()
        .find(|a| !crate::handling::is_handling(a));
    if last.is_some_and(|a| a.action == undone && a.user == actor.user) {
        return Ok(());
    }
    let label = kind
        .transition(undone)
        .map(|u| u.label.clone())
        .unwrap_or_default();
    Err(Denied {
        reason: Text::new(
            format!(
                "只能「{}」您本人「{}」且尚无人办理的事项；已有人办理的，请联系办理人退回。",
                t.label.zh, label.zh
            ),
            format!(
                "You can \"{}\" only what you did \"{}\" yourself and nobody has acted on since; once someone has, ask them to return it.",
                t.label.en, label.en
            ),
        ),
        article: Some(t.article.clone()),
        fields: Vec::new(),
    })
}

/// A field's label and how one of its values reads (a choice by its option's words).
pub(super) fn label_and_value(kind: &ItemKind, field: &str, value: &str) -> (Text, Text) {
    let def = kind.field(field);
    let label = def.map(|f| f.label.clone()).unwrap_or_default();
    let shown = match def.map(|f| &f.ty) {
        Some(FieldType::Choice(options)) => options
            .iter()
            .find(|(id, _)| id == value)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| Text::new(value, value)),
        _ => Text::new(value, value),
    };
    (label, shown)
}

/// The separation of duties on a deciding step: whoever prepared the item does not decide on
/// it, whoever decided in one role does not decide again in another, and each person consents
/// to a countersigned step once.
pub(crate) fn separation(
    policy: &Policy,
    kind: &ItemKind,
    t: &Transition,
    sep: &crate::policy::Separation,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    let refuse = |zh: String, en: String| Denied {
        reason: Text::new(
            format!("{zh}（{}）", sep.name.zh),
            format!("{en} ({}).", sep.name.en.to_lowercase()),
        ),
        article: None,
        fields: Vec::new(),
    };
    for a in item.acts.iter().filter(|a| a.user == actor.user) {
        let Some(prev) = kind.transition(&a.action) else {
            continue;
        };
        if prev.does.is_some_and(|d| sep.after.contains(&d)) {
            return Err(refuse(
                format!(
                    "您已对该事项办理「{}」，不能再「{}」：起草、汇编、提交与审批、出具意见须由不同人员办理，请由同岗位的其他人员办理",
                    prev.label.zh, t.label.zh
                ),
                format!(
                    "You did \"{}\" on this item, so you cannot \"{}\": whoever prepares an item does not decide on it; a colleague in the same post takes this step",
                    prev.label.en, t.label.en
                ),
            ));
        }
        if !sep.one_level || prev.does != Some(crate::policy::Does::Decide) {
            continue;
        }
        if a.role != actor.role {
            let role = policy
                .role(&a.role)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            return Err(refuse(
                format!(
                    "您已以「{}」身份对该事项「{}」，同一人不能在两个环节审批",
                    role.zh, prev.label.zh
                ),
                format!(
                    "You already decided \"{}\" on this item as {}; nobody decides at two levels",
                    prev.label.en, role.en
                ),
            ));
        }
        if !t.countersign.is_empty() && a.action == t.id {
            return Err(refuse(
                format!("您已会签「{}」，同一人只能会签一次", t.label.zh),
                format!(
                    "You already countersigned \"{}\"; each person consents once",
                    t.label.en
                ),
            ));
        }
    }
    Ok(())
}

/// Whether an `orgs` value (unit ids, comma-separated) lists the actor's unit.
pub(super) fn lists_org(units: &str, actor: &Actor) -> bool {
    units
        .split(',')
        .any(|o| o.trim().parse::<i64>().ok() == Some(actor.org.get()))
}
