//! Migrations run at start, one file per step, in order; each in its own transaction.

use crate::{Backend, StoreError};
use sqlx::AnyPool;

const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "item_counts",
        include_str!("../migrations/sqlite/0002_item_counts.sql"),
    ),
    (
        3,
        "cycle",
        include_str!("../migrations/sqlite/0003_cycle.sql"),
    ),
    (
        4,
        "signing_keys",
        include_str!("../migrations/sqlite/0004_signing_keys.sql"),
    ),
    (
        5,
        "ledger",
        include_str!("../migrations/sqlite/0005_ledger.sql"),
    ),
    (
        6,
        "idempotency_fingerprint",
        include_str!("../migrations/sqlite/0006_idempotency_fingerprint.sql"),
    ),
    (
        7,
        "kek_id",
        include_str!("../migrations/sqlite/0007_kek_id.sql"),
    ),
    (
        8,
        "event_context",
        include_str!("../migrations/sqlite/0008_event_context.sql"),
    ),
    (
        9,
        "login_pending",
        include_str!("../migrations/sqlite/0009_login_pending.sql"),
    ),
    (
        10,
        "one_time_password",
        include_str!("../migrations/sqlite/0010_one_time_password.sql"),
    ),
    (
        11,
        "delegations",
        include_str!("../migrations/sqlite/0011_delegations.sql"),
    ),
    (
        12,
        "workbench",
        include_str!("../migrations/sqlite/0012_workbench.sql"),
    ),
    (
        13,
        "parties",
        include_str!("../migrations/sqlite/0013_parties.sql"),
    ),
    (
        14,
        "uploads",
        include_str!("../migrations/sqlite/0014_uploads.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "item_counts",
        include_str!("../migrations/postgres/0002_item_counts.sql"),
    ),
    (
        3,
        "cycle",
        include_str!("../migrations/postgres/0003_cycle.sql"),
    ),
    (
        4,
        "signing_keys",
        include_str!("../migrations/postgres/0004_signing_keys.sql"),
    ),
    (
        5,
        "ledger",
        include_str!("../migrations/postgres/0005_ledger.sql"),
    ),
    (
        6,
        "idempotency_fingerprint",
        include_str!("../migrations/postgres/0006_idempotency_fingerprint.sql"),
    ),
    (
        7,
        "kek_id",
        include_str!("../migrations/postgres/0007_kek_id.sql"),
    ),
    (
        8,
        "event_context",
        include_str!("../migrations/postgres/0008_event_context.sql"),
    ),
    (
        9,
        "login_pending",
        include_str!("../migrations/postgres/0009_login_pending.sql"),
    ),
    (
        10,
        "one_time_password",
        include_str!("../migrations/postgres/0010_one_time_password.sql"),
    ),
    (
        11,
        "delegations",
        include_str!("../migrations/postgres/0011_delegations.sql"),
    ),
    (
        12,
        "workbench",
        include_str!("../migrations/postgres/0012_workbench.sql"),
    ),
    (
        13,
        "parties",
        include_str!("../migrations/postgres/0013_parties.sql"),
    ),
    (
        14,
        "uploads",
        include_str!("../migrations/postgres/0014_uploads.sql"),
    ),
];

pub async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let steps = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    for (version, name, sql) in steps {
        let mut tx = pool.begin().await?;
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(*version)
            .bind(*name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
