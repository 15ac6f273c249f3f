//! The append-only record (RX.2). Each stream (one item, or the security log) is a hash chain:
//! hash = SM3(prev_hash || canonical content). `verify` walks every chain and names the first
//! event that was altered, removed or inserted behind the platform's back.

use crate::{Conn, StoreError};
use serde::Serialize;
use sqlx::Row;

/// The hash a stream starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything that goes into one record, besides its place in the chain.
#[derive(Debug, Clone, Serialize)]
pub struct NewEvent {
    pub stream: String,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_name: String,
    pub role: String,
    pub action: String,
    pub article: String,
    pub policy_version: String,
    /// JSON text.
    pub payload: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub id: i64,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    #[serde(flatten)]
    pub event: NewEvent,
}

/// The canonical bytes that are hashed: a JSON array in fixed order, so any change to any
/// field (or to its place in the chain) changes the hash.
fn canonical(seq: i64, e: &NewEvent) -> String {
    serde_json::json!([
        e.stream,
        seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.org_name,
        e.role,
        e.action,
        e.article,
        e.policy_version,
        e.payload,
        e.before_state,
        e.after_state
    ])
    .to_string()
}

pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    crypto::sm3_parts(&[prev_hash.as_bytes(), b"\n", canonical(seq, e).as_bytes()])
}

/// Appends to the end of the event's stream. Must run inside the writer's transaction so
/// the state change and its record commit together.
pub async fn append(c: &mut Conn, e: &NewEvent) -> Result<StoredEvent, StoreError> {
    let last =
        sqlx::query("SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1")
            .bind(&e.stream)
            .fetch_optional(&mut *c)
            .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)? + 1, row.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let hash = chain_hash(&prev_hash, seq, e);
    let row = sqlx::query(
        "INSERT INTO events (stream, seq, at, actor_id, actor_name, org_name, role, action, article, \
         policy_version, payload, before_state, after_state, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&e.stream)
    .bind(seq)
    .bind(&e.at)
    .bind(e.actor_id)
    .bind(&e.actor_name)
    .bind(&e.org_name)
    .bind(&e.role)
    .bind(&e.action)
    .bind(&e.article)
    .bind(&e.policy_version)
    .bind(&e.payload)
    .bind(&e.before_state)
    .bind(&e.after_state)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut *c)
    .await?;
    Ok(StoredEvent {
        id: row.try_get(0)?,
        seq,
        prev_hash,
        hash,
        event: e.clone(),
    })
}

const COLUMNS: &str = "id, seq, prev_hash, hash, stream, at, actor_id, actor_name, org_name, role, action, \
                       article, policy_version, payload, before_state, after_state";

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        id: row.try_get(0)?,
        seq: row.try_get(1)?,
        prev_hash: row.try_get(2)?,
        hash: row.try_get(3)?,
        event: NewEvent {
            stream: row.try_get(4)?,
            at: row.try_get(5)?,
            actor_id: row.try_get(6)?,
            actor_name: row.try_get(7)?,
            org_name: row.try_get(8)?,
            role: row.try_get(9)?,
            action: row.try_get(10)?,
            article: row.try_get(11)?,
            policy_version: row.try_get(12)?,
            payload: row.try_get(13)?,
            before_state: row.try_get(14)?,
            after_state: row.try_get(15)?,
        },
    })
}

/// The history of one stream, oldest first.
pub async fn stream(c: &mut Conn, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events WHERE stream = $1 ORDER BY seq"
    ))
    .bind(stream)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// What is wrong with the record, naming the first bad event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub event_id: i64,
    pub stream: String,
    pub seq: i64,
    pub what: String,
}

/// The head (last seq and hash) of each stream.
pub type Heads = std::collections::BTreeMap<String, (i64, String)>;

/// The last (seq, hash) of every stream, read through the (stream, seq) index.
pub async fn heads(c: &mut Conn) -> Result<Heads, StoreError> {
    let rows = sqlx::query(
        "SELECT e.stream, e.seq, e.hash FROM events e \
         JOIN (SELECT stream, MAX(seq) AS seq FROM events GROUP BY stream) h ON h.stream = e.stream AND h.seq = e.seq",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut heads = Heads::new();
    for r in &rows {
        heads.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    Ok(heads)
}

/// Walks every chain in id order of streams. Returns the number of events checked and the
/// heads, or the first breach.
pub async fn verify(c: &mut Conn) -> Result<Result<(u64, Heads), Breach>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events ORDER BY stream, seq, id"
    ))
    .fetch_all(&mut *c)
    .await?;
    let mut heads = Heads::new();
    let mut breaches: Vec<Breach> = Vec::new();
    let mut count = 0u64;
    for row in &rows {
        let ev = from_row(row)?;
        count += 1;
        let (expected_seq, expected_prev) = match heads.get(&ev.event.stream) {
            Some((seq, hash)) => (seq + 1, hash.clone()),
            None => (1, GENESIS.to_string()),
        };
        let breach = |what: &str| Breach {
            event_id: ev.id,
            stream: ev.event.stream.clone(),
            seq: ev.seq,
            what: what.to_string(),
        };
        if ev.seq != expected_seq {
            breaches.push(breach(if ev.seq > expected_seq {
                "an earlier event of this stream is missing"
            } else {
                "an event was inserted with a sequence number already used"
            }));
        } else if ev.prev_hash != expected_prev {
            breaches.push(breach(
                "its link to the previous event is broken (inserted or reordered)",
            ));
        } else if chain_hash(&ev.prev_hash, ev.seq, &ev.event) != ev.hash {
            breaches.push(breach("its content was altered after it was recorded"));
        }
        heads.insert(ev.event.stream.clone(), (ev.seq, ev.hash.clone()));
    }
    // Report the earliest recorded breach (the lowest event id), the first thing to look at.
    match breaches.into_iter().min_by_key(|b| b.event_id) {
        Some(b) => Ok(Err(b)),
        None => Ok(Ok((count, heads))),
    }
}
