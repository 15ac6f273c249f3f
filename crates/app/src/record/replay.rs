//! Replays each item's record and compares it with its current-state row, so a state or an
//! amount changed behind the platform's back (in `items`, not in `events`) is reported too.
//! The record is read a page at a time and one item is replayed at a time, so verification's
//! memory does not grow with the number of items.

use crate::AppError;
use store::Conn;
use store::events::Breach;
use store::sqlx::{self, Row};

/// What replaying an item's record gives.
#[derive(Default)]
struct Replayed {
    id: i64,
    state: String,
    fields: serde_json::Map<String, serde_json::Value>,
    /// The organisation of the first step (the owner) and every (action, user) in order.
    owner: Option<i64>,
    acts: Vec<domain::Act>,
    /// Its last event (id, seq).
    last: (i64, i64),
}

const PAGE: i64 = 5_000;

fn db(e: sqlx::Error) -> AppError {
    AppError::from(store::StoreError::from(e))
}

pub async fn state_matches_record(c: &mut Conn) -> Result<Vec<Breach>, AppError> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut current: Option<Replayed> = None;
    let (mut after_stream, mut after_seq) = (String::from("item:"), 0i64);
    loop {
        // `item;` sorts right after every `item:...`: the range reads item streams only.
        let rows = sqlx::query(
            "SELECT stream, after_state, payload, id, seq, action, actor_id, role FROM events \
             WHERE stream >= 'item:' AND stream < 'item;' AND (stream > $1 OR (stream = $1 AND seq > $2)) \
             ORDER BY stream, seq LIMIT $3",
        )
        .bind(&after_stream)
        .bind(after_seq)
        .bind(PAGE)
        .fetch_all(&mut *c)
        .await
        .map_err(db)?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let stream: String = r.try_get(0).map_err(db)?;
            after_seq = r.try_get(4).map_err(db)?;
            if stream != after_stream {
                after_stream.clone_from(&stream);
            }
            let Some(item_id) = stream
                .strip_prefix("item:")
                .and_then(|s| s.parse::<i64>().ok())
            else {
                continue;
            };
            if current.as_ref().is_none_or(|cur| cur.id != item_id) {
                if let Some(done) = current.take() {
                    found.extend(compare(c, done).await?);
                }
                seen.insert(item_id);
                current = Some(Replayed {
                    id: item_id,
                    ..Replayed::default()
                });
            }
            let Some(entry) = current.as_mut() else {
                continue;
            };
            if let Some(s) = r.try_get::<Option<String>, _>(1).map_err(db)? {
                entry.state = s;
            }
            let payload: String = r.try_get(2).map_err(db)?;
            // Whom a hand-over or a copy named, as recorded.
            let (mut to, mut to_orgs) = (Vec::new(), Vec::new());
            if let Ok(serde_json::Value::Object(mut p)) =
                serde_json::from_str::<serde_json::Value>(&payload)
            {
                if entry.owner.is_none() {
                    entry.owner = p.get("org_id").and_then(serde_json::Value::as_i64);
                }
                if let Some(serde_json::Value::Object(changes)) = p.remove("changes") {
                    entry.fields.extend(changes);
                }
                let ids = |k: &str| -> Vec<i64> {
                    p.get(k)
                        .and_then(serde_json::Value::as_array)
                        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
                        .unwrap_or_default()
                };
                to = ids("to").into_iter().map(domain::UserId::new).collect();
                to_orgs = ids("to_orgs").into_iter().map(domain::OrgId::new).collect();
            }
            entry.last = (r.try_get(3).map_err(db)?, after_seq);
            let actor: Option<i64> = r.try_get(6).map_err(db)?;
            entry.acts.push(domain::Act {
                action: r.try_get(5).map_err(db)?,
                user: domain::UserId::new(actor.unwrap_or(0)),
                role: r.try_get(7).map_err(db)?,
                to,
                to_orgs,
                on: None,
            });
        }
    }
    if let Some(done) = current.take() {
        found.extend(compare(c, done).await?);
    }
    // Items with no record at all: inserted behind the platform's back.
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM items WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *c)
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(db)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids.iter().filter(|id| !seen.contains(id)) {
            found.push(Breach {
                event_id: 0,
                stream: format!("item:{id}"),
                seq: 0,
                what: "the item has no record: it was inserted behind the platform's back".into(),
            });
        }
    }
    Ok(found)
}

/// The item's row against its replayed record.
async fn compare(c: &mut Conn, r: Replayed) -> Result<Option<Breach>, AppError> {
    let row = sqlx::query("SELECT state, fields, owner_org_id, acts FROM items WHERE id = $1")
        .bind(r.id)
        .fetch_optional(&mut *c)
        .await
        .map_err(db)?;
    let breach = |what: &str| Breach {
        event_id: r.last.0,
        stream: format!("item:{}", r.id),
        seq: r.last.1,
        what: what.to_string(),
    };
    let Some(row) = row else {
        return Ok(Some(breach(
            "the item's record exists but its current-state row was deleted",
        )));
    };
    let state: String = row.try_get(0).map_err(db)?;
    let fields: String = row.try_get(1).map_err(db)?;
    let fields: serde_json::Value = serde_json::from_str(&fields).unwrap_or_default();
    let owner: i64 = row.try_get(2).map_err(db)?;
    let acts: String = row.try_get(3).map_err(db)?;
    let acts: Vec<domain::Act> = serde_json::from_str(&acts).unwrap_or_default();
    if r.state != state
        || serde_json::Value::Object(r.fields.clone()) != fields
        || r.owner != Some(owner)
        || !same_acts(&r.acts, &acts)
    {
        return Ok(Some(breach(
            "the item's current state differs from what its record says",
        )));
    }
    Ok(None)
}

/// Acts as replayed against acts as stored. Items written before acts carried their role
/// store an empty role; the record has it, so an empty stored role matches any. Whom a
/// hand-over or a copy named must match too (a holder changed behind the platform's back).
fn same_acts(replayed: &[domain::Act], stored: &[domain::Act]) -> bool {
    replayed.len() == stored.len()
        && replayed.iter().zip(stored).all(|(r, s)| {
            r.action == s.action
                && r.user == s.user
                && (s.role.is_empty() || r.role == s.role)
                && r.to == s.to
                && r.to_orgs == s.to_orgs
        })
}
