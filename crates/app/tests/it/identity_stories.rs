//! Identity stories (SECURITY.md): lockout under concurrency, idle sessions, logout. On SQLite
//! and (when TEST_DATABASE_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use app::AppError;
use store::sqlx;
use testkit::each_backend;

#[tokio::test]
async fn a_hundred_parallel_wrong_passwords_evaluate_at_most_five_and_lock_the_account() {
    for p in each_backend("lockout").await {
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                app::identity::login(
                    &p,
                    "scj.clerk",
                    "Wrong-Password-1",
                    "127.0.0.1",
                    "web",
                    domain::Lang::Zh,
                )
                .await
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
        let locked = app::identity::login(
            &p,
            "scj.clerk",
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "web",
            domain::Lang::Zh,
        )
        .await;
        assert!(
            matches!(locked, Err(AppError::LoginFailed)),
            "no login while locked"
        );
        let other = app::identity::login(
            &p,
            "jtj.clerk",
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "web",
            domain::Lang::Zh,
        )
        .await;
        assert!(other.is_ok(), "other accounts are unaffected");
    }
}

#[tokio::test]
async fn an_idle_session_ends_after_thirty_minutes_and_a_logout_revokes_the_token() {
    for p in each_backend("sessions").await {
        let (token, who) = app::identity::login(
            &p,
            "scj.clerk",
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
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

        let (token, who) = app::identity::login(
            &p,
            "scj.clerk",
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "web",
            domain::Lang::Zh,
        )
        .await
        .unwrap();
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
