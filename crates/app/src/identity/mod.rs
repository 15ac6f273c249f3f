//! Logins, sessions and accounts, under the rules of SECURITY.md: slow salted hashes, lockout
//! after repeated failures (evaluated at most N times even under concurrency), one answer for
//! every kind of failure, idle and absolute session limits, every attempt recorded.

pub mod accounts;
pub(crate) mod lockout;
mod login;
pub mod me;
pub mod password;
pub(crate) mod step_up;

pub use login::{Caller, Trace, login, login_traced};

/// The fewest PBKDF2-HMAC-SM3 iterations an operator may configure (SECURITY.md: at least
/// 100,000). `tongchou` refuses less; `Settings` itself takes any value, so the test kit
/// hashes its demo accounts with fewer (the rule is the same, only the cost differs).
pub const MIN_PASSWORD_ITERATIONS: u32 = 100_000;

use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, clock};
use domain::{Actor, Lang, Text};
use store::orgs::Org;
use store::users::User;

/// The user behind a request, with the organisation and role they act in.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Where the request came from, as the edge saw it (empty for the CLI and the demo).
    pub origin: Origin,
    pub user: User,
    pub org: Org,
    pub actor: Actor,
    pub token_hash: String,
    pub csrf: String,
    pub lang: Lang,
    pub kind: String,
}

/// Why a password must be replaced now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordDue {
    /// An administrator set it for one use.
    OneTime,
    /// It is older than the maximum age (`Settings::password_max_days`).
    TooOld,
}

/// Where a request came from: its source address and the id the edge gave it, recorded with
/// every step and security event (SECURITY.md: source address and request id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub source: String,
    pub request_id: String,
}

impl From<&str> for Origin {
    /// A source address without a request id (the CLI, tests).
    fn from(source: &str) -> Origin {
        Origin {
            source: source.to_string(),
            request_id: String::new(),
        }
    }
}

impl Origin {
    /// A fresh request id: 16 random hex digits.
    pub fn new_request_id() -> String {
        hex::encode(crypto::random_bytes::<8>().unwrap_or_default())
    }

    /// The record's context of a step or event with `result`.
    pub fn context(&self, result: &str) -> String {
        serde_json::json!({
            "source": self.source,
            "request_id": self.request_id,
            "result": result,
        })
        .to_string()
    }
}

impl Principal {
    pub fn role_name(&self, p: &Platform) -> Text {
        p.policy
            .role(&self.user.role)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    /// Why this person must choose a new password before anything else, if they must: an
    /// administrator set it for one use, or it is older than the configured maximum age.
    pub fn must_change_password(&self, p: &Platform) -> Option<PasswordDue> {
        if self.user.password_one_time {
            return Some(PasswordDue::OneTime);
        }
        let set = clock::parse(&self.user.password_changed_at)?;
        (p.now() - set > chrono::Duration::days(p.settings.password_max_days))
            .then_some(PasswordDue::TooOld)
    }

    pub fn is_admin(&self, p: &Platform) -> bool {
        p.policy
            .role(&self.user.role)
            .is_some_and(|r| r.admin.is_some())
    }
}

pub(crate) fn token_hash(token: &str) -> String {
    crypto::sm3_hex(token.as_bytes())
}

/// A page's one-time form key (128 random bits, hex): empty if the system's randomness
/// fails, which only turns the double-send protection off for that page.
pub fn form_key() -> String {
    random_hex::<16>().unwrap_or_default()
}

pub(crate) fn random_hex<const N: usize>() -> Result<String, AppError> {
    crypto::random_bytes::<N>()
        .map(hex::encode)
        .map_err(|e| AppError::Startup(e.to_string()))
}

/// The principal behind a token, if its session is live; ends sessions past their limits.
pub async fn authenticate(p: &Platform, token: &str, kind: &str) -> Result<Principal, AppError> {
    let hash = token_hash(token);
    let (session, user, org) = p
        .store
        .session_with_user(&hash)
        .await?
        .filter(|(s, _, _)| s.kind == kind)
        .ok_or(AppError::Unauthenticated)?;
    let now = p.now();
    let admin = p.policy.role(&user.role).is_some_and(|r| r.admin.is_some());
    let idle = if admin {
        p.settings.admin_idle_minutes
    } else {
        p.settings.idle_minutes
    };
    let last = clock::parse(&session.last_seen).unwrap_or(now);
    let created = clock::parse(&session.created_at).unwrap_or(now);
    let locked = lockout::is_locked(&user, now);
    if now - last > chrono::Duration::minutes(idle)
        || now - created > chrono::Duration::hours(p.settings.absolute_hours)
        || locked
    {
        let h = hash.clone();
        p.store
            .write(move |c| {
                Box::pin(
                    async move { store::sessions::delete(c, &h).await.map_err(AppError::from) },
                )
            })
            .await?;
        return Err(AppError::Unauthenticated);
    }
    // Record activity at most once a minute: a write per request would serialise all reads.
    if now - last > chrono::Duration::seconds(60) {
        let (h, at) = (hash.clone(), store::timestamp(now));
        p.store
            .write(move |c| {
                Box::pin(async move {
                    store::sessions::touch(c, &h, &at)
                        .await
                        .map_err(AppError::from)
                })
            })
            .await?;
    }
    let actor = actor(&p.policy, &user, &org);
    Ok(Principal {
        origin: Origin::default(),
        user,
        org,
        actor,
        token_hash: hash,
        csrf: session.csrf,
        lang: Lang::parse(&session.lang),
        kind: session.kind,
    })
}

/// Ends the session server-side and records it.
pub async fn logout(p: &Platform, who: &Principal) -> Result<(), AppError> {
    let (h, at, version) = (
        who.token_hash.clone(),
        store::timestamp(p.now()),
        p.policy.version.clone(),
    );
    let (uid, uname, org, role) = (
        who.user.id.get(),
        who.user.username.clone(),
        who.org.name_zh.clone(),
        who.user.role.clone(),
    );
    let origin = who.origin.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                store::sessions::delete(c, &h).await?;
                let r = SecurityRecord {
                    origin: Some(&origin),
                    actor_id: Some(uid),
                    actor_name: &uname,
                    org_name: &org,
                    role: &role,
                    action: "logout",
                    result: "ok",
                    detail: serde_json::Value::Null,
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Keeps the language choice with the session.
pub async fn set_lang(p: &Platform, who: &Principal, lang: Lang) -> Result<(), AppError> {
    let (h, l) = (who.token_hash.clone(), lang.code().to_string());
    p.store
        .write(move |c| {
            Box::pin(async move {
                store::sessions::set_lang(c, &h, &l)
                    .await
                    .map_err(AppError::from)
            })
        })
        .await
}

const COMMON_PASSWORDS: &[&str] = &[
    "password1234",
    "Password1234",
    "Passw0rd1234",
    "123456789012",
    "Admin@123456",
    "Qwer1234!@#$",
    "P@ssw0rd1234",
    "Aa123456789!",
];

/// SECURITY.md: at least 12 characters from at least 3 classes, not a common password.
pub fn check_password_rule(password: &str) -> Result<(), AppError> {
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if password.chars().count() < 12 || classes < 3 {
        return Err(AppError::Invalid(Text::new(
            "密码至少 12 位，且包含大写字母、小写字母、数字、符号中的至少三类。",
            "A password needs at least 12 characters from at least three of: upper case, lower case, digits, symbols.",
        )));
    }
    if COMMON_PASSWORDS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(password))
    {
        return Err(AppError::Invalid(Text::new(
            "该密码过于常见，请换一个。",
            "This password is too common.",
        )));
    }
    Ok(())
}

/// The principal of an account for work done on its behalf without a login (seeding a city,
/// a command-line step): the same actor a login would give, with no session.
pub async fn principal_of(p: &Platform, username: &str) -> Result<Principal, AppError> {
    let mut c = p.store.read().await?;
    let user = store::users::by_username(&mut c, username)
        .await?
        .ok_or(AppError::NotFound)?;
    let org = store::orgs::get(&mut c, user.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = actor(&p.policy, &user, &org);
    Ok(Principal {
        origin: Origin::default(),
        user,
        org,
        actor,
        token_hash: String::new(),
        csrf: String::new(),
        lang: domain::Lang::Zh,
        kind: "internal".into(),
    })
}

/// The actor a user of an organisation is. A party's staff (a vendor's) act for the
/// registered party whose number is their organisation's code (checked when the organisation
/// is created).
pub fn actor(policy: &domain::Policy, user: &store::users::User, org: &store::orgs::Org) -> Actor {
    let party = policy
        .org_kind(&org.kind)
        .and_then(|k| k.party.as_ref())
        .map(|_| org.code.clone());
    Actor {
        user: user.id,
        org: org.id,
        org_kind: org.kind.clone(),
        role: user.role.clone(),
        party,
    }
}
