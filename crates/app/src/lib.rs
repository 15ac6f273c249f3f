//! Use cases: the one place the web pages, the JSON API, the CLI and the jobs go through.
//! Nothing above this crate talks to the database or checks a permission on its own.

pub mod accounts;
pub mod approval;
pub mod audit;
pub mod clock;
pub mod cycle;
pub mod demo;
pub mod demo_build;
mod demo_registry;
pub mod error;
pub mod experts;
pub mod facts;
pub mod files;
pub mod identity;
pub mod import;
pub mod inbox;
pub mod items;
pub mod keys;
pub mod progress;
mod record;
pub mod signing;
pub mod similar;
mod step_up;
pub mod taskbook;

pub use error::AppError;
pub use identity::Principal;

use domain::Policy;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;

/// Settings the use cases need; parsed once in `main`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// PBKDF2-HMAC-SM3 iterations for new password hashes (SECURITY.md: at least 100,000).
    pub password_iterations: u32,
    /// Wrong passwords within the window that lock the account.
    pub lockout_attempts: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub absolute_hours: i64,
    /// Where the platform's SM2 key lives (never in the database or repository).
    pub key_file: PathBuf,
    /// Working days: the shipped holiday table plus any years an operator added.
    pub calendar: domain::Calendar,
}

impl Settings {
    pub fn new(key_file: PathBuf) -> Settings {
        Settings {
            password_iterations: 100_000,
            lockout_attempts: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            idle_minutes: 30,
            admin_idle_minutes: 15,
            absolute_hours: 12,
            key_file,
            calendar: official_calendar(),
        }
    }
}

/// Everything a use case needs: the store, the policy, the platform key and the settings.
#[derive(Clone)]
pub struct Platform {
    pub store: Store,
    pub policy: Arc<Policy>,
    pub key: Arc<crypto::KeyPair>,
    pub settings: Arc<Settings>,
}

impl Platform {
    /// Runs the crypto self-test, loads (or creates) the platform key and opens the store.
    pub async fn open(
        db_url: &str,
        policy: Policy,
        settings: Settings,
    ) -> Result<Platform, AppError> {
        crypto::self_test().map_err(AppError::Startup)?;
        let key = keys::load_or_create(&settings.key_file)?;
        let store = Store::open(db_url).await?;
        Ok(Platform {
            store,
            policy: Arc::new(policy),
            key: Arc::new(key),
            settings: Arc::new(settings),
        })
    }
}

pub mod testkit;

/// The State Council's holiday table as shipped (`calendar/cn-holidays.toml`).
pub const DEFAULT_CALENDAR: &str = include_str!("../../../calendar/cn-holidays.toml");

/// The shipped calendar; a test proves it parses, so the empty fallback never happens.
pub fn official_calendar() -> domain::Calendar {
    domain::Calendar::from_toml("calendar/cn-holidays.toml", DEFAULT_CALENDAR).unwrap_or_default()
}

/// Where the shipped policy lives in the repository; its errors name its parts under this folder.
pub const DEFAULT_POLICY_FOLDER: &str = "policy/nanyang-2025";

/// The policy that ships with the platform, the seed's measures by chapter: the root first,
/// then the parts it lists, in its order (a test holds this list to the root's `parts`).
pub const DEFAULT_POLICY: [(&str, &str); 10] = [
    (
        "policy.toml",
        include_str!("../../../policy/nanyang-2025/policy.toml"),
    ),
    (
        "articles.toml",
        include_str!("../../../policy/nanyang-2025/articles.toml"),
    ),
    (
        "organisations.toml",
        include_str!("../../../policy/nanyang-2025/organisations.toml"),
    ),
    (
        "rules.toml",
        include_str!("../../../policy/nanyang-2025/rules.toml"),
    ),
    (
        "demands.toml",
        include_str!("../../../policy/nanyang-2025/demands.toml"),
    ),
    (
        "annual-plan.toml",
        include_str!("../../../policy/nanyang-2025/annual-plan.toml"),
    ),
    (
        "county-plans.toml",
        include_str!("../../../policy/nanyang-2025/county-plans.toml"),
    ),
    (
        "registries.toml",
        include_str!("../../../policy/nanyang-2025/registries.toml"),
    ),
    (
        "initiation.toml",
        include_str!("../../../policy/nanyang-2025/initiation.toml"),
    ),
    (
        "construction.toml",
        include_str!("../../../policy/nanyang-2025/construction.toml"),
    ),
];

/// The shipped policy, loaded from the files compiled into the binary (a test proves it loads).
pub fn default_policy() -> Result<domain::Policy, domain::PolicyError> {
    domain::Policy::from_sources(DEFAULT_POLICY_FOLDER, &DEFAULT_POLICY)
}

#[cfg(test)]
mod tests {
    #[test]
    fn r13_1_the_shipped_holiday_table_parses_and_knows_2025_and_2026() {
        let cal = domain::Calendar::from_toml("calendar/cn-holidays.toml", crate::DEFAULT_CALENDAR)
            .unwrap_or_default();
        let years: Vec<i32> = cal.years().map(|(y, _)| *y).collect();
        assert_eq!(years, [2025, 2026]);
    }

    /// RX.1: the binary embeds exactly the parts the shipped root lists, in its order.
    #[test]
    fn rx1_the_embedded_policy_files_are_the_roots_parts_in_order() {
        let (root_name, root) = crate::DEFAULT_POLICY[0];
        assert_eq!(root_name, domain::policy::ROOT);
        let parts = domain::policy::parts_of(root_name, root).unwrap();
        let embedded: Vec<&str> = crate::DEFAULT_POLICY[1..].iter().map(|(n, _)| *n).collect();
        assert_eq!(embedded, parts);
        let p = crate::default_policy().unwrap();
        assert_eq!(p.version, "2025.1");
    }
}
