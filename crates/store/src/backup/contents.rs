//! What a database or a snapshot holds, as a backup's manifest names it, and how two such
//! descriptions differ: the types both engines fill in and a restore compares, apart from the
//! code that reads them.

use crate::checkpoints::Checkpoint;
use serde::{Deserialize, Serialize};

/// One table's place in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDigest {
    pub name: String,
    pub rows: u64,
    pub digest: String,
}

/// A table named with the reason it is treated apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apart {
    pub name: String,
    pub reason: String,
}

/// The newest ledger place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPlace {
    pub lseq: i64,
    pub lhash: String,
}

/// What a database (or a snapshot of it) holds: every table's digest and rows, the tables
/// not digested, the tables whose rows are not kept, the ledger's head and the newest
/// signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub tables: Vec<TableDigest>,
    pub not_digested: Vec<Apart>,
    pub rows_not_kept: Vec<Apart>,
    pub ledger: Option<LedgerPlace>,
    pub checkpoint: Option<Checkpoint>,
}

impl Contents {
    /// Rows in the digested tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn table(&self, name: &str) -> Option<&TableDigest> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// How `found` differs from these contents, one line per difference; empty when equal.
    pub fn differences(&self, found: &Contents) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tables {
            match found.table(&t.name) {
                None => out.push(format!("table {} is missing", t.name)),
                Some(f) if f.rows != t.rows => out.push(format!(
                    "table {}: {} rows instead of {}",
                    t.name, f.rows, t.rows
                )),
                Some(f) if f.digest != t.digest => out.push(format!(
                    "table {}: digest {} instead of {}",
                    t.name, f.digest, t.digest
                )),
                Some(_) => {}
            }
        }
        for f in &found.tables {
            if self.table(&f.name).is_none() {
                out.push(format!("table {} was not in the backup", f.name));
            }
        }
        if self.ledger != found.ledger {
            out.push(format!(
                "the ledger's head is {} instead of {}",
                place(found.ledger.as_ref()),
                place(self.ledger.as_ref())
            ));
        }
        let number = |c: &Option<Checkpoint>| c.as_ref().map(|c| (c.number, c.digest.clone()));
        if number(&self.checkpoint) != number(&found.checkpoint) {
            out.push("the newest checkpoint is not the one in the backup".into());
        }
        out
    }
}

fn place(p: Option<&LedgerPlace>) -> String {
    p.map_or_else(
        || "absent".to_string(),
        |p| format!("place {} ({})", p.lseq, p.lhash),
    )
}
