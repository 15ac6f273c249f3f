//! Identity stories (SECURITY.md): lockout under concurrency, idle sessions, logout. On SQLite
//! and (when TEST_DATABASE_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use app::AppError;
use store::sqlx;
use testkit::each_backend;

async fn login(
    p: &app::Platform,
    name: &str,
    password: &str,
) -> Result<(String, app::Principal), AppError> {
    app::identity::login(p, name, password, "127.0.0.1", "web", domain::Lang::Zh).await
}

#[tokio::test]
async fn a_hundred_parallel_wrong_passwords_evaluate_at_most_five_and_lock_the_account() {
    for p in each_backend("lockout").await {
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                login(&p, "scj.clerk", "Wrong-Password-1").await
            }));
        }
        for t in tasks {
            assert!(matches!(t.await.unwrap(), Err(AppError::LoginFailed)));
        }
        let mut c = p.store.read().await.unwrap();
        let (evaluated,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE stream = 'security' AND payload LIKE '%wrong password%'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert_eq!(evaluated, 5);
        let locked = login(&p, "scj.clerk", demo::DEMO_PASSWORD).await;
        assert!(
            matches!(locked, Err(AppError::LoginFailed)),
            "no login while locked"
        );
        let other = login(&p, "jtj.clerk", demo::DEMO_PASSWORD).await;
        assert!(other.is_ok(), "other accounts are unaffected");
    }
}

#[tokio::test]
async fn six_parallel_logins_with_the_right_password_are_all_accepted_and_lock_nothing() {
    // R-SEC lockout: attempts in flight are not failures. Before, each reserved attempt counted
    // as failed until settled, so the sixth of six parallel right logins locked the account.
    for p in each_backend("lockout-right").await {
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                login(&p, "scj.clerk", demo::DEMO_PASSWORD).await
            }));
        }
        for t in tasks {
            let r = t.await.unwrap();
            assert!(r.is_ok(), "every right password is accepted: {r:?}");
        }
        let mut c = p.store.read().await.unwrap();
        let (failed, locked): (i64, Option<String>) = sqlx::query_as(
            "SELECT failed_count, locked_until FROM users WHERE username = 'scj.clerk'",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap();
        drop(c);
        assert_eq!((failed, locked), (0, None), "nothing is counted or locked");
    }
}

#[tokio::test]
async fn attempts_left_in_flight_by_a_process_that_died_stop_counting_after_a_minute() {
    for p in each_backend("lockout-stale").await {
        let died = store::timestamp(p.now() - chrono::Duration::seconds(61));
        let mut c = p.store.read().await.unwrap();
        sqlx::query(
            "UPDATE users SET pending_count = 5, pending_since = $1 WHERE username = 'scj.clerk'",
        )
        .bind(&died)
        .execute(&mut *c)
        .await
        .unwrap();
        drop(c);
        let started = std::time::Instant::now();
        let r = login(&p, "scj.clerk", demo::DEMO_PASSWORD).await;
        assert!(r.is_ok(), "the stale attempts do not hold the login: {r:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(4),
            "it did not wait for them"
        );
    }
}

#[tokio::test]
async fn an_idle_session_ends_after_thirty_minutes_and_a_logout_revokes_the_token() {
    for p in each_backend("sessions").await {
        let (token, who) = login(&p, "scj.clerk", demo::DEMO_PASSWORD).await.unwrap();
        assert!(app::identity::authenticate(&p, &token, "web").await.is_ok());
        assert!(
            app::identity::authenticate(&p, &token, "api")
                .await
                .is_err(),
            "a web token is not an API token"
        );
        let idle = store::timestamp(p.now() - chrono::Duration::minutes(31));
        let mut c = p.store.read().await.unwrap();
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(&idle)
            .bind(&who.token_hash)
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert!(matches!(
            app::identity::authenticate(&p, &token, "web").await,
            Err(AppError::Unauthenticated)
        ));

        let (token, who) = login(&p, "scj.clerk", demo::DEMO_PASSWORD).await.unwrap();
        app::identity::logout(&p, &who).await.unwrap();
        assert!(matches!(
            app::identity::authenticate(&p, &token, "web").await,
            Err(AppError::Unauthenticated)
        ));
        let mut c = p.store.read().await.unwrap();
        let (logins,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE stream = 'security' AND action IN ('login', 'logout')").fetch_one(&mut *c).await.unwrap();
        assert_eq!(logins, 3, "every login and logout is recorded");
    }
}
