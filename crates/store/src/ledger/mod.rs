//! The ledger: every event of every stream also takes the next place in one global sequence,
//! in commit order. Each place links to the one before (`lhash`, which anyone can recompute)
//! and carries an HMAC-SM3 (`mac`) under a key the database never holds, so whoever can write
//! the database but not read the key file cannot add, remove or rewrite an entry that still
//! verifies. The head row names the newest place, so a deleted tail shows too.
//!
//! The key reaches `append` from the single writer (a task-local set around each batch):
//! nothing else appends.

mod verify;

pub use verify::{Findings, MAX_LISTED, Trust, verify};

use crate::{Conn, StoreError};
use crypto::MacKey;
use sqlx::Row;
use std::sync::Arc;

/// Where the ledger starts.
pub const GENESIS: &str = crate::events::GENESIS;

tokio::task_local! {
    static KEY: Arc<MacKey>;
}

/// Runs `f` (a write batch) with the ledger key in reach of `append`.
pub(crate) async fn with_key<F: std::future::Future>(key: Option<Arc<MacKey>>, f: F) -> F::Output {
    match key {
        Some(k) => KEY.scope(k, f).await,
        None => f.await,
    }
}

pub(crate) fn key() -> Result<Arc<MacKey>, StoreError> {
    KEY.try_with(Arc::clone).map_err(|_| {
        StoreError::Unsafe(
            "the ledger key is not loaded: only the platform, holding its key files, records events"
                .into(),
        )
    })
}

/// One place in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub lseq: i64,
    pub lhash: String,
    pub mac: String,
}

/// The link of place `lseq` to the one before, over the event's own chain hash (which covers
/// its content and its place in its stream).
pub fn link(prev_lhash: &str, lseq: i64, event_hash: &str) -> String {
    crypto::sm3_parts(&[
        b"ledger\n",
        prev_lhash.as_bytes(),
        b"\n",
        lseq.to_string().as_bytes(),
        b"\n",
        event_hash.as_bytes(),
    ])
}

fn entry_mac_parts(lseq: &str, lhash: &str) -> [Vec<u8>; 3] {
    [
        b"entry\n".to_vec(),
        format!("{lseq}\n").into_bytes(),
        lhash.as_bytes().to_vec(),
    ]
}

fn head_mac_parts(lseq: &str, lhash: &str) -> [Vec<u8>; 3] {
    [
        b"head\n".to_vec(),
        format!("{lseq}\n").into_bytes(),
        lhash.as_bytes().to_vec(),
    ]
}

fn mac(key: &MacKey, parts: &[Vec<u8>; 3]) -> String {
    key.mac_hex(&[&parts[0], &parts[1], &parts[2]])
}

pub fn entry_mac_ok(key: &MacKey, lseq: i64, lhash: &str, mac_hex: &str) -> bool {
    let p = entry_mac_parts(&lseq.to_string(), lhash);
    key.verify_hex(&[&p[0], &p[1], &p[2]], mac_hex)
}

pub fn head_mac_ok(key: &MacKey, lseq: i64, lhash: &str, mac_hex: &str) -> bool {
    let p = head_mac_parts(&lseq.to_string(), lhash);
    key.verify_hex(&[&p[0], &p[1], &p[2]], mac_hex)
}

/// Takes the next place for an event with chain hash `event_hash`, moving the head. Runs in
/// the writer's transaction: the `UPDATE` holds the head row until commit, so two processes
/// on one PostgreSQL take places one after the other, and a rolled-back step gives its place
/// back.
pub(crate) async fn take_place(c: &mut Conn, event_hash: &str) -> Result<Place, StoreError> {
    let key = key()?;
    let row =
        sqlx::query("UPDATE ledger_head SET lseq = lseq + 1 WHERE id = 1 RETURNING lseq, lhash")
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the ledger has no head row".into()))?;
    let lseq: i64 = row.try_get(0)?;
    let prev: String = row.try_get(1)?;
    let lhash = link(&prev, lseq, event_hash);
    let head_mac = mac(&key, &head_mac_parts(&lseq.to_string(), &lhash));
    sqlx::query("UPDATE ledger_head SET lhash = $1, mac = $2 WHERE id = 1")
        .bind(&lhash)
        .bind(&head_mac)
        .execute(&mut *c)
        .await?;
    let mac = mac(&key, &entry_mac_parts(&lseq.to_string(), &lhash));
    Ok(Place { lseq, lhash, mac })
}

/// The head row as stored: the newest place, its link and its MAC.
#[derive(Debug, Clone)]
pub struct Head {
    pub lseq: i64,
    pub lhash: String,
    pub mac: String,
}

pub async fn head(c: &mut Conn) -> Result<Option<Head>, StoreError> {
    let row = sqlx::query("SELECT lseq, lhash, mac FROM ledger_head WHERE id = 1")
        .fetch_optional(&mut *c)
        .await?;
    row.map(|r| {
        Ok(Head {
            lseq: r.try_get(0)?,
            lhash: r.try_get(1)?,
            mac: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Starts the ledger on first use: a new database gets an empty head; a database recorded
/// before the ledger existed has its events entered in the order they were recorded (their
/// ids), once. A database whose events are in the ledger but whose head is gone was tampered
/// with, and is refused rather than given a new head that would hide it.
pub async fn start(c: &mut Conn) -> Result<(), StoreError> {
    if head(c).await?.is_some() {
        return Ok(());
    }
    let entered: i64 = sqlx::query("SELECT COUNT(*) FROM events WHERE lseq IS NOT NULL")
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
    if entered > 0 {
        return Err(StoreError::Corrupt(
            "the ledger's head row is missing while events are in the ledger: the database was altered; run `tongchou audit verify` and restore from a backup".into(),
        ));
    }
    let key = key()?;
    let genesis_mac = mac(&key, &head_mac_parts("0", GENESIS));
    sqlx::query("INSERT INTO ledger_head (id, lseq, lhash, mac) VALUES (1, 0, $1, $2)")
        .bind(GENESIS)
        .bind(&genesis_mac)
        .execute(&mut *c)
        .await?;
    let earlier = sqlx::query("SELECT id, hash FROM events ORDER BY id")
        .fetch_all(&mut *c)
        .await?;
    for r in &earlier {
        let id: i64 = r.try_get(0)?;
        let hash: String = r.try_get(1)?;
        let place = take_place(c, &hash).await?;
        sqlx::query("UPDATE events SET lseq = $1, lhash = $2, mac = $3 WHERE id = $4")
            .bind(place.lseq)
            .bind(&place.lhash)
            .bind(&place.mac)
            .bind(id)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Refuses to go on (sign) while some event holds no place in the ledger.
pub(crate) async fn none_outside(c: &mut Conn) -> Result<(), StoreError> {
    let (_, outside) = crate::events::unplaced(c, 0).await?;
    if outside > 0 {
        return Err(StoreError::Corrupt(format!(
            "{outside} events hold no place in the ledger; the checkpoint was not signed: run `tongchou audit verify`"
        )));
    }
    Ok(())
}

/// The entries a page of verification reads at once.
pub(crate) const PAGE: i64 = 2_000;

/// Checks the entries after place `from_lseq` (whose link is `from_lhash`) up to `head`:
/// consecutive places, each link, each MAC, each event's own chain hash, and the head's MAC.
/// (Events outside the ledger are the caller's check, `none_outside`, once per phase.)
/// A checkpoint is signed only when this passes, so nothing slipped in gets signed.
pub(crate) async fn check_since(
    c: &mut Conn,
    key: &MacKey,
    from_lseq: i64,
    from_lhash: &str,
    head: &Head,
) -> Result<(), StoreError> {
    let refuse = |what: String| {
        StoreError::Corrupt(format!(
            "{what}; the checkpoint was not signed: run `tongchou audit verify`"
        ))
    };
    let (mut lseq, mut lhash) = (from_lseq, from_lhash.to_string());
    while lseq < head.lseq {
        let page = crate::events::by_place(c, lseq, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for (ev, place) in page.iter().take_while(|(_, p)| p.lseq <= head.lseq) {
            let what = if place.lseq != lseq + 1 {
                Some("a place before it is missing")
            } else if link(&lhash, place.lseq, &ev.hash) != place.lhash {
                Some("its link does not follow from the place before")
            } else if !entry_mac_ok(key, place.lseq, &place.lhash, &place.mac) {
                Some("its MAC does not verify")
            } else if crate::events::chain_hash(&ev.prev_hash, ev.seq, &ev.event) != ev.hash {
                Some("its content does not match its hash")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(refuse(format!(
                    "ledger place {} (event {}): {what}",
                    place.lseq, ev.id
                )));
            }
            lseq = place.lseq;
            lhash.clone_from(&place.lhash);
        }
    }
    if lseq != head.lseq
        || lhash != head.lhash
        || !head_mac_ok(key, head.lseq, &head.lhash, &head.mac)
    {
        return Err(refuse(format!(
            "the ledger's head (place {}) does not match its newest entry (place {lseq}) or its MAC",
            head.lseq
        )));
    }
    Ok(())
}

/// What the database holds that the platform's keys protect: (signed checkpoints or sealed
/// signing keys, a started ledger, keys sealed under a KEK file). The platform refuses to
/// make a new key for any of them.
pub async fn protected(c: &mut Conn) -> Result<(bool, bool, bool), StoreError> {
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM ledger_checkpoints",
        "SELECT COUNT(*) FROM checkpoints",
        "SELECT COUNT(*) FROM signing_keys",
        "SELECT COUNT(*) FROM ledger_head",
        "SELECT COUNT(*) FROM signing_keys WHERE kek_id IS NOT NULL",
    ] {
        let n: i64 = sqlx::query(sql).fetch_one(&mut *c).await?.try_get(0)?;
        counts.push(n > 0);
    }
    Ok((counts[..3].iter().any(|b| *b), counts[3], counts[4]))
}
