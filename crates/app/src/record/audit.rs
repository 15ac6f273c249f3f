//! The record's integrity (RX.2): the ledger and its signed checkpoints, and a verification an
//! auditor can run on a copy of the database with the platform's public keys (and, on the
//! server, the ledger's MAC key; and an anchor kept elsewhere), which names every breach.

use crate::{AppError, Platform};
use std::path::Path;
use store::Conn;
use store::checkpoints::Checkpoint;
use store::events::Breach;

/// Signs the ledger's head when something was recorded since the last checkpoint, and appends
/// it to the anchor file when one is configured. Returns the checkpoint's number, or `None`.
pub async fn checkpoint(p: &Platform) -> Result<Option<i64>, AppError> {
    let key = p.key.clone();
    let clock = p.settings.clock.clone();
    // The long check runs on a read connection; the writer only checks what came since.
    let checked = match p.store.ledger_key() {
        Some(mac) => store::checkpoints::precheck(&mut *p.store.read().await?, &mac).await?,
        None => None,
    };
    let cp = p
        .store
        .write(move |c| {
            Box::pin(async move {
                let at = store::timestamp(clock.now());
                Ok::<_, AppError>(store::checkpoints::write(c, &at, &key, checked).await?)
            })
        })
        .await?;
    let Some(cp) = cp else { return Ok(None) };
    if let Some(path) = &p.settings.anchor_file {
        append_anchor(path, &cp)?;
    }
    Ok(Some(cp.number))
}

/// The newest signed checkpoint, to be kept outside the database.
pub async fn anchor(store: &store::Store) -> Result<Option<Checkpoint>, AppError> {
    Ok(store::checkpoints::last(&mut *store.read().await?).await?)
}

fn append_anchor(path: &Path, cp: &Checkpoint) -> Result<(), AppError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            AppError::Startup(format!("cannot open anchor file {}: {e}", path.display()))
        })?;
    writeln!(f, "{}", cp.to_line())
        .and_then(|()| f.sync_data())
        .map_err(|e| AppError::Startup(format!("cannot write anchor file {}: {e}", path.display())))
}

/// The newest checkpoint in an anchor file (its last line).
pub fn read_anchor(path: &Path) -> Result<Checkpoint, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Startup(format!("cannot read anchor {}: {e}", path.display())))?;
    let line = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .ok_or_else(|| AppError::Startup(format!("the anchor {} is empty", path.display())))?;
    Ok(Checkpoint::from_line(line)?)
}

/// What a verification trusts.
#[derive(Clone)]
pub struct Trust {
    pub public_keys: Vec<crypto::PublicKey>,
    /// Present where the verifier can read the ledger's key file (on the server); an auditor
    /// with a copy of the database and the public keys only checks everything else.
    pub mac_key: Option<crypto::MacKey>,
    pub anchor: Option<Checkpoint>,
}

impl Trust {
    /// What the files beside `key_file` give: its public keys, and the ledger key if readable.
    pub fn of_key_file(key_file: &Path) -> Result<Trust, AppError> {
        let mac_key = std::fs::read_to_string(crate::keys::ledger_key_path(key_file))
            .ok()
            .and_then(|t| crypto::MacKey::from_hex(&t).ok());
        Ok(Trust {
            public_keys: crate::keys::public_keys_of(key_file)?,
            mac_key,
            anchor: None,
        })
    }
}

impl Platform {
    /// What this platform's own key files let a verifier check.
    pub fn trust(&self) -> Result<Trust, AppError> {
        Trust::of_key_file(&self.settings.key_file)
    }
}

/// The outcome of a verification: what was checked and every breach found.
#[derive(Debug, Clone)]
pub struct Report {
    pub events: u64,
    pub checkpoints: u64,
    pub breaches: Vec<Breach>,
    /// Breaches beyond those listed.
    pub unlisted: u64,
    pub mac_checked: bool,
    pub anchored: bool,
}

impl Report {
    pub fn is_intact(&self) -> bool {
        self.breaches.is_empty() && self.unlisted == 0
    }

    /// The breaches that concern one stream (`item:7`, `security`, `checkpoint:3` ...).
    pub fn on(&self, stream: &str) -> Vec<&Breach> {
        self.breaches
            .iter()
            .filter(|b| b.stream == stream)
            .collect()
    }

    /// Whether some breach says `words`.
    pub fn says(&self, words: &str) -> bool {
        self.breaches.iter().any(|b| b.what.contains(words))
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.breaches {
            writeln!(
                f,
                "BROKEN: event {} (stream {}, #{}): {}",
                b.event_id, b.stream, b.seq, b.what
            )?;
        }
        if self.unlisted > 0 {
            writeln!(f, "... and {} more breaches", self.unlisted)?;
        }
        let state = if self.is_intact() { "intact" } else { "BROKEN" };
        write!(
            f,
            "{state}: {} events in the ledger and their chains, {} signed checkpoints; MACs {}; anchor {}",
            self.events,
            self.checkpoints,
            if self.mac_checked {
                "checked"
            } else {
                "not checked (no ledger key)"
            },
            if self.anchored {
                "checked"
            } else {
                "not given"
            },
        )
    }
}

/// Walks the ledger and every chain, every checkpoint, the anchor if given, every electronic
/// signature, every item's current state against its record and every kept file, and names
/// every breach.
pub async fn verify(
    store: &store::Store,
    trust: &Trust,
    policy: &domain::Policy,
) -> Result<Report, AppError> {
    let mut c = store.read().await?;
    let t = store::ledger::Trust {
        public_keys: &trust.public_keys,
        mac_key: trust.mac_key.as_ref(),
        anchor: trust.anchor.as_ref(),
    };
    let mut found = store::ledger::verify(&mut c, &t).await?;
    for number in crate::signing::all_invalid(&mut c, policy).await? {
        found.push(Breach {
            event_id: 0,
            stream: number,
            seq: 0,
            what: "the electronic signature does not match the signed content".into(),
        });
    }
    for b in crate::record::replay::state_matches_record(&mut c).await? {
        found.push(b);
    }
    for b in files_match_record(&mut c).await? {
        found.push(b);
    }
    for b in crate::record::reach::sight_matches_fields(&mut c, policy).await? {
        found.push(b);
    }
    Ok(Report {
        events: found.events,
        checkpoints: found.checkpoints,
        breaches: found.breaches,
        unlisted: found.unlisted,
        mac_checked: found.mac_checked,
        anchored: found.anchored,
    })
}

fn db(e: store::sqlx::Error) -> AppError {
    AppError::from(store::StoreError::from(e))
}

/// Every kept file (attachment, generated document) must hash to the SM3 digest its item's
/// record carries; the item's fields were checked against the record, so the digest is looked
/// up there. A swapped file, even with its `files.sm3` rewritten, is reported. Read one file at
/// a time, so verification's memory does not grow with the files kept.
async fn files_match_record(c: &mut Conn) -> Result<Vec<Breach>, AppError> {
    use store::sqlx::{self, Row};
    let mut found = Vec::new();
    let mut after = 0i64;
    loop {
        let row = sqlx::query(
            "SELECT f.id, f.item_id, f.name, f.sm3, f.content, i.fields FROM files f JOIN items i ON i.id = f.item_id WHERE f.id > $1 ORDER BY f.id LIMIT 1",
        )
        .bind(after)
        .fetch_optional(&mut *c)
        .await
        .map_err(db)?;
        let Some(r) = row else { break };
        after = r.try_get(0).map_err(db)?;
        let item_id: i64 = r.try_get(1).map_err(db)?;
        let name: String = r.try_get(2).map_err(db)?;
        let stored: String = r.try_get(3).map_err(db)?;
        let content: Vec<u8> = r.try_get(4).map_err(db)?;
        let fields: String = r.try_get(5).map_err(db)?;
        let actual = crypto::sm3_hex(&content);
        if actual != stored || !fields.contains(&actual) {
            found.push(Breach {
                event_id: 0,
                stream: format!("item:{item_id}"),
                seq: 0,
                what: format!(
                    "the kept file \"{name}\" does not hash to the digest in the item's record"
                ),
            });
        }
    }
    Ok(found)
}
