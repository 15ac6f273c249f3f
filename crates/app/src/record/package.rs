//! The auditor's package (issue 14, point 8; R12.1, art. 12): every fund record (the kinds of
//! the funds module) with its full chained history, in one zip an auditor can check offline.
//!
//! `records.json` lists the items (number, kind, state, fields) with the hash that ends each
//! one's chain; `streams/<stream>.json` holds each chain's events as recorded; `manifest.json`
//! names every file with its SM3 and the platform's public key, and `manifest.sig` is the
//! platform's SM2 signature of the manifest. `verify` recomputes every file's digest and every
//! chain (SM3 over each event's canonical content and the hash before it), checks that each
//! record's state and head are its chain's last, and checks the signature: one byte changed
//! anywhere breaks one of them.

use crate::{AppError, Platform, Principal};
use std::io::{Read, Write};

const FORMAT: &str = "tongchou-audit-package-v1";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";
const RECORDS: &str = "records.json";
/// The zip's comment holds the platform's signature of every byte before it (128 hex digits,
/// r || s), so that a byte changed anywhere in the file, even where a zip reader never looks,
/// breaks it. The slot is written blank, the file signed, then the signature put in it.
const SEAL: usize = 128;

/// Whether the principal's role carries the audit duty (art. 12): only such a role exports.
fn audits(p: &Platform, who: &Principal) -> bool {
    p.policy
        .role(&who.user.role)
        .is_some_and(|r| r.duties.iter().any(|d| d.as_str() == "12"))
}

fn refused() -> AppError {
    AppError::Invalid(domain::Text::new(
        "审计数据包由审计部门导出。",
        "The audit package is exported by Audit.",
    ))
}

/// The package of every fund record the auditor may read, recorded as an export (with its
/// SM3) before it is handed out.
pub async fn export(p: &Platform, who: &Principal) -> Result<Vec<u8>, AppError> {
    if !audits(p, who) {
        return Err(refused());
    }
    let kinds: Vec<&domain::policy::ItemKind> = p
        .policy
        .kinds
        .iter()
        .filter(|k| k.module.as_deref() == Some("funds"))
        .collect();
    let mut c = p.store.read().await?;
    let (mut records, mut files) = (Vec::new(), Vec::new());
    for kind in &kinds {
        let f = store::items::Filter {
            kind: kind.id.clone(),
            ..Default::default()
        };
        for row in store::items::list_all(&mut c, &f).await? {
            if !domain::permissions::can_see(&p.policy, &who.actor, &row.item) {
                continue;
            }
            let stream = format!("item:{}", row.item.id.get());
            let events = store::events::stream(&mut c, &stream).await?;
            let head = events.last().map(|e| e.hash.clone()).unwrap_or_default();
            records.push(serde_json::json!({
                "number": row.number,
                "kind": row.item.kind,
                "state": row.item.state,
                "title": row.title,
                "fields": row.item.fields,
                "stream": stream,
                "head": head,
            }));
            let name = format!("streams/{}.json", stream.replace(':', "-"));
            files.push((name, serde_json::to_vec_pretty(&events).unwrap_or_default()));
        }
    }
    drop(c);
    files.insert(
        0,
        (
            RECORDS.to_string(),
            serde_json::to_vec_pretty(&records).unwrap_or_default(),
        ),
    );
    let manifest = serde_json::json!({
        "format": FORMAT,
        "exported_at": store::timestamp(p.now()),
        "exported_by": who.user.username,
        "policy_version": p.policy.version,
        "platform_key": p.key.public().to_hex(),
        "files": files
            .iter()
            .map(|(name, bytes)| serde_json::json!({ "name": name, "sm3": crypto::sm3_hex(bytes) }))
            .collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    let signature = p
        .key
        .sign(&manifest)
        .map_err(|e| AppError::Startup(format!("cannot sign the package: {e}")))?;
    let zip = write_zip(&p.key, &manifest, signature.as_bytes(), &files)?;
    let access = crate::access::Access::Export {
        kind: "audit_package",
        filters: serde_json::json!({ "kinds": kinds.iter().map(|k| &k.id).collect::<Vec<_>>() }),
        rows: records.len(),
    };
    crate::access::record(p, who, access, &zip).await?;
    Ok(zip)
}

fn write_zip(
    key: &crypto::KeyPair,
    manifest: &[u8],
    signature: &[u8],
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, AppError> {
    let broken = |e: String| AppError::Startup(format!("cannot write the package: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.set_comment(" ".repeat(SEAL))
        .map_err(|e| broken(e.to_string()))?;
    let parts = [(MANIFEST, manifest), (SIGNATURE, signature)];
    for (name, bytes) in parts
        .iter()
        .map(|(n, b)| (*n, *b))
        .chain(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
    {
        w.start_file(name, options)
            .map_err(|e| broken(e.to_string()))?;
        w.write_all(bytes).map_err(|e| broken(e.to_string()))?;
    }
    let mut out = w.finish().map_err(|e| broken(e.to_string()))?.into_inner();
    let body = out.len().saturating_sub(SEAL);
    let seal = key.sign(&out[..body]).map_err(|e| broken(e.to_string()))?;
    if seal.len() != SEAL {
        return Err(broken("the seal is not 128 hex digits".into()));
    }
    out[body..].copy_from_slice(seal.as_bytes());
    Ok(out)
}

/// Whether `hex` is an SM2 public key (what `--public-key` must be).
pub fn is_key(hex: &str) -> bool {
    crypto::PublicKey::from_hex(hex).is_ok()
}

/// Whether the file's seal (its zip comment) checks with the key `key_hex`.
fn sealed_by(bytes: &[u8], key_hex: &str) -> bool {
    let body = bytes.len().saturating_sub(SEAL);
    let seal = std::str::from_utf8(&bytes[body..]).unwrap_or_default();
    crypto::PublicKey::from_hex(key_hex).is_ok_and(|k| k.verify(&bytes[..body], seal))
}

/// The most files a package may hold, and the most bytes they may unpack to, for the check.
const MAX_ENTRIES: usize = 1_000_000;
const MAX_UNPACKED: u64 = 4 * 1024 * 1024 * 1024;

/// What an offline check of a package found.
#[derive(Debug, Clone, Default)]
pub struct PackageReport {
    /// The key was the auditor's own (`--public-key`), not only the one the package names.
    pub trusted: bool,
    pub records: usize,
    pub events: usize,
    /// The platform key the manifest names (hex), to compare with the one the auditor holds.
    pub platform_key: String,
    pub breaches: Vec<String>,
}

impl PackageReport {
    pub fn is_intact(&self) -> bool {
        self.breaches.is_empty()
    }
}

impl std::fmt::Display for PackageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "audit package: {} records, {} events, platform key {}",
            self.records, self.events, self.platform_key
        )?;
        if self.breaches.is_empty() {
            writeln!(f, "intact: every digest, chain and the signature check")?;
            if !self.trusted {
                writeln!(
                    f,
                    "NOTE: checked with the key the package names, not with one you hold: give --public-key (the platform's, from `tongchou audit anchor` or its operator) to be sure it is the platform's"
                )?;
            }
            return Ok(());
        }
        for b in &self.breaches {
            writeln!(f, "BREACH: {b}")?;
        }
        Ok(())
    }
}

/// Checks a package offline; `trusted` is the platform's public key as the auditor holds it
/// (hex), when they do: the manifest must name that key.
pub fn verify(bytes: &[u8], trusted: Option<&str>) -> PackageReport {
    let mut r = PackageReport {
        trusted: trusted.is_some(),
        ..PackageReport::default()
    };
    // With the key the auditor holds, the seal is checked first, on the raw bytes: a changed
    // file is refused before anything in it is unpacked.
    if let Some(key) = trusted
        && !sealed_by(bytes, key)
    {
        r.platform_key = key.to_string();
        r.breaches.push(
            "the file's seal does not check with the platform's key: a byte of it was changed"
                .into(),
        );
        return r;
    }
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            r.breaches.push(format!("not a readable package: {e}"));
            return r;
        }
    };
    if zip.len() > MAX_ENTRIES {
        r.breaches
            .push(format!("more than {MAX_ENTRIES} files: not a package"));
        return r;
    }
    let mut parts: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                r.breaches.push(format!("entry {i} cannot be read: {e}"));
                continue;
            }
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        // Unpacked within a bound whatever the entry claims (a small file can unpack to a lot).
        let mut content = Vec::new();
        let room = MAX_UNPACKED.saturating_sub(unpacked);
        if let Err(e) = (&mut entry).take(room + 1).read_to_end(&mut content) {
            r.breaches.push(format!("{name} cannot be read: {e}"));
            continue;
        }
        unpacked += content.len() as u64;
        if unpacked > MAX_UNPACKED {
            r.breaches.push(format!(
                "the files unpack to more than {MAX_UNPACKED} bytes: not a package"
            ));
            return r;
        }
        if parts.insert(name.clone(), content).is_some() {
            r.breaches.push(format!("{name} is in the file twice"));
        }
    }
    let (Some(manifest), Some(signature)) = (parts.get(MANIFEST), parts.get(SIGNATURE)) else {
        r.breaches
            .push("the manifest or its signature is missing".into());
        return r;
    };
    let m: serde_json::Value = serde_json::from_slice(manifest).unwrap_or_default();
    r.platform_key = m["platform_key"].as_str().unwrap_or_default().to_string();
    if m["format"] != FORMAT {
        r.breaches
            .push("the manifest is not an audit package's".into());
    }
    let signed = crypto::PublicKey::from_hex(&r.platform_key).is_ok_and(|k| {
        k.verify(
            manifest,
            std::str::from_utf8(signature).unwrap_or_default().trim(),
        )
    });
    if !signed {
        r.breaches
            .push("the manifest's signature does not check with the key it names".into());
    }
    // The whole file, sealed in its comment, with the key the auditor holds or else the one
    // the manifest names.
    if !sealed_by(bytes, trusted.unwrap_or(&r.platform_key)) {
        r.breaches
            .push("the file's seal does not check: a byte of it was changed".into());
    }
    if trusted.is_some_and(|t| !t.eq_ignore_ascii_case(&r.platform_key)) {
        r.breaches
            .push("the manifest names another key than the platform's".into());
    }
    let listed: Vec<(String, String)> = m["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                    (s("name"), s("sm3"))
                })
                .collect()
        })
        .unwrap_or_default();
    for (name, sm3) in &listed {
        match parts.get(name) {
            None => r.breaches.push(format!("{name} is missing")),
            Some(b) if crypto::sm3_hex(b) != *sm3 => {
                r.breaches.push(format!("{name} does not give its SM3"));
            }
            Some(_) => {}
        }
    }
    for name in parts.keys() {
        if name != MANIFEST && name != SIGNATURE && !listed.iter().any(|(n, _)| n == name) {
            r.breaches.push(format!("{name} is not in the manifest"));
        }
    }
    let records: Vec<serde_json::Value> =
        match parts.get(RECORDS).map(|b| serde_json::from_slice(b)) {
            Some(Ok(records)) => records,
            _ => {
                r.breaches
                    .push(format!("{RECORDS} is missing or not readable"));
                Vec::new()
            }
        };
    r.records = records.len();
    // Every chain in the file belongs to a record.
    for name in parts.keys().filter(|n| n.starts_with("streams/")) {
        let claimed = records.iter().any(|rec| {
            let stream = rec["stream"].as_str().unwrap_or_default();
            *name == format!("streams/{}.json", stream.replace(':', "-"))
        });
        if !claimed {
            r.breaches.push(format!("{name} belongs to no record"));
        }
    }
    for rec in &records {
        let stream = rec["stream"].as_str().unwrap_or_default();
        let number = rec["number"].as_str().unwrap_or_default();
        let name = format!("streams/{}.json", stream.replace(':', "-"));
        let events: Vec<serde_json::Value> = parts
            .get(&name)
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default();
        r.events += events.len();
        let (head, last_state) = check_chain(number, &events, &mut r.breaches);
        if rec["head"].as_str() != Some(head.as_str()) {
            r.breaches
                .push(format!("{number}: its head is not its chain's last hash"));
        }
        if last_state.is_some() && rec["state"].as_str() != last_state.as_deref() {
            r.breaches
                .push(format!("{number}: its state is not where its chain ends"));
        }
    }
    r
}

/// Recomputes one chain; its last hash and the state it ends in.
fn check_chain(
    number: &str,
    events: &[serde_json::Value],
    breaches: &mut Vec<String>,
) -> (String, Option<String>) {
    let mut prev = store::events::GENESIS.to_string();
    let mut state = None;
    for (i, e) in events.iter().enumerate() {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        let opt = |k: &str| e[k].as_str().map(str::to_string);
        let event = store::events::NewEvent {
            stream: s("stream"),
            at: s("at"),
            actor_id: e["actor_id"].as_i64(),
            actor_name: s("actor_name"),
            org_name: s("org_name"),
            role: s("role"),
            action: s("action"),
            article: s("article"),
            policy_version: s("policy_version"),
            payload: s("payload"),
            before_state: opt("before_state"),
            after_state: opt("after_state"),
            context: opt("context"),
        };
        let seq = e["seq"].as_i64().unwrap_or(-1);
        if s("prev_hash") != prev {
            breaches.push(format!(
                "{number}: event {} does not follow the one before",
                i + 1
            ));
        }
        let hash = store::events::chain_hash(&prev, seq, &event);
        if hash != s("hash") {
            breaches.push(format!("{number}: event {} does not give its hash", i + 1));
        }
        prev = s("hash");
        if event.after_state.is_some() {
            state = event.after_state.clone();
        }
    }
    (prev, state)
}
