//! The record's integrity (RX.2): signed checkpoints of all stream heads, and a verification
//! an auditor can run on a copy of the database with only the platform's public key.

use crate::{AppError, Platform, clock};
use store::Conn;
use store::events::Breach;

/// Signs the current heads of all streams. Returns the checkpoint id, or `None` when nothing
/// was recorded since the last one.
pub async fn checkpoint(p: &Platform) -> Result<Option<i64>, AppError> {
    let key = p.key.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let heads = heads(c).await?;
                let last = store::checkpoints::all(c).await?.pop();
                if heads.is_empty() || last.is_some_and(|l| l.heads == heads) {
                    return Ok(None);
                }
                let at = store::timestamp(clock::now());
                Ok(Some(store::checkpoints::write(c, &at, &heads, &key).await?))
            })
        })
        .await
}

async fn heads(c: &mut Conn) -> Result<store::events::Heads, AppError> {
    match store::events::verify(c).await? {
        Ok((_, heads)) => Ok(heads),
        // Never sign over a broken chain: that would bless the tampering.
        Err(b) => Err(AppError::Startup(format!(
            "the record is broken at event {}: {}",
            b.event_id, b.what
        ))),
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub enum Verdict {
    Intact { events: u64, checkpoints: usize },
    Broken(Breach),
}

/// Walks every chain, then checks every checkpoint's signature against `public` and that the
/// heads it signed are still there with the same hashes.
pub async fn verify(store: &store::Store, public: &crypto::PublicKey) -> Result<Verdict, AppError> {
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
    Ok(Verdict::Intact {
        events,
        checkpoints: checkpoints.len(),
    })
}
