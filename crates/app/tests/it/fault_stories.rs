//! Faults and races (issue 10): what parallel requests, a full disk or a dead connection must
//! not do to the record.

use domain::Input;
use testkit::each_backend;

fn demand(title: &str) -> Input {
    [
        ("title", title),
        ("problem", "材料重复提交"),
        ("scope", "市交通运输局"),
        ("functions", "在线办理"),
        ("logic", "申请→受理"),
        ("budget", "100000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn cmd(action: &str, input: Input) -> app::items::Command {
    app::items::Command {
        action: action.into(),
        input,
        then: None,
        idempotency: None,
    }
}

/// Finding 4: four parallel uploads were all stored but the item listed one.
#[tokio::test]
async fn rx2_f4_parallel_uploads_to_one_item_record_every_file() {
    for p in each_backend("f4-uploads").await {
        let clerk = demo::principal(&p, "jtj.clerk").await.unwrap();
        let id = app::items::create(&p, &clerk, "demand", cmd("create", demand("并行上传")))
            .await
            .unwrap();
        let uploads = (0..4).map(|i| {
            let (p, clerk) = (p.clone(), clerk.clone());
            tokio::spawn(async move {
                let pdf = format!("%PDF-1.7\n% file {i}\n%%EOF\n").into_bytes();
                app::files::attach(&p, &clerk, id, &format!("材料{i}.pdf"), pdf).await
            })
        });
        for u in uploads.collect::<Vec<_>>() {
            u.await.unwrap().unwrap();
        }
        let item = app::items::view(&p, &clerk, id).await.unwrap();
        let listed = item.row.item.field("attachments").lines().count();
        assert_eq!(listed, 4, "{}", item.row.item.field("attachments"));
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}

/// A second platform on the same database, as a second process (the CLI beside the server)
/// would open it: its own pool and its own writer.
async fn second_process(p: &app::Platform) -> app::Platform {
    app::Platform::open(p.store.url(), (*p.policy).clone(), (*p.settings).clone())
        .await
        .unwrap()
}

/// Finding 3: 109 of 150 `tongchou user unlock` runs failed with "database is locked" while
/// the server was writing. Two writers on one database now wait their turn, and share one
/// ledger.
#[tokio::test]
async fn rx2_f3_two_processes_writing_one_database_all_succeed_and_share_one_ledger() {
    for p in each_backend("f3-two-writers").await {
        let other = second_process(&p).await;
        let clerk = demo::principal(&p, "jtj.clerk").await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..150 {
            // The server creates demands; the other process (the CLI) unlocks an account,
            // which reads the account before it writes.
            let (p, other, clerk) = (p.clone(), other.clone(), clerk.clone());
            tasks.push(tokio::spawn(async move {
                app::items::create(
                    &p,
                    &clerk,
                    "demand",
                    cmd("create", demand(&format!("并发{i}"))),
                )
                .await
                .map(|_| ())
            }));
            tasks.push(tokio::spawn(async move {
                app::accounts::change(&other, "cli", "scj.clerk", app::accounts::Change::Unlock)
                    .await
            }));
        }
        let mut failed = Vec::new();
        for t in tasks {
            if let Err(e) = t.await.unwrap() {
                failed.push(e.to_string());
            }
        }
        assert!(
            failed.is_empty(),
            "{} writes failed: {:?}",
            failed.len(),
            failed.first()
        );
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}

/// A small filesystem of its own, made by the test (tmpfs; the suite runs as root on the
/// CI machines), unmounted when dropped.
struct SmallDisk {
    dir: std::path::PathBuf,
}

impl SmallDisk {
    fn new(label: &str, size: &str) -> SmallDisk {
        let dir = testkit::scratch_dir(label).join("disk");
        std::fs::create_dir_all(&dir).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount must run");
        assert!(
            out.status.success(),
            "the disk-full story needs to mount a small tmpfs (run as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    /// Fills what is left with a filler file; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.dir.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 16 * 1024];
        while f.write_all(&block).and_then(|()| f.sync_data()).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
    }
}

/// SECURITY.md, fault scenarios: disk full during writes gives a clear 503 (Unavailable), no
/// corruption, and the platform recovers by itself when space returns.
#[tokio::test]
async fn rx2_f3_a_full_disk_refuses_writes_as_unavailable_and_the_platform_recovers_when_space_returns()
 {
    let disk = SmallDisk::new("f3-disk-full", "24m");
    let url = format!("sqlite://{}", disk.dir.join("tongchou.db").display());
    let p = testkit::platform(&url, "f3-disk-full", None).await.unwrap();
    let clerk = demo::principal(&p, "jtj.clerk").await.unwrap();
    let before = app::items::create(&p, &clerk, "demand", cmd("create", demand("写满之前")))
        .await
        .unwrap();
    let filler = disk.fill();
    // The WAL may still have room for a few writes; keep writing until the disk says no.
    let long = "很长的说明".repeat(400);
    let mut acknowledged = vec![before];
    let mut refused = None;
    for i in 0..400 {
        let mut input = demand(&format!("写满时{i}"));
        input.insert("problem".into(), long.clone());
        match app::items::create(&p, &clerk, "demand", cmd("create", input)).await {
            Ok(id) => acknowledged.push(id),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let refused = refused.expect("a write on a full disk must be refused");
    assert!(
        matches!(refused, app::AppError::Unavailable(_)),
        "{refused:?}"
    );
    // Reads still work while the disk is full.
    app::items::view(&p, &clerk, before).await.unwrap();
    std::fs::remove_file(filler).unwrap();
    let after = app::items::create(&p, &clerk, "demand", cmd("create", demand("空间恢复之后")))
        .await
        .expect("the platform recovers without a restart once space returns");
    acknowledged.push(after);
    for id in &acknowledged {
        app::items::view(&p, &clerk, *id).await.unwrap();
    }
    let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
        .await
        .unwrap();
    assert!(r.is_intact(), "{r}");
    p.store.close().await;
}

/// Drops the test's database and its tablespace before the small disk under them goes (a
/// database left in a tablespace whose filesystem is gone makes every checkpoint of the
/// whole PostgreSQL cluster fail). Declared after the disk, so it is dropped first.
struct PgSpace {
    base: String,
    db: String,
    space: String,
}

impl Drop for PgSpace {
    fn drop(&mut self) {
        for sql in [
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                self.db
            ),
            format!("DROP DATABASE IF EXISTS {}", self.db),
            format!("DROP TABLESPACE IF EXISTS {}", self.space),
        ] {
            let _ = std::process::Command::new("psql")
                .args([self.base.as_str(), "-qAtc", sql.as_str()])
                .output();
        }
    }
}

/// The same on PostgreSQL: the test's database is moved to a tablespace on a small tmpfs of
/// its own, which the test then fills ("could not extend file": SQLSTATE 53100).
#[tokio::test]
async fn rx2_f3_a_full_disk_under_postgresql_refuses_writes_as_unavailable_and_recovers() {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        return; // SQLite only: the story above
    };
    if base.is_empty() {
        return;
    }
    let disk = SmallDisk::new("f3-pg-full", "16m");
    let owner = std::process::Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&disk.dir)
        .status()
        .unwrap();
    assert!(
        owner.success(),
        "the tablespace's folder must belong to postgres"
    );
    let p = testkit::platform(&base, "f3-pg-full", None).await.unwrap();
    let (settings, policy, url) = (
        (*p.settings).clone(),
        (*p.policy).clone(),
        p.store.url().to_string(),
    );
    p.store.close().await;
    let db = url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let space = format!("{db}_space");
    let _cleanup = PgSpace {
        base: base.clone(),
        db: db.clone(),
        space: space.clone(),
    };
    let mut admin = <store::sqlx::AnyConnection as store::sqlx::Connection>::connect(&base)
        .await
        .unwrap();
    for sql in [
        // A connection of the closed pool may linger a moment on the server's side.
        format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
        ),
        format!(
            "CREATE TABLESPACE {space} LOCATION '{}'",
            disk.dir.display()
        ),
    ] {
        store::sqlx::raw_sql(&sql)
            .execute(&mut admin)
            .await
            .unwrap();
    }
    // Moving a database waits until its last session has gone.
    let mut moved = Err(String::new());
    for _ in 0..50 {
        let sql = format!("ALTER DATABASE {db} SET TABLESPACE {space}");
        moved = store::sqlx::raw_sql(&sql)
            .execute(&mut admin)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string());
        if moved.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if let Err(e) = moved {
        panic!("the database did not move to the small tablespace: {e}");
    }
    let p = app::Platform::open(&url, policy, settings).await.unwrap();
    let clerk = demo::principal(&p, "jtj.clerk").await.unwrap();
    let filler = disk.fill();
    let long = "很长的说明".repeat(400);
    let mut refused = None;
    for i in 0..400 {
        let mut input = demand(&format!("写满时{i}"));
        input.insert("problem".into(), long.clone());
        if let Err(e) = app::items::create(&p, &clerk, "demand", cmd("create", input)).await {
            refused = Some(e);
            break;
        }
    }
    let refused = refused.expect("a write on a full disk must be refused");
    assert!(
        matches!(refused, app::AppError::Unavailable(_)),
        "{refused:?}"
    );
    std::fs::remove_file(filler).unwrap();
    app::items::create(&p, &clerk, "demand", cmd("create", demand("空间恢复之后")))
        .await
        .expect("the platform recovers without a restart once space returns");
    let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
        .await
        .unwrap();
    assert!(r.is_intact(), "{r}");
    p.store.close().await;
}
