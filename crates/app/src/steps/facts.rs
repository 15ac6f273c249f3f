//! Reads what a decision needs to know about other items: the windows of window kinds and the
//! items an item's reference fields name. The domain decides; this only gathers.

use crate::{AppError, Platform};
use domain::policy::{FieldType, ItemKind, Transition};
use domain::{Input, Item, RefFact, Text, Window};
use std::collections::BTreeMap;
use store::Conn;
use store::items::Filter;

/// Owned facts; `Context` borrows them.
#[derive(Debug, Default)]
pub struct Facts {
    pub windows: Vec<Window>,
    pub refs: BTreeMap<String, RefFact>,
    /// The parent's budget lines and what siblings committed, for a `within` rule.
    pub budget: Vec<domain::BudgetLine>,
    /// For each `blocked_by` rule of the step, the numbers of the items blocking it.
    pub blocking: Vec<Vec<String>>,
}

impl Facts {
    pub fn context<'a>(
        &'a self,
        p: &'a Platform,
        now: chrono::DateTime<chrono::FixedOffset>,
        as_effect: bool,
    ) -> domain::Context<'a> {
        domain::Context {
            now,
            calendar: &p.settings.calendar,
            windows: &self.windows,
            refs: &self.refs,
            as_effect,
            budget: &self.budget,
            blocking: &self.blocking,
        }
    }
}

/// The value a field will have: typed now when the step takes it, or kept from the item.
fn value_of<'v>(t: &Transition, field: &str, item: Option<&'v Item>, input: &'v Input) -> &'v str {
    let typed = input
        .get(field)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && t.inputs.iter().any(|f| f == field));
    match typed {
        Some(v) => v,
        None => item.map_or("", |i| i.field(field)),
    }
}

pub async fn gather(
    c: &mut Conn,
    p: &Platform,
    actor: &domain::Actor,
    kind: &ItemKind,
    t: &Transition,
    item: Option<&Item>,
    input: &Input,
) -> Result<Facts, AppError> {
    let mut facts = Facts::default();
    if let Some(rule) = &t.window {
        facts.windows = windows(c, p, &rule.kind, rule.invited.as_deref()).await?;
    }
    for rule in &t.requires {
        let (expected, many) = match kind.field(&rule.field).map(|f| &f.ty) {
            Some(FieldType::ItemRef { kind }) => (kind.as_str(), false),
            Some(FieldType::ItemRefs { kind }) => (kind.as_str(), true),
            _ => continue,
        };
        let raw = value_of(t, &rule.field, item, input).to_ascii_uppercase();
        let numbers: Vec<&str> = if many {
            domain::fields::numbers_in(&raw).collect()
        } else {
            vec![raw.trim()]
        };
        // For several references the first that fails the rule is the fact (or the first).
        let mut chosen: Option<RefFact> = None;
        for number in numbers.into_iter().filter(|n| !n.is_empty()) {
            let Some(row) = store::items::get_by_number(c, number).await? else {
                continue;
            };
            // An item the actor may not see is as if it did not exist: its state is no
            // one else's business (and the reference check refuses it by name).
            if row.item.kind != expected
                || !domain::permissions::can_see(&p.policy, actor, &row.item)
            {
                continue;
            }
            let mut compared = rule.same.clone();
            compared.extend(rule.member.clone());
            let mut fact = ref_fact(p, row, &compared);
            if !rule.parent_states.is_empty() {
                fact.parent = parent_of(c, p, number).await?;
            }
            if let Some(n) = &rule.not_named_by {
                fact.named_by = named_by(c, p, n, number).await?;
            }
            let fails = !rule.states.contains(&fact.state)
                || (!rule.facets.is_empty() && !rule.facets.contains(&fact.facet));
            if chosen.is_none() || fails {
                chosen = Some(fact);
            }
            if fails {
                break;
            }
        }
        if let Some(mut fact) = chosen {
            // Several rules on one reference each ask their own questions: keep every answer.
            if let Some(earlier) = facts.refs.remove(&rule.field) {
                fact.parent = fact.parent.or(earlier.parent);
                fact.named_by = fact.named_by.or(earlier.named_by);
                fact.fields.extend(earlier.fields);
            }
            facts.refs.insert(rule.field.clone(), fact);
        }
    }
    // A contract is held to what its siblings left of the lines; a change must cover what the
    // contracts under the same project hold.
    let commitments = match (&t.within, &t.covers) {
        (Some(w), _) => Some(Commitments {
            kind: &kind.id,
            counted: &w.counted,
            allocations: &w.table,
            baseline: &w.budget,
        }),
        (None, Some(cv)) => Some(Commitments {
            kind: &cv.kind,
            counted: &cv.counted,
            allocations: &cv.allocations,
            baseline: &cv.table,
        }),
        (None, None) => None,
    };
    if let Some(of) = commitments {
        facts.budget = committed_lines(c, kind, item, input, t, of).await?;
    }
    for rule in &t.blocked_by {
        facts
            .blocking
            .push(blocking(c, rule, t, item, input).await?);
    }
    Ok(facts)
}

/// The numbers of the items a `blocked_by` rule finds open under the item, or under the item
/// its `of` field names, oldest first. Whoever asks sees the numbers: the rule is about what
/// exists, and a number says nothing the refusal should hide.
async fn blocking(
    c: &mut Conn,
    rule: &domain::policy::BlockedBy,
    t: &Transition,
    item: Option<&Item>,
    input: &Input,
) -> Result<Vec<String>, AppError> {
    let parent = match (&rule.of, item) {
        (Some(field), _) => value_of(t, field, item, input).to_ascii_uppercase(),
        (None, Some(i)) => match store::items::get(c, i.id).await? {
            Some(row) => row.number,
            None => return Ok(Vec::new()),
        },
        (None, None) => return Ok(Vec::new()),
    };
    if parent.trim().is_empty() {
        return Ok(Vec::new());
    }
    let f = Filter {
        kind: rule.kind.clone(),
        parent: Some(parent.trim().to_string()),
        states: rule.states.clone(),
        facet: rule.facet.clone(),
        page: 1,
        per_page: 100,
        ..Filter::default()
    };
    let mut numbers: Vec<String> = store::items::list(c, &f)
        .await?
        .into_iter()
        .map(|r| r.number)
        .collect();
    numbers.sort();
    Ok(numbers)
}

/// The first item of the rule's kind and states that names `number`, under a parent in the
/// rule's parent states: its number and the parent's (a demand's line in an issued plan).
async fn named_by(
    c: &mut Conn,
    p: &Platform,
    rule: &domain::policy::NamedBy,
    number: &str,
) -> Result<Option<(String, String)>, AppError> {
    let f = Filter {
        kind: rule.kind.clone(),
        states: rule.states.clone(),
        page: 1,
        per_page: 10_000,
        ..Filter::default()
    };
    for row in store::items::list_all(c, &f).await? {
        let names = domain::fields::numbers_in(row.item.field(&rule.field))
            .any(|n| n.eq_ignore_ascii_case(number));
        if !names {
            continue;
        }
        if let Some((parent, state, _)) = parent_of_row(c, p, &row).await?
            && rule.parent_states.contains(&state)
        {
            return Ok(Some((row.number, parent)));
        }
    }
    Ok(None)
}

/// Where a budget check looks: items of `kind` under the item's parent, in `counted` states,
/// allocate to lines in their table `allocations`; the parent's table `baseline` holds the lines.
struct Commitments<'r> {
    kind: &'r str,
    counted: &'r [String],
    allocations: &'r str,
    baseline: &'r str,
}

/// The parent's baseline lines, each with what the items the commitments name have allocated
/// to it; the item itself never counts (a contract is not held to its own allocation).
async fn committed_lines(
    c: &mut Conn,
    kind: &ItemKind,
    item: Option<&Item>,
    input: &Input,
    t: &Transition,
    of: Commitments<'_>,
) -> Result<Vec<domain::BudgetLine>, AppError> {
    let Some(parent_field) = &kind.parent_field else {
        return Ok(Vec::new());
    };
    let parent_no = value_of(t, parent_field, item, input).to_ascii_uppercase();
    let Some(parent) = store::items::get_by_number(c, parent_no.trim()).await? else {
        return Ok(Vec::new());
    };
    // The siblings are read after the parent is held: two instances checking one line at once
    // take turns, so that together they never go beyond it (R25.1).
    store::items::hold(c, parent.item.id).await?;
    let Some(parent) = store::items::get(c, parent.item.id).await? else {
        return Ok(Vec::new());
    };
    let f = Filter {
        kind: of.kind.to_string(),
        parent: Some(parent.number.clone()),
        states: of.counted.to_vec(),
        page: 1,
        per_page: 10_000,
        ..Filter::default()
    };
    let mut committed: BTreeMap<usize, i64> = BTreeMap::new();
    for other in store::items::list_all(c, &f).await? {
        if item.is_some_and(|i| i.id == other.item.id) {
            continue;
        }
        add_allocations(&mut committed, other.item.field(of.allocations));
    }
    Ok(lines_with(parent.item.field(of.baseline), &committed))
}

/// Adds a table of allocations (`line`, `amount`) to what each line has committed.
pub(crate) fn add_allocations(committed: &mut BTreeMap<usize, i64>, table: &str) {
    for row in domain::table::rows(table) {
        if let (Some(line), Some(amount)) = (
            row.get("line").and_then(|v| v.parse::<usize>().ok()),
            row.get("amount").and_then(|v| v.parse::<i64>().ok()),
        ) {
            *committed.entry(line).or_default() += amount;
        }
    }
}

/// A baseline table's lines, each with what is committed to it.
pub(crate) fn lines_with(
    baseline: &str,
    committed: &BTreeMap<usize, i64>,
) -> Vec<domain::BudgetLine> {
    domain::table::rows(baseline)
        .iter()
        .filter_map(|r| {
            let line = r.get("line")?.parse::<usize>().ok()?;
            Some(domain::BudgetLine {
                line,
                item: r.get("item").cloned().unwrap_or_default(),
                approved_fen: r.get("approved").and_then(|v| v.parse().ok()).unwrap_or(0),
                committed_fen: committed.get(&line).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// The number, state and state name of the item's parent (a plan line's plan).
async fn parent_of(
    c: &mut Conn,
    p: &Platform,
    number: &str,
) -> Result<Option<(String, String, Text)>, AppError> {
    let Some(row) = store::items::get_by_number(c, number).await? else {
        return Ok(None);
    };
    parent_of_row(c, p, &row).await
}

/// The number, state and state name of a row's parent.
async fn parent_of_row(
    c: &mut Conn,
    p: &Platform,
    row: &store::items::ItemRow,
) -> Result<Option<(String, String, Text)>, AppError> {
    let parent_number = p
        .policy
        .kind(&row.item.kind)
        .and_then(|k| k.parent_field.as_ref())
        .map(|f| row.item.field(f).to_string())
        .unwrap_or_default();
    let Some(parent) = store::items::get_by_number(c, &parent_number).await? else {
        return Ok(None);
    };
    let name = p
        .policy
        .kind(&parent.item.kind)
        .and_then(|k| k.state(&parent.item.state))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    Ok(Some((parent.number, parent.item.state, name)))
}

/// What the rules ask of a referenced item; `same` names the fields whose values they compare.
fn ref_fact(p: &Platform, row: store::items::ItemRow, same: &[String]) -> RefFact {
    let fields = same
        .iter()
        .map(|f| (f.clone(), row.item.field(f).to_string()))
        .collect();
    let kind = p.policy.kind(&row.item.kind);
    let state_name = kind
        .and_then(|k| k.state(&row.item.state))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let facet_def = kind.and_then(|k| k.facet_field.as_ref().and_then(|f| k.field(f)));
    let facet = facet_def
        .map(|f| row.item.field(&f.id).to_string())
        .unwrap_or_default();
    let facet_name = match facet_def.map(|f| &f.ty) {
        Some(FieldType::Choice(options)) => options
            .iter()
            .find(|(id, _)| *id == facet)
            .map(|(_, l)| l.clone())
            .unwrap_or_default(),
        _ => Text::default(),
    };
    RefFact {
        number: row.number,
        state: row.item.state,
        state_name,
        owner: row.item.owner_org,
        facet,
        facet_name,
        parent: None,
        named_by: None,
        fields,
    }
}

/// Every item of a window kind, with its dates (at most a few per year) and, when the rule
/// names its `invited` field, the units it is open to.
pub async fn windows(
    c: &mut Conn,
    p: &Platform,
    kind: &str,
    invited: Option<&str>,
) -> Result<Vec<Window>, AppError> {
    let Some(k) = p.policy.kind(kind) else {
        return Ok(Vec::new());
    };
    let f = Filter {
        kind: kind.to_string(),
        page: 1,
        per_page: 200,
        ..Filter::default()
    };
    let private = k.private_states();
    let mut out = Vec::new();
    for row in store::items::list(c, &f).await? {
        if private.contains(&row.item.state.as_str()) {
            continue;
        }
        let date = |f: &str| domain::decide::parse_date(row.item.field(f));
        if let (Some(opens), Some(closes)) = (date("opens"), date("closes")) {
            out.push(Window {
                kind: kind.to_string(),
                number: row.number.clone(),
                state: row.item.state.clone(),
                opens,
                closes,
                title: row.title.clone(),
                invited: invited.map(|f| {
                    row.item
                        .field(f)
                        .split(',')
                        .filter_map(|id| id.trim().parse().ok())
                        .map(domain::OrgId::new)
                        .collect()
                }),
            });
        }
    }
    Ok(out)
}
