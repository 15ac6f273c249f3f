//! Use cases: the one place the web pages, the JSON API, the CLI and the jobs go through.
//! Nothing above this crate talks to the database or checks a permission on its own.

// By the regulation's stages ...
pub mod construction;
pub mod cycle;
pub mod initiation;
// ... and by mechanism.
pub mod admin;
pub mod backup;
pub mod batch;
pub mod clock;
pub mod contract;
pub mod error;
pub mod funds;
pub mod handling;
pub mod identity;
pub mod inbox;
pub mod items;
mod record;
pub mod steps;

// The use cases by their short names, as the web, the CLI and the tests call them.
pub use construction::{dossier, progress};
pub use cycle::{import, similar, taskbook};
pub use identity::accounts;
pub use initiation::{approval, experts};
pub use record::{access, audit, files, keys, package, personal, signing, uploads};
pub use steps::facts;

pub use error::AppError;
pub use identity::{Origin, Principal};

use domain::Policy;
use std::path::PathBuf;
use std::sync::Arc;
use store::Store;

/// Settings the use cases need; parsed once in `main`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// PBKDF2-HMAC-SM3 iterations for new password hashes (SECURITY.md: at least 100,000).
    pub password_iterations: u32,
    /// Days a password may be used before its holder must choose a new one.
    pub password_max_days: i64,
    /// The largest attachment (SECURITY.md allows up to 200 MB; each upload in flight holds
    /// its file in memory, so the default is 20 MB).
    pub max_upload_bytes: usize,
    /// Wrong passwords within the window that lock the account.
    pub lockout_attempts: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub absolute_hours: i64,
    /// Where the platform's SM2 key lives (never in the database or repository).
    pub key_file: PathBuf,
    /// Where each new checkpoint is also appended, outside the database (an anchor), when set.
    pub anchor_file: Option<PathBuf>,
    /// Working days: the shipped holiday table plus any years an operator added.
    pub calendar: domain::Calendar,
    /// Where time comes from: the system's, or a pinned one in tests.
    pub clock: clock::Clock,
    /// Who lays out the PDFs of official documents (the binary plugs in typst).
    pub typesetter: Typesetting,
    /// How this deployment's official documents are headed and closed.
    pub documents: DocumentSettings,
}

/// The deployment's letterhead (发文机关标志) and printing office (印发机关) for the
/// documents the platform issues: a city names its own organs, so neither is in the code.
#[derive(Debug, Clone, Default)]
pub struct DocumentSettings {
    /// 发文机关标志; empty: the issuing organ's name followed by 文件.
    pub masthead: Option<String>,
    /// 印发机关 in the 版记; empty: the issuing organ's office (its name followed by 办公室).
    pub printed_by: Option<String>,
}

/// The PDF typesetter behind the `gongwen::Typesetter` port.
#[derive(Clone)]
pub struct Typesetting(pub Arc<dyn gongwen::Typesetter>);

impl Typesetting {
    /// No typesetter: documents that need a PDF are refused.
    pub fn none() -> Typesetting {
        Typesetting(Arc::new(gongwen::NoTypesetter))
    }

    pub fn pdf(&self, doc: &gongwen::OfficialDoc) -> Result<Vec<u8>, gongwen::DocError> {
        self.0.pdf(doc)
    }
}

impl std::fmt::Debug for Typesetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typesetting")
    }
}

impl Settings {
    pub fn new(key_file: PathBuf) -> Settings {
        Settings {
            password_iterations: 100_000,
            password_max_days: 90,
            max_upload_bytes: files::MAX_BYTES,
            lockout_attempts: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            idle_minutes: 30,
            admin_idle_minutes: 15,
            absolute_hours: 12,
            key_file,
            anchor_file: None,
            calendar: official_calendar(),
            clock: clock::Clock::system(),
            typesetter: Typesetting::none(),
            documents: DocumentSettings::default(),
        }
    }
}

/// Everything a use case needs: the store, the policy, the platform key and the settings.
#[derive(Clone)]
pub struct Platform {
    pub store: Store,
    pub policy: Arc<Policy>,
    pub key: Arc<crypto::KeyPair>,
    /// Seals users' signing keys; a key file of its own, so the signing key can rotate.
    pub kek: Arc<crypto::MacKey>,
    pub settings: Arc<Settings>,
    /// Login attempts in flight in this process, by name (`identity::lockout::InFlight`).
    pub(crate) logins: Arc<identity::lockout::InFlight>,
}

impl Platform {
    /// Runs the crypto self-test, loads (or creates) the platform key and opens the store.
    pub async fn open(
        db_url: &str,
        policy: Policy,
        settings: Settings,
    ) -> Result<Platform, AppError> {
        crypto::self_test().map_err(AppError::Startup)?;
        contract::check(&policy).map_err(AppError::Startup)?;
        let store = Store::open(db_url).await?;
        let (signed, ledger, sealed) = store::ledger::protected(&mut *store.read().await?).await?;
        let held = keys::Protected {
            signed,
            ledger,
            sealed,
        };
        let key = keys::signing_key(&settings.key_file, held)?;
        let kek = keys::kek(&settings.key_file, held)?;
        store
            .start_ledger(keys::ledger_key(&settings.key_file, held)?)
            .await?;
        stored_states_known(&store, &policy).await?;
        let p = Platform {
            store,
            policy: Arc::new(policy),
            key: Arc::new(key),
            kek: Arc::new(kek),
            settings: Arc::new(settings),
            logins: Arc::default(),
        };
        signing::reseal_under_kek(&p).await?;
        steps::parties::fill_missing(&p).await?;
        Ok(p)
    }

    /// The same platform (store, keys, policy) with some settings changed: how a server or a
    /// test adjusts a limit after opening.
    pub fn with_settings(&self, adjust: impl FnOnce(&mut Settings)) -> Platform {
        let mut settings = (*self.settings).clone();
        adjust(&mut settings);
        Platform {
            settings: Arc::new(settings),
            ..self.clone()
        }
    }
}

/// Refuses a policy under which stored items would sit in a state (or kind) it does not know:
/// such an item could be neither shown correctly nor moved on, and a private state renamed in
/// a new draft of the measures must not make stored drafts public. The operator migrates the
/// items or keeps the state.
async fn stored_states_known(store: &Store, policy: &Policy) -> Result<(), AppError> {
    let unknown: Vec<String> = store
        .kinds_and_states()
        .await?
        .into_iter()
        .filter(|(k, s)| policy.kind(k).is_none_or(|k| k.state(s).is_none()))
        .map(|(k, s)| format!("{k}.{s}"))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(AppError::Startup(format!(
        "stored items are in states the policy {} does not have: {}; keep those states in the policy or move the items first",
        policy.version,
        unknown.join(", ")
    )))
}

impl Platform {
    /// The current time in Asia/Shanghai, from the platform's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.settings.clock.now()
    }

    /// Today's date in Asia/Shanghai, from the platform's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.clock.today()
    }
}

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
pub const DEFAULT_POLICY: [(&str, &str); 18] = [
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
    (
        "acceptance.toml",
        include_str!("../../../policy/nanyang-2025/acceptance.toml"),
    ),
    (
        "assets.toml",
        include_str!("../../../policy/nanyang-2025/assets.toml"),
    ),
    (
        "om-measures.toml",
        include_str!("../../../policy/nanyang-2025/om-measures.toml"),
    ),
    (
        "operations.toml",
        include_str!("../../../policy/nanyang-2025/operations.toml"),
    ),
    (
        "security.toml",
        include_str!("../../../policy/nanyang-2025/security.toml"),
    ),
    (
        "funds.toml",
        include_str!("../../../policy/nanyang-2025/funds.toml"),
    ),
    (
        "accounts.toml",
        include_str!("../../../policy/nanyang-2025/accounts.toml"),
    ),
    (
        "supervision.toml",
        include_str!("../../../policy/nanyang-2025/supervision.toml"),
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
