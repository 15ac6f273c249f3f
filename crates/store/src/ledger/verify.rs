//! Walks the whole record a page at a time, in ledger order, and names every breach it finds:
//! each stream's chain, each ledger place (its link and, with the key, its MAC), events outside
//! the ledger, every checkpoint (its number, its link to the one before, its digest, its
//! signature, the place it signed), the head, events dated before a checkpoint that does not
//! cover them, and an anchor kept outside the database.

use super::{GENESIS, PAGE, entry_mac_ok, head_mac_ok, link};
use crate::checkpoints::{self, Checkpoint};
use crate::events::{self, Breach};
use crate::{Conn, StoreError};
use std::collections::HashMap;

/// What a verifier trusts: the platform's public keys (every one it has used), and where it
/// runs beside the key files, the MAC key; an anchor is the newest checkpoint as kept
/// outside the database.
pub struct Trust<'a> {
    pub public_keys: &'a [crypto::PublicKey],
    pub mac_key: Option<&'a crypto::MacKey>,
    pub anchor: Option<&'a Checkpoint>,
}

/// The most breaches listed one by one; beyond, they are counted.
pub const MAX_LISTED: usize = 1_000;

/// An event recorded after the last checkpoint may carry a time a little before it (it was
/// decided before the checkpoint was taken and committed just after); more than this, and it
/// claims a time the checkpoint should have covered.
const CLOCK_SLACK_MINUTES: i64 = 10;

#[derive(Debug, Default)]
pub struct Findings {
    pub events: u64,
    pub checkpoints: u64,
    pub breaches: Vec<Breach>,
    /// Breaches found beyond `MAX_LISTED`.
    pub unlisted: u64,
    pub mac_checked: bool,
    pub anchored: bool,
}

impl Findings {
    pub fn push(&mut self, b: Breach) {
        if self.breaches.len() < MAX_LISTED {
            self.breaches.push(b);
        } else {
            self.unlisted += 1;
        }
    }
}

fn at_place(lseq: i64, what: String) -> Breach {
    Breach {
        event_id: 0,
        stream: format!("ledger:{lseq}"),
        seq: 0,
        what,
    }
}

fn of_checkpoint(number: i64, what: String) -> Breach {
    Breach {
        event_id: 0,
        stream: format!("checkpoint:{number}"),
        seq: 0,
        what,
    }
}

fn parse_at(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

/// Reads checkpoints in order, a page at a time, checking each and its link to the one before.
struct CheckpointCursor {
    page: std::collections::VecDeque<Checkpoint>,
    after: i64,
    prev_digest: String,
    done: bool,
}

impl CheckpointCursor {
    async fn next(
        &mut self,
        c: &mut Conn,
        trust: &Trust<'_>,
        f: &mut Findings,
    ) -> Result<Option<Checkpoint>, StoreError> {
        if self.page.is_empty() && !self.done {
            self.page = checkpoints::page(c, self.after, PAGE).await?.into();
            self.done = self.page.is_empty();
        }
        let Some(cp) = self.page.pop_front() else {
            return Ok(None);
        };
        f.checkpoints += 1;
        if cp.number != self.after + 1 {
            f.push(of_checkpoint(
                cp.number,
                format!(
                    "checkpoints {} to {} are missing",
                    self.after + 1,
                    cp.number - 1
                ),
            ));
        } else if cp.prev_digest != self.prev_digest {
            f.push(of_checkpoint(
                cp.number,
                "its link to the checkpoint before is broken".into(),
            ));
        }
        if !cp.signed_by(trust.public_keys) {
            f.push(of_checkpoint(
                cp.number,
                "its signature does not verify with the platform's keys".into(),
            ));
        }
        self.after = cp.number;
        self.prev_digest.clone_from(&cp.digest);
        Ok(Some(cp))
    }
}

pub async fn verify(c: &mut Conn, trust: &Trust<'_>) -> Result<Findings, StoreError> {
    let mut f = Findings {
        mac_checked: trust.mac_key.is_some(),
        anchored: trust.anchor.is_some(),
        ..Findings::default()
    };
    let newest = checkpoints::last(c).await?;
    let (outside, count) = events::unplaced(c, MAX_LISTED as i64).await?;
    for (id, stream, seq) in outside {
        f.push(Breach {
            event_id: id,
            stream,
            seq,
            what: "it holds no place in the ledger: it was written behind the platform's back"
                .into(),
        });
    }
    f.unlisted += (count as u64).saturating_sub(MAX_LISTED as u64);

    let mut streams: HashMap<String, (i64, String)> = HashMap::new();
    let mut cursor = CheckpointCursor {
        page: Default::default(),
        after: 0,
        prev_digest: GENESIS.to_string(),
        done: false,
    };
    let mut pending = cursor.next(c, trust, &mut f).await?;
    let mut seen_cp: Option<Checkpoint> = None;
    let (mut lseq, mut lhash) = (0i64, GENESIS.to_string());
    let anchor = trust.anchor;
    let slack = chrono::Duration::minutes(CLOCK_SLACK_MINUTES);
    let newest_at = newest.as_ref().and_then(|n| parse_at(&n.at));
    loop {
        let page = events::by_place(c, lseq, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for (ev, place) in &page {
            f.events += 1;
            let here = |what: &str| Breach {
                event_id: ev.id,
                stream: ev.event.stream.clone(),
                seq: ev.seq,
                what: what.to_string(),
            };
            // The stream's own chain.
            let (expected_seq, expected_prev) = match streams.get(&ev.event.stream) {
                Some((seq, hash)) => (seq + 1, hash.as_str()),
                None => (1, GENESIS),
            };
            if ev.seq > expected_seq {
                f.push(here(&format!(
                    "events #{expected_seq} to #{} of this stream are missing",
                    ev.seq - 1
                )));
            } else if ev.seq < expected_seq {
                f.push(here("its sequence number in the stream was already used"));
            } else if ev.prev_hash != expected_prev {
                f.push(here(
                    "its link to the previous event of the stream is broken",
                ));
            }
            if events::chain_hash(&ev.prev_hash, ev.seq, &ev.event) != ev.hash {
                f.push(here("its content was altered after it was recorded"));
            }
            // Its place in the ledger.
            if place.lseq != lseq + 1 {
                f.push(here(&format!(
                    "ledger places {} to {} before it are missing (deleted events)",
                    lseq + 1,
                    place.lseq - 1
                )));
            } else if link(&lhash, place.lseq, &ev.hash) != place.lhash {
                f.push(here(
                    "its ledger link does not follow from the place before",
                ));
            }
            if let Some(key) = trust.mac_key
                && !entry_mac_ok(key, place.lseq, &place.lhash, &place.mac)
            {
                f.push(here(
                    "its MAC does not verify: it was written or rewritten without the platform's key",
                ));
            }
            // A checkpoint's own record: the checkpoint must be there as recorded.
            if ev.event.stream == checkpoints::STREAM {
                match checkpoints::recorded(&ev.event.payload) {
                    Some((n, digest)) if seen_cp.as_ref().is_some_and(|s| s.number == n) => {
                        if seen_cp.as_ref().is_some_and(|s| s.digest != digest) {
                            f.push(of_checkpoint(
                                n,
                                format!(
                                    "it differs from its record at ledger place {}",
                                    place.lseq
                                ),
                            ));
                        }
                    }
                    Some((n, _)) => f.push(of_checkpoint(
                        n,
                        format!(
                            "it is recorded at ledger place {} but missing from the checkpoints",
                            place.lseq
                        ),
                    )),
                    None => f.push(here("a checkpoint's record that names no checkpoint")),
                }
            }
            // Checkpoints at or before this place.
            while let Some(cp) = pending.as_ref().filter(|cp| cp.lseq <= place.lseq) {
                if cp.lseq < place.lseq && cp.lseq > lseq {
                    f.push(of_checkpoint(
                        cp.number,
                        format!(
                            "the event at ledger place {}, which it signed, is missing",
                            cp.lseq
                        ),
                    ));
                } else if cp.lseq == place.lseq && cp.lhash != place.lhash {
                    f.push(here(&format!(
                        "it differs from what checkpoint {} signed",
                        cp.number
                    )));
                }
                seen_cp = pending.take();
                pending = cursor.next(c, trust, &mut f).await?;
            }
            if let Some(a) = anchor
                && a.lseq == place.lseq
                && a.lhash != place.lhash
            {
                f.push(here(
                    "it differs from what the anchor kept outside the database says",
                ));
            }
            // Recorded after the newest checkpoint yet dated well before it.
            if let (Some(n), Some(t), Some(at)) = (&newest, newest_at, parse_at(&ev.event.at))
                && place.lseq > n.lseq
                && at < t - slack
            {
                f.push(here(&format!(
                    "it was recorded after checkpoint {} but claims a time before it ({})",
                    n.number, ev.event.at
                )));
            }
            streams.insert(ev.event.stream.clone(), (ev.seq, ev.hash.clone()));
            lseq = place.lseq;
            lhash.clone_from(&place.lhash);
        }
    }
    // Checkpoints beyond the newest entry: what they signed was deleted.
    while let Some(cp) = pending {
        if cp.lseq > lseq {
            f.push(of_checkpoint(
                cp.number,
                format!(
                    "it signed ledger place {}, but the ledger ends at {lseq}: the newest events were deleted",
                    cp.lseq
                ),
            ));
        }
        pending = cursor.next(c, trust, &mut f).await?;
    }
    check_head(c, trust, lseq, &lhash, &mut f).await?;
    if let Some(a) = anchor {
        check_anchor(c, trust, a, lseq, &mut f).await?;
    }
    Ok(f)
}

async fn check_head(
    c: &mut Conn,
    trust: &Trust<'_>,
    lseq: i64,
    lhash: &str,
    f: &mut Findings,
) -> Result<(), StoreError> {
    let Some(head) = super::head(c).await? else {
        f.push(at_place(lseq, "the ledger's head row is missing".into()));
        return Ok(());
    };
    if head.lseq > lseq {
        f.push(at_place(
            head.lseq,
            format!(
                "the ledger's head says {} entries, the record holds {lseq}: the newest {} were deleted",
                head.lseq,
                head.lseq - lseq
            ),
        ));
    } else if head.lseq < lseq || head.lhash != lhash {
        f.push(at_place(
            head.lseq,
            "the ledger's head does not match its newest entry: it was rewound or rewritten".into(),
        ));
    }
    if let Some(key) = trust.mac_key
        && !head_mac_ok(key, head.lseq, &head.lhash, &head.mac)
    {
        f.push(at_place(
            head.lseq,
            "the ledger head's MAC does not verify: it was set without the platform's key".into(),
        ));
    }
    Ok(())
}

async fn check_anchor(
    c: &mut Conn,
    trust: &Trust<'_>,
    a: &Checkpoint,
    lseq: i64,
    f: &mut Findings,
) -> Result<(), StoreError> {
    if !a.signed_by(trust.public_keys) {
        f.push(of_checkpoint(
            a.number,
            "the anchor's signature does not verify with the platform's keys".into(),
        ));
        return Ok(());
    }
    match checkpoints::get(c, a.number).await? {
        Some(kept) if kept.digest == a.digest => {}
        Some(_) => f.push(of_checkpoint(
            a.number,
            "the database's checkpoint differs from the anchor kept outside it".into(),
        )),
        None => f.push(of_checkpoint(
            a.number,
            "the anchored checkpoint is missing from the database".into(),
        )),
    }
    if a.lseq > lseq {
        f.push(at_place(
            a.lseq,
            format!(
                "the anchor covers ledger place {}, but the ledger ends at {lseq}: events were deleted",
                a.lseq
            ),
        ));
    }
    Ok(())
}
