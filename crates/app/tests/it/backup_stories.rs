//! Backups that restore (issue 10 item 9; RX.2, SECURITY.md "Durability"): a backup taken
//! while the platform writes restores onto an empty instance with the manifest's per-table
//! digests and a clean `audit verify`; a damaged or cut file and a target that is not empty are
//! refused before anything is written; every backup writes one security record; the backup
//! key is a file of its own and no key is in a backup.

use app::Platform;
use app::backup::{self, BackupError, Options};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use store::sqlx::{self, Connection, Row};
use testkit::each_backend;

fn demand(title: &str) -> app::items::Command {
    let input: domain::Input = [
        ("title", title),
        ("problem", "材料重复提交"),
        ("scope", "市市场监管局"),
        ("functions", "在线办理"),
        ("logic", "申请→受理"),
        ("budget", "100000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    app::items::Command {
        action: "create".into(),
        input,
        then: None,
        idempotency: None,
    }
}

/// A path for a backup in a scratch directory of its own.
fn backup_file(label: &str) -> PathBuf {
    testkit::scratch_dir(label).join("tongchou.backup")
}

/// Small chunks, so even the demo database spans many.
fn small_chunks() -> Options {
    Options {
        chunk_size: 16 << 10,
    }
}

/// The backup records (security stream, action `backup`), oldest first, as JSON payloads.
async fn backup_records(p: &Platform) -> Vec<serde_json::Value> {
    let mut c = p.store.read().await.unwrap();
    sqlx::query(
        "SELECT payload FROM events WHERE stream = 'security' AND action = 'backup' ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    .iter()
    .map(|r| serde_json::from_str(&r.get::<String, _>(0)).unwrap())
    .collect()
}

/// Nothing was written to `target`: the SQLite file does not exist and its directory holds
/// nothing (no scratch file left behind); the PostgreSQL database has no tables.
async fn nothing_written(target: &str) -> bool {
    if target.starts_with("sqlite:") {
        let path = store::backup::sqlite_path(target);
        let dir = path.parent().unwrap();
        !path.exists() && std::fs::read_dir(dir).unwrap().next().is_none()
    } else {
        store::backup::occupied(target).await.unwrap().is_none()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rx2_backup_taken_under_write_load_restores_onto_an_empty_instance_with_equal_digests_and_a_clean_verify()
 {
    for p in each_backend("backup-load").await {
        let clerk = demo::principal(&p, "scj.clerk").await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let backing_up = Arc::new(AtomicBool::new(false));
        let (made, during) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (p, clerk, stop, backing_up, made, during) = (
                p.clone(),
                clerk.clone(),
                stop.clone(),
                backing_up.clone(),
                made.clone(),
                during.clone(),
            );
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let before = backing_up.load(Ordering::SeqCst);
                    app::items::create(&p, &clerk, "demand", demand(&format!("并发需求{w}-{n}")))
                        .await
                        .unwrap();
                    if before && backing_up.load(Ordering::SeqCst) {
                        during.fetch_add(1, Ordering::SeqCst);
                    }
                    made.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                }
            }));
        }
        while made.load(Ordering::SeqCst) < 20 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // A small database backs up in a few milliseconds: take it again (a new file each
        // time) until a write has landed while it was being taken, so the story is always
        // about a backup under load, whatever the machine's speed.
        let mut tries = 0;
        let (file, w) = loop {
            tries += 1;
            let file = backup_file("backup-load");
            during.store(0, Ordering::SeqCst);
            backing_up.store(true, Ordering::SeqCst);
            let w = backup::backup_with(&p, "ops", &file, &small_chunks())
                .await
                .unwrap();
            backing_up.store(false, Ordering::SeqCst);
            if during.load(Ordering::SeqCst) > 0 || tries == 20 {
                break (file, w);
            }
        };
        let at_backup = made.load(Ordering::SeqCst);
        while made.load(Ordering::SeqCst) < at_backup + 10 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        stop.store(true, Ordering::SeqCst);
        for t in writers {
            t.await.unwrap();
        }
        assert!(
            during.load(Ordering::SeqCst) > 0,
            "the writers kept writing while the backup was taken"
        );
        let m = &w.header.manifest;
        // One moment: every event of the snapshot holds a place, up to the ledger's head.
        let lseq = m.ledger.as_ref().unwrap().lseq;
        assert_eq!(m.table("events").unwrap().rows, lseq as u64);
        assert!(w.sealed.chunks >= 3, "{:?}", w.sealed);

        let target = testkit::empty_database("backup-load-target", p.store.url()).await;
        let r = backup::restore(&file, &target, &p.settings.key_file, &p.policy)
            .await
            .unwrap();
        assert!(r.differences.is_empty(), "{:?}", r.differences);
        assert_eq!(r.found.tables, m.tables);
        assert!(r.report.is_intact(), "{}", r.report);
        assert!(r.report.mac_checked && r.report.anchored, "{}", r.report);
        assert!(r.is_good());

        // The restored instance runs on with the same key files: it records and verifies.
        let restored = Platform::open(&target, (*p.policy).clone(), (*p.settings).clone())
            .await
            .unwrap();
        let clerk = demo::principal(&restored, "scj.clerk").await.unwrap();
        app::items::create(&restored, &clerk, "demand", demand("恢复之后的需求"))
            .await
            .unwrap();
        app::audit::checkpoint(&restored).await.unwrap();
        let report = app::audit::verify(&restored.store, &restored.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(report.is_intact(), "{report}");
        restored.store.close().await;
        testkit::drop_database(&target).await;
    }
}

/// Where each chunk's frame starts and ends in a backup file.
fn frames(bytes: &[u8]) -> Vec<(usize, usize)> {
    let header_len = u32::from_be_bytes(bytes[16..20].try_into().unwrap()) as usize;
    let mut at = 20 + header_len;
    let mut out = Vec::new();
    while at < bytes.len() {
        let n = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push((at, at + 5 + n));
        at += 5 + n;
    }
    out
}

#[tokio::test]
async fn rx2_a_backup_with_a_flipped_byte_or_cut_short_is_refused_before_anything_is_written_to_the_target()
 {
    for p in each_backend("backup-tamper").await {
        let file = backup_file("backup-tamper");
        let w = backup::backup_with(&p, "ops", &file, &small_chunks())
            .await
            .unwrap();
        let bytes = std::fs::read(&file).unwrap();
        let f = frames(&bytes);
        assert_eq!(f.len() as u64, w.sealed.chunks);
        assert!(f.len() >= 3);
        let (first, mid, last) = (f[0], f[f.len() / 2], f[f.len() - 1]);
        let flipped = |at: usize| {
            let mut b = bytes.clone();
            b[at] ^= 0x20;
            b
        };
        // A digest in the manifest, changed to another valid hex digit: still a valid header.
        let digest_at = {
            let needle = b"\"digest\":\"";
            bytes
                .windows(needle.len())
                .position(|win| win == needle)
                .unwrap()
                + needle.len()
        };
        let mut in_header = bytes.clone();
        in_header[digest_at] = if bytes[digest_at] == b'0' { b'1' } else { b'0' };
        let mut marked_last = bytes.clone();
        marked_last[mid.0 + 4] = 1;
        let mut swapped = bytes.clone();
        let (a, b) = (f[1], f[2]);
        assert_eq!(a.1 - a.0, b.1 - b.0);
        swapped[a.0..a.1].copy_from_slice(&bytes[b.0..b.1]);
        swapped[b.0..b.1].copy_from_slice(&bytes[a.0..a.1]);
        let variants: Vec<(&str, Vec<u8>)> = vec![
            ("a digest in the header's manifest", in_header),
            (
                "a byte of the first chunk",
                flipped((first.0 + first.1) / 2),
            ),
            ("a byte of a middle chunk", flipped((mid.0 + mid.1) / 2)),
            ("a byte of the last chunk", flipped(last.1 - 1)),
            ("a middle chunk marked as the last", marked_last),
            (
                "the file cut before its last chunk",
                bytes[..last.0].to_vec(),
            ),
            ("the file cut inside a chunk", bytes[..mid.0 + 100].to_vec()),
            ("two chunks swapped", swapped),
        ];
        let target = testkit::empty_database("backup-tamper-target", p.store.url()).await;
        for (what, bad) in variants {
            let bad_file = file.with_file_name("damaged.backup");
            std::fs::write(&bad_file, &bad).unwrap();
            let e = backup::restore(&bad_file, &target, &p.settings.key_file, &p.policy)
                .await
                .unwrap_err();
            assert!(matches!(e, BackupError::Unauthentic { .. }), "{what}: {e}");
            assert!(
                nothing_written(&target).await,
                "{what}: the target was written to"
            );
            let checked = backup::verify_file(&bad_file, &p.settings.key_file).await;
            assert!(
                matches!(checked, Err(BackupError::Unauthentic { .. })),
                "{what}: {checked:?}"
            );
        }
        // The file as written is authentic: the refusals were about the damage.
        let v = backup::verify_file(&file, &p.settings.key_file)
            .await
            .unwrap();
        assert_eq!(v.header, w.header);
        assert_eq!(v.opened.chunks, w.sealed.chunks);
        testkit::drop_database(&target).await;
    }
}

#[tokio::test]
async fn rx2_a_restore_refuses_a_target_that_is_not_empty_and_says_what_to_do() {
    for p in each_backend("backup-occupied").await {
        let file = backup_file("backup-occupied");
        backup::backup(&p, "ops", &file).await.unwrap();
        // The live database itself.
        let before = store::backup::contents_of(p.store.url()).await.unwrap();
        let e = backup::restore(&file, p.store.url(), &p.settings.key_file, &p.policy)
            .await
            .unwrap_err();
        let BackupError::NotEmpty(why) = &e else {
            panic!("{e}")
        };
        assert!(why.contains("empty"), "{why}");
        assert!(
            why.contains("a path that does not exist yet") || why.contains("CREATE DATABASE"),
            "{why}"
        );
        let after = store::backup::contents_of(p.store.url()).await.unwrap();
        assert_eq!(before, after);
        // A database with the platform's tables but no rows is not an empty instance either.
        let target = testkit::empty_database("backup-occupied-target", p.store.url()).await;
        store::Store::open(&target).await.unwrap().close().await;
        let e = backup::restore(&file, &target, &p.settings.key_file, &p.policy)
            .await
            .unwrap_err();
        assert!(matches!(e, BackupError::NotEmpty(_)), "{e}");
        testkit::drop_database(&target).await;
    }
}

#[tokio::test]
async fn rx2_every_backup_writes_one_security_record_and_a_failed_one_says_why() {
    for p in each_backend("backup-record").await {
        let before = backup_records(&p).await.len();
        let file = backup_file("backup-record");
        let w = backup::backup(&p, "ops.wang", &file).await.unwrap();
        let records = backup_records(&p).await;
        assert_eq!(records.len(), before + 1);
        let r = &records[before];
        assert_eq!(r["result"], "ok");
        assert_eq!(r["detail"]["header_sm3"], w.header_digest.as_str());
        assert_eq!(r["detail"]["file"], file.display().to_string());
        assert_eq!(r["detail"]["bytes"], w.sealed.file_bytes);

        // A backup over an existing file is refused, and recorded as failed, once.
        let e = backup::backup(&p, "ops.wang", &file).await.unwrap_err();
        assert!(matches!(e, BackupError::Refused(_)), "{e}");
        let records = backup_records(&p).await;
        assert_eq!(records.len(), before + 2);
        assert_eq!(records[before + 1]["result"], "failed");
        assert!(
            records[before + 1]["detail"]["reason"]
                .as_str()
                .unwrap()
                .contains("never overwrites"),
            "{}",
            records[before + 1]
        );
        // The record is part of the ledger like any other: the record verifies.
        let report = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(report.is_intact(), "{report}");
    }
}

fn key_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn rx2_the_backup_key_is_a_0600_file_of_its_own_and_no_key_or_session_is_in_a_backup() {
    for p in each_backend("backup-keys").await {
        app::identity::login(
            &p,
            "scj.clerk",
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
        let key_file = p.settings.key_file.clone();
        let backup_key = backup::backup_key_path(&key_file);
        assert!(!backup_key.exists());
        let file = backup_file("backup-keys");
        let w = backup::backup(&p, "ops", &file).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&backup_key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(key_text(&backup_key).len(), 64);
        let sessions = w.header.manifest.table("sessions").unwrap();
        assert_eq!(sessions.rows, 0);
        assert_eq!(w.header.manifest.rows_not_kept[0].name, "sessions");

        // Without the backup key, or with another platform's key files, nothing is restored.
        let target = testkit::empty_database("backup-keys-target", p.store.url()).await;
        let elsewhere = testkit::scratch_dir("backup-keys-elsewhere");
        for ext in ["key", "pub", "ledger"] {
            std::fs::copy(
                key_file.with_extension(ext),
                elsewhere.join(format!("platform-sm2.{ext}")),
            )
            .unwrap();
        }
        let e = backup::restore(
            &file,
            &target,
            &elsewhere.join("platform-sm2.key"),
            &p.policy,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, BackupError::Keys(why) if why.contains("platform-sm2.backup")),
            "{e}"
        );
        let other = testkit::settings("backup-keys-other").key_file;
        app::keys::load_or_create(&other).unwrap();
        std::fs::copy(&backup_key, backup::backup_key_path(&other)).unwrap();
        let e = backup::restore(&file, &target, &other, &p.policy)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, BackupError::Keys(why) if why.contains("platform key")),
            "{e}"
        );
        assert!(nothing_written(&target).await);

        // With the right key files it restores, and the restored database holds no key.
        let r = backup::restore(&file, &target, &key_file, &p.policy)
            .await
            .unwrap();
        assert!(r.is_good(), "{:?}\n{}", r.differences, r.report);
        if target.starts_with("sqlite:") {
            let restored = std::fs::read(store::backup::sqlite_path(&target)).unwrap();
            let backup_bytes = std::fs::read(&file).unwrap();
            for k in [
                key_text(&key_file),
                key_text(&key_file.with_extension("ledger")),
                key_text(&backup_key),
            ] {
                assert!(!contains(&restored, &k), "a key in the restored database");
                assert!(!contains(&backup_bytes, &k), "a key in the backup file");
            }
        }
        let mut c = store::sqlx::AnyConnection::connect(&target).await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM sessions")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "no session comes back with a restore");
        drop(c);
        testkit::drop_database(&target).await;
    }
}

/// The same rows give the same digest on SQLite and PostgreSQL: NULLs, integers, text with
/// tabs, newlines, backslashes and Chinese, blobs with every byte, and text keys whose order
/// differs between byte order and a locale's collation.
#[tokio::test]
async fn rx2_table_digests_are_the_same_on_sqlite_and_postgresql_for_the_same_rows() {
    let urls = testkit::database_urls("backup-digests").await;
    if urls.len() < 2 {
        return; // PostgreSQL is not configured (TEST_DATABASE_URL).
    }
    let blob: String = (0..=255u8).map(|b| format!("{b:02x}")).collect();
    let inserts = [
        "INSERT INTO orgs (id, code, name_zh, name_en, kind, parent_id, county) VALUES (1, 'zrzy', '市自然资源和规划局', 'Natural\tResources\nBureau \\ city', 'GovernmentDept', NULL, NULL)".to_string(),
        "INSERT INTO orgs (id, code, name_zh, name_en, kind, parent_id, county) VALUES (2, 'x', '县', '', 'County', 1, '宛城区')".to_string(),
        "INSERT INTO counters (kind, year, next) VALUES ('b', 2026, 1), ('B', 2026, 2), ('a', 2026, 3), ('中', 2026, 4), ('_z', 2025, -5)".to_string(),
        "INSERT INTO items (id, kind, number, year, title, owner_org_id, state, policy_version, version, due, amount_fen, created_at, updated_at, fields, acts) VALUES (1, 'demand', 'XQ-2026-0001', 2026, '标题', 1, 'draft', '2025.1', 1, NULL, 9223372036854775807, 't', 't', '{\"a\":\"\\\\N\"}', '[]')".to_string(),
    ];
    let mut found = Vec::new();
    for url in &urls {
        let url = if url.starts_with("sqlite:") {
            url.clone()
        } else {
            testkit::empty_database("backup-digests-pg", url).await
        };
        let s = store::Store::open(&url).await.unwrap();
        {
            let mut c = s.read().await.unwrap();
            if s.backend() == store::Backend::Postgres {
                // As on a server whose default collation is a locale's (zh_CN, en_US): text
                // keys sort otherwise than by their bytes.
                sqlx::query(
                    "ALTER TABLE counters ALTER COLUMN kind TYPE text COLLATE \"und-x-icu\"",
                )
                .execute(&mut *c)
                .await
                .unwrap();
            }
            for q in &inserts {
                sqlx::query(q).execute(&mut *c).await.unwrap();
            }
            let q = match s.backend() {
                store::Backend::Sqlite => format!(
                    "INSERT INTO files (id, item_id, purpose, name, media_type, size, sm3, content, uploaded_by, created_at) VALUES (1, 1, 'p', 'n', 'm', 256, 's', X'{blob}', NULL, 't')"
                ),
                store::Backend::Postgres => format!(
                    "INSERT INTO files (id, item_id, purpose, name, media_type, size, sm3, content, uploaded_by, created_at) VALUES (1, 1, 'p', 'n', 'm', 256, 's', '\\x{blob}'::bytea, NULL, 't')"
                ),
            };
            sqlx::query(&q).execute(&mut *c).await.unwrap();
        }
        s.close().await;
        found.push(store::backup::contents_of(&url).await.unwrap());
        testkit::drop_database(&url).await;
    }
    let (sqlite, postgres) = (&found[0], &found[1]);
    assert_eq!(sqlite.tables, postgres.tables);
    assert_eq!(sqlite.table("counters").unwrap().rows, 5);
    assert_eq!(
        sqlite
            .not_digested
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        // SQLite's own counters, and its search index (derived from `items`).
        [
            "items_text",
            "items_text_config",
            "items_text_data",
            "items_text_docsize",
            "items_text_idx",
            "sqlite_sequence"
        ]
    );
    assert!(postgres.not_digested.is_empty());
}
