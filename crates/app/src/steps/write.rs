//! The write half of every step: decide, apply, write the item and its chained event, then
//! any effect on a referenced item, all inside the caller's write so they commit together.

use crate::items::{Command, ItemRow, expected_version};
use crate::record::{Who, item_event};
use crate::{AppError, Platform, Principal};
use domain::policy::FieldType;
use domain::{Denied, FieldError, Input, Item, ItemId, Text, apply, decide};
use store::Conn;

pub(crate) enum Target {
    New(String),
    Existing(ItemId),
    /// An item already read inside this write (the pipeline checked its version).
    Read(Box<ItemRow>),
}

/// The item a retried request (the API's Idempotency-Key) already created or changed, if this
/// user's key was seen with the same request: the retry gets the first answer and has no
/// effect of its own. The same key with another request is refused.
pub(crate) async fn replayed(
    c: &mut Conn,
    who: &Principal,
    cmd: &Command,
) -> Result<Option<ItemId>, AppError> {
    let Some(idem) = &cmd.idempotency else {
        return Ok(None);
    };
    match store::idempotency::get(c, who.user.id.get(), &idem.key).await? {
        Some(a)
            if a.fingerprint
                .as_ref()
                .is_some_and(|f| f != &idem.fingerprint) =>
        {
            Err(AppError::KeyReused)
        }
        Some(a) => a
            .body
            .parse::<i64>()
            .map(|id| Some(ItemId::new(id)))
            .map_err(|_| AppError::Conflict),
        None => Ok(None),
    }
}

pub(crate) async fn step(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    target: Target,
    cmd: Command,
    system: Input,
) -> Result<ItemId, AppError> {
    step_with(c, p, who, target, cmd, system, Vec::new()).await
}

/// [`step`], with steps the platform takes between the command's step and its `then` (the
/// attachments of a new item's form, each its own `attach` step, before it is submitted).
pub(crate) async fn step_with(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    target: Target,
    cmd: Command,
    system: Input,
    between: Vec<(String, Input)>,
) -> Result<ItemId, AppError> {
    if let Some(done) = replayed(c, who, &cmd).await? {
        return Ok(done);
    }
    let now = p.now();
    let row = match target {
        Target::New(kind) => Err(kind),
        Target::Existing(id) => Ok(store::items::get(c, id).await?.ok_or(AppError::NotFound)?),
        Target::Read(row) => Ok(*row),
    };
    let (mut current, kind) = match row {
        Err(kind) => (None, kind),
        Ok(row) => {
            let kind = row.item.kind.clone();
            (Some(row), kind)
        }
    };
    if let Some(row) = &current
        && !domain::permissions::can_see(&p.policy, &who.actor, &row.item)
    {
        return Err(AppError::NotFound);
    }
    // A form read at an older version: someone else changed the item since (a lost update
    // otherwise). The caller shows the form again with what was typed.
    if let (Some(expected), Some(row)) = (expected_version(&cmd.input), current.as_ref())
        && expected != row.version
    {
        return Err(AppError::Conflict);
    }
    let kind_def = p.policy.kind(&kind).ok_or(AppError::NotFound)?;
    // Values the platform fills (digests of generated documents) are never taken from users,
    // nor are the form's own keys (`_version`).
    let mut input: Input = cmd
        .input
        .into_iter()
        .filter(|(f, _)| !f.starts_with('_') && kind_def.field(f).is_none_or(|d| !d.system))
        .collect();
    input.extend(system);
    // A form that saves and submits at once reports the submit's empty required fields with
    // the save's errors, in one round (issue 12, point 6); what the steps between fill (the
    // files sent with the form) is not missing.
    let mut typed = input.clone();
    for (_, filled) in &between {
        typed.extend(filled.clone());
    }
    let first = cmd.then.as_ref().map(|then| {
        (
            then.clone(),
            current.as_ref().map(|r| r.item.clone()),
            typed,
        )
    });
    let mut steps = vec![(cmd.action.clone(), input)];
    steps.extend(between);
    if let Some(then) = &cmd.then {
        steps.push((then.clone(), Input::new()));
    }
    for (action, input) in steps {
        let taken = take(
            c,
            p,
            who,
            &kind,
            current.take(),
            &action,
            &input,
            now,
            false,
        )
        .await;
        let row = match (taken, &first) {
            (Err(AppError::Denied(mut d)), Some((then, before, typed)))
                if action == cmd.action && !d.fields.is_empty() =>
            {
                for missing in
                    domain::decide::missing_required(&p.policy, &kind, then, before.as_ref(), typed)
                {
                    if !d.fields.iter().any(|f| f.field == missing.field) {
                        d.fields.push(missing);
                    }
                }
                return Err(AppError::Denied(d));
            }
            (taken, _) => taken?,
        };
        let t = kind_def.transition(&action);
        if let Some(effect) = t.and_then(|t| t.effect.as_ref()) {
            effect_on(c, p, who, &row, effect, now).await?;
        }
        current = Some(row);
    }
    let id = current.map(|r| r.item.id).ok_or(AppError::NotFound)?;
    if let Some(idem) = &cmd.idempotency {
        let answer = store::idempotency::NewAnswer {
            user: who.user.id.get(),
            key: &idem.key,
            fingerprint: &idem.fingerprint,
            status: 200,
            body: &id.get().to_string(),
            at: &store::timestamp(now),
        };
        store::idempotency::put(c, &answer).await?;
    }
    Ok(id)
}

/// Takes the step an effect names on the item the source's reference field points to, with
/// the source's values for that step's inputs (an approved change makes a new version).
async fn effect_on(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    source: &ItemRow,
    effect: &domain::policy::Effect,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), AppError> {
    let number = source.item.field(&effect.on);
    let target = store::items::get_by_number(c, number)
        .await?
        .ok_or(AppError::NotFound)?;
    // A request drafted on an older version would silently undo what was approved since.
    let since = store::events::stream(c, &format!("item:{}", target.item.id.get()))
        .await?
        .into_iter()
        .any(|e| e.event.action == effect.action && e.event.at > source.created_at);
    if since {
        return Err(AppError::Denied(Denied {
            reason: Text::new(
                format!(
                    "{} 在本申请提出后已按其他变更形成新版本，请基于最新版本重新提出申请。",
                    target.number
                ),
                format!(
                    "{} has a newer version since this request was made; make the request again on the latest version.",
                    target.number
                ),
            ),
            article: None,
            fields: Vec::new(),
        }));
    }
    let tkind = p.policy.kind(&target.item.kind).ok_or(AppError::NotFound)?;
    let t = tkind.transition(&effect.action).ok_or(AppError::NotFound)?;
    // Values go in as a user would type them: money back from fen to yuan.
    let source_kind = p.policy.kind(&source.item.kind);
    let input: Input = t
        .inputs
        .iter()
        .map(|f| {
            let raw = source.item.field(f);
            let def = source_kind.and_then(|k| k.field(f));
            let typed = match (def.map(|d| &d.ty), raw.parse::<i64>()) {
                (Some(FieldType::Money), Ok(fen)) => domain::Money::from_fen(fen).yuan_string(),
                (Some(FieldType::Table(columns)), _) => domain::table::typed(columns, raw),
                _ => raw.to_string(),
            };
            (f.clone(), typed)
        })
        .collect();
    let kind = target.item.kind.clone();
    take(
        c,
        p,
        who,
        &kind,
        Some(target),
        &effect.action,
        &input,
        now,
        true,
    )
    .await?;
    Ok(())
}

/// Decides one step, applies it, writes the item and its event; returns the item as written.
#[allow(clippy::too_many_arguments)]
async fn take(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    kind: &str,
    current: Option<ItemRow>,
    action: &str,
    input: &Input,
    now: chrono::DateTime<chrono::FixedOffset>,
    as_effect: bool,
) -> Result<ItemRow, AppError> {
    let kind_def = p.policy.kind(kind).ok_or(AppError::NotFound)?;
    let item: Option<&Item> = current.as_ref().map(|r| &r.item);
    let facts = match kind_def.transition(action) {
        Some(t) => crate::facts::gather(c, p, &who.actor, kind_def, t, item, input).await?,
        None => crate::facts::Facts::default(),
    };
    let cx = facts.context(p, now, as_effect);
    let mut ev = decide(&p.policy, kind, item, action, &who.actor, input, &cx)?;
    check_references(c, p, &who.actor, kind, item, ev.changes()).await?;
    crate::personal::seal_changes(p, kind_def, item, &mut ev)?;
    let next = apply(item, item.map_or(ItemId::new(0), |i| i.id), &ev);
    let at = store::timestamp(now);
    let derived = store::items::Derived {
        title: next.field(&kind_def.title_field),
        amount_fen: kind_def
            .amount_field
            .as_ref()
            .and_then(|f| next.field(f).parse::<i64>().ok()),
        parent: kind_def
            .parent_field
            .as_ref()
            .map(|f| next.field(f))
            .filter(|v| !v.is_empty()),
        facet: kind_def
            .facet_field
            .as_ref()
            .map(|f| next.field(f))
            .filter(|v| !v.is_empty()),
        // Set below, once the item's number is known.
        parties: None,
    };
    let row = match current {
        None => {
            let year = chrono::Datelike::year(&now);
            let number = store::items::next_number(c, &kind_def.prefix, year).await?;
            let mut derived = derived;
            derived.parties = super::parties::of(&p.policy, kind_def, &next.fields, &number);
            let id = store::items::insert(c, &number, year, &derived, &next, &at).await?;
            store::items::get(c, id).await?.ok_or(AppError::NotFound)?
        }
        Some(mut row) => {
            let read = store::items::AsRead {
                state: &row.item.state,
                year: row.year,
                version: row.version,
            };
            let number = row.number.clone();
            let mut derived = derived;
            derived.parties = super::parties::of(&p.policy, kind_def, &next.fields, &number);
            store::items::update(c, &read, &next, &derived, &at).await?;
            row.version += 1;
            row.title = derived.title.to_string();
            row.item = next;
            row
        }
    };
    let who_rec = Who {
        name: &who.user.display_name,
        org_name: &who.org.name_zh,
        origin: &who.origin,
    };
    let stored = store::events::append(
        c,
        &item_event(row.item.id.get(), &row.number, &ev, &who_rec),
    )
    .await?;
    store::queue::handled(c, who.user.id.get(), row.item.id.get(), stored.id).await?;
    Ok(row)
}

/// A field that names other items must name existing items of its kind that the actor may
/// see (and not the item itself); an organisation field must name existing organisations.
async fn check_references(
    c: &mut Conn,
    p: &Platform,
    actor: &domain::Actor,
    kind: &str,
    item: Option<&Item>,
    changes: &std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let Some(kind_def) = p.policy.kind(kind) else {
        return Ok(());
    };
    let refused = |field: &str, message: Text| {
        AppError::Denied(Denied {
            reason: Text::new("请按提示修改。", "See the field below."),
            article: None,
            fields: vec![FieldError {
                field: field.to_string(),
                message,
            }],
        })
    };
    for (field, value) in changes {
        if value.is_empty() {
            continue;
        }
        let (ref_kind, numbers): (&str, Vec<&str>) = match kind_def.field(field).map(|f| &f.ty) {
            Some(FieldType::ItemRef { kind }) => (kind, vec![value.as_str()]),
            Some(FieldType::ItemRefs { kind }) => (kind, value.split(',').collect()),
            // Any kind: what matters is that the record exists and the actor may read it.
            Some(FieldType::Records) => ("", value.split(',').collect()),
            Some(FieldType::Orgs) => {
                for id in value.split(',') {
                    let id = id.parse::<i64>().unwrap_or(0);
                    if store::orgs::get(c, domain::OrgId::new(id)).await?.is_none() {
                        return Err(refused(
                            field,
                            Text::new("所选单位不存在。", "A chosen unit does not exist."),
                        ));
                    }
                }
                continue;
            }
            _ => continue,
        };
        for number in numbers {
            let target = store::items::get_by_number(c, number).await?;
            let ok = target.is_some_and(|t| {
                (ref_kind.is_empty() || t.item.kind == ref_kind)
                    && Some(t.item.id) != item.map(|i| i.id)
                    && domain::permissions::can_see(&p.policy, actor, &t.item)
            });
            if !ok && ref_kind.is_empty() {
                return Err(refused(
                    field,
                    Text::new(
                        format!(
                            "没有编号为 {number} 的记录（或您无权查看）；请核对编号，多个用逗号分隔。"
                        ),
                        format!(
                            "There is no record numbered {number} that you may read; check the numbers, separated by commas."
                        ),
                    ),
                ));
            }
            if !ok {
                let what = p
                    .policy
                    .kind(ref_kind)
                    .map(|k| k.name.clone())
                    .unwrap_or_default();
                return Err(refused(
                    field,
                    Text::new(
                        format!("没有编号为 {number} 的{}。", what.zh),
                        format!("There is no {} numbered {number}.", what.en.to_lowercase()),
                    ),
                ));
            }
        }
    }
    Ok(())
}
