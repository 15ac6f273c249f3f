//! The backup file (format 1):
//!
//! ```text
//! "TONGCHOU-BACKUP\n"                     16 bytes, the magic
//! header length                           u32, big-endian
//! header                                  JSON (Header): engine, time, key ids, manifest
//! then chunks, in order, each:
//!   sealed length                         u32, big-endian
//!   final                                 u8: 1 for the last chunk, 0 before
//!   sealed                                SM4-GCM: nonce (12, random) || ciphertext || tag (16)
//! ```
//!
//! Every chunk is sealed with the associated data `"tongchou backup chunk\0" || SM3(magic ||
//! length || header) || index (u64, big-endian) || final (u8)`: a changed header fails every
//! chunk; a chunk moved, dropped, repeated or taken from another backup fails at its place; a
//! file cut after any chunk but the last lacks the final flag; bytes after the last chunk are
//! refused. The payload is read and written one chunk at a time, so memory stays bounded
//! whatever the database's size.

use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

pub const MAGIC: &[u8; 16] = b"TONGCHOU-BACKUP\n";
pub const FORMAT: u32 = 1;
/// The plaintext of one chunk: 1 MiB.
pub const CHUNK: usize = 1 << 20;
/// The largest chunk or header a reader accepts, so a damaged length cannot make it allocate
/// without bound.
const MAX_CHUNK: usize = 16 << 20;
const MAX_HEADER: usize = 16 << 20;
const SEAL_OVERHEAD: usize = 12 + 16;

/// What a backup says about itself, in the clear (it holds no secret) and authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// `sqlite-vacuum-into` (a SQLite database file) or `pg_dump-custom`.
    pub payload: String,
    pub created_at: String,
    /// The backup key's id (`BackupKey::id`), so a restore names the key it needs.
    pub backup_key_id: String,
    pub chunk_size: u64,
    /// The platform keys the database's record was made with (public ids): a restore checks
    /// the key files it is given are these before it writes anything.
    pub platform_key_id: String,
    pub ledger_key_id: String,
    /// What the snapshot holds.
    pub manifest: store::backup::Contents,
}

/// Why a file is not a backup that may be restored.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a Tongchou backup (no TONGCHOU-BACKUP header)")]
    NotABackup,
    #[error("the backup's header is damaged: {0}")]
    Header(String),
    #[error("chunk {0} fails authentication: the file was altered, or made with another key")]
    Chunk(u64),
    #[error("the file ends before its last chunk (after {0} chunks): it was cut short")]
    Truncated(u64),
    #[error("the file goes on after its last chunk: bytes were added")]
    Trailing,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn aad(header_digest: &[u8], index: u64, last: bool) -> Vec<u8> {
    let mut a = Vec::with_capacity(22 + header_digest.len() + 9);
    a.extend_from_slice(b"tongchou backup chunk\0");
    a.extend_from_slice(header_digest);
    a.extend_from_slice(&index.to_be_bytes());
    a.push(u8::from(last));
    a
}

/// Fills `buf` from `r` up to `limit` bytes, stopping early only at the end of `r`.
fn read_up_to(r: &mut impl Read, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<()> {
    buf.clear();
    r.take(limit as u64).read_to_end(buf)?;
    Ok(())
}

/// What writing a backup produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    pub chunks: u64,
    pub payload_bytes: u64,
    pub file_bytes: u64,
}

/// Writes the header and then `payload`, sealed a chunk at a time under `key`. Returns the
/// header's digest (hex) with what was written.
pub fn write(
    out: &mut impl Write,
    key: &[u8; 16],
    header: &Header,
    payload: &mut impl Read,
) -> Result<(String, Sealed), FormatError> {
    let chunk = usize::try_from(header.chunk_size)
        .ok()
        .filter(|c| (1..=MAX_CHUNK - SEAL_OVERHEAD).contains(c))
        .ok_or_else(|| FormatError::Header("chunk size out of range".into()))?;
    let json = serde_json::to_vec(header).map_err(|e| FormatError::Header(e.to_string()))?;
    let len = u32::try_from(json.len()).map_err(|_| FormatError::Header("too long".into()))?;
    let mut head = Vec::with_capacity(20 + json.len());
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&len.to_be_bytes());
    head.extend_from_slice(&json);
    out.write_all(&head)?;
    let digest = crypto::sm3_hex(&head);
    let digest_bytes = digest.as_bytes();
    let mut s = Sealed {
        chunks: 0,
        payload_bytes: 0,
        file_bytes: head.len() as u64,
    };
    let (mut cur, mut next) = (Vec::with_capacity(chunk), Vec::with_capacity(chunk));
    read_up_to(payload, &mut cur, chunk)?;
    loop {
        // A full chunk may be followed by more: look ahead, so the last one is marked.
        if cur.len() == chunk {
            read_up_to(payload, &mut next, chunk)?;
        } else {
            next.clear();
        }
        let last = next.is_empty();
        let sealed = crypto::seal(key, &cur, &aad(digest_bytes, s.chunks, last))
            .map_err(|e| FormatError::Io(std::io::Error::other(e.to_string())))?;
        let n = u32::try_from(sealed.len())
            .map_err(|_| FormatError::Header("chunk too long".into()))?;
        out.write_all(&n.to_be_bytes())?;
        out.write_all(&[u8::from(last)])?;
        out.write_all(&sealed)?;
        s.chunks += 1;
        s.payload_bytes += cur.len() as u64;
        s.file_bytes += 5 + sealed.len() as u64;
        if last {
            break;
        }
        std::mem::swap(&mut cur, &mut next);
    }
    out.flush()?;
    Ok((digest, s))
}

/// Reads the header (not yet authenticated: the chunks authenticate it) and its digest.
pub fn read_header(r: &mut impl Read) -> Result<(Header, String), FormatError> {
    let mut magic = [0u8; 16];
    if r.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Err(FormatError::NotABackup);
    }
    let mut len = [0u8; 4];
    r.read_exact(&mut len)
        .map_err(|_| FormatError::Header("cut short".into()))?;
    let n = u32::from_be_bytes(len) as usize;
    if n > MAX_HEADER {
        return Err(FormatError::Header("its length is out of range".into()));
    }
    let mut json = Vec::new();
    read_up_to(r, &mut json, n)?;
    if json.len() != n {
        return Err(FormatError::Header("cut short".into()));
    }
    let header: Header =
        serde_json::from_slice(&json).map_err(|e| FormatError::Header(e.to_string()))?;
    if header.format != FORMAT {
        return Err(FormatError::Header(format!(
            "format {} (this version reads format {FORMAT})",
            header.format
        )));
    }
    let mut head = Vec::with_capacity(20 + n);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&len);
    head.extend_from_slice(&json);
    Ok((header, crypto::sm3_hex(&head)))
}

/// What opening the chunks found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    pub chunks: u64,
    pub payload_bytes: u64,
}

/// Opens every chunk after the header in order, writing each one's plaintext to `sink` only
/// once it has been authenticated, and checks the file ends exactly after the last chunk.
pub fn open_chunks(
    r: &mut impl Read,
    key: &[u8; 16],
    header: &Header,
    header_digest: &str,
    sink: &mut impl Write,
) -> Result<Opened, FormatError> {
    let limit = usize::try_from(header.chunk_size)
        .unwrap_or(usize::MAX)
        .saturating_add(SEAL_OVERHEAD)
        .min(MAX_CHUNK);
    let mut o = Opened {
        chunks: 0,
        payload_bytes: 0,
    };
    let mut sealed = Vec::new();
    loop {
        let mut frame = [0u8; 5];
        if r.read_exact(&mut frame).is_err() {
            return Err(FormatError::Truncated(o.chunks));
        }
        let n = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        let last = match frame[4] {
            0 => false,
            1 => true,
            _ => return Err(FormatError::Chunk(o.chunks)),
        };
        if n > limit {
            return Err(FormatError::Chunk(o.chunks));
        }
        read_up_to(r, &mut sealed, n)?;
        if sealed.len() != n {
            return Err(FormatError::Truncated(o.chunks));
        }
        let plain = crypto::open(key, &sealed, &aad(header_digest.as_bytes(), o.chunks, last))
            .map_err(|_| FormatError::Chunk(o.chunks))?;
        sink.write_all(&plain)?;
        o.chunks += 1;
        o.payload_bytes += plain.len() as u64;
        if last {
            break;
        }
    }
    let mut more = [0u8; 1];
    if r.read(&mut more)? != 0 {
        return Err(FormatError::Trailing);
    }
    sink.flush()?;
    Ok(o)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: [u8; 16] = *b"backup test key!";

    fn header(chunk: u64) -> Header {
        Header {
            format: FORMAT,
            engine: "sqlite".into(),
            payload: "sqlite-vacuum-into".into(),
            created_at: "2026-11-16T09:30:00.000+08:00".into(),
            backup_key_id: "k".into(),
            chunk_size: chunk,
            platform_key_id: "p".into(),
            ledger_key_id: "l".into(),
            manifest: store::backup::Contents {
                tables: vec![],
                not_digested: vec![],
                rows_not_kept: vec![],
                ledger: None,
                checkpoint: None,
            },
        }
    }

    fn backup(payload: &[u8], chunk: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, &KEY, &header(chunk), &mut &payload[..]).unwrap();
        out
    }

    fn restore(file: &[u8]) -> Result<Vec<u8>, FormatError> {
        let mut r = file;
        let (h, d) = read_header(&mut r)?;
        let mut plain = Vec::new();
        open_chunks(&mut r, &KEY, &h, &d, &mut plain)?;
        Ok(plain)
    }

    #[test]
    fn a_payload_comes_back_whole_for_any_length_around_the_chunk_size() {
        for len in [0, 1, 15, 16, 17, 32, 33, 100] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let file = backup(&payload, 16);
            assert_eq!(restore(&file).unwrap(), payload, "length {len}");
        }
    }

    /// RX.2, issue 10 item 9: a flipped bit anywhere, a cut anywhere, two chunks swapped or
    /// bytes added are all refused.
    #[test]
    fn rx2_any_flipped_bit_cut_swap_or_addition_is_refused() {
        let payload: Vec<u8> = (0..50u8).collect();
        let file = backup(&payload, 16);
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            assert!(restore(&bad).is_err(), "flip at {i}");
        }
        for cut in 0..file.len() {
            assert!(restore(&file[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(restore(&longer), Err(FormatError::Trailing)));
        // Swap chunks 0 and 1 (each 5 + 12 + 16 + 16 bytes).
        let start = file.len() - (3 * 49 + (5 + 12 + 2 + 16));
        let mut swapped = file.clone();
        let (a, b) = (start, start + 49);
        let first: Vec<u8> = swapped[a..b].to_vec();
        let second: Vec<u8> = swapped[b..b + 49].to_vec();
        swapped[a..b].copy_from_slice(&second);
        swapped[b..b + 49].copy_from_slice(&first);
        assert!(matches!(restore(&swapped), Err(FormatError::Chunk(0))));
        // Dropping the last chunk leaves a file whose last chunk is not marked final.
        let dropped = &file[..file.len() - (5 + 12 + 2 + 16)];
        assert!(matches!(restore(dropped), Err(FormatError::Truncated(3))));
    }

    #[test]
    fn another_key_opens_nothing() {
        let file = backup(b"data", 16);
        let mut r = &file[..];
        let (h, d) = read_header(&mut r).unwrap();
        let mut plain = Vec::new();
        let other = *b"another key 16 b";
        assert!(matches!(
            open_chunks(&mut r, &other, &h, &d, &mut plain),
            Err(FormatError::Chunk(0))
        ));
        assert!(plain.is_empty());
    }
}
