//! One step pipeline. A transition declares in the policy what it needs besides its fields: a
//! document to typeset (`document`), a random draw (`draw`), an electronic signature with a
//! password step-up (`sign`). `perform` reads the item once, lets each declared capability
//! prepare outside the writer (typesetting, checking the password), then takes the step in
//! one write that first checks the item has not moved since it was read; inside that write
//! each capability adds the values only the platform fills (digests, the draw, the signature)
//! and keeps what it made (the files).
//!
//! A new capability is a [`Capability`] in [`CAPABILITIES`]; a new document or draw is a
//! preparer registered by name in [`documents`] or [`draws`]. `perform` never changes for
//! either, and `check_policy` refuses a policy that declares a document or draw nobody makes.

pub(crate) mod documents;
mod draws;
pub mod facts;
pub mod parties;
pub(crate) mod write;

use crate::items::{Command, ItemRow, ItemView, Target};
use crate::{AppError, Platform, Principal};
use domain::policy::Transition;
use domain::{Input, ItemId};
use std::future::Future;
use std::pin::Pin;
use store::Conn;

pub use documents::{DocFiles, DocumentMaker, masthead_and_colophon, render};
pub use draws::Drawer;

/// A boxed future, for the capabilities' async methods behind `dyn`.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The step as read before the write: the item, its transition, and whether the principal
/// may take it now (someone who may not is refused by the step itself, with its reason, and
/// nothing is prepared for them).
pub struct Read<'a> {
    pub p: &'a Platform,
    pub who: &'a Principal,
    pub row: &'a ItemRow,
    pub t: &'a Transition,
    pub may: bool,
    pub input: &'a Input,
}

impl Read<'_> {
    /// What was typed in `field`, trimmed; `None` when nothing was (a document maker then
    /// makes nothing, and the step refuses at the field).
    pub fn typed(&self, field: &str) -> Option<&str> {
        self.input
            .get(field)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// Something a transition may declare, prepared in two halves.
pub trait Capability: Send + Sync {
    /// Whether `t` declares it.
    fn declared(&self, t: &Transition) -> bool;
    /// Outside the writer: what takes time or must not hold the writer.
    fn prepare<'a>(&'a self, read: &'a Read<'a>) -> BoxFut<'a, Result<Box<dyn Ready>, AppError>>;
}

/// A prepared capability, finished inside the step's write.
pub trait Ready: Send {
    /// Before the step, on the item as it is now (unchanged since read): the values only the
    /// platform fills, or a refusal (something the preparation relied on moved).
    fn system<'c>(
        &'c mut self,
        c: &'c mut Conn,
        p: &'c Platform,
        who: &'c Principal,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Input, AppError>>;

    /// After the step, in the same write: keep what was made (files).
    fn after<'c>(
        &'c mut self,
        _c: &'c mut Conn,
        _p: &'c Platform,
        _who: &'c Principal,
        _id: ItemId,
    ) -> BoxFut<'c, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Every capability a transition can declare.
static CAPABILITIES: [&dyn Capability; 3] = [
    &documents::Document,
    &draws::Draw,
    &crate::signing::Signature,
];

/// Checks that every document and draw the policy declares has its preparer, and that the
/// kind has the fields the preparer reads and fills (the signature's too): a policy naming one
/// the platform cannot make, or renaming a field it fills, would fail at the step, so it fails
/// at load instead, naming the kind, the step and what is missing.
pub fn check_policy(policy: &domain::Policy) -> Result<(), Vec<String>> {
    let mut missing = Vec::new();
    for k in &policy.kinds {
        for t in &k.transitions {
            let mut needs: Vec<(&str, Vec<&str>)> = Vec::new();
            if let Some(d) = &t.document {
                match documents::maker(d) {
                    Some(_) => needs.push((d, documents::needs(d))),
                    None => missing.push(format!(
                        "{}.{}: document \"{d}\" has no maker (known: {})",
                        k.id,
                        t.id,
                        documents::names().join(", ")
                    )),
                }
            }
            if let Some(d) = &t.draw {
                match draws::drawer(d) {
                    Some(drawer) => needs.push((d, drawer.fields().to_vec())),
                    None => missing.push(format!(
                        "{}.{}: draw \"{d}\" has no drawer (known: {})",
                        k.id,
                        t.id,
                        draws::names().join(", ")
                    )),
                }
            }
            if !t.sign.is_empty() {
                needs.push(("sign", crate::signing::SYSTEM_FIELDS.to_vec()));
            }
            for (what, fields) in needs {
                for f in fields.into_iter().filter(|f| k.field(f).is_none()) {
                    missing.push(format!(
                        "{}.{}: \"{what}\" needs field \"{f}\", which kind {} lacks",
                        k.id, t.id, k.id
                    ));
                }
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

/// Takes a step on an existing item; a refusal is recorded in the security record (who tried
/// which step on which item, and why), in a write of its own since the step wrote nothing.
pub async fn perform(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    cmd: Command,
) -> Result<ItemId, AppError> {
    let detail = serde_json::json!({ "item": id.get(), "action": cmd.action });
    let r = perform_unrecorded(p, who, id, cmd).await;
    crate::admin::recording_refusal(p, who, crate::items::STEP_ACTION, detail, r).await
}

async fn perform_unrecorded(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    mut cmd: Command,
) -> Result<ItemId, AppError> {
    // Most steps declare nothing to prepare: they go straight to the write, which reads the
    // item there (no read before, so a plain step costs what it always did). A step whose name
    // some kind declares with a capability is read first, and its own kind decides.
    let some_kind_prepares = p.policy.kinds.iter().any(|k| {
        k.transition(&cmd.action)
            .is_some_and(|t| CAPABILITIES.iter().any(|c| c.declared(t)))
    });
    if !some_kind_prepares {
        return plain(p, who, id, cmd).await;
    }
    let view = crate::items::view(p, who, id).await?;
    let ItemView { row, actions, .. } = &view;
    let t = p
        .policy
        .kind(&row.item.kind)
        .and_then(|k| k.transition(&cmd.action));
    let declared: Vec<&dyn Capability> = match t {
        Some(t) => CAPABILITIES
            .iter()
            .copied()
            .filter(|c| c.declared(t))
            .collect(),
        None => Vec::new(),
    };
    let Some(t) = t.filter(|_| !declared.is_empty()) else {
        return plain(p, who, id, cmd).await;
    };
    // A retried request (the API's Idempotency-Key) has had its effect: nothing is prepared
    // again, and the write below returns the stored answer too.
    if let Some(done) = replayed(p, who, &cmd).await? {
        return Ok(done);
    }
    let mut ready = Vec::new();
    {
        // What a document prints is what the step keeps: a document number as its field
        // writes it (〔〕 for the year); makers read the other values as typed (amounts in
        // yuan, tables as sent).
        let input = normalised(p, &row.item.kind, &cmd.input);
        let read = Read {
            p,
            who,
            row,
            t,
            may: actions.iter().any(|a| a.id == t.id),
            input: &input,
        };
        for c in &declared {
            ready.push(c.prepare(&read).await?);
        }
    }
    // What the capabilities consumed (the password) never reaches the step.
    cmd.input
        .retain(|k, _| t.inputs.contains(k) || k == crate::items::VERSION_FIELD);
    let read_version = crate::items::expected_version(&cmd.input).unwrap_or(row.version);
    let (p2, who2) = (p.clone(), who.clone());
    p.store
        .write(move |c| {
            Box::pin(async move {
                if let Some(done) = write::replayed(c, &who2, &cmd).await? {
                    return Ok(done);
                }
                let now = store::items::get(c, id).await?.ok_or(AppError::NotFound)?;
                if now.version != read_version {
                    return Err(AppError::Conflict);
                }
                let mut system = Input::new();
                for r in &mut ready {
                    system.extend(r.system(c, &p2, &who2, &now).await?);
                }
                let id =
                    crate::items::step(c, &p2, &who2, Target::Read(Box::new(now)), cmd, system)
                        .await?;
                for r in &mut ready {
                    r.after(c, &p2, &who2, id).await?;
                }
                Ok(id)
            })
        })
        .await
}

/// The typed values with each document number written as its field keeps it.
fn normalised(p: &Platform, kind: &str, input: &Input) -> Input {
    let Some(k) = p.policy.kind(kind) else {
        return input.clone();
    };
    input
        .iter()
        .map(|(f, v)| {
            let v = k
                .field(f)
                .filter(|d| d.ty == domain::policy::FieldType::DocNumber)
                .and_then(|d| domain::fields::normalise(d, v).ok())
                .unwrap_or_else(|| v.clone());
            (f.clone(), v)
        })
        .collect()
}

/// A step with nothing to prepare: decided and written in one write that reads the item.
async fn plain(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    cmd: Command,
) -> Result<ItemId, AppError> {
    let (p2, who2) = (p.clone(), who.clone());
    p.store
        .write(move |c| {
            Box::pin(async move {
                crate::items::step(c, &p2, &who2, Target::Existing(id), cmd, Input::new()).await
            })
        })
        .await
}

/// [`write::replayed`] on a read connection, before anything is prepared.
async fn replayed(
    p: &Platform,
    who: &Principal,
    cmd: &Command,
) -> Result<Option<ItemId>, AppError> {
    let mut c = p.store.read().await?;
    write::replayed(&mut c, who, cmd).await
}
