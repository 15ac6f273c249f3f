//! Fresh platforms for tests: a temporary SQLite file always, and a private PostgreSQL database
//! when `TEST_DATABASE_URL` is set (CI sets it), so the same stories run on both engines.
//!
//! Three things make the stories fast and independent of the day they run:
//! * **A pinned clock.** Every platform reads its time from a clock pinned to the test day:
//!   `TONGCHOU_TEST_TODAY` (YYYY-MM-DD) when set, otherwise [`DEFAULT_DAY`]; a story that needs
//!   a day of its own asks for it ([`each_backend_on`]). CI runs the suite again with days in
//!   2027 and 2030, years the holiday table lacks.
//! * **Template databases.** The demo city is seeded once per engine, policy, day and city
//!   size into a template; each test gets a copy (a file copy on SQLite, `CREATE DATABASE ...
//!   TEMPLATE` on PostgreSQL) together with the template's platform key, which signed its
//!   checkpoints and seals its signing keys.
//! * **The real typesetter** (typst), so documents are issued as in production.

pub mod story;

pub use story::{Acting, as_, fields};

use app::clock::Clock;
use app::{AppError, Platform, Settings, Typesetting};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use store::sqlx;
use store::sqlx::Connection;

/// The day tests run on unless `TONGCHOU_TEST_TODAY` says otherwise or the story pins its own:
/// a Monday in the middle of the yearly cycle, in a year the holiday table knows.
pub const DEFAULT_DAY: (i32, u32, u32) = (2026, 11, 16);

/// The day the suite runs on: `TONGCHOU_TEST_TODAY` or [`DEFAULT_DAY`].
pub fn test_day() -> NaiveDate {
    let (y, m, d) = DEFAULT_DAY;
    let default = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    match std::env::var("TONGCHOU_TEST_TODAY") {
        Ok(s) if !s.trim().is_empty() => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(day) => day,
            Err(_) => panic!("TONGCHOU_TEST_TODAY must be YYYY-MM-DD, not {s:?}"),
        },
        _ => default,
    }
}

/// A scratch directory under the system's temp dir, unique to this process and call.
pub fn scratch_dir(label: &str) -> PathBuf {
    let rand: [u8; 6] = crypto::random_bytes().unwrap_or([0; 6]);
    let dir = std::env::temp_dir().join(format!(
        "tongchou-{label}-{}-{}",
        std::process::id(),
        hex::encode(rand)
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[path = "../shared/figures.rs"]
mod figures;
pub use figures::{figures, figures_file, peak_rss_kb};

/// Whether a long fault scenario runs in this pass of the suite. `scripts/test.sh` runs the
/// suite on its default day and again with the test clock in other years
/// (`TONGCHOU_TEST_TODAY`); a scenario that takes tens of seconds and whose subject is not the
/// date runs in the default day's pass only, which keeps CI within its budget. Says so when
/// it does not run.
pub fn long_scenario_runs(name: &str) -> bool {
    match std::env::var("TONGCHOU_TEST_TODAY") {
        Ok(day) if !day.trim().is_empty() => {
            eprintln!(
                "{name}: not run with the test clock on {} (it runs in the default day's pass)",
                day.trim()
            );
            false
        }
        _ => true,
    }
}

/// The engine of a database URL, for figures: `sqlite` or `postgres`.
pub fn engine(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    }
}

/// The engines a story should run on, as URLs to pass to [`platform`] or [`seeded`]: a fresh
/// SQLite file, and PostgreSQL's `TEST_DATABASE_URL` when set (each platform on it gets a
/// database of its own).
pub async fn database_urls(label: &str) -> Vec<String> {
    let dir = scratch_dir(label);
    let mut urls = vec![format!("sqlite://{}", dir.join("test.db").display())];
    if let Some(base) = postgres_base() {
        urls.push(base);
    }
    urls
}

fn postgres_base() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|b| !b.is_empty())
}

/// The URL of `base` with its database name replaced by `db`.
fn with_database(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let head = match head.rfind('/') {
        Some(i) if i > "postgres://".len() => &head[..i],
        _ => head,
    };
    format!("{head}/{db}{query}")
}

/// Creates a private database (a copy of `template` when given) and returns its URL.
async fn postgres_database(base: &str, label: &str, template: Option<&str>) -> String {
    sqlx::any::install_default_drivers();
    let rand: [u8; 6] = crypto::random_bytes().unwrap_or([0; 6]);
    let clean: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    let db = format!("t_{}_{}", clean.to_lowercase(), hex::encode(rand));
    let mut conn = match sqlx::AnyConnection::connect(base).await {
        Ok(c) => c,
        Err(e) => panic!("TEST_DATABASE_URL is set but PostgreSQL is not reachable: {e}"),
    };
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {db} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {db}"),
    };
    if let Err(e) = sqlx::raw_sql(&sql).execute(&mut conn).await {
        panic!("cannot create test database: {e}");
    }
    with_database(base, &db)
}

/// Settings for tests: a private key file, fewer hash iterations (the rule is the same; only
/// the cost differs), a clock pinned to the test day and the real typesetter; everything else
/// as in production.
pub fn settings(label: &str) -> Settings {
    settings_on(label, test_day())
}

fn settings_on(label: &str, day: NaiveDate) -> Settings {
    let mut s = Settings::new(scratch_dir(label).join("platform-sm2.key"));
    s.password_iterations = 1_000;
    s.clock = Clock::pinned_on(day);
    s.typesetter = typesetter();
    s
}

/// One typst for the whole test process: it finds the fonts once.
fn typesetter() -> Typesetting {
    static TYPST: OnceLock<Typesetting> = OnceLock::new();
    TYPST
        .get_or_init(|| Typesetting(Arc::new(typeset::Typst::new())))
        .clone()
}

/// How much of the demo to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seed {
    /// The city, this year's campaign and demands in every state.
    Demo,
    /// Only the city (organisations, accounts, registered systems): a year from the start.
    City,
    /// The demo and this year's issued plan with projects under way.
    Projects,
}

/// A policy's files as (name, text), the root first.
pub type PolicyFiles = Vec<(String, String)>;

/// The shipped policy's files, for a test to edit.
pub fn policy_files() -> PolicyFiles {
    app::DEFAULT_POLICY
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

/// The shipped policy's files with the first `needle` replaced by `with` in the one part that
/// holds it (the first such part); `None` when no part holds it.
pub fn policy_edited(needle: &str, with: &str) -> Option<PolicyFiles> {
    let mut files = policy_files();
    let (_, text) = files.iter_mut().find(|(_, text)| text.contains(needle))?;
    *text = text.replacen(needle, with, 1);
    Some(files)
}

fn policy_of(files: &[(String, String)]) -> Result<domain::Policy, AppError> {
    domain::Policy::from_sources(app::DEFAULT_POLICY_FOLDER, files)
        .map_err(|e| AppError::Startup(e.to_string()))
}

/// A platform on `url` with the shipped policy (or the policy of `policy_files`, the root
/// first) and the demo city seeded. `url` comes from [`database_urls`].
pub async fn platform(
    url: &str,
    label: &str,
    policy_files: Option<&[(String, String)]>,
) -> Result<Platform, AppError> {
    seeded(url, label, policy_files, Seed::Demo, test_day()).await
}

/// A platform with only the city seeded (no campaign, no demands): a year from the start.
pub async fn city_platform(url: &str, label: &str) -> Result<Platform, AppError> {
    seeded(url, label, None, Seed::City, test_day()).await
}

/// A platform on a copy of the template for (`url`'s engine, policy, `seed`, `day`). `url`
/// names the engine and where the copy goes (a fresh SQLite file or PostgreSQL database).
pub async fn seeded(
    url: &str,
    label: &str,
    policy_files: Option<&[(String, String)]>,
    seed: Seed,
    day: NaiveDate,
) -> Result<Platform, AppError> {
    let files = match policy_files {
        Some(f) => f.to_vec(),
        None => self::policy_files(),
    };
    let policy = policy_of(&files)?;
    let digest: String = files.iter().map(|(n, t)| format!("{n}\n{t}\n")).collect();
    let key = TemplateKey {
        postgres: !url.starts_with("sqlite:"),
        policy: crypto::sm3_hex(digest.as_bytes()),
        seed,
        day,
    };
    let template = template(&key, &files)?;
    let mut settings = settings_on(label, day);
    let dir = settings
        .key_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| scratch_dir(label));
    for ext in ["key", "pub", "ledger", "kek"] {
        copy(
            &template.dir.join(format!("platform-sm2.{ext}")),
            &dir.join(format!("platform-sm2.{ext}")),
        );
    }
    settings.key_file = dir.join("platform-sm2.key");
    let url = match &template.postgres_db {
        Some(db) => match postgres_base() {
            Some(base) => postgres_database(&base, label, Some(db)).await,
            None => panic!("a PostgreSQL template without TEST_DATABASE_URL"),
        },
        None => {
            let path = url.trim_start_matches("sqlite://");
            copy(&template.dir.join("test.db"), Path::new(path));
            url.to_string()
        }
    };
    Platform::open(&url, policy, settings).await
}

fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        panic!(
            "cannot copy the template {} to {}: {e}",
            from.display(),
            to.display()
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TemplateKey {
    postgres: bool,
    policy: String,
    seed: Seed,
    day: NaiveDate,
}

#[derive(Debug, Clone)]
struct Template {
    /// Holds the key files, and on SQLite the database files.
    dir: PathBuf,
    postgres_db: Option<String>,
}

/// The template for `key`, seeded on first use. Tests run on threads of one process, each
/// with its own runtime, so the template is seeded on a thread and runtime of its own and
/// the others wait for it.
fn template(key: &TemplateKey, files: &[(String, String)]) -> Result<Template, AppError> {
    static TEMPLATES: OnceLock<Mutex<HashMap<TemplateKey, Template>>> = OnceLock::new();
    let mut all = TEMPLATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(t) = all.get(key) {
        return Ok(t.clone());
    }
    let (key2, text) = (key.clone(), files.to_vec());
    let made = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::Startup(e.to_string()))?;
        rt.block_on(make_template(&key2, &text))
    })
    .join()
    .unwrap_or_else(|_| panic!("seeding the template panicked"))?;
    all.insert(key.clone(), made.clone());
    Ok(made)
}

async fn make_template(key: &TemplateKey, text: &[(String, String)]) -> Result<Template, AppError> {
    let dir = scratch_dir("template");
    let mut settings = settings_on("template", key.day);
    settings.key_file = dir.join("platform-sm2.key");
    // Seeded early in the morning, so what a test does on its copy (from 09:30) comes after.
    let early = key
        .day
        .and_hms_opt(8, 0, 0)
        .and_then(|t| t.and_local_timezone(app::clock::shanghai()).single());
    if let Some(at) = early {
        settings.clock = Clock::pinned(at);
    }
    let (url, postgres_db) = if key.postgres {
        let Some(base) = postgres_base() else {
            panic!("a PostgreSQL template without TEST_DATABASE_URL");
        };
        let url = postgres_database(&base, "tpl", None).await;
        let db = url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        (url, Some(db))
    } else {
        (
            format!("sqlite://{}", dir.join("seeding.db").display()),
            None,
        )
    };
    {
        let p = Platform::open(&url, policy_of(text)?, settings).await?;
        match key.seed {
            Seed::Demo => {
                demo::seed(&p).await?;
            }
            Seed::City => {
                demo::seed_city(&p).await?;
            }
            Seed::Projects => {
                demo::seed(&p).await?;
                demo::projects::seed(&p).await?;
            }
        }
        if postgres_db.is_none() {
            p.store.copy_into(&dir.join("test.db")).await?;
        }
        p.store.close().await;
    }
    if let (Some(db), Some(base)) = (&postgres_db, postgres_base()) {
        // A template database must have no sessions when it is copied.
        let mut conn = sqlx::AnyConnection::connect(&base)
            .await
            .map_err(|e| AppError::Startup(e.to_string()))?;
        let _ = sqlx::raw_sql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{db}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut conn)
        .await;
    }
    Ok(Template { dir, postgres_db })
}

/// An empty target on the engine `like` names, for a restore: a SQLite path that does not
/// exist yet (in a scratch directory of its own), or a new PostgreSQL database with no
/// tables. Drop it with [`drop_database`].
pub async fn empty_database(label: &str, like: &str) -> String {
    if like.starts_with("sqlite:") {
        return format!(
            "sqlite://{}",
            scratch_dir(label).join("restored.db").display()
        );
    }
    match postgres_base() {
        Some(base) => postgres_database(&base, label, None).await,
        None => panic!("a PostgreSQL target without TEST_DATABASE_URL"),
    }
}

/// Drops a PostgreSQL database made by [`empty_database`] (closing its sessions); SQLite
/// files stay in their scratch directory.
pub async fn drop_database(url: &str) {
    let (Some(base), false) = (postgres_base(), url.starts_with("sqlite:")) else {
        return;
    };
    let db: String = url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if let Ok(mut conn) = sqlx::AnyConnection::connect(&base).await {
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

/// One platform per backend with the demo city seeded, for a story to run on each.
pub async fn each_backend(label: &str) -> Vec<Platform> {
    each_backend_seeded(label, Seed::Demo, test_day()).await
}

/// [`each_backend`] with the clock pinned to `day`: for a story about a particular date.
pub async fn each_backend_on(label: &str, day: NaiveDate) -> Vec<Platform> {
    each_backend_seeded(label, Seed::Demo, day).await
}

/// One platform per backend seeded as `seed` says, its clock pinned to `day`.
pub async fn each_backend_seeded(label: &str, seed: Seed, day: NaiveDate) -> Vec<Platform> {
    let mut out = Vec::new();
    for url in database_urls(label).await {
        match seeded(&url, label, None, seed, day).await {
            Ok(p) => out.push(p),
            Err(e) => panic!("cannot start the platform on {url}: {e}"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_keeps_its_host_and_options_with_another_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "t_a"),
            "postgres://postgres@127.0.0.1:5432/t_a"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/test?sslmode=disable", "t_b"),
            "postgres://u@h:5432/t_b?sslmode=disable"
        );
    }
}

/// Reads straight from the database, past the use cases and their visibility rules: for a
/// test to find what it needs next or check what was stored, never to set anything up.
pub mod peek {
    use app::Platform;
    use app::items::ItemRow;

    /// The stored item `id`.
    pub async fn item(p: &Platform, id: i64) -> ItemRow {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        match store::items::get(&mut c, domain::ItemId::new(id)).await {
            Ok(Some(row)) => row,
            other => panic!("item {id} is not stored: {other:?}"),
        }
    }

    /// The newest item of `kind` whose text contains `text`.
    pub async fn first(p: &Platform, kind: &str, text: &str) -> ItemRow {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let f = store::items::Filter {
            kind: kind.into(),
            text: Some(text.into()),
            page: 1,
            per_page: 5,
            ..Default::default()
        };
        match store::items::list(&mut c, &f).await {
            Ok(mut rows) if !rows.is_empty() => rows.swap_remove(0),
            other => panic!("no {kind} with {text:?}: {other:?}"),
        }
    }

    /// The security record as (actor name, action, payload JSON), oldest first.
    /// The context (source, request id, result) of the newest security event of `action`.
    pub async fn security_context(p: &Platform, action: &str) -> Option<String> {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let row: Result<Option<(Option<String>,)>, _> = store::sqlx::query_as(
            "SELECT context FROM events WHERE stream = 'security' AND action = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(action)
        .fetch_optional(&mut *c)
        .await;
        match row {
            Ok(r) => r.and_then(|(c,)| c),
            Err(e) => panic!("security context: {e}"),
        }
    }

    pub async fn security_events(p: &Platform) -> Vec<(String, String, String)> {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let rows: Result<Vec<(String, String, String)>, _> = store::sqlx::query_as(
            "SELECT actor_name, action, payload FROM events WHERE stream = 'security' ORDER BY id",
        )
        .fetch_all(&mut *c)
        .await;
        match rows {
            Ok(rows) => rows,
            Err(e) => panic!("security events: {e}"),
        }
    }

    /// Everything a login could write, summed: events, sessions, the accounts' failure counters
    /// and lock times, and the counters table. Equal before and after: nothing was written.
    pub async fn login_footprint(p: &Platform) -> Vec<String> {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let mut out = Vec::new();
        for sql in [
            "SELECT CAST(COUNT(*) AS TEXT) FROM events",
            "SELECT CAST(COUNT(*) AS TEXT) FROM sessions",
            "SELECT CAST(COALESCE(SUM(failed_count), 0) AS TEXT) FROM users",
            "SELECT COALESCE(MAX(failed_since), '') || '|' || COALESCE(MAX(locked_until), '') FROM users",
            "SELECT CAST(COALESCE(SUM(next), 0) AS TEXT) FROM counters",
        ] {
            match store::sqlx::query_as::<_, (String,)>(sql)
                .fetch_one(&mut *c)
                .await
            {
                Ok((v,)) => out.push(v),
                Err(e) => panic!("{sql}: {e}"),
            }
        }
        out
    }

    /// How many rows `table` holds (a name from the tests, never user input).
    pub async fn rows(p: &Platform, table: &str) -> i64 {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        match store::sqlx::query_as::<_, (i64,)>(&sql)
            .fetch_one(&mut *c)
            .await
        {
            Ok((n,)) => n,
            Err(e) => panic!("count {table}: {e}"),
        }
    }

    /// The bytes of the file kept with item `id` under digest `sm3`.
    pub async fn file(p: &Platform, id: i64, sm3: &str) -> Option<Vec<u8>> {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        match store::files::by_digest(&mut c, id, sm3).await {
            Ok(f) => f.map(|f| f.content),
            Err(e) => panic!("file: {e}"),
        }
    }

    /// How many items of `kind` have `text` in their text.
    pub async fn count(p: &Platform, kind: &str, text: &str) -> usize {
        let mut c = match p.store.read().await {
            Ok(c) => c,
            Err(e) => panic!("read: {e}"),
        };
        let f = store::items::Filter {
            kind: kind.into(),
            text: Some(text.into()),
            page: 1,
            per_page: 100,
            ..Default::default()
        };
        match store::items::list(&mut c, &f).await {
            Ok(rows) => rows.len(),
            Err(e) => panic!("list: {e}"),
        }
    }

    /// The id of the organisation with `code`.
    pub async fn org_id(p: &Platform, code: &str) -> i64 {
        match app::accounts::orgs(p).await {
            Ok(orgs) => match orgs.into_iter().find(|o| o.code == code) {
                Some(o) => o.id.get(),
                None => panic!("no organisation {code}"),
            },
            Err(e) => panic!("orgs: {e}"),
        }
    }
}
