//! The compiled binary, as an operator and an auditor use it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tongchou");
const POLICY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../policy/nanyang-2025.toml"
);

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn rx1_policy_check_passes_on_the_shipped_policy_and_lists_transitions_with_articles() {
    let out = run(&["policy", "check", POLICY]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("version 2025.1 · effective 2025-01-01"),
        "{stdout}"
    );
    assert!(stdout.contains("submit") && stdout.contains("art. 13.2"));
}

#[test]
fn rx1_policy_check_fails_on_a_copy_with_an_unknown_role_naming_file_and_line() {
    let shipped = std::fs::read_to_string(POLICY).unwrap();
    let copy = shipped.replacen(
        "roles = [\"datacenter_analyst\"]\ninputs = [\"reason\",",
        "roles = [\"party_secretary\"]\ninputs = [\"reason\",",
        1,
    );
    let line = copy
        .lines()
        .position(|l| l.contains("party_secretary"))
        .unwrap()
        + 1;
    let dir = testkit::scratch_dir("policy-copy");
    let path = dir.join("copy.toml");
    std::fs::write(&path, copy).unwrap();
    let out = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("copy.toml:{line}: unknown role `party_secretary`")),
        "{stderr}"
    );
}

#[tokio::test]
async fn rx2_audit_verify_passes_on_the_demo_database_and_names_an_event_changed_with_sql() {
    let dir = testkit::scratch_dir("cli-audit");
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let p = testkit::platform(&url, "cli-audit", None).await.unwrap();
    let key = p.settings.key_file.to_str().unwrap().to_string();
    let verify = || run(&["audit", "verify", "--db", &url, "--key-file", &key]);

    let ok = verify();
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    assert!(text(&ok.stdout).starts_with("intact: "));

    let mut c = p.store.read().await.unwrap();
    let (id,): (i64,) = store::sqlx::query_as(
        "SELECT id FROM events WHERE action = 'submit' ORDER BY id LIMIT 1 OFFSET 2",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    store::sqlx::query("UPDATE events SET actor_name = '张三' WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);

    let broken = verify();
    assert_eq!(broken.status.code(), Some(2));
    let stdout = text(&broken.stdout);
    assert!(
        stdout.contains(&format!("BROKEN at event {id} ")),
        "{stdout}"
    );
}

#[tokio::test]
async fn operators_add_and_lock_users_from_the_command_line() {
    let dir = testkit::scratch_dir("cli-user");
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let p = testkit::platform(&url, "cli-user", None).await.unwrap();
    let key = p.settings.key_file.to_str().unwrap().to_string();
    let common = [
        "--db",
        url.as_str(),
        "--key-file",
        key.as_str(),
        "--password-iterations",
        "1000",
    ];
    let add = |pw: &str| {
        Command::new(BIN)
            .args([
                "user",
                "add",
                "--username",
                "ga.clerk2",
                "--name",
                "钱进",
                "--org",
                "gaj",
                "--role",
                "demand_clerk",
            ])
            .args(common)
            .env("TONGCHOU_NEW_PASSWORD", pw)
            .output()
            .unwrap()
    };
    let weak = add("short");
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("12 characters"),
        "{}",
        text(&weak.stderr)
    );
    let added = add("Qianjin#2026ok");
    assert!(added.status.success(), "{}", text(&added.stderr));
    let lock = Command::new(BIN)
        .args(["user", "lock", "ga.clerk2"])
        .args(common)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", text(&lock.stderr));
    let login = app::identity::login(
        &p,
        "ga.clerk2",
        "Qianjin#2026ok",
        "test",
        "web",
        domain::Lang::Zh,
    )
    .await;
    assert!(matches!(login, Err(app::AppError::LoginFailed)));
}
