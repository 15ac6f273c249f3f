//! 批量提交 (issue 12, point 11): a step the policy marks `batch` taken for several items at
//! once from their list, each with what it already holds. Each is its own step, in its own
//! write: one refused (a draft missing a part) leaves the others taken, and the answer says
//! for each what happened, so nothing is half-done without the clerk knowing.

use crate::items::{Command, Idempotency, perform};
use crate::{AppError, Platform, Principal};
use domain::ItemId;

/// At most this many items in one batch: a page of a list.
pub const MAX_ITEMS: usize = 100;

/// What became of one item of the batch.
#[derive(Debug)]
pub struct Outcome {
    pub id: ItemId,
    /// Its number and title as the person read them (empty for an item they may not read).
    pub number: String,
    pub title: String,
    pub result: Result<(), AppError>,
}

/// Takes step `action` of kind `kind` on each of `ids`, in order. Refused as a whole only when
/// the step is not one the policy lets be batched (or there are too many items); `once` (the
/// form's key) makes a resent batch have one effect on each item.
pub async fn perform_many(
    p: &Platform,
    who: &Principal,
    kind: &str,
    action: &str,
    ids: &[ItemId],
    once: Option<&Idempotency>,
) -> Result<Vec<Outcome>, AppError> {
    let batchable = p
        .policy
        .kind(kind)
        .and_then(|k| k.transition(action))
        .is_some_and(|t| t.batch);
    if !batchable || ids.len() > MAX_ITEMS {
        return Err(AppError::NotFound);
    }
    let raw: Vec<i64> = ids.iter().map(|i| i.get()).collect();
    let readable = crate::items::by_ids(p, who, &raw).await?;
    let mut out = Vec::new();
    for id in ids {
        let row = readable.iter().find(|r| r.item.id == *id);
        let result = match row {
            Some(r) if r.item.kind == kind => perform(
                p,
                who,
                *id,
                Command {
                    action: action.to_string(),
                    input: Default::default(),
                    then: None,
                    idempotency: once.map(|o| Idempotency {
                        key: format!("{}:{}", o.key, id.get()),
                        fingerprint: o.fingerprint.clone(),
                    }),
                },
            )
            .await
            .map(|_| ()),
            _ => Err(AppError::NotFound),
        };
        out.push(Outcome {
            id: *id,
            number: row.map(|r| r.number.clone()).unwrap_or_default(),
            title: row.map(|r| r.title.clone()).unwrap_or_default(),
            result,
        });
    }
    Ok(out)
}
