//! Fresh databases for tests: a temporary SQLite file always, and a private PostgreSQL schema
//! when `TEST_DATABASE_URL` is set (CI sets it). Used by the story and HTTP tests of every
//! crate so the same stories run on both engines.

use crate::{AppError, Platform, Settings};
use std::path::PathBuf;
use store::sqlx;
use store::sqlx::Connection;

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

/// The database URLs a story should run on, each fresh.
pub async fn database_urls(label: &str) -> Vec<String> {
    let dir = scratch_dir(label);
    let mut urls = vec![format!("sqlite://{}", dir.join("test.db").display())];
    if let Ok(base) = std::env::var("TEST_DATABASE_URL")
        && !base.is_empty()
    {
        urls.push(postgres_schema(&base, label).await);
    }
    urls
}

/// Creates a private schema and returns a URL whose connections use it.
async fn postgres_schema(base: &str, label: &str) -> String {
    sqlx::any::install_default_drivers();
    let rand: [u8; 6] = crypto::random_bytes().unwrap_or([0; 6]);
    let schema = format!(
        "t_{}_{}",
        label.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        hex::encode(rand)
    );
    let mut conn = match sqlx::AnyConnection::connect(base).await {
        Ok(c) => c,
        Err(e) => panic!("TEST_DATABASE_URL is set but PostgreSQL is not reachable: {e}"),
    };
    if let Err(e) = sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
    {
        panic!("cannot create test schema: {e}");
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// Settings for tests: a private key file and fewer hash iterations (the rule is the same;
/// only the cost differs), everything else as in production.
pub fn settings(label: &str) -> Settings {
    let mut s = Settings::new(scratch_dir(label).join("platform-sm2.key"));
    s.password_iterations = 1_000;
    s
}

/// The shipped policy's files as (name, text), the root first, for a test to edit.
pub fn policy_files() -> Vec<(String, String)> {
    crate::DEFAULT_POLICY
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

/// The shipped policy's files with the first `needle` replaced by `with` in the one part that
/// holds it (the first such part); `None` when no part holds it.
pub fn policy_edited(needle: &str, with: &str) -> Option<Vec<(String, String)>> {
    let mut files = policy_files();
    let (_, text) = files.iter_mut().find(|(_, text)| text.contains(needle))?;
    *text = text.replacen(needle, with, 1);
    Some(files)
}

/// A platform on `url` with the shipped policy (or the policy of `policy_files`, the root
/// first) and the demo city seeded.
pub async fn platform(
    url: &str,
    label: &str,
    policy_files: Option<&[(String, String)]>,
) -> Result<Platform, AppError> {
    let policy = match policy_files {
        Some(files) => domain::Policy::from_sources(crate::DEFAULT_POLICY_FOLDER, files),
        None => crate::default_policy(),
    }
    .map_err(|e| AppError::Startup(e.to_string()))?;
    let p = Platform::open(url, policy, settings(label)).await?;
    crate::demo::seed(&p).await?;
    Ok(p)
}

/// A platform with only the city seeded (no campaign, no demands): a year from the start.
pub async fn city_platform(url: &str, label: &str) -> Result<Platform, AppError> {
    let policy = crate::default_policy().map_err(|e| AppError::Startup(e.to_string()))?;
    let p = Platform::open(url, policy, settings(label)).await?;
    crate::demo::seed_city(&p).await?;
    Ok(p)
}

/// One platform per backend with the demo city seeded, for a story to run on each.
pub async fn each_backend(label: &str) -> Vec<Platform> {
    let mut out = Vec::new();
    for url in database_urls(label).await {
        match platform(&url, label, None).await {
            Ok(p) => out.push(p),
            Err(e) => panic!("cannot start the platform on {url}: {e}"),
        }
    }
    out
}
