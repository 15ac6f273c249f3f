//! `decide` and `apply`: the only way an item changes. `decide` checks the policy and returns
//! an `Event` or a `Denied` that says why and cites the article; only it can make an `Event`,
//! and the store only accepts `Event`s, so an unauthorised change cannot be written.

use crate::calendar::Calendar;
use crate::fields::normalise;
pub use crate::fields::parse_date;
use crate::ids::{Article, ItemId, OrgId, UserId};
use crate::item::{Act, Item};
use crate::policy::{ItemKind, Policy, Transition};
use crate::rules;
use crate::text::Text;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Who is acting: the user, their organisation (and its kind) and the role they act in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user: UserId,
    pub org: OrgId,
    pub org_kind: String,
    pub role: String,
    /// The registered party (a vendor's number) a party's staff act for; `None` for
    /// everyone else.
    pub party: Option<String>,
}

/// Raw values typed by the actor, by field id.
pub type Input = BTreeMap<String, String>;

/// An open window held by an item of a window kind (e.g. a demand campaign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub kind: String,
    pub number: String,
    pub state: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    /// What the window is for, for messages (e.g. 2027年度需求征集).
    pub title: String,
    /// The units it is open to, when the rule names its `invited` field; `None`: every unit.
    pub invited: Option<Vec<OrgId>>,
}

/// An item a reference field names, as far as a decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefFact {
    pub number: String,
    pub state: String,
    pub state_name: Text,
    pub owner: OrgId,
    /// The value of its kind's facet field (a demand's opinion), and how it reads.
    pub facet: String,
    pub facet_name: Text,
    /// Its parent (a plan line's plan), when a rule asks about it: number, state and name.
    pub parent: Option<(String, String, Text)>,
    /// An item that names it under a parent in the rule's states, when a rule asks (the plan
    /// line of an issued task book that lists a demand): that item's number and its parent's.
    pub named_by: Option<(String, String)>,
    /// The values of its fields a rule compares with the item's (`same`).
    pub fields: BTreeMap<String, String>,
}

/// What a decision needs besides the item: the time, the working-day calendar, and facts
/// about other items that the caller reads from the store.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<FixedOffset>,
    pub calendar: &'a Calendar,
    /// Items of window kinds, in any state (the rule says which states hold a window).
    pub windows: &'a [Window],
    /// The items the item's reference fields name, by field id.
    pub refs: &'a BTreeMap<String, RefFact>,
    /// Taken as the effect of another step: internal transitions are allowed.
    pub as_effect: bool,
    /// The parent's budget lines with what siblings have committed, for a `within` rule; for
    /// a `covers` rule, with what items of the rule's kind have committed.
    pub budget: &'a [BudgetLine],
    /// For each of the step's `blocked_by` rules, in order, the numbers of the items that
    /// block it now (none: the rule holds).
    pub blocking: &'a [Vec<String>],
}

/// A line of a project's baseline: what was approved and what contracts already took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub line: usize,
    pub item: String,
    pub approved_fen: i64,
    pub committed_fen: i64,
}

/// A problem with one field, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

/// Why an action was refused, and the article that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denied {
    pub reason: Text,
    pub article: Option<Article>,
    pub fields: Vec<FieldError>,
}

impl Denied {
    fn new(reason: Text, article: Option<Article>) -> Denied {
        Denied {
            reason,
            article,
            fields: Vec::new(),
        }
    }
}

/// What happened, as decided. Fields are private: only `decide` builds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    kind: String,
    action: String,
    article: Article,
    from: Option<String>,
    to: String,
    actor: Actor,
    at: DateTime<FixedOffset>,
    changes: BTreeMap<String, String>,
    due: Option<chrono::NaiveDate>,
    /// Years the due date was counted through Monday to Friday because the holiday table
    /// lacks them (R13.1); empty when this step counted none.
    due_assumed: BTreeSet<i32>,
    policy_version: String,
}

impl Event {
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn action(&self) -> &str {
        &self.action
    }
    pub fn article(&self) -> &Article {
        &self.article
    }
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }
    pub fn to(&self) -> &str {
        &self.to
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn at(&self) -> DateTime<FixedOffset> {
        self.at
    }
    /// Field values this step set (money in fen).
    pub fn changes(&self) -> &BTreeMap<String, String> {
        &self.changes
    }
    /// Replaces the values `f` rewrites (personal data is sealed before it is kept), after
    /// the decision has checked them.
    pub fn rewrite_changes(&mut self, mut f: impl FnMut(&str, &str) -> Option<String>) {
        for (field, value) in self.changes.iter_mut() {
            if let Some(new) = f(field, value) {
                *value = new;
            }
        }
    }
    pub fn due(&self) -> Option<chrono::NaiveDate> {
        self.due
    }
    /// The years a new due date assumed Monday to Friday; the record keeps them as
    /// `due_assumed`, absent when empty (so every older event reads as counted from the table).
    pub fn due_assumed(&self) -> &BTreeSet<i32> {
        &self.due_assumed
    }
    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }
}

/// Decides whether `actor` may take `action` on `item` (or create an item of `kind` when
/// `item` is `None`) with the given input, in the given context.
pub fn decide(
    policy: &Policy,
    kind: &str,
    item: Option<&Item>,
    action: &str,
    actor: &Actor,
    input: &Input,
    cx: &Context<'_>,
) -> Result<Event, Denied> {
    let now = cx.now;
    let kind_def = policy.kind(kind).ok_or_else(|| {
        Denied::new(
            Text::new("没有这类事项。", "There is no such kind of item."),
            None,
        )
    })?;
    let t = kind_def.transition(action).ok_or_else(|| {
        Denied::new(
            Text::new("没有这个操作。", "There is no such action."),
            None,
        )
    })?;
    permitted(policy, kind_def, t, item, actor, cx.as_effect)?;
    let window = rules::window(t, cx, actor)?;
    rules::requires(t, actor, item, input, cx)?;
    rules::blocked(t, cx)?;

    let mut changes = BTreeMap::new();
    let mut errors = Vec::new();
    for (field, raw) in input {
        let Some(def) = kind_def.field(field).filter(|_| t.inputs.contains(field)) else {
            // A blank field of this kind that another step fills (a shared form) sets nothing;
            // anything else not belonging to this step is refused by name.
            if kind_def.field(field).is_some()
                && raw.trim_matches(crate::fields::is_invisible).is_empty()
            {
                continue;
            }
            errors.push(FieldError {
                field: field.clone(),
                message: Text::new(
                    "此项不能在本步骤填写。",
                    "This field cannot be filled in at this step.",
                ),
            });
            continue;
        };
        match normalise(def, raw) {
            // A day that is to come cannot be the day something was done.
            Ok(v)
                if def.not_future
                    && crate::fields::parse_date(&v).is_some_and(|d| d > now.date_naive()) =>
            {
                errors.push(FieldError {
                    field: field.clone(),
                    message: Text::new(
                        "日期不能晚于今天。",
                        "The date cannot be later than today.",
                    ),
                });
            }
            Ok(v) => {
                if item.is_none_or(|i| i.field(field) != v) {
                    changes.insert(field.clone(), v);
                }
            }
            Err(message) => errors.push(FieldError {
                // A table's problem names its cell, so the form marks only that one.
                field: match &def.ty {
                    crate::policy::FieldType::Table(columns) => {
                        crate::table::normalise_at(columns, raw.trim())
                            .err()
                            .and_then(|(_, at)| at)
                            .map_or_else(
                                || field.clone(),
                                |(row, col)| crate::table::cell_name(field, row, &col),
                            )
                    }
                    _ => field.clone(),
                },
                message,
            }),
        }
    }
    for (field, v) in &t.sets {
        changes.insert(field.clone(), v.clone());
    }
    if let (Some(rule), Some(w)) = (&t.window, window) {
        changes.insert(rule.field.clone(), w.number.clone());
    }
    // Sums and approved totals are derived before `required` looks at them.
    crate::table::derive(kind_def, t, item, &mut changes, &mut errors);
    if let Some(rule) = &t.within {
        let allocations = rules::value_after(&changes, item, &rule.table);
        if let Err(message) = crate::rules::within(rule, allocations, cx.budget) {
            errors.push(FieldError {
                field: rule.table.clone(),
                message,
            });
        }
    }
    if let Some(rule) = &t.covers {
        let lines = rules::value_after(&changes, item, &rule.table);
        if let Err(message) = crate::rules::covers(rule, lines, cx.budget) {
            errors.push(FieldError {
                field: rule.table.clone(),
                message,
            });
        }
    }
    errors.extend(crate::rules::among(kind_def, t, item, &changes));
    errors.extend(crate::rules::same(kind_def, t, item, &changes, cx));
    for field in &t.required {
        let value = rules::value_after(&changes, item, field);
        // A value only the platform fills is missing because something typed is: say that.
        let system = kind_def.field(field).is_some_and(|f| f.system);
        if system && !errors.is_empty() {
            continue;
        }
        if value.trim_matches(crate::fields::is_invisible).is_empty()
            && !errors.iter().any(|e| &e.field == field)
        {
            errors.push(required_error(kind_def, t, field));
        }
    }
    let value_now = |f: &str| rules::value_after(&changes, item, f).to_string();
    for rule in &t.forbid {
        // A rule that holds only while other fields have given values (a review that is needed).
        if !rule
            .when
            .iter()
            .all(|w| w.values.contains(&value_now(&w.field)))
        {
            continue;
        }
        let value = value_now(&rule.field);
        if !rule.values.contains(&value) {
            continue;
        }
        // A value this step does not fill is a condition the item must meet first: say so as
        // the reason, not as a field of the form.
        if !t.inputs.contains(&rule.field) {
            return Err(Denied {
                reason: Text::new(
                    format!(
                        "{}（{}）",
                        rule.message.zh,
                        rule.article.cite(crate::Lang::Zh)
                    ),
                    format!(
                        "{} ({})",
                        rule.message.en,
                        rule.article.cite(crate::Lang::En)
                    ),
                ),
                article: Some(rule.article.clone()),
                fields: Vec::new(),
            });
        }
        {
            errors.retain(|e| e.field != rule.field);
            errors.push(FieldError {
                field: rule.field.clone(),
                message: Text::new(
                    format!(
                        "{}（{}）",
                        rule.message.zh,
                        rule.article.cite(crate::Lang::Zh)
                    ),
                    format!(
                        "{} ({})",
                        rule.message.en,
                        rule.article.cite(crate::Lang::En)
                    ),
                ),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Denied {
            reason: Text::new(
                "有必填项未填写或填写有误，请按提示修改。",
                "Some fields are missing or invalid; see each field.",
            ),
            article: Some(t.article.clone()),
            fields: errors,
        });
    }
    let waiting = item.is_some_and(|i| !rules::countersign_complete(t, i, actor));
    let to = match item {
        Some(i) if waiting || t.to.is_empty() => i.state.clone(),
        _ => t.to.clone(),
    };
    let stays = item.is_some_and(|i| i.state == to);
    let days = match &t.deadline_by {
        Some(by) => by
            .days
            .get(rules::value_after(&changes, item, &by.field))
            .copied(),
        None => t.deadline_days,
    };
    let (due, due_assumed) = match &t.next_due {
        Some(next) => (rules::next_due(next, &changes, item), BTreeSet::new()),
        None => rules::due(days, item, (waiting, stays), cx),
    };
    Ok(Event {
        kind: kind.to_string(),
        action: t.id.clone(),
        article: t.article.clone(),
        from: item.map(|i| i.state.clone()),
        to,
        actor: actor.clone(),
        at: now,
        changes,
        due,
        due_assumed,
        policy_version: item.map_or_else(|| policy.version.clone(), |i| i.policy_version.clone()),
    })
}

/// Checks state, role, guards and separation of duties, but not the fields: an action that
/// passes is offered to the user, who then fills in its form.
fn permitted(
    policy: &Policy,
    kind: &ItemKind,
    t: &Transition,
    item: Option<&Item>,
    actor: &Actor,
    as_effect: bool,
) -> Result<(), Denied> {
    let deny = |reason: Text| Err(Denied::new(reason, Some(t.article.clone())));
    match item {
        None if !t.from.is_empty() => {
            return deny(Text::new(
                "此操作需针对已有事项。",
                "This action applies to an existing item.",
            ));
        }
        Some(_) if t.from.is_empty() => {
            return deny(Text::new("该事项已经存在。", "This item already exists."));
        }
        Some(i) if !t.from.contains(&i.state) => {
            let state = kind.state(&i.state);
            let name = state.map(|s| s.name.clone()).unwrap_or_default();
            if let Some((note, article)) = state.and_then(|s| s.note.clone()) {
                return Err(Denied::new(
                    Text::new(
                        format!(
                            "当前状态为「{}」，不能「{}」。{}",
                            name.zh, t.label.zh, note.zh
                        ),
                        format!(
                            "The item is {}; it cannot be {}. {}",
                            name.en,
                            t.label.en.to_lowercase(),
                            note.en
                        ),
                    ),
                    Some(article),
                ));
            }
            return deny(Text::new(
                format!("当前状态为「{}」，不能「{}」。", name.zh, t.label.zh),
                format!(
                    "The item is {}; \"{}\" is not possible now.",
                    name.en, t.label.en
                ),
            ));
        }
        _ => {}
    }
    if t.internal && !as_effect {
        return deny(Text::new(
            format!("「{}」由其他步骤自动完成，不能单独办理。", t.label.zh),
            format!("\"{}\" happens as part of another step only.", t.label.en),
        ));
    }
    if !t.roles.contains(&actor.role) {
        let who = |r: &String| policy.role(r).map(|r| r.name.clone()).unwrap_or_default();
        let allowed: Vec<Text> = t.roles.iter().map(who).collect();
        let mine = who(&actor.role);
        return deny(Text::new(
            format!(
                "您的角色（{}）不能「{}」；此操作由{}办理。",
                mine.zh,
                t.label.zh,
                allowed
                    .iter()
                    .map(|t| t.zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "Your role ({}) cannot {}; this is done by: {}.",
                mine.en,
                t.label.en.to_lowercase(),
                allowed
                    .iter()
                    .map(|t| t.en.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for g in &t.guards {
        if let Err(reason) = g.check(policy, actor, item) {
            return deny(reason);
        }
    }
    if let Some(i) = item {
        crate::handling::held_by_other(kind, t, i, actor)?;
        crate::rules::when(kind, t, i)?;
        crate::rules::actor_in(kind, t, i, actor)?;
    }
    if let Some(i) = item {
        rules::countersign_once(policy, t, i, actor)?;
    }
    if let (Some(i), Some(sep)) = (item, &t.separation) {
        rules::separation(policy, kind, t, sep, i, actor)?;
    }
    if let (Some(i), Some(undone)) = (item, &t.undoes) {
        rules::undoes(kind, t, undone, i, actor)?;
    }
    if let Some(i) = item
        && let Some(prev) = i
            .acts
            .iter()
            .find(|a| a.user == actor.user && t.distinct_from.contains(&a.action))
    {
        let prev_label = kind
            .transition(&prev.action)
            .map(|p| p.label.clone())
            .unwrap_or_default();
        return deny(Text::new(
            format!(
                "您已对该事项「{}」，同一人不能再「{}」（职责分离）。",
                prev_label.zh, t.label.zh
            ),
            format!(
                "You already did \"{}\" on this item; the same person cannot also do \"{}\" (separation of duties).",
                prev_label.en, t.label.en
            ),
        ));
    }
    Ok(())
}

/// A required field left empty, with the article that asks for it.
fn required_error(kind: &ItemKind, t: &Transition, field: &str) -> FieldError {
    let label = kind
        .field(field)
        .map(|f| f.label.clone())
        .unwrap_or_default();
    FieldError {
        field: field.to_string(),
        message: Text::new(
            format!(
                "请填写「{}」，{}要求写明此项。",
                label.zh,
                t.article.cite(crate::Lang::Zh)
            ),
            format!(
                "{} is required ({}).",
                label.en,
                t.article.cite(crate::Lang::En)
            ),
        ),
    }
}

/// The fields step `action` of `kind` requires that `input` leaves empty (over what the item
/// holds), for a form that takes two steps at once (save, then submit): its errors are all
/// reported in one round instead of the second step's after the first is fixed.
pub fn missing_required(
    policy: &Policy,
    kind: &str,
    action: &str,
    item: Option<&Item>,
    input: &Input,
) -> Vec<FieldError> {
    let Some(k) = policy.kind(kind) else {
        return Vec::new();
    };
    let Some(t) = k.transition(action) else {
        return Vec::new();
    };
    t.required
        .iter()
        .filter(|f| k.field(f).is_none_or(|d| !d.system))
        .filter(|f| {
            rules::value_after(input, item, f)
                .trim_matches(crate::fields::is_invisible)
                .is_empty()
        })
        .map(|f| required_error(k, t, f))
        .collect()
}

/// Whether the actor may take this step on the item now (its form may still need input).
pub(crate) fn permitted_now(
    policy: &Policy,
    kind: &ItemKind,
    t: &Transition,
    item: &Item,
    actor: &Actor,
) -> Result<(), Denied> {
    permitted(policy, kind, t, Some(item), actor, false)
}

/// The transitions the actor may take on the item now (their forms may still need input).
pub fn available_actions<'p>(
    policy: &'p Policy,
    item: &Item,
    actor: &Actor,
) -> Vec<&'p Transition> {
    let Some(kind) = policy.kind(&item.kind) else {
        return Vec::new();
    };
    kind.transitions
        .iter()
        .filter(|t| permitted(policy, kind, t, Some(item), actor, false).is_ok())
        .collect()
}

/// Whether the actor may create an item of this kind with this transition (to offer 新增).
pub fn may_create(policy: &Policy, kind: &str, action: &str, actor: &Actor) -> bool {
    policy
        .kind(kind)
        .and_then(|k| k.transition(action).map(|t| (k, t)))
        .is_some_and(|(k, t)| permitted(policy, k, t, None, actor, false).is_ok())
}

/// Applies a decided event. `id` is the item's id (assigned by the store on creation).
pub fn apply(prev: Option<&Item>, id: ItemId, event: &Event) -> Item {
    let mut item = prev.cloned().unwrap_or_else(|| Item {
        id,
        kind: event.kind.clone(),
        owner_org: event.actor.org,
        state: event.to.clone(),
        fields: BTreeMap::new(),
        acts: Vec::new(),
        policy_version: event.policy_version.clone(),
        due: None,
        parties: Vec::new(),
    });
    item.state = event.to.clone();
    for (k, v) in &event.changes {
        item.fields.insert(k.clone(), v.clone());
    }
    item.acts.push(Act {
        action: event.action.clone(),
        user: event.actor.user,
        role: event.actor.role.clone(),
        ..Act::default()
    });
    item.due = event.due;
    item
}
