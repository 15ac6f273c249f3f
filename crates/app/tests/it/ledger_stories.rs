//! The ledger that proves itself (issue 10, finding 1 and 2; RX.2): each tampering the security
//! review did on a copy of the database is named by `audit verify`, with the MAC key (on the
//! server) and, where it can be, without it (an auditor with the public key only).

use app::audit::{Report, Trust};
use domain::Lang;
use store::events::{NewEvent, chain_hash};
use store::sqlx::{self, Row};
use testkit::each_backend;

async fn verify(p: &app::Platform, trust: &Trust) -> Report {
    app::audit::verify(&p.store, trust, &p.policy)
        .await
        .unwrap()
}

/// What the server can check: the public keys and the ledger's key.
fn full(p: &app::Platform) -> Trust {
    p.trust().unwrap()
}

/// What an auditor with a copy of the database and the public key checks.
fn public_only(p: &app::Platform) -> Trust {
    Trust {
        mac_key: None,
        ..p.trust().unwrap()
    }
}

async fn sql(p: &app::Platform, q: &str) {
    let mut c = p.store.read().await.unwrap();
    sqlx::query(q).execute(&mut *c).await.unwrap();
}

async fn one_i64(p: &app::Platform, q: &str) -> i64 {
    let mut c = p.store.read().await.unwrap();
    sqlx::query(q).fetch_one(&mut *c).await.unwrap().get(0)
}

async fn wrong_password(p: &app::Platform, user: &str) {
    let r = app::identity::login(p, user, "Not-The-Password-9", "127.0.0.1", "web", Lang::Zh).await;
    assert!(r.is_err());
}

/// A demand draft made by `clerk`; its id.
async fn create_demand(p: &app::Platform, clerk: &app::Principal, title: &str) -> i64 {
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
    let cmd = app::items::Command {
        action: "create".into(),
        input,
        then: None,
        idempotency: None,
    };
    app::items::create(p, clerk, "demand", cmd)
        .await
        .unwrap()
        .get()
}

/// Signs what is new; the number of the newest checkpoint (the seeded record ends with one).
async fn checkpoint(p: &app::Platform) -> i64 {
    match app::audit::checkpoint(p).await.unwrap() {
        Some(n) => n,
        None => {
            app::audit::anchor(&p.store)
                .await
                .unwrap()
                .expect("a checkpoint")
                .number
        }
    }
}

#[tokio::test]
async fn rx2_f1_deleting_the_newest_security_events_is_named_by_the_ledger_head() {
    for p in each_backend("f1-newest").await {
        checkpoint(&p).await;
        for _ in 0..3 {
            wrong_password(&p, "scj.clerk").await;
        }
        assert!(verify(&p, &full(&p)).await.is_intact());
        sql(
            &p,
            "DELETE FROM events WHERE lseq > (SELECT MAX(lseq) - 2 FROM events)",
        )
        .await;
        for trust in [full(&p), public_only(&p)] {
            let r = verify(&p, &trust).await;
            assert!(r.says("the newest 2 were deleted"), "{r}");
        }
        // Rewinding the head too needs its MAC, which only the key file can make.
        let (lseq, lhash): (i64, String) = {
            let mut c = p.store.read().await.unwrap();
            let r = sqlx::query("SELECT lseq, lhash FROM events ORDER BY lseq DESC LIMIT 1")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            (r.get(0), r.get(1))
        };
        sql(
            &p,
            &format!("UPDATE ledger_head SET lseq = {lseq}, lhash = '{lhash}'"),
        )
        .await;
        let r = verify(&p, &full(&p)).await;
        assert!(r.says("head's MAC does not verify"), "{r}");
    }
}

#[tokio::test]
async fn rx2_f1_deleting_an_item_created_after_the_last_checkpoint_is_named() {
    for p in each_backend("f1-item").await {
        checkpoint(&p).await;
        let clerk = demo::principal(&p, "scj.clerk").await.unwrap();
        let id = create_demand(&p, &clerk, "事后删除的需求").await;
        wrong_password(&p, "scj.clerk").await;
        let (first, last) = {
            let mut c = p.store.read().await.unwrap();
            let r = sqlx::query("SELECT MIN(lseq), MAX(lseq) FROM events WHERE stream = $1")
                .bind(format!("item:{id}"))
                .fetch_one(&mut *c)
                .await
                .unwrap();
            (r.get::<i64, _>(0), r.get::<i64, _>(1))
        };
        sql(
            &p,
            &format!("DELETE FROM events WHERE stream = 'item:{id}'"),
        )
        .await;
        sql(&p, &format!("DELETE FROM items WHERE id = {id}")).await;
        for trust in [full(&p), public_only(&p)] {
            let r = verify(&p, &trust).await;
            assert!(
                r.says(&format!(
                    "ledger places {first} to {last} before it are missing"
                )),
                "{r}"
            );
        }
    }
}

#[tokio::test]
async fn rx2_f1_deleting_every_checkpoint_and_then_older_security_events_is_named() {
    for p in each_backend("f1-checkpoints").await {
        for _ in 0..20 {
            wrong_password(&p, "dc.analyst").await;
        }
        checkpoint(&p).await;
        sql(&p, "DELETE FROM ledger_checkpoints").await;
        sql(
            &p,
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE stream = 'security' ORDER BY id LIMIT 17)",
        )
        .await;
        for trust in [full(&p), public_only(&p)] {
            let r = verify(&p, &trust).await;
            assert!(r.says("missing from the checkpoints"), "{r}");
            assert!(r.says("before it are missing"), "{r}");
            assert!(!r.on("security").is_empty(), "{r}");
        }
    }
}

#[tokio::test]
async fn rx2_f1_deleting_the_newest_checkpoint_with_the_events_it_covered_is_named() {
    for p in each_backend("f1-newest-checkpoint").await {
        let anchor =
            testkit::scratch_dir("f1-anchor").join(format!("{}.anchor", p.store.backend() as u8));
        let earlier = checkpoint(&p).await;
        let (lseq, lhash): (i64, String) = {
            let mut c = p.store.read().await.unwrap();
            let r = sqlx::query("SELECT lseq, lhash FROM ledger_checkpoints WHERE number = $1")
                .bind(earlier)
                .fetch_one(&mut *c)
                .await
                .unwrap();
            (r.get(0), r.get(1))
        };
        for _ in 0..3 {
            wrong_password(&p, "scj.clerk").await;
        }
        let newest = checkpoint(&p).await;
        let kept = app::audit::anchor(&p.store).await.unwrap().unwrap();
        std::fs::write(&anchor, format!("{}\n", kept.to_line())).unwrap();
        sql(
            &p,
            &format!("DELETE FROM ledger_checkpoints WHERE number = {newest}"),
        )
        .await;
        sql(&p, &format!("DELETE FROM events WHERE lseq > {lseq}")).await;
        sql(
            &p,
            &format!("UPDATE ledger_head SET lseq = {lseq}, lhash = '{lhash}'"),
        )
        .await;
        let r = verify(&p, &full(&p)).await;
        assert!(r.says("head's MAC does not verify"), "{r}");
        let mut anchored = public_only(&p);
        anchored.anchor = Some(app::audit::read_anchor(&anchor).unwrap());
        let r = verify(&p, &anchored).await;
        assert!(r.says("anchored checkpoint is missing"), "{r}");
        assert!(r.says("events were deleted"), "{r}");
    }
}

/// Rewrites one security event and then recomputes every chain after it, as someone with the
/// database and the code (but not the key file) could.
async fn rewrite_from(p: &app::Platform, id: i64, action: &str, payload: &str) {
    let mut c = p.store.read().await.unwrap();
    sqlx::query("UPDATE events SET action = $1, payload = $2 WHERE id = $3")
        .bind(action)
        .bind(payload)
        .bind(id)
        .execute(&mut *c)
        .await
        .unwrap();
    let from: i64 = sqlx::query("SELECT lseq FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .get(0);
    let mut lhash: String = sqlx::query("SELECT lhash FROM events WHERE lseq = $1")
        .bind(from - 1)
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .get(0);
    let mut streams = std::collections::HashMap::<String, String>::new();
    let mut lseq = from;
    loop {
        let Some(r) = sqlx::query("SELECT id, stream, seq, prev_hash FROM events WHERE lseq = $1")
            .bind(lseq)
            .fetch_optional(&mut *c)
            .await
            .unwrap()
        else {
            break;
        };
        let ev_id: i64 = r.get(0);
        let stream: String = r.get(1);
        let seq: i64 = r.get(2);
        let prev: String = streams.get(&stream).cloned().unwrap_or_else(|| r.get(3));
        let stored = store::events::stream(&mut c, &stream)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.id == ev_id)
            .unwrap();
        let hash = chain_hash(&prev, seq, &stored.event);
        lhash = store::ledger::link(&lhash, lseq, &hash);
        sqlx::query("UPDATE events SET prev_hash = $1, hash = $2, lhash = $3 WHERE id = $4")
            .bind(&prev)
            .bind(&hash)
            .bind(&lhash)
            .bind(ev_id)
            .execute(&mut *c)
            .await
            .unwrap();
        streams.insert(stream, hash);
        lseq += 1;
    }
    sqlx::query("UPDATE ledger_head SET lseq = $1, lhash = $2")
        .bind(lseq - 1)
        .bind(&lhash)
        .execute(&mut *c)
        .await
        .unwrap();
}

#[tokio::test]
async fn rx2_f1_a_failed_login_rewritten_as_a_logout_with_its_chains_recomputed_is_named() {
    for p in each_backend("f1-rewrite").await {
        wrong_password(&p, "scj.clerk").await;
        let id = one_i64(
            &p,
            "SELECT MAX(id) FROM events WHERE stream = 'security' AND action = 'login'",
        )
        .await;
        wrong_password(&p, "dc.analyst").await;
        checkpoint(&p).await;
        rewrite_from(&p, id, "logout", r#"{"result":"ok","detail":{}}"#).await;
        let r = verify(&p, &full(&p)).await;
        assert!(
            r.breaches
                .iter()
                .any(|b| b.event_id == id && b.what.contains("MAC does not verify")),
            "{r}"
        );
        // Without the key, the signed checkpoint still names the rewrite.
        let r = verify(&p, &public_only(&p)).await;
        assert!(r.says("differs from what checkpoint"), "{r}");
    }
}

/// A `submit` appended with SQL to a draft's stream, correctly chained, dated before the last
/// checkpoint, with the item row set to match.
async fn forge_submit(p: &app::Platform, in_ledger: bool) -> i64 {
    let draft = testkit::peek::first(p, "demand", "").await;
    let draft = if draft.item.state == "draft" {
        draft
    } else {
        let mut c = p.store.read().await.unwrap();
        let id: i64 = sqlx::query(
            "SELECT id FROM items WHERE kind = 'demand' AND state = 'draft' ORDER BY id LIMIT 1",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .get(0);
        drop(c);
        testkit::peek::item(p, id).await
    };
    let id = draft.item.id.get();
    let stream = format!("item:{id}");
    let mut c = p.store.read().await.unwrap();
    let last = store::events::stream(&mut c, &stream)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let ev = NewEvent {
        at: "2026-01-05T09:00:00.000+08:00".into(),
        action: "submit".into(),
        before_state: Some("draft".into()),
        after_state: Some("submitted".into()),
        payload: r#"{"changes":{},"number":"x","org_id":0}"#.into(),
        ..last.event.clone()
    };
    let seq = last.seq + 1;
    let hash = chain_hash(&last.hash, seq, &ev);
    let (lseq, lhash): (Option<i64>, Option<String>) = if in_ledger {
        let h = store::ledger::head(&mut c).await.unwrap().unwrap();
        let lhash = store::ledger::link(&h.lhash, h.lseq + 1, &hash);
        sqlx::query("UPDATE ledger_head SET lseq = $1, lhash = $2")
            .bind(h.lseq + 1)
            .bind(&lhash)
            .execute(&mut *c)
            .await
            .unwrap();
        (Some(h.lseq + 1), Some(lhash))
    } else {
        (None, None)
    };
    sqlx::query(
        "INSERT INTO events (stream, seq, at, actor_id, actor_name, org_name, role, action, article, policy_version, payload, before_state, after_state, prev_hash, hash, lseq, lhash, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&ev.stream)
    .bind(seq)
    .bind(&ev.at)
    .bind(ev.actor_id)
    .bind(&ev.actor_name)
    .bind(&ev.org_name)
    .bind(&ev.role)
    .bind(&ev.action)
    .bind(&ev.article)
    .bind(&ev.policy_version)
    .bind(&ev.payload)
    .bind(&ev.before_state)
    .bind(&ev.after_state)
    .bind(&last.hash)
    .bind(&hash)
    .bind(lseq)
    .bind(lhash)
    .bind("00".repeat(32))
    .execute(&mut *c)
    .await
    .unwrap();
    sqlx::query("UPDATE items SET state = 'submitted' WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn rx2_f1_a_submit_forged_into_a_drafts_stream_is_named_and_never_signed() {
    for p in each_backend("f1-forged").await {
        checkpoint(&p).await;
        let id = forge_submit(&p, false).await;
        let r = verify(&p, &public_only(&p)).await;
        assert!(
            r.on(&format!("item:{id}"))
                .iter()
                .any(|b| b.what.contains("no place in the ledger")),
            "{r}"
        );
        assert!(
            app::audit::checkpoint(&p).await.is_err(),
            "the forged event must not be signed"
        );
    }
    for p in each_backend("f1-forged-placed").await {
        checkpoint(&p).await;
        let id = forge_submit(&p, true).await;
        let r = verify(&p, &full(&p)).await;
        let on_item = r.on(&format!("item:{id}"));
        assert!(
            on_item
                .iter()
                .any(|b| b.what.contains("MAC does not verify")),
            "{r}"
        );
        // Without the key: it claims a time before the checkpoint it came after.
        let r = verify(&p, &public_only(&p)).await;
        assert!(
            r.on(&format!("item:{id}"))
                .iter()
                .any(|b| b.what.contains("claims a time before it")),
            "{r}"
        );
        assert!(
            app::audit::checkpoint(&p).await.is_err(),
            "the forged event must not be signed"
        );
    }
}

#[tokio::test]
async fn rx2_f1_three_tamperings_in_one_copy_are_all_named() {
    for p in each_backend("f1-three").await {
        checkpoint(&p).await;
        let altered = one_i64(&p, "SELECT MIN(id) FROM events WHERE action = 'accept'").await;
        sql(
            &p,
            &format!("UPDATE events SET actor_name = '别人' WHERE id = {altered}"),
        )
        .await;
        let deleted = one_i64(&p, "SELECT MAX(id) FROM items WHERE kind = 'demand'").await;
        sql(&p, &format!("DELETE FROM items WHERE id = {deleted}")).await;
        sql(&p, "UPDATE ledger_checkpoints SET signature = REPLACE(signature, 'a', 'b') WHERE number = 1").await;
        let r = verify(&p, &full(&p)).await;
        assert!(
            r.breaches
                .iter()
                .any(|b| b.event_id == altered && b.what.contains("altered")),
            "{r}"
        );
        assert!(
            r.on(&format!("item:{deleted}"))
                .iter()
                .any(|b| b.what.contains("deleted")),
            "{r}"
        );
        assert!(
            r.on("checkpoint:1")
                .iter()
                .any(|b| b.what.contains("signature")),
            "{r}"
        );
    }
}

#[tokio::test]
async fn rx2_f2_a_checkpoint_is_the_same_size_with_one_stream_or_two_hundred_more() {
    for p in each_backend("f2-size").await {
        checkpoint(&p).await;
        let small = app::audit::anchor(&p.store)
            .await
            .unwrap()
            .unwrap()
            .to_line()
            .len();
        let clerk = demo::principal(&p, "scj.clerk").await.unwrap();
        for i in 0..200 {
            create_demand(&p, &clerk, &format!("第{i}个需求")).await;
        }
        checkpoint(&p).await;
        let large = app::audit::anchor(&p.store)
            .await
            .unwrap()
            .unwrap()
            .to_line()
            .len();
        // Only the digits of the numbers can grow.
        assert!(large.abs_diff(small) <= 4, "{small} bytes, then {large}");
        assert!(verify(&p, &full(&p)).await.is_intact());
    }
}

#[tokio::test]
async fn rx2_f8_a_missing_or_readable_key_file_stops_the_start_when_the_record_needs_it() {
    let urls = testkit::database_urls("f8-keys").await;
    let Some(url) = urls.iter().find(|u| u.starts_with("sqlite:")) else {
        return;
    };
    let p = testkit::platform(url, "f8-keys", None).await.unwrap();
    let settings = (*p.settings).clone();
    let policy = (*p.policy).clone();
    p.store.close().await;
    let key = settings.key_file.clone();
    let ledger = app::keys::ledger_key_path(&key);
    for (file, says) in [(&key, "signed checkpoints"), (&ledger, "a ledger")] {
        let aside = file.with_extension("aside");
        std::fs::rename(file, &aside).unwrap();
        let Err(e) = app::Platform::open(url, policy.clone(), settings.clone()).await else {
            panic!("started without {}", file.display());
        };
        assert!(
            e.to_string().contains("is missing") && e.to_string().contains(says),
            "{e}"
        );
        assert!(
            !file.exists(),
            "no new key may be made for a record that needs the old one"
        );
        std::fs::rename(&aside, file).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let Err(e) = app::Platform::open(url, policy.clone(), settings.clone()).await else {
            panic!("started with a key file others may read");
        };
        assert!(e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let p = app::Platform::open(url, policy, settings).await.unwrap();
    assert!(verify(&p, &full(&p)).await.is_intact());
}

/// Finding 8: there was no rotation. After `key rotate`, checkpoints signed with the old key
/// still verify (its public half stays in `.pub`), new ones are signed with the new key, the
/// rotation is in the record, and users' sealed keys still open (they are under the KEK).
#[tokio::test]
async fn rx2_f8_a_rotated_signing_key_keeps_old_checkpoints_verifiable() {
    for p in each_backend("f8-rotate").await {
        let old = p.key.public().id();
        let before = user_key(&p).await;
        let settings = (*p.settings).clone();
        let policy = (*p.policy).clone();
        let url = p.store.url().to_string();
        p.store.close().await;
        let (was, now) = app::keys::rotate(&settings.key_file).unwrap();
        assert_eq!(was, old);
        let p = app::Platform::open(&url, policy, settings).await.unwrap();
        assert_eq!(p.key.public().id(), now);
        let n = app::keys::record_rotation(&p, "ops", &was, &now)
            .await
            .unwrap()
            .unwrap();
        let signed_by: Vec<String> = {
            let mut c = p.store.read().await.unwrap();
            sqlx::query("SELECT DISTINCT key_id FROM ledger_checkpoints ORDER BY key_id")
                .fetch_all(&mut *c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        };
        assert_eq!(signed_by.len(), 2, "{signed_by:?}");
        assert!(n > 1);
        let r = verify(&p, &full(&p)).await;
        assert!(r.is_intact(), "{r}");
        assert_eq!(
            user_key(&p).await,
            before,
            "the user's sealed key opens as before"
        );
        // With only the new key, the old checkpoints are not trusted: the old key matters.
        let only_new = Trust {
            public_keys: vec![p.key.public()],
            ..full(&p)
        };
        assert!(
            verify(&p, &only_new)
                .await
                .says("signature does not verify")
        );
    }
}

/// The public half of user 1's signing key, opening (or making) the sealed key.
async fn user_key(p: &app::Platform) -> String {
    let q = p.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                Ok::<_, app::AppError>(app::signing::Custody::new(&q).sign(c, 1, b"x").await?.0)
            })
        })
        .await
        .unwrap()
}
