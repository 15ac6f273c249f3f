//! Reading the annual cycle (art. 13): versions of a demand and their comparison (R13.3),
//! who has and has not answered a campaign (R13.1), the plan with its totals against the
//! ceiling (R13.5), and reminders before a campaign closes.

pub mod import;
pub mod lines;
pub mod ranking;
pub mod similar;
pub mod taskbook;

use crate::contract::ids;
use crate::{AppError, Platform, Principal};
use domain::policy::{FieldType, ItemKind};
use domain::{Item, ItemId, Text};
use std::collections::BTreeMap;
use store::items::{Filter, ItemRow};

/// One version of an item's content, rebuilt from its chained record.
#[derive(Debug, Clone)]
pub struct Version {
    pub number: usize,
    pub at: String,
    pub by: String,
    /// The step that made it (submit, or a change approved through `apply_change`).
    pub action: String,
    pub fields: BTreeMap<String, String>,
}

/// The versions of an item: the first when it left its private states (submission), then
/// one per internal step (an approved change). Built from the record, so they are as
/// trustworthy as the chain itself.
pub async fn versions(p: &Platform, who: &Principal, id: ItemId) -> Result<Vec<Version>, AppError> {
    let view = crate::items::view(p, who, id).await?;
    let kind = p
        .policy
        .kind(&view.row.item.kind)
        .ok_or(AppError::NotFound)?;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &view.history {
        let payload: serde_json::Value = serde_json::from_str(&e.event.payload).unwrap_or_default();
        if let Some(changes) = payload.get("changes").and_then(|c| c.as_object()) {
            for (k, v) in changes {
                fields.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
        let left_private = e
            .event
            .before_state
            .as_deref()
            .and_then(|s| kind.state(s))
            .is_some_and(|s| s.private)
            && e.event
                .after_state
                .as_deref()
                .and_then(|s| kind.state(s))
                .is_some_and(|s| !s.private);
        let internal = kind.transition(&e.event.action).is_some_and(|t| t.internal);
        // Leaving the state where it is written for one where it is read (an FSR sent for
        // review) fixes a version too.
        let handed_over = e
            .event
            .before_state
            .as_deref()
            .is_some_and(|s| editable(kind, s))
            && e.event
                .after_state
                .as_deref()
                .is_some_and(|s| !editable(kind, s));
        if left_private || internal || handed_over {
            out.push(Version {
                number: out.len() + 1,
                at: e.event.at.clone(),
                by: format!("{}（{}）", e.event.actor_name, e.event.org_name),
                action: e.event.action.clone(),
                fields: fields.clone(),
            });
        }
    }
    Ok(out)
}

/// Whether items of the kind are edited in this state (a step keeps them there with inputs).
fn editable(kind: &ItemKind, state: &str) -> bool {
    kind.transitions.iter().any(|t| {
        t.from.iter().any(|f| f == state)
            && (t.to == state || t.to.is_empty())
            && t.inputs
                .iter()
                .any(|f| kind.field(f).is_some_and(|d| !d.system))
    })
}

/// One row of a side-by-side comparison.
#[derive(Debug, Clone)]
pub struct DiffRow {
    pub field: String,
    pub label: Text,
    pub left: String,
    pub right: String,
    pub changed: bool,
}

/// Compares two sets of values field by field, in the kind's field order (money in fen).
pub fn compare(
    kind: &ItemKind,
    fields: &[String],
    left: &BTreeMap<String, String>,
    right: &BTreeMap<String, String>,
) -> Vec<DiffRow> {
    let mut out = Vec::new();
    for f in kind.fields.iter().filter(|f| fields.contains(&f.id)) {
        let l = left.get(&f.id).cloned().unwrap_or_default();
        let r = right.get(&f.id).cloned().unwrap_or_default();
        if let FieldType::Table(columns) = &f.ty {
            out.extend(compare_lines(f, columns, &l, &r));
            continue;
        }
        out.push(DiffRow {
            field: f.id.clone(),
            label: f.label.clone(),
            changed: l != r,
            left: l,
            right: r,
        });
    }
    out
}

/// A table compared line by line: 第 n 行 on each side, as a reader would write it.
fn compare_lines(
    f: &domain::policy::FieldDef,
    columns: &[domain::policy::Column],
    left: &str,
    right: &str,
) -> Vec<DiffRow> {
    let show = |row: Option<&domain::table::Row>| -> String {
        let Some(row) = row else {
            return String::new();
        };
        columns
            .iter()
            .filter_map(|c| {
                let v = row.get(&c.id)?;
                let v = match (&c.ty, v.parse::<i64>()) {
                    (domain::policy::ColumnType::Money, Ok(fen)) => {
                        domain::Money::from_fen(fen).yuan_string()
                    }
                    _ => v.clone(),
                };
                Some(format!("{}：{v}", c.label.zh))
            })
            .collect::<Vec<_>>()
            .join("；")
    };
    let (l, r) = (domain::table::rows(left), domain::table::rows(right));
    (0..l.len().max(r.len()))
        .map(|n| {
            let (a, b) = (show(l.get(n)), show(r.get(n)));
            DiffRow {
                field: f.id.clone(),
                label: Text::new(
                    format!("{} 第 {} 行", f.label.zh, n + 1),
                    format!("{} line {}", f.label.en, n + 1),
                ),
                changed: a != b,
                left: a,
                right: b,
            }
        })
        .collect()
}

/// The content fields of a kind: what its internal (versioning) step carries, or else what
/// its submission carries.
pub fn content_fields(kind: &ItemKind) -> Vec<String> {
    kind.transitions
        .iter()
        .find(|t| t.internal)
        .or_else(|| {
            kind.transitions
                .iter()
                .find(|t| t.id == ids::SUBMIT && !t.inputs.is_empty())
        })
        // Or what its edit step carries (an FSR is edited, then sent for review).
        .or_else(|| kind.transitions.iter().find(|t| t.id == ids::EDIT))
        .map(|t| t.inputs.clone())
        .unwrap_or_default()
}

/// Items of `kind` that belong to the item numbered `parent`, as the principal may see them.
pub async fn children(
    p: &Platform,
    who: &Principal,
    kind: &str,
    parent: &str,
) -> Result<Vec<ItemRow>, AppError> {
    let f = Filter {
        kind: kind.to_string(),
        parent: Some(parent.to_string()),
        page: 1,
        per_page: 200,
        ..Filter::default()
    };
    let Some(f) = crate::items::visible_filter(p, who, kind, f) else {
        return Ok(Vec::new());
    };
    let mut c = p.store.read().await?;
    let mut rows = store::items::list(&mut c, &f).await?;
    rows.reverse();
    Ok(rows)
}

/// The Data Center's compilation opinions (art. 13(1)) on the plan's year: those reported on
/// the campaign of the same plan year, for the Bureau to read beside the plan it drafts.
pub async fn plan_opinions(
    p: &Platform,
    who: &Principal,
    plan: &ItemRow,
) -> Result<Vec<ItemRow>, AppError> {
    let mut out = Vec::new();
    for campaign in lines::campaigns_of_year(p, who, plan.item.field("year")).await? {
        out.extend(children(p, who, ids::PLAN_OPINION, &campaign.number).await?);
    }
    Ok(out)
}

/// A unit invited to a campaign and what it has submitted in it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub org: store::orgs::Org,
    pub submitted: Vec<ItemRow>,
}

/// Who has and who has not submitted in a campaign (R13.1). Units that submitted without
/// being invited are listed too.
pub async fn campaign_answers(
    p: &Platform,
    who: &Principal,
    campaign: &ItemRow,
) -> Result<Vec<Answer>, AppError> {
    let invited: Vec<i64> = campaign
        .item
        .field("invited")
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    // What a unit has handed in: a draft (or a deleted one) is not an answer (R13.1).
    let handed_in = |d: &ItemRow| {
        p.policy
            .kind(ids::DEMAND)
            .and_then(|k| k.state(&d.item.state))
            .is_some_and(|s| !s.private)
    };
    let demands: Vec<ItemRow> = children(p, who, ids::DEMAND, &campaign.number)
        .await?
        .into_iter()
        .filter(handed_in)
        .collect();
    let orgs = {
        let mut c = p.store.read().await?;
        store::orgs::all(&mut c).await?
    };
    let mut out: Vec<Answer> = orgs
        .into_iter()
        .filter(|o| {
            invited.contains(&o.id.get()) || demands.iter().any(|d| d.item.owner_org == o.id)
        })
        .map(|org| Answer {
            submitted: demands
                .iter()
                .filter(|d| d.item.owner_org == org.id)
                .cloned()
                .collect(),
            org,
        })
        .collect();
    out.sort_by_key(|a| (!a.submitted.is_empty(), a.org.id));
    Ok(out)
}

/// The plan with its lines and the emergency items added to it, and the totals (R13.5).
#[derive(Debug, Clone)]
pub struct PlanView {
    pub lines: Vec<ItemRow>,
    pub emergencies: Vec<ItemRow>,
    pub total_fen: i64,
    pub ceiling_fen: Option<i64>,
}

impl PlanView {
    /// Over the year's special-fund ceiling: a warning, not a refusal (the meeting decides).
    pub fn over_ceiling(&self) -> Option<i64> {
        self.ceiling_fen
            .filter(|c| self.total_fen > *c)
            .map(|c| self.total_fen - c)
    }
}

pub async fn plan_view(
    p: &Platform,
    who: &Principal,
    plan: &ItemRow,
) -> Result<PlanView, AppError> {
    let mut lines: Vec<ItemRow> = children(p, who, ids::PLAN_ITEM, &plan.number)
        .await?
        .into_iter()
        .filter(|r| r.item.state == ids::PLAN_ITEM_LISTED)
        .collect();
    lines.sort_by_key(|r| {
        (
            r.item.field("seq").parse::<i64>().unwrap_or(i64::MAX),
            r.item.id,
        )
    });
    let emergencies: Vec<ItemRow> = children(p, who, ids::EMERGENCY, &plan.number)
        .await?
        .into_iter()
        .filter(|r| r.item.state == ids::EMERGENCY_IN_PLAN)
        .collect();
    let fen = |i: &Item, f: &str| i.field(f).parse::<i64>().unwrap_or(0);
    let total_fen = lines
        .iter()
        .chain(&emergencies)
        .map(|r| fen(&r.item, "budget"))
        .sum();
    Ok(PlanView {
        lines,
        emergencies,
        total_fen,
        ceiling_fen: plan.item.field("ceiling").parse().ok(),
    })
}

/// A reminder that a campaign closes soon and the principal's unit has not submitted.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub campaign: ItemRow,
    pub closes: chrono::NaiveDate,
    /// Working days left, marked when a year the table lacks was counted Monday to Friday.
    pub days_left: domain::Counted<i64>,
}

/// Three working days before a campaign closes, units invited that have not submitted are
/// reminded in their inbox (R13.1).
pub async fn reminders(p: &Platform, who: &Principal) -> Result<Vec<Reminder>, AppError> {
    if !p.policy.kind(ids::DEMAND).is_some_and(|k| {
        k.transitions
            .iter()
            .any(|t| t.window.is_some() && t.roles.contains(&who.user.role))
    }) {
        return Ok(Vec::new());
    }
    let today = p.now().date_naive();
    let cal = &p.settings.calendar;
    let f = Filter {
        kind: ids::CAMPAIGN.into(),
        states: vec![ids::CAMPAIGN_OPEN.into()],
        page: 1,
        per_page: 50,
        ..Filter::default()
    };
    let campaigns = {
        let mut c = p.store.read().await?;
        store::items::list(&mut c, &f).await?
    };
    let mut out = Vec::new();
    for campaign in campaigns {
        let invited = campaign
            .item
            .field("invited")
            .split(',')
            .any(|s| s == who.org.id.get().to_string());
        let Some(closes) = domain::decide::parse_date(campaign.item.field("closes")) else {
            continue;
        };
        if !invited || today > closes {
            continue;
        }
        if today < cal.working_days_before(closes, 3).value {
            continue;
        }
        let mine = children(p, who, ids::DEMAND, &campaign.number).await?;
        if mine.iter().any(|d| d.item.owner_org == who.org.id) {
            continue;
        }
        out.push(Reminder {
            days_left: cal.working_days_until(today, closes),
            closes,
            campaign,
        });
    }
    Ok(out)
}

/// The organisations a field of type `orgs` offers: every demand unit (art. 4).
pub async fn demand_units(p: &Platform) -> Result<Vec<store::orgs::Org>, AppError> {
    let mut c = p.store.read().await?;
    Ok(store::orgs::all(&mut c)
        .await?
        .into_iter()
        .filter(|o| p.policy.org_kind(&o.kind).is_some_and(|k| k.demand_unit))
        .collect())
}

/// What a new form shows in a field: the policy's default with `{Y}`, `{Y+1}`, `{Y-1}` for
/// years around today, `*` for every demand unit.
pub async fn defaults(p: &Platform, kind: &ItemKind) -> Result<BTreeMap<String, String>, AppError> {
    let y = chrono::Datelike::year(&p.now());
    let mut out = BTreeMap::new();
    for f in &kind.fields {
        let Some(d) = &f.default else { continue };
        let v = if f.ty == FieldType::Orgs && d == "*" {
            demand_units(p)
                .await?
                .iter()
                .map(|o| o.id.get().to_string())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            d.replace("{Y+1}", &(y + 1).to_string())
                .replace("{Y-1}", &(y - 1).to_string())
                .replace("{Y}", &y.to_string())
        };
        out.insert(f.id.clone(), v);
    }
    Ok(out)
}

/// What a new form starts with: the policy's defaults, references passed in the address
/// (a plan line's plan), and for a change request the current content of the item it changes
/// (so the clerk edits the current version rather than retyping it, R13.3). Values are as
/// stored (money in fen).
pub async fn prefill(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = defaults(p, kind).await?;
    for (field, value) in given {
        let Some(def) = kind.field(field) else {
            continue;
        };
        if def.system {
            continue;
        }
        // Units picked elsewhere (the demand units of a plan line) arrive as ids.
        if def.ty == FieldType::Orgs {
            let ids: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|v| v.parse::<i64>().is_ok())
                .collect();
            out.insert(field.clone(), ids.join(","));
            continue;
        }
        if !matches!(def.ty, FieldType::ItemRef { .. }) {
            continue;
        }
        let number = value.trim().to_ascii_uppercase();
        out.insert(field.clone(), number.clone());
        // A change request copies its target's fields, and so does a reference marked
        // `copies` (a project its plan line's); anything else only names the reference.
        let copies = kind
            .transitions
            .iter()
            .any(|t| t.effect.as_ref().is_some_and(|e| &e.on == field))
            || def.copies;
        if !copies {
            continue;
        }
        let mut c = p.store.read().await?;
        let Some(source) = store::items::get_by_number(&mut c, &number).await? else {
            continue;
        };
        if !domain::permissions::can_see(&p.policy, &who.actor, &source.item) {
            continue;
        }
        for f in &kind.fields {
            if f.id != *field && !f.system && source.item.fields.contains_key(&f.id) {
                out.insert(f.id.clone(), source.item.field(&f.id).to_string());
            }
        }
    }
    // A plan line picked from the accepted demands is filled from them (art. 13(2)).
    if kind.id == ids::PLAN_ITEM
        && let Some(demands) = given.get("demands")
    {
        let plan = match given.get("plan") {
            Some(n) => crate::items::by_number(p, who, n).await.ok(),
            None => None,
        };
        out.extend(lines::line_from_demands(p, who, plan.as_ref(), demands).await?);
    }
    Ok(out)
}

/// The units that raised these demands (`XQ-..,XQ-..`), as ids `3,5`: the units a project
/// made from them serves and whose confirmation it needs (art. 14).
pub async fn units_of_demands(p: &Platform, demands: &str) -> Result<String, AppError> {
    let mut c = p.store.read().await?;
    let mut ids: Vec<i64> = Vec::new();
    for number in demands.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if let Some(r) = store::items::get_by_number(&mut c, number).await? {
            ids.push(r.item.owner_org.get());
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}
