//! Checkpoints: numbered, each signing (SM2) the ledger's head and the previous checkpoint's
//! digest, so they form a chain of their own and stay the same size however many streams the
//! record holds. The newest one, kept outside the database (an anchor), proves later that the
//! database still holds everything up to it.

use crate::{Conn, StoreError, ledger};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub number: i64,
    pub at: String,
    /// The ledger place it covers, and that place's link.
    pub lseq: i64,
    pub lhash: String,
    /// The digest of checkpoint `number - 1` (the genesis hash for the first).
    pub prev_digest: String,
    /// The signing key (`crypto::PublicKey::id`).
    pub key_id: String,
    pub digest: String,
    pub signature: String,
}

impl Checkpoint {
    fn canonical(&self) -> String {
        serde_json::json!([
            "tongchou checkpoint",
            self.number,
            self.at,
            self.lseq,
            self.lhash,
            self.prev_digest,
            self.key_id
        ])
        .to_string()
    }

    /// Whether the digest matches the content.
    pub fn digest_ok(&self) -> bool {
        crypto::sm3_hex(self.canonical().as_bytes()) == self.digest
    }

    /// Whether one of `keys` (the one with the checkpoint's key id) signed the digest.
    pub fn signed_by(&self, keys: &[crypto::PublicKey]) -> bool {
        self.digest_ok()
            && keys
                .iter()
                .filter(|k| k.id() == self.key_id)
                .any(|k| k.verify(self.digest.as_bytes(), &self.signature))
    }

    /// One line of JSON, as kept in an anchor file.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_line(line: &str) -> Result<Checkpoint, StoreError> {
        serde_json::from_str(line.trim())
            .map_err(|e| StoreError::Corrupt(format!("not a checkpoint line: {e}")))
    }
}

const COLUMNS: &str = "number, at, lseq, lhash, prev_digest, key_id, digest, signature";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        number: r.try_get(0)?,
        at: r.try_get(1)?,
        lseq: r.try_get(2)?,
        lhash: r.try_get(3)?,
        prev_digest: r.try_get(4)?,
        key_id: r.try_get(5)?,
        digest: r.try_get(6)?,
        signature: r.try_get(7)?,
    })
}

/// The newest checkpoint.
pub async fn last(c: &mut Conn) -> Result<Option<Checkpoint>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM ledger_checkpoints ORDER BY number DESC LIMIT 1"
    ))
    .fetch_optional(&mut *c)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Checkpoint `number`, if kept.
pub async fn get(c: &mut Conn, number: i64) -> Result<Option<Checkpoint>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM ledger_checkpoints WHERE number = $1"
    ))
    .bind(number)
    .fetch_optional(&mut *c)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Up to `limit` checkpoints after number `after`, in order: verification reads them a page
/// at a time.
pub async fn page(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<Checkpoint>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM ledger_checkpoints WHERE number > $1 ORDER BY number LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Checks, on a read connection and outside the writer, every entry since the last
/// checkpoint up to the head as it is now; returns that head's (place, link), from which the
/// writer's own check (`write`) then starts, so that a checkpoint after a bulk import does not
/// hold the writer for the seconds its check takes. `None` when nothing is new.
pub async fn precheck(
    c: &mut Conn,
    key: &crypto::MacKey,
) -> Result<Option<(i64, String)>, StoreError> {
    let Some(head) = ledger::head(c).await? else {
        return Ok(None);
    };
    let (from_lseq, from_lhash) = match last(c).await? {
        Some(l) => (l.lseq, l.lhash),
        None => (0, ledger::GENESIS.to_string()),
    };
    if head.lseq <= from_lseq {
        return Ok(None);
    }
    ledger::none_outside(c).await?;
    ledger::check_since(c, key, from_lseq, &from_lhash, &head).await?;
    Ok(Some((head.lseq, head.lhash)))
}

/// Signs the ledger's head when it moved since the last checkpoint; `None` when nothing was
/// recorded since. Runs in the writer. Before signing, it checks every entry since the last
/// checkpoint, or since `checked` (what `precheck` verified, if that entry is still as it
/// was): its link, its MAC, its own chain hash, and the head's MAC, so that an event slipped
/// into the database is refused rather than signed.
pub async fn write(
    c: &mut Conn,
    at: &str,
    key: &crypto::KeyPair,
    checked: Option<(i64, String)>,
) -> Result<Option<Checkpoint>, StoreError> {
    let head = ledger::head(c)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the ledger has no head row".into()))?;
    let last = last(c).await?;
    let (mut from_lseq, mut from_lhash) = last
        .as_ref()
        .map(|l| (l.lseq, l.lhash.clone()))
        .unwrap_or((0, ledger::GENESIS.to_string()));
    ledger::none_outside(c).await?;
    if head.lseq == from_lseq || only_itself(c, &head, last.as_ref()).await? {
        return Ok(None);
    }
    if let Some((lseq, lhash)) = checked
        && lseq > from_lseq
        && lseq <= head.lseq
        && crate::events::by_place(c, lseq - 1, 1)
            .await?
            .first()
            .is_some_and(|(_, p)| p.lseq == lseq && p.lhash == lhash)
    {
        (from_lseq, from_lhash) = (lseq, lhash);
    }
    let mac = ledger::key()?;
    ledger::check_since(c, &mac, from_lseq, &from_lhash, &head).await?;
    let mut cp = Checkpoint {
        number: last.as_ref().map_or(1, |l| l.number + 1),
        at: at.to_string(),
        lseq: head.lseq,
        lhash: head.lhash,
        prev_digest: last.map_or_else(|| ledger::GENESIS.to_string(), |l| l.digest),
        key_id: key.public().id(),
        digest: String::new(),
        signature: String::new(),
    };
    cp.digest = crypto::sm3_hex(cp.canonical().as_bytes());
    cp.signature = key
        .sign(cp.digest.as_bytes())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(&format!(
        "INSERT INTO ledger_checkpoints ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(cp.number)
    .bind(&cp.at)
    .bind(cp.lseq)
    .bind(&cp.lhash)
    .bind(&cp.prev_digest)
    .bind(&cp.key_id)
    .bind(&cp.digest)
    .bind(&cp.signature)
    .execute(&mut *c)
    .await?;
    crate::events::append(c, &record_of(&cp)).await?;
    Ok(Some(cp))
}

/// The stream in which each checkpoint is itself recorded, so a deleted checkpoint row is
/// named by the ledger.
pub const STREAM: &str = "checkpoints";

fn record_of(cp: &Checkpoint) -> crate::events::NewEvent {
    crate::events::NewEvent {
        stream: STREAM.to_string(),
        at: cp.at.clone(),
        actor_id: None,
        actor_name: "platform".to_string(),
        org_name: String::new(),
        role: String::new(),
        action: "checkpoint".to_string(),
        article: "RX.2".to_string(),
        policy_version: String::new(),
        payload: serde_json::json!({ "number": cp.number, "digest": cp.digest }).to_string(),
        before_state: None,
        after_state: None,
        context: None,
    }
}

/// The (number, digest) a checkpoint's own record names.
pub fn recorded(payload: &str) -> Option<(i64, String)> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    Some((v["number"].as_i64()?, v["digest"].as_str()?.to_string()))
}

/// Whether the only entry since the last checkpoint is that checkpoint's own record: then
/// nothing happened, and signing again would only sign the signing.
async fn only_itself(
    c: &mut Conn,
    head: &ledger::Head,
    last: Option<&Checkpoint>,
) -> Result<bool, StoreError> {
    let Some(last) = last else { return Ok(false) };
    if head.lseq != last.lseq + 1 {
        return Ok(false);
    }
    let page = crate::events::by_place(c, last.lseq, 1).await?;
    Ok(page.first().is_some_and(|(e, _)| {
        e.event.stream == STREAM
            && recorded(&e.event.payload).is_some_and(|(n, _)| n == last.number)
    }))
}
