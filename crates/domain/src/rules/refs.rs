//! The rules on what a step names: referenced items in the states a rule requires, fields
//! that must hold the referenced item's value (`same`), and a value among another field's
//! values (the winner among the bidders).

use super::{label_and_value, lists_org, value_after};
use crate::decide::{Actor, Context, Denied};
use crate::item::Item;
use crate::policy::{ItemKind, Transition};
use crate::text::Text;

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
