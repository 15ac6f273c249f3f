//! The general rules a transition can carry besides roles and guards: a time window held by
//! another item, required states of referenced items, and countersigning by several roles.

use crate::decide::{Actor, Context, Denied, Window};
use crate::item::Item;
use crate::policy::{FieldType, ItemKind, Policy, Transition};
use crate::text::Text;
use chrono::NaiveDate;
use std::collections::BTreeSet;

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

/// Referenced items must be in the states the rule names (e.g. an approved county plan, art. 3).
pub(crate) fn requires(
    t: &Transition,
    actor: &Actor,
    item: Option<&Item>,
    input: &crate::Input,
    cx: &Context<'_>,
) -> Result<(), Denied> {
    for rule in &t.requires {
        // An optional reference left empty has nothing to check (`required` says whether it
        // may be empty).
        let typed = input
            .get(&rule.field)
            .filter(|_| t.inputs.contains(&rule.field))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        if typed.is_none() && item.is_none_or(|i| i.field(&rule.field).trim().is_empty()) {
            continue;
        }
        if rule.own
            && let Some(r) = cx.refs.get(&rule.field)
            && r.owner != actor.org
        {
            return Err(Denied {
                reason: Text::new(
                    format!("{} 不是本单位的事项，不能「{}」。", r.number, t.label.zh),
                    format!(
                        "{} is not your unit's item; you cannot \"{}\".",
                        r.number, t.label.en
                    ),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        if let (Some(m), Some(r)) = (&rule.member, cx.refs.get(&rule.field))
            && !r.fields.get(m).is_some_and(|units| lists_org(units, actor))
        {
            return Err(Denied {
                reason: Text::new(
                    format!(
                        "本单位不是 {} 的使用单位，不能「{}」。",
                        r.number, t.label.zh
                    ),
                    format!(
                        "Your unit is not a user unit of {}; you cannot \"{}\".",
                        r.number, t.label.en
                    ),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        if let Some(r) = cx.refs.get(&rule.field)
            && rule.states.contains(&r.state)
            && !rule.facets.is_empty()
            && !rule.facets.contains(&r.facet)
        {
            return Err(Denied {
                reason: Text::new(
                    format!(
                        "所依据的 {} 的意见为「{}」，不能「{}」。",
                        r.number, r.facet_name.zh, t.label.zh
                    ),
                    format!(
                        "{} has the opinion \"{}\", so you cannot \"{}\".",
                        r.number, r.facet_name.en, t.label.en
                    ),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        if let (Some(r), Some(n)) = (cx.refs.get(&rule.field), &rule.not_named_by)
            && let Some((namer, parent)) = &r.named_by
        {
            return Err(Denied {
                reason: Text::new(
                    format!("{} 已列入 {parent}（{namer}）：{}", r.number, n.message.zh),
                    format!("{} is in {parent} ({namer}): {}", r.number, n.message.en),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        if let Some(r) = cx.refs.get(&rule.field)
            && rule.states.contains(&r.state)
            && !rule.parent_states.is_empty()
            && r.parent
                .as_ref()
                .is_none_or(|(_, state, _)| !rule.parent_states.contains(state))
        {
            let (number, name) = r
                .parent
                .as_ref()
                .map(|(n, _, name)| (n.clone(), name.clone()))
                .unwrap_or_default();
            return Err(Denied {
                reason: Text::new(
                    format!(
                        "{} 所属的 {} 当前为「{}」，不能「{}」。",
                        r.number, number, name.zh, t.label.zh
                    ),
                    format!(
                        "{} belongs to {}, which is {}, so you cannot \"{}\".",
                        r.number, number, name.en, t.label.en
                    ),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        let ok = cx
            .refs
            .get(&rule.field)
            .is_some_and(|r| rule.states.contains(&r.state));
        if !ok {
            let reason = match cx.refs.get(&rule.field) {
                Some(r) if rule.message.is_some() => {
                    let m = rule.message.clone().unwrap_or_default();
                    Text::new(
                        format!("{} 当前为「{}」：{}", r.number, r.state_name.zh, m.zh),
                        format!("{} is {}: {}", r.number, r.state_name.en, m.en),
                    )
                }
                Some(r) => Text::new(
                    format!(
                        "所属的 {} 当前为「{}」，尚未审核通过，不能「{}」。",
                        r.number, r.state_name.zh, t.label.zh
                    ),
                    format!(
                        "{} is {}, not yet approved, so this item cannot \"{}\".",
                        r.number, r.state_name.en, t.label.en
                    ),
                ),
                None => Text::new(
                    format!("尚未关联经审核通过的上级事项，不能「{}」。", t.label.zh),
                    format!(
                        "The item is not linked to an approved parent, so it cannot \"{}\".",
                        t.label.en
                    ),
                ),
            };
            return Err(Denied {
                reason,
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
    }
    Ok(())
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

/// Each allocation must name a budget line and fit what is left of it: the approved amount
/// less what contracts already took (R15.1, R15.2). Raising a line takes an approved change.
pub(crate) fn within(
    rule: &crate::policy::Within,
    allocations: &str,
    budget: &[crate::decide::BudgetLine],
) -> Result<(), Text> {
    use crate::ids::Money;
    let yuan = |fen: i64| Money::from_fen(fen).yuan_string();
    let cite = std::iter::once(&rule.article)
        .chain(&rule.also)
        .map(|a| a.cite(crate::Lang::Zh))
        .collect::<Vec<_>>()
        .join("、");
    let cite_en = std::iter::once(&rule.article)
        .chain(&rule.also)
        .map(|a| a.cite(crate::Lang::En))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = crate::table::rows(allocations);
    for (n, row) in rows.iter().enumerate() {
        let n = n + 1;
        let line = row.get("line").and_then(|v| v.parse::<usize>().ok());
        // A line named twice would let two amounts, each within what is left, pass together.
        if rows[..n - 1]
            .iter()
            .any(|r| r.get("line").and_then(|v| v.parse::<usize>().ok()) == line)
        {
            return Err(Text::new(
                format!(
                    "第 {n} 行：预算明细第 {} 行已在前面分配，请合并为一行。",
                    line.unwrap_or(0)
                ),
                format!(
                    "Row {n}: budget line {} is already allocated above; use one row.",
                    line.unwrap_or(0)
                ),
            ));
        }
        let Some(b) = line.and_then(|l| budget.iter().find(|b| b.line == l)) else {
            return Err(Text::new(
                format!(
                    "第 {n} 行：批复预算中没有这一行，请填写预算明细的行号（共 {} 行）。",
                    budget.len()
                ),
                format!(
                    "Row {n}: the approved budget has no such line ({} lines).",
                    budget.len()
                ),
            ));
        };
        let amount: i64 = row.get("amount").and_then(|v| v.parse().ok()).unwrap_or(0);
        let left = b.approved_fen - b.committed_fen;
        if amount > left {
            return Err(Text::new(
                format!(
                    "第 {n} 行：预算第 {} 行「{}」批复 {} 元，已签约 {} 元，剩余 {} 元；本次 {} 元超出 {} 元。项目须按批复的可研报告实施，超出批复须先经变更审批调增（{cite}）。",
                    b.line,
                    b.item,
                    yuan(b.approved_fen),
                    yuan(b.committed_fen),
                    yuan(left),
                    yuan(amount),
                    yuan(amount - left)
                ),
                format!(
                    "Row {n}: budget line {} ({}) was approved at {}, {} is already contracted, {} is left; {} exceeds it by {}. Raising it needs an approved change ({}).",
                    b.line,
                    b.item,
                    yuan(b.approved_fen),
                    yuan(b.committed_fen),
                    yuan(left),
                    yuan(amount),
                    yuan(amount - left),
                    cite_en
                ),
            ));
        }
    }
    Ok(())
}

/// A new table of lines must keep every line at least at what is already committed to it
/// (R15.1): a change may not take back money a contract has. `committed` holds the parent's
/// lines with what the rule's items have committed.
pub(crate) fn covers(
    rule: &crate::policy::Covers,
    lines: &str,
    committed: &[crate::decide::BudgetLine],
) -> Result<(), Text> {
    use crate::ids::Money;
    let yuan = |fen: i64| Money::from_fen(fen).yuan_string();
    let rows = crate::table::rows(lines);
    for b in committed.iter().filter(|b| b.committed_fen > 0) {
        let row = rows
            .iter()
            .find(|r| r.get("line").and_then(|v| v.parse::<usize>().ok()) == Some(b.line));
        let (zh_now, en_now) = match row {
            Some(r) => {
                let approved: i64 = r.get("approved").and_then(|v| v.parse().ok()).unwrap_or(0);
                if approved >= b.committed_fen {
                    continue;
                }
                (
                    format!("变更后核定 {} 元", yuan(approved)),
                    format!("the change sets it to {}", yuan(approved)),
                )
            }
            None => (
                "变更后删去了这一行".to_string(),
                "the change removes it".to_string(),
            ),
        };
        return Err(Text::new(
            format!(
                "预算第 {} 行「{}」已签约 {} 元，{zh_now}，低于已签约金额。请将该行调整为不低于 {} 元，或先处理相应合同后再变更（{}）。",
                b.line,
                b.item,
                yuan(b.committed_fen),
                yuan(b.committed_fen),
                rule.article.cite(crate::Lang::Zh)
            ),
            format!(
                "Budget line {} ({}) has {} contracted and {en_now}, below what is contracted. Keep the line at {} or more, or settle the contracts first ({}).",
                b.line,
                b.item,
                yuan(b.committed_fen),
                yuan(b.committed_fen),
                rule.article.cite(crate::Lang::En)
            ),
        ));
    }
    Ok(())
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
fn label_and_value(kind: &ItemKind, field: &str, value: &str) -> (Text, Text) {
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

/// Fields that must hold the referenced item's value (`same`): a project's construction mode
/// is the one its plan line fixed. Checked whenever the step fills or requires the field.
pub(crate) fn same(
    kind: &ItemKind,
    t: &Transition,
    item: Option<&Item>,
    changes: &std::collections::BTreeMap<String, String>,
    cx: &Context<'_>,
) -> Vec<crate::decide::FieldError> {
    let touches = |f: &str| t.inputs.iter().chain(&t.required).any(|x| x == f);
    let mut out = Vec::new();
    for rule in &t.requires {
        let Some(fact) = cx.refs.get(&rule.field) else {
            continue;
        };
        for field in rule.same.iter().filter(|f| touches(f)) {
            let want = fact.fields.get(field).map(String::as_str).unwrap_or("");
            let have = value_after(changes, item, field).trim();
            if have == want {
                continue;
            }
            let (label, shown) = label_and_value(kind, field, want);
            let (zh, en) = if want.is_empty() {
                (
                    format!("{} 尚未确定「{}」，请先由其确定。", fact.number, label.zh),
                    format!(
                        "{} has no {} yet; it is fixed there first.",
                        fact.number,
                        label.en.to_lowercase()
                    ),
                )
            } else {
                (
                    format!(
                        "「{}」由 {} 确定为「{}」，不能另选。",
                        label.zh, fact.number, shown.zh
                    ),
                    format!(
                        "The {} is fixed by {} as \"{}\"; it cannot be chosen here.",
                        label.en.to_lowercase(),
                        fact.number,
                        shown.en
                    ),
                )
            };
            out.push(crate::decide::FieldError {
                field: field.clone(),
                message: Text::new(
                    format!("{zh}（{}）", rule.article.cite(crate::Lang::Zh)),
                    format!("{en} ({})", rule.article.cite(crate::Lang::En)),
                ),
            });
        }
    }
    out
}

/// Fields whose value must be among another field's values (the winner among the bidders),
/// checked whenever the step fills or requires either of them.
pub(crate) fn among(
    kind: &ItemKind,
    t: &Transition,
    item: Option<&Item>,
    changes: &std::collections::BTreeMap<String, String>,
) -> Vec<crate::decide::FieldError> {
    let value = |f: &str| value_after(changes, item, f).trim();
    let touches = |f: &str| t.inputs.iter().chain(&t.required).any(|x| x == f);
    let mut out = Vec::new();
    for def in &kind.fields {
        let Some(rule) = &def.among else { continue };
        if !touches(&def.id) && !touches(&rule.field) {
            continue;
        }
        let v = value(&def.id).to_string();
        if v.is_empty() {
            continue;
        }
        let list = value(&rule.field);
        let listed = crate::fields::numbers_in(list).any(|n| n.eq_ignore_ascii_case(&v));
        if listed {
            continue;
        }
        let other = kind
            .field(&rule.field)
            .map(|f| f.label.clone())
            .unwrap_or_default();
        out.push(crate::decide::FieldError {
            field: def.id.clone(),
            message: Text::new(
                format!(
                    "{v} 不在「{}」之中：{}（{}）",
                    other.zh,
                    rule.message.zh,
                    rule.article.cite(crate::Lang::Zh)
                ),
                format!(
                    "{v} is not among the {}: {} ({})",
                    other.en.to_lowercase(),
                    rule.message.en,
                    rule.article.cite(crate::Lang::En)
                ),
            ),
        });
    }
    out
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
fn lists_org(units: &str, actor: &Actor) -> bool {
    units
        .split(',')
        .any(|o| o.trim().parse::<i64>().ok() == Some(actor.org.get()))
}
