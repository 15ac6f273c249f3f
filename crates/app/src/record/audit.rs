//! The record's integrity (RX.2): signed checkpoints of all stream heads, and a verification
//! an auditor can run on a copy of the database with only the platform's public key (and the
//! policy, which says which fields each signature covers).

use crate::{AppError, Platform};
use store::Conn;
use store::events::Breach;

/// Signs the current heads of all streams. Returns the checkpoint id, or `None` when nothing
/// was recorded since the last one.
pub async fn checkpoint(p: &Platform) -> Result<Option<i64>, AppError> {
    let key = p.key.clone();
    let clock = p.settings.clock.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let heads = heads(c).await?;
                let last = store::checkpoints::all(c).await?.pop();
                if heads.is_empty() || last.is_some_and(|l| l.heads == heads) {
                    return Ok(None);
                }
                let at = store::timestamp(clock.now());
                Ok(Some(store::checkpoints::write(c, &at, &heads, &key).await?))
            })
        })
        .await
}

async fn heads(c: &mut Conn) -> Result<store::events::Heads, AppError> {
    // The heads by index, not by walking every chain: a checkpoint must stay cheap at any size.
    // `audit verify` is what walks the chains.
    Ok(store::events::heads(c).await?)
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub enum Verdict {
    Intact { events: u64, checkpoints: usize },
    Broken(Breach),
}

/// Walks every chain, then checks every checkpoint's signature against `public` and that the
/// heads it signed are still there with the same hashes.
pub async fn verify(
    store: &store::Store,
    public: &crypto::PublicKey,
    policy: &domain::Policy,
) -> Result<Verdict, AppError> {
    let mut c = store.read().await?;
    let (events, heads) = match store::events::verify(&mut c).await? {
        Ok(v) => v,
        Err(b) => return Ok(Verdict::Broken(b)),
    };
    let checkpoints = store::checkpoints::all(&mut c).await?;
    for cp in &checkpoints {
        if !cp.is_signed_by(public) {
            return Ok(Verdict::Broken(Breach {
                event_id: 0,
                stream: format!("checkpoint:{}", cp.id),
                seq: 0,
                what: "the checkpoint's signature does not verify with the platform key".into(),
            }));
        }
        for (stream, (seq, hash)) in &cp.heads {
            let stored = heads.get(stream);
            let present = match stored {
                Some((head_seq, _)) if head_seq >= seq => {
                    let ev = store::events::stream(&mut c, stream).await?;
                    ev.iter()
                        .find(|e| e.seq == *seq)
                        .map(|e| (e.id, e.hash.clone()))
                }
                _ => None,
            };
            match present {
                Some((_, h)) if &h == hash => {}
                Some((id, _)) => {
                    return Ok(Verdict::Broken(Breach {
                        event_id: id,
                        stream: stream.clone(),
                        seq: *seq,
                        what: format!("it differs from the hash signed in checkpoint {}", cp.id),
                    }));
                }
                None => {
                    return Ok(Verdict::Broken(Breach {
                        event_id: 0,
                        stream: stream.clone(),
                        seq: *seq,
                        what: format!(
                            "event #{seq} of this stream, signed in checkpoint {}, is missing",
                            cp.id
                        ),
                    }));
                }
            }
        }
    }
    // Signatures first: a signed entry changed in place is named as such, by its number.
    if let Some(number) = crate::signing::first_invalid(&mut c, policy).await? {
        return Ok(Verdict::Broken(Breach {
            event_id: 0,
            stream: number,
            seq: 0,
            what: "the electronic signature does not match the signed content".into(),
        }));
    }
    if let Some(b) = state_matches_record(&mut c).await? {
        return Ok(Verdict::Broken(b));
    }
    if let Some(b) = files_match_record(&mut c).await? {
        return Ok(Verdict::Broken(b));
    }
    Ok(Verdict::Intact {
        events,
        checkpoints: checkpoints.len(),
    })
}

/// What replaying an item's record gives: its state and fields, and its last event (id, seq).
#[derive(Default)]
struct Replayed {
    state: String,
    fields: serde_json::Map<String, serde_json::Value>,
    /// The organisation of the first step (the owner) and every (action, user) in order.
    owner: Option<i64>,
    acts: Vec<domain::Act>,
    last: (i64, i64),
}

fn db(e: store::sqlx::Error) -> AppError {
    AppError::from(store::StoreError::from(e))
}

/// Replays each item's record and compares it with the current-state row, so a state or an
/// amount changed behind the platform's back (in `items`, not in `events`) is reported too.
async fn state_matches_record(c: &mut Conn) -> Result<Option<Breach>, AppError> {
    use store::sqlx::{self, Row};
    let rows = sqlx::query("SELECT stream, after_state, payload, id, seq, action, actor_id, role FROM events WHERE stream LIKE 'item:%' ORDER BY stream, seq")
        .fetch_all(&mut *c)
        .await
        .map_err(db)?;
    let mut replayed: std::collections::HashMap<i64, Replayed> = Default::default();
    for r in &rows {
        let stream: String = r.try_get(0).map_err(db)?;
        let Some(item_id) = stream
            .strip_prefix("item:")
            .and_then(|s| s.parse::<i64>().ok())
        else {
            continue;
        };
        let entry = replayed.entry(item_id).or_default();
        if let Some(s) = r.try_get::<Option<String>, _>(1).map_err(db)? {
            entry.state = s;
        }
        let payload: String = r.try_get(2).map_err(db)?;
        if let Ok(serde_json::Value::Object(mut p)) =
            serde_json::from_str::<serde_json::Value>(&payload)
        {
            if entry.owner.is_none() {
                entry.owner = p.get("org_id").and_then(serde_json::Value::as_i64);
            }
            if let Some(serde_json::Value::Object(changes)) = p.remove("changes") {
                entry.fields.extend(changes);
            }
        }
        entry.last = (r.try_get(3).map_err(db)?, r.try_get(4).map_err(db)?);
        let actor: Option<i64> = r.try_get(6).map_err(db)?;
        entry.acts.push(domain::Act {
            action: r.try_get(5).map_err(db)?,
            user: domain::UserId::new(actor.unwrap_or(0)),
            role: r.try_get(7).map_err(db)?,
        });
    }
    let items = sqlx::query("SELECT id, state, fields, owner_org_id, acts FROM items ORDER BY id")
        .fetch_all(&mut *c)
        .await
        .map_err(db)?;
    for r in &items {
        let id: i64 = r.try_get(0).map_err(db)?;
        let state: String = r.try_get(1).map_err(db)?;
        let fields: String = r.try_get(2).map_err(db)?;
        let fields: serde_json::Value = serde_json::from_str(&fields).unwrap_or_default();
        let owner: i64 = r.try_get(3).map_err(db)?;
        let acts: String = r.try_get(4).map_err(db)?;
        let acts: Vec<domain::Act> = serde_json::from_str(&acts).unwrap_or_default();
        let breach = |what: &str, (event_id, seq): (i64, i64)| Breach {
            event_id,
            stream: format!("item:{id}"),
            seq,
            what: what.to_string(),
        };
        match replayed.get(&id) {
            None => {
                return Ok(Some(breach(
                    "the item has no record: it was inserted behind the platform's back",
                    (0, 0),
                )));
            }
            Some(r)
                if r.state != state
                    || serde_json::Value::Object(r.fields.clone()) != fields
                    || r.owner != Some(owner)
                    || !same_acts(&r.acts, &acts) =>
            {
                return Ok(Some(breach(
                    "the item's current state differs from what its record says",
                    r.last,
                )));
            }
            Some(_) => {}
        }
    }
    // A record whose item row is gone: the item was deleted behind the platform's back.
    let present: std::collections::HashSet<i64> = items
        .iter()
        .filter_map(|r| r.try_get::<i64, _>(0).ok())
        .collect();
    if let Some((id, r)) = replayed
        .iter()
        .filter(|(id, _)| !present.contains(id))
        .min_by_key(|(id, _)| **id)
    {
        return Ok(Some(Breach {
            event_id: r.last.0,
            stream: format!("item:{id}"),
            seq: r.last.1,
            what: "the item's record exists but its current-state row was deleted".to_string(),
        }));
    }
    Ok(None)
}

/// Acts as replayed against acts as stored. Items written before acts carried their role
/// store an empty role; the record has it, so an empty stored role matches any.
fn same_acts(replayed: &[domain::Act], stored: &[domain::Act]) -> bool {
    replayed.len() == stored.len()
        && replayed.iter().zip(stored).all(|(r, s)| {
            r.action == s.action && r.user == s.user && (s.role.is_empty() || r.role == s.role)
        })
}

/// Every kept file (attachment, generated document) must hash to the SM3 digest its item's
/// record carries; the item's fields were just checked against the record, so the digest is
/// looked up there. A swapped file, even with its `files.sm3` rewritten, is reported.
async fn files_match_record(c: &mut Conn) -> Result<Option<Breach>, AppError> {
    use store::sqlx::{self, Row};
    let rows = sqlx::query(
        "SELECT f.item_id, f.name, f.sm3, f.content, i.fields FROM files f JOIN items i ON i.id = f.item_id ORDER BY f.id",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(db)?;
    for r in &rows {
        let item_id: i64 = r.try_get(0).map_err(db)?;
        let name: String = r.try_get(1).map_err(db)?;
        let stored: String = r.try_get(2).map_err(db)?;
        let content: Vec<u8> = r.try_get(3).map_err(db)?;
        let fields: String = r.try_get(4).map_err(db)?;
        let actual = crypto::sm3_hex(&content);
        if actual != stored || !fields.contains(&actual) {
            return Ok(Some(Breach {
                event_id: 0,
                stream: format!("item:{item_id}"),
                seq: 0,
                what: format!(
                    "the kept file \"{name}\" does not hash to the digest in the item's record"
                ),
            }));
        }
    }
    Ok(None)
}
