//! One transition as written becomes a `Transition`: every role, state, field and guard it names
//! must exist, and the named rules it uses join its own `forbid` and `requires`.

use super::ctx::{Ctx, PolicyError};
use super::named::Uses;
use super::raw::{RawRefRule, RawTransition, S};
use super::{RefRule, Transition};
use crate::guards::Guard;
use crate::text::Text;
use std::collections::{BTreeMap, HashSet};

pub(super) struct Known<'a> {
    /// The kind the transition belongs to.
    pub kind: &'a str,
    pub role_ids: &'a HashSet<String>,
    pub field_ids: &'a HashSet<String>,
    pub state_ids: &'a HashSet<String>,
    pub transition_ids: &'a HashSet<String>,
    /// The kind's choice fields and their option ids.
    pub choices: &'a BTreeMap<String, Vec<String>>,
    /// The kind's date fields.
    pub dates: &'a HashSet<String>,
}

pub(super) fn load(
    ctx: &Ctx,
    t: &RawTransition,
    k: &Known,
    uses: &Uses,
) -> Result<Transition, PolicyError> {
    let list =
        |items: &[S], set: &HashSet<String>, what: &str| -> Result<Vec<String>, PolicyError> {
            items
                .iter()
                .map(|s| ctx.known(s, set, what).map(str::to_string))
                .collect()
        };
    let step = format!("{}.{}", k.kind, t.id.get_ref());
    let mut sets = BTreeMap::new();
    for (field, value) in &t.sets {
        if !k.field_ids.contains(field) {
            return Err(ctx.err(value, format!("`sets` names unknown field `{field}`")));
        }
        sets.insert(field.clone(), value.get_ref().clone());
    }
    let guards = t
        .guards
        .iter()
        .map(|g| {
            Guard::parse(g.get_ref()).ok_or_else(|| {
                ctx.err(
                    g,
                    format!(
                        "unknown guard `{}` (known: {:?})",
                        g.get_ref(),
                        Guard::NAMES
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if t.roles.is_empty() {
        return Err(ctx.err(&t.id, "a transition needs at least one role".into()));
    }
    let confirm = match (&t.confirm_zh, &t.confirm_en) {
        (Some(zh), Some(en)) => Some(Text::new(zh, en)),
        _ => None,
    };
    let from = list(&t.from, k.state_ids, "state")?;
    // Without `to` the step keeps the item in whichever state it is in.
    let to = match &t.to {
        Some(to) => ctx.known(to, k.state_ids, "state")?.to_string(),
        None if from.len() == 1 => from[0].clone(),
        None if !from.is_empty() => String::new(),
        None => {
            return Err(ctx.err(&t.id, "a transition that creates an item needs `to`".into()));
        }
    };
    let roles = list(&t.roles, k.role_ids, "role")?;
    for r in &t.countersign {
        if !roles.contains(r.get_ref()) {
            return Err(ctx.err(
                r,
                format!(
                    "countersign role `{}` is not among the transition's roles",
                    r.get_ref()
                ),
            ));
        }
    }
    // Taken for many items at once, a step has nobody to ask for a password or a second
    // signature, and no form: only a plain step of existing items may be batched.
    if t.batch && (!t.sign.is_empty() || !t.countersign.is_empty() || t.from.is_empty()) {
        return Err(ctx.err(
            &t.id,
            "a `batch` step must start from a state and cannot be signed or countersigned".into(),
        ));
    }
    Ok(Transition {
        id: t.id.get_ref().clone(),
        label: Text::new(&t.zh, &t.en),
        from,
        to,
        roles,
        required: list(&t.required, k.field_ids, "field")?,
        inputs: list(&t.inputs, k.field_ids, "field")?,
        sets,
        guards,
        distinct_from: list(&t.distinct_from, k.transition_ids, "transition")?,
        deadline_days: t.deadline_days,
        article: ctx.article(&t.article)?,
        confirm,
        style: t.style.clone().unwrap_or_else(|| "default".into()),
        window: t.window.as_ref().map(|w| super::WindowRule {
            kind: w.kind.get_ref().clone(),
            states: w.states.iter().map(|s| s.get_ref().clone()).collect(),
            field: w.field.get_ref().clone(),
            invited: w.invited.as_ref().map(|i| i.get_ref().clone()),
        }),
        requires: uses
            .requires
            .iter()
            .map(|u| ref_rule(u.ctx, u.raw, u.rule).map_err(|e| u.within(&step, e)))
            .collect::<Result<_, PolicyError>>()?,
        countersign: t.countersign.iter().map(|r| r.get_ref().clone()).collect(),
        effect: t.effect.as_ref().map(|e| super::Effect {
            on: e.on.get_ref().clone(),
            action: e.action.get_ref().clone(),
        }),
        internal: t.internal,
        forbid: uses
            .forbid
            .iter()
            .map(|u| {
                let f = u.raw;
                let forbid = || -> Result<super::Forbid, PolicyError> {
                    Ok(super::Forbid {
                        field: u.ctx.known(&f.field, k.field_ids, "field")?.to_string(),
                        values: f.values.clone(),
                        article: u.ctx.article(&f.article)?,
                        message: Text::new(&f.zh, &f.en),
                        rule: u.rule.map(str::to_string),
                        when: f
                            .when
                            .iter()
                            .map(|w| when(u.ctx, w, k.field_ids, None))
                            .collect::<Result<_, PolicyError>>()?,
                    })
                };
                forbid().map_err(|e| u.within(&step, e))
            })
            .collect::<Result<_, PolicyError>>()?,
        when: t
            .when
            .iter()
            .map(|w| when(ctx, w, k.field_ids, Some(&t.article)))
            .collect::<Result<_, PolicyError>>()?,
        actor_in: t
            .actor_in
            .as_ref()
            .map(|f| ctx.known(f, k.field_ids, "field").map(str::to_string))
            .transpose()?,
        sign: list(&t.sign, k.field_ids, "field")?,
        cuts: t
            .cuts
            .as_ref()
            .map(|c| {
                Ok::<_, PolicyError>(super::Cuts {
                    table: ctx.known(&c.table, k.field_ids, "field")?.to_string(),
                    of: ctx.known(&c.of, k.field_ids, "field")?.to_string(),
                    total: ctx.known(&c.total, k.field_ids, "field")?.to_string(),
                    baseline: c
                        .baseline
                        .as_ref()
                        .map(|b| ctx.known(b, k.field_ids, "field").map(str::to_string))
                        .transpose()?,
                })
            })
            .transpose()?,
        within: t
            .within
            .as_ref()
            .map(|w| {
                Ok::<_, PolicyError>(super::Within {
                    table: ctx.known(&w.table, k.field_ids, "field")?.to_string(),
                    budget: w.budget.get_ref().clone(),
                    counted: w.counted.iter().map(|s| s.get_ref().clone()).collect(),
                    article: ctx.article(&w.article)?,
                    also: w
                        .also
                        .iter()
                        .map(|a| ctx.article(a))
                        .collect::<Result<_, _>>()?,
                    counted_as: Text::new(
                        w.counted_zh.as_deref().unwrap_or("已签约"),
                        w.counted_en.as_deref().unwrap_or("is already contracted"),
                    ),
                    advice: Text::new(
                        w.advice_zh
                            .as_deref()
                            .unwrap_or("项目须按批复的可研报告实施，超出批复须先经变更审批调增"),
                        w.advice_en
                            .as_deref()
                            .unwrap_or("Raising it needs an approved change"),
                    ),
                })
            })
            .transpose()?,
        covers: t
            .covers
            .as_ref()
            .map(|c| {
                Ok::<_, PolicyError>(super::Covers {
                    table: ctx.known(&c.table, k.field_ids, "field")?.to_string(),
                    kind: c.kind.get_ref().clone(),
                    allocations: c.allocations.get_ref().clone(),
                    counted: c.counted.iter().map(|s| s.get_ref().clone()).collect(),
                    article: ctx.article(&c.article)?,
                })
            })
            .transpose()?,
        does: t.does,
        undoes: t.undoes.as_ref().map(|u| u.get_ref().clone()),
        task: t.task.unwrap_or(true),
        batch: t.batch,
        separation: uses.separation.clone(),
        task_within_days: t.task_within_days,
        next_due: match &t.next_due {
            None => None,
            Some(n) => Some(next_due(ctx, n, k, t)?),
        },
        deadline_by: match &t.deadline_by {
            None => None,
            Some(d) => Some(deadline_by(ctx, d, k, t)?),
        },
        blocked_by: t
            .blocked_by
            .iter()
            .map(|b| {
                Ok::<_, PolicyError>(super::BlockedBy {
                    kind: b.kind.get_ref().clone(),
                    states: b.states.iter().map(|s| s.get_ref().clone()).collect(),
                    of: b
                        .of
                        .as_ref()
                        .map(|f| ctx.known(f, k.field_ids, "field").map(str::to_string))
                        .transpose()?,
                    facet: b.facet.as_ref().map(|f| f.get_ref().clone()),
                    when_none: b.when_none,
                    article: ctx.article(&b.article)?,
                    message: Text::new(&b.zh, &b.en),
                })
            })
            .collect::<Result<_, PolicyError>>()?,
        draw: match &t.draw {
            Some(d) if super::DRAWS.contains(&d.get_ref().as_str()) => Some(d.get_ref().clone()),
            Some(d) => {
                return Err(ctx.err(
                    d,
                    format!("unknown draw `{}` (known: {:?})", d.get_ref(), super::DRAWS),
                ));
            }
            None => None,
        },
        document: match &t.document {
            Some(d) if super::DOCUMENTS.contains(&d.get_ref().as_str()) => {
                Some(d.get_ref().clone())
            }
            Some(d) => {
                return Err(ctx.err(
                    d,
                    format!(
                        "unknown document `{}` (known: {:?})",
                        d.get_ref(),
                        super::DOCUMENTS
                    ),
                ));
            }
            None => None,
        },
    })
}

/// A `when` as written: the field must be the kind's; its refusal needs both languages and
/// cites its own article or the step's (`step_article`; none on a forbid's `when`, which never
/// refuses by itself).
fn when(
    ctx: &Ctx,
    w: &super::raw::RawWhen,
    field_ids: &HashSet<String>,
    step_article: Option<&S>,
) -> Result<super::When, PolicyError> {
    let refusal = match (&w.zh, &w.en, step_article) {
        (None, None, _) => None,
        (Some(_), Some(_), None) => {
            return Err(ctx.err(
                &w.field,
                "a forbid's `when` has no refusal of its own".into(),
            ));
        }
        (Some(zh), Some(en), Some(step)) => Some((
            Text::new(zh, en),
            ctx.article(w.article.as_ref().unwrap_or(step))?,
        )),
        _ => return Err(ctx.err(&w.field, "a refusal needs both `zh` and `en`".into())),
    };
    Ok(super::When {
        field: ctx.known(&w.field, field_ids, "field")?.to_string(),
        values: w.values.clone(),
        refusal,
    })
}

/// A `requires` as written, in its own file (a transition's, or a named rule's).
pub(super) fn ref_rule(
    ctx: &Ctx,
    r: &RawRefRule,
    rule: Option<&str>,
) -> Result<RefRule, PolicyError> {
    Ok(RefRule {
        field: r.field.get_ref().clone(),
        states: r.states.iter().map(|s| s.get_ref().clone()).collect(),
        facets: r.facets.iter().map(|s| s.get_ref().clone()).collect(),
        own: r.own,
        parent_states: r
            .parent_states
            .iter()
            .map(|s| s.get_ref().clone())
            .collect(),
        article: ctx.article(&r.article)?,
        rule: rule.map(str::to_string),
        message: match (&r.zh, &r.en) {
            (Some(zh), Some(en)) => Some(Text::new(zh, en)),
            (None, None) => None,
            _ => return Err(ctx.err(&r.field, "a refusal needs both `zh` and `en`".into())),
        },
        not_named_by: r.not_named_by.as_ref().map(|n| super::NamedBy {
            kind: n.kind.get_ref().clone(),
            field: n.field.get_ref().clone(),
            states: n.states.iter().map(|s| s.get_ref().clone()).collect(),
            parent_states: n
                .parent_states
                .iter()
                .map(|s| s.get_ref().clone())
                .collect(),
            message: Text::new(&n.zh, &n.en),
        }),
        same: r.same.iter().map(|s| s.get_ref().clone()).collect(),
        member: r.member.as_ref().map(|m| m.get_ref().clone()),
    })
}

/// A `deadline_by`: a choice field of the kind, a number of days for each of its options, and
/// no `deadline_days` beside it (one deadline a step).
fn deadline_by(
    ctx: &Ctx,
    d: &super::raw::RawDeadlineBy,
    k: &Known,
    t: &RawTransition,
) -> Result<super::DeadlineBy, PolicyError> {
    let field = ctx.known(&d.field, k.field_ids, "field")?.to_string();
    if t.deadline_days.is_some() {
        return Err(ctx.err(
            &d.field,
            "a step has `deadline_days` or `deadline_by`, not both".into(),
        ));
    }
    let options = k.choices.get(&field).ok_or_else(|| {
        ctx.err(
            &d.field,
            format!("`deadline_by` needs a choice field, not `{field}`"),
        )
    })?;
    let given: Vec<&String> = d.days.keys().collect();
    let mut wanted: Vec<&String> = options.iter().collect();
    wanted.sort();
    if given != wanted {
        return Err(ctx.err(
            &d.field,
            format!("`deadline_by` gives days for {given:?}; `{field}` has the options {wanted:?}"),
        ));
    }
    Ok(super::DeadlineBy {
        field,
        days: d.days.clone(),
    })
}

/// A `next_due`: a date field, a choice field whose options (some or all) give the months, an
/// optional sooner interval on a field of the kind, and no other deadline on the step.
fn next_due(
    ctx: &Ctx,
    n: &super::raw::RawNextDue,
    k: &Known,
    t: &RawTransition,
) -> Result<super::NextDue, PolicyError> {
    let from = ctx.known(&n.from, k.field_ids, "field")?.to_string();
    if !k.dates.contains(&from) {
        return Err(ctx.err(
            &n.from,
            format!("`next_due` counts from a date field, not `{from}`"),
        ));
    }
    let by = ctx.known(&n.by, k.field_ids, "field")?.to_string();
    if t.deadline_days.is_some() || t.deadline_by.is_some() {
        return Err(ctx.err(
            &n.from,
            "a step has one of `deadline_days`, `deadline_by` and `next_due`".into(),
        ));
    }
    let options = k.choices.get(&by).ok_or_else(|| {
        ctx.err(
            &n.by,
            format!("`next_due` counts by a choice field, not `{by}`"),
        )
    })?;
    if let Some(unknown) = n.months.keys().find(|m| !options.contains(m)) {
        return Err(ctx.err(
            &n.by,
            format!("`{by}` has no option `{unknown}` (options: {options:?})"),
        ));
    }
    let sooner = match &n.sooner {
        None => None,
        Some(s) => {
            let field = ctx.known(&s.field, k.field_ids, "field")?.to_string();
            if let Some(options) = k.choices.get(&field)
                && let Some(unknown) = s.values.iter().find(|v| !options.contains(v))
            {
                return Err(ctx.err(
                    &s.field,
                    format!("`{field}` has no option `{unknown}` (options: {options:?})"),
                ));
            }
            Some((field, s.values.clone(), s.months))
        }
    };
    Ok(super::NextDue {
        from,
        by,
        months: n.months.clone(),
        sooner,
    })
}
