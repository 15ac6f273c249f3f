//! Checking a backup file: its header and every chunk authenticated with the backup key,
//! writing nothing anywhere. A restore opens its file through the same code.

use super::format::{self, FormatError, Header, Opened};
use super::key::BackupKey;
use super::{BackupError, io, joined};
use std::path::Path;

/// A backup file checked: its header, authenticated by every chunk.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Header,
    pub header_digest: String,
    pub opened: Opened,
}

pub(super) fn unauthentic(file: &Path) -> impl FnOnce(FormatError) -> BackupError {
    let file = file.display().to_string();
    move |why| match why {
        FormatError::Io(err) => BackupError::Io {
            what: format!("cannot read {file}"),
            err,
        },
        why => BackupError::Unauthentic { file, why },
    }
}

/// Opens every chunk of `file`, writing the plaintext to `sink` as it is authenticated.
pub(super) fn open_file(
    file: &Path,
    key: &BackupKey,
    sink: &mut impl std::io::Write,
) -> Result<Verified, BackupError> {
    let f = std::fs::File::open(file).map_err(io(format!("cannot read {}", file.display())))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let (header, digest) = format::read_header(&mut r).map_err(unauthentic(file))?;
    check_backup_key(file, &header, key)?;
    let opened = format::open_chunks(&mut r, &key.chunk_key(), &header, &digest, sink)
        .map_err(unauthentic(file))?;
    Ok(Verified {
        header,
        header_digest: digest,
        opened,
    })
}

pub(super) fn check_backup_key(
    file: &Path,
    header: &Header,
    key: &BackupKey,
) -> Result<(), BackupError> {
    if header.backup_key_id != key.id() {
        return Err(BackupError::Keys(format!(
            "{} was made with the backup key {}, but the backup key file holds {}: use the key the backup was made with",
            file.display(),
            header.backup_key_id,
            key.id()
        )));
    }
    Ok(())
}

/// Checks that `file` is an authentic backup made with the backup key beside `key_file`
/// (every chunk, the header, the end) and returns its header; writes nothing anywhere.
pub async fn verify_file(file: &Path, key_file: &Path) -> Result<Verified, BackupError> {
    let key = BackupKey::load(key_file)?;
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || open_file(&file, &key, &mut std::io::sink()))
        .await
        .map_err(joined)?
}
