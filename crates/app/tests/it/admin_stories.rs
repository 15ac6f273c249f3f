//! The three administrators in the web (issue 10, item 10; SECURITY.md 三员分立): the system
//! administrator keeps accounts, the security administrator grants roles and keeps the
//! organisations, the audit administrator reads the security record and the ledger. None sees
//! a business item, none does another's work, and each of their actions is recorded.

use app::AppError;
use app::admin::{accounts, grants, trail};
use store::sqlx;
use testkit::each_backend;

async fn login(p: &app::Platform, name: &str, password: &str) -> Result<app::Principal, AppError> {
    app::identity::login(p, name, password, "10.1.2.3", "web", domain::Lang::Zh)
        .await
        .map(|(_, who)| who)
}

/// The security records of `action` that succeeded: (account, payload).
async fn recorded(p: &app::Platform, action: &str) -> Vec<(String, String)> {
    records(p, action, "ok").await
}

/// The security records of `action` with `result`.
pub(crate) async fn records(
    p: &app::Platform,
    action: &str,
    result: &str,
) -> Vec<(String, String)> {
    let mut c = p.store.read().await.unwrap();
    let all: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_name, payload FROM events WHERE stream = 'security' AND action = $1 ORDER BY seq",
    )
    .bind(action)
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let end = format!("\"result\":\"{result}\"}}");
    all.into_iter().filter(|r| r.1.ends_with(&end)).collect()
}

/// Makes `username`'s password `days` old, as if it had been set then.
async fn age_password(p: &app::Platform, username: &str, days: i64) {
    let set = store::timestamp(p.now() - chrono::Duration::days(days));
    let mut c = p.store.read().await.unwrap();
    sqlx::query("UPDATE users SET password_changed_at = $1 WHERE username = $2")
        .bind(&set)
        .bind(username)
        .execute(&mut *c)
        .await
        .unwrap();
}

fn refused_as_denied<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    assert!(matches!(r, Err(AppError::Denied(_))), "{what}: {r:?}");
}

#[tokio::test]
async fn rx2_i10_an_account_is_created_by_the_system_administrator_granted_by_the_security_administrator_and_its_one_time_password_replaced()
 {
    for p in each_backend("i10-accounts").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        let sec = demo::principal(&p, "admin.sec").await.unwrap();
        let new = accounts::NewAccount {
            username: "scj.clerk2",
            display_name: "王五",
            org_code: "scj",
        };
        let first = accounts::create(&p, &sys, &new).await.unwrap();
        assert_eq!(first.username, "scj.clerk2");
        let listed = accounts::list(&p, &sys, "scj.clerk2").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].standing, accounts::Standing::NoRole);

        // Without a role the right password opens nothing, and says why.
        let r = login(&p, "scj.clerk2", &first.password).await;
        refused_as_denied(r, "a login before the grant");

        // The system administrator cannot grant; the security administrator can, with their
        // password again, and only a business role that fits the unit.
        refused_as_denied(
            grants::grant(&p, &sys, "scj.clerk2", "demand_clerk", demo::DEMO_PASSWORD).await,
            "a grant by the system administrator",
        );
        refused_as_denied(
            grants::grant(&p, &sec, "scj.clerk2", "demand_clerk", "Wrong-Password-1").await,
            "a grant with a wrong password",
        );
        refused_as_denied(
            grants::grant(&p, &sec, "scj.clerk2", "sys_admin", demo::DEMO_PASSWORD).await,
            "an administrator's role granted in the web",
        );
        refused_as_denied(
            grants::grant(
                &p,
                &sec,
                "scj.clerk2",
                "bureau_planner",
                demo::DEMO_PASSWORD,
            )
            .await,
            "a Bureau role in the market regulator",
        );
        refused_as_denied(
            grants::grant(&p, &sec, "admin.audit", "demand_clerk", demo::DEMO_PASSWORD).await,
            "a business role on an administrator's account",
        );
        grants::grant(&p, &sec, "scj.clerk2", "demand_clerk", demo::DEMO_PASSWORD)
            .await
            .unwrap();

        // The one-time password logs in once it has a role, and must be replaced.
        let who = login(&p, "scj.clerk2", &first.password).await.unwrap();
        assert!(who.user.password_one_time, "the password is for one use");
        let bad =
            app::identity::password::change_own(&p, &who, &first.password, "short", "short").await;
        refused_as_denied(bad, "a new password that breaks the rule");
        app::identity::password::change_own(
            &p,
            &who,
            &first.password,
            "Own-Password-2026",
            "Own-Password-2026",
        )
        .await
        .unwrap();
        let again = login(&p, "scj.clerk2", "Own-Password-2026").await.unwrap();
        assert!(!again.user.password_one_time);

        // A reset gives a new one-time password and ends the old one.
        let reset = accounts::change(&p, &sys, "scj.clerk2", accounts::Change::Reset)
            .await
            .unwrap()
            .unwrap();
        assert!(login(&p, "scj.clerk2", "Own-Password-2026").await.is_err());
        assert!(
            login(&p, "scj.clerk2", &reset.password)
                .await
                .unwrap()
                .user
                .password_one_time
        );

        for (action, by) in [
            ("user.add", "admin.sys"),
            ("role.grant", "admin.sec"),
            ("user.passwd.own", "scj.clerk2"),
            ("user.reset", "admin.sys"),
        ] {
            let r: Vec<_> = recorded(&p, action)
                .await
                .into_iter()
                .filter(|r| r.0 == by)
                .collect();
            assert_eq!(r.len(), 1, "{action} recorded once, naming {by}");
        }
        let refused = records(&p, "role.grant", "refused").await;
        assert_eq!(
            refused.len(),
            5,
            "each refused grant is recorded with its reason"
        );
        assert!(refused.iter().all(|r| r.1.contains("\"reason\"")));
        let grant = &recorded(&p, "role.grant").await[0].1;
        assert!(
            grant.contains("demand_clerk") && grant.contains("scj.clerk2"),
            "{grant}"
        );
        let added = recorded(&p, "user.add").await;
        assert!(
            added.iter().all(|r| !r.1.contains(&first.password)),
            "no password reaches the record"
        );
    }
}

#[tokio::test]
async fn rx2_i10_a_lock_by_the_system_administrator_ends_the_sessions_and_holds_until_unlocked() {
    for p in each_backend("i10-lock").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        let (token, _) = app::identity::login(
            &p,
            "jtj.clerk",
            demo::DEMO_PASSWORD,
            "10.1.2.3",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
        accounts::change(&p, &sys, "jtj.clerk", accounts::Change::Lock)
            .await
            .unwrap();
        assert!(
            app::identity::authenticate(&p, &token, "web")
                .await
                .is_err(),
            "the session ended"
        );
        assert!(
            login(&p, "jtj.clerk", demo::DEMO_PASSWORD).await.is_err(),
            "no login while locked"
        );
        refused_as_denied(
            accounts::change(&p, &sys, "admin.sys", accounts::Change::Unlock).await,
            "an administrator's change to their own account",
        );
        accounts::change(&p, &sys, "jtj.clerk", accounts::Change::Unlock)
            .await
            .unwrap();
        assert!(login(&p, "jtj.clerk", demo::DEMO_PASSWORD).await.is_ok());
        let lock = recorded(&p, "user.lock").await;
        assert_eq!(lock.len(), 1);
        assert!(lock[0].1.contains("jtj.clerk"));
        assert_eq!(recorded(&p, "user.unlock").await.len(), 1);
    }
}

#[tokio::test]
async fn rx2_i10_no_administrator_sees_a_business_item_or_does_another_administrators_work() {
    for p in each_backend("i10-separate").await {
        let clerk = demo::principal(&p, "scj.clerk").await.unwrap();
        let mine = app::items::list(
            &p,
            &clerk,
            &app::items::ListQuery {
                kind: "demand".into(),
                state: None,
                year: None,
                text: None,
                owner: None,
                facet: None,
                order: Default::default(),
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
        let some_item = mine
            .rows
            .first()
            .map(|r| r.id)
            .expect("the demo city has demands");
        for name in ["admin.sys", "admin.sec", "admin.audit"] {
            let admin = demo::principal(&p, name).await.unwrap();
            let q = app::items::ListQuery {
                kind: "demand".into(),
                state: None,
                year: None,
                text: None,
                owner: None,
                facet: None,
                order: Default::default(),
                page: 1,
                per_page: 10,
            };
            let seen = app::items::list(&p, &admin, &q)
                .await
                .map(|r| r.rows.len())
                .unwrap_or(0);
            assert_eq!(seen, 0, "{name} lists no business item");
            assert!(
                matches!(
                    app::items::view(&p, &admin, some_item).await,
                    Err(AppError::NotFound)
                ),
                "{name} cannot open one"
            );
        }
        let sec = demo::principal(&p, "admin.sec").await.unwrap();
        let audit = demo::principal(&p, "admin.audit").await.unwrap();
        let new = accounts::NewAccount {
            username: "x.y",
            display_name: "某人",
            org_code: "scj",
        };
        for who in [&sec, &audit, &clerk] {
            refused_as_denied(
                accounts::create(&p, who, &new).await,
                "an account made by another",
            );
        }
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        for who in [&sys, &sec, &clerk] {
            refused_as_denied(
                trail::search(&p, who, &trail::Filter::default(), 1)
                    .await
                    .map(|_| ()),
                "the security record read by another",
            );
        }
        refused_as_denied(
            accounts::list(&p, &audit, "").await,
            "accounts listed by the auditor",
        );
        let org = grants::NewOrg {
            code: "wlj",
            name_zh: "市文旅局",
            name_en: "Culture and Tourism Bureau",
            kind: "GovernmentDept",
            county: "",
        };
        refused_as_denied(
            grants::add_org(&p, &audit, &org).await,
            "an organisation added by the auditor",
        );
        // The demo city already added its vendor's unit.
        let before = recorded(&p, "org.add").await.len();
        grants::add_org(&p, &sec, &org).await.unwrap();
        let bad = grants::NewOrg { code: "wlj", ..org };
        refused_as_denied(
            grants::add_org(&p, &sec, &bad).await,
            "a code already taken",
        );
        assert_eq!(recorded(&p, "org.add").await.len(), before + 1);
    }
}

#[tokio::test]
async fn rx2_i10_the_audit_administrator_searches_exports_and_verifies_the_record_and_each_is_recorded()
 {
    for p in each_backend("i10-trail").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        let audit = demo::principal(&p, "admin.audit").await.unwrap();
        let mut sys_web = sys.clone();
        sys_web.origin = app::Origin {
            source: "10.9.8.7".into(),
            request_id: "req-42".into(),
        };
        accounts::change(&p, &sys_web, "jtj.clerk", accounts::Change::Lock)
            .await
            .unwrap();
        let _ = login(&p, "nobody.here", "Wrong-Password-1").await;

        let f = trail::Filter {
            action: "user.lock".into(),
            ..Default::default()
        };
        let page = trail::search(&p, &audit, &f, 1).await.unwrap();
        assert_eq!(page.total, 1);
        let r = &page.rows[0];
        assert_eq!((r.actor.as_str(), r.result.as_str()), ("admin.sys", "ok"));
        assert_eq!(
            (r.source.as_str(), r.request_id.as_str()),
            ("10.9.8.7", "req-42")
        );
        assert!(page.actions.iter().any(|a| a == "login"));

        let refused = trail::Filter {
            result: "refused".into(),
            action: "login".into(),
            ..Default::default()
        };
        let page = trail::search(&p, &audit, &refused, 1).await.unwrap();
        assert!(page.rows.iter().all(|r| r.result == "refused") && page.total >= 1);
        let by_name = trail::Filter {
            actor: "nobody".into(),
            ..Default::default()
        };
        assert_eq!(
            trail::search(&p, &audit, &by_name, 1).await.unwrap().total,
            1
        );
        let percent = trail::Filter {
            actor: "%".into(),
            ..Default::default()
        };
        assert_eq!(
            trail::search(&p, &audit, &percent, 1).await.unwrap().total,
            0,
            "a % in the search is a character, not a wildcard"
        );

        let xlsx = trail::export(&p, &audit, &f).await.unwrap();
        assert!(xlsx.starts_with(b"PK"), "an Excel workbook");
        let export = recorded(&p, "export").await;
        assert_eq!(export.len(), 1);
        assert!(export[0].1.contains("security") && export[0].1.contains("user.lock"));

        app::audit::checkpoint(&p).await.unwrap();
        let ledger = trail::ledger(&p, &audit, 20).await.unwrap();
        assert!(ledger.total >= 1 && !ledger.checkpoints.is_empty());
        let head = trail::anchor(&p, &audit).await.unwrap().unwrap();
        assert!(head.contains(&ledger.checkpoints[0].digest));
        let report = trail::verify(&p, &audit).await.unwrap();
        assert!(report.is_intact(), "{report}");
        assert_eq!(recorded(&p, "ledger.verify").await.len(), 1);
        assert_eq!(recorded(&p, "ledger.anchor").await.len(), 1);
        refused_as_denied(
            trail::verify(&p, &sys).await.map(|_| ()),
            "a verification by the system administrator",
        );
    }
}

#[tokio::test]
async fn a_password_older_than_ninety_days_must_be_replaced_before_anything_else() {
    // SECURITY.md: maximum age configurable, default 90 days.
    for p in each_backend("password-age").await {
        age_password(&p, "jtj.clerk", 89).await;
        let who = demo::principal(&p, "jtj.clerk").await.unwrap();
        assert_eq!(
            who.must_change_password(&p),
            None,
            "a password of 89 days is still good"
        );
        age_password(&p, "jtj.clerk", 91).await;
        let who = demo::principal(&p, "jtj.clerk").await.unwrap();
        assert_eq!(
            who.must_change_password(&p),
            Some(app::identity::PasswordDue::TooOld)
        );
        let new = "Jtj-New-Password-1";
        app::identity::password::change_own(&p, &who, demo::DEMO_PASSWORD, new, new)
            .await
            .unwrap();
        let who = demo::principal(&p, "jtj.clerk").await.unwrap();
        assert_eq!(who.must_change_password(&p), None);
    }
}

#[tokio::test]
async fn rx2_i10_the_system_administrator_cannot_reset_lock_or_unlock_another_administrator_and_the_attempt_is_recorded()
 {
    // A reset of the security administrator would show the system administrator a password
    // to log in as them (review finding): administrators' accounts are the console's.
    for p in each_backend("i10-admin-takeover").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        for change in [
            accounts::Change::Reset,
            accounts::Change::Lock,
            accounts::Change::Unlock,
        ] {
            refused_as_denied(
                accounts::change(&p, &sys, "admin.sec", change).await,
                "a change to another administrator's account",
            );
        }
        assert!(
            login(&p, "admin.sec", demo::DEMO_PASSWORD).await.is_ok(),
            "their password still works"
        );
        let tried = records(&p, "user.reset", "refused").await;
        assert_eq!(tried.len(), 1);
        assert!(
            tried[0].1.contains("admin.sec") && tried[0].1.contains("administrator"),
            "{}",
            tried[0].1
        );
        assert!(recorded(&p, "user.reset").await.is_empty());
    }
}

#[tokio::test]
async fn rx2_i10_changing_ones_password_ends_every_other_session_and_a_one_time_password_lapses_after_three_days()
 {
    for p in each_backend("i10-sessions").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        let sec = demo::principal(&p, "admin.sec").await.unwrap();
        let new = accounts::NewAccount {
            username: "scj.qian",
            display_name: "钱七",
            org_code: "scj",
        };
        let one = accounts::create(&p, &sys, &new).await.unwrap();
        grants::grant(&p, &sec, "scj.qian", "demand_clerk", demo::DEMO_PASSWORD)
            .await
            .unwrap();
        // Someone who saw the one-time password logs in first and waits.
        let (other, _) = app::identity::login(
            &p,
            "scj.qian",
            &one.password,
            "10.6.6.6",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
        let (mine, who) = app::identity::login(
            &p,
            "scj.qian",
            &one.password,
            "10.1.2.3",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
        let pw = "Qian-Own-Pass-2026";
        app::identity::password::change_own(&p, &who, &one.password, pw, pw)
            .await
            .unwrap();
        assert!(
            app::identity::authenticate(&p, &other, "web")
                .await
                .is_err(),
            "the waiting session ended"
        );
        assert!(
            app::identity::authenticate(&p, &mine, "web").await.is_ok(),
            "the changer's own goes on"
        );

        // A reset left unused for more than three days opens nothing.
        let reset = accounts::change(&p, &sys, "scj.qian", accounts::Change::Reset)
            .await
            .unwrap()
            .unwrap();
        age_password(&p, "scj.qian", 4).await;
        let r = login(&p, "scj.qian", &reset.password).await;
        assert!(
            matches!(&r, Err(AppError::Denied(d)) if d.reason.zh.contains("一次性密码")),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn rx2_i10_a_reset_does_not_lift_an_administrators_lock() {
    for p in each_backend("i10-reset-lock").await {
        let sys = demo::principal(&p, "admin.sys").await.unwrap();
        accounts::change(&p, &sys, "jtj.clerk", accounts::Change::Lock)
            .await
            .unwrap();
        let reset = accounts::change(&p, &sys, "jtj.clerk", accounts::Change::Reset)
            .await
            .unwrap()
            .unwrap();
        assert!(
            login(&p, "jtj.clerk", &reset.password).await.is_err(),
            "still locked"
        );
        let listed = accounts::list(&p, &sys, "jtj.clerk").await.unwrap();
        assert_eq!(listed[0].standing, accounts::Standing::Locked);
    }
}

#[tokio::test]
async fn rx2_i10_the_security_record_search_takes_its_words_literally_and_checks_its_dates() {
    for p in each_backend("i10-search").await {
        let audit = demo::principal(&p, "admin.audit").await.unwrap();
        let _ = login(&p, "Nobody_Here", "Wrong-Password-1").await;
        let _ = login(&p, "nobodyXhere", "Wrong-Password-1").await;
        let search = |actor: &str, result: &str| trail::Filter {
            actor: actor.into(),
            result: result.into(),
            ..Default::default()
        };
        let total = |f: trail::Filter| {
            let (p, audit) = (p.clone(), audit.clone());
            async move { trail::search(&p, &audit, &f, 1).await.unwrap().total }
        };
        assert_eq!(
            total(search("nobody_here", "")).await,
            1,
            "_ is a character, case is ignored"
        );
        assert_eq!(total(search("NOBODYX", "")).await, 1);
        // An export whose filters say "refused" is itself a success.
        trail::export(&p, &audit, &search("", "refused"))
            .await
            .unwrap();
        let refused_exports = trail::Filter {
            action: "export".into(),
            result: "refused".into(),
            ..Default::default()
        };
        assert_eq!(
            total(refused_exports).await,
            0,
            "a nested result does not match"
        );
        let bad_date = trail::Filter {
            from: "2026-13-01".into(),
            ..Default::default()
        };
        refused_as_denied(
            trail::search(&p, &audit, &bad_date, 1).await.map(|_| ()),
            "a month 13",
        );
        let far = trail::search(&p, &audit, &trail::Filter::default(), i64::MAX).await;
        assert!(far.is_ok(), "a page past the end is empty, not an error");
    }
}
