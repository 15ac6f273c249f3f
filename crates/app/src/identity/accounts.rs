//! Operators' account commands (`tongchou user ...`): add, set a password, lock, unlock.
//! Each writes a security record. A user holds one role, so no account can combine two of the
//! three administrators' roles or an administrator's with a business role (三员分立).

use crate::identity::check_password_rule;
use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform};
use domain::{Text, UserId};

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org_code: &'a str,
    pub role: &'a str,
    pub password: &'a str,
}

fn invalid(zh: String, en: String) -> AppError {
    AppError::Invalid(Text::new(zh, en))
}

/// Hashes a password off the async threads: 100,000 PBKDF2 rounds take a while on purpose.
async fn slow_hash(p: &Platform, password: &str) -> Result<crypto::PasswordHash, AppError> {
    let (pw, iterations) = (password.to_string(), p.settings.password_iterations);
    tokio::task::spawn_blocking(move || crypto::hash_password(&pw, iterations))
        .await
        .map_err(|e| AppError::Startup(e.to_string()))?
        .map_err(|e| AppError::Startup(e.to_string()))
}

/// The longest username (ASCII letters, digits and `._-`, so bytes are characters).
pub const MAX_USERNAME_BYTES: usize = 64;

/// Whether a username is made of what a username may hold, and not too long.
pub fn username_ok(name: &str) -> bool {
    // It starts with a letter or digit, so `.` and `..` (which a URL path would resolve) are
    // not usernames.
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.len() <= MAX_USERNAME_BYTES
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Hashes a password off the async threads (PBKDF2-HMAC-SM3 at the configured rounds).
pub(crate) async fn hash_slowly(p: &Platform, password: &str) -> Result<String, AppError> {
    Ok(slow_hash(p, password).await?.0)
}

/// Creates an account after checking the role fits the organisation's kind.
pub async fn add(p: &Platform, operator: &str, a: &NewAccount<'_>) -> Result<UserId, AppError> {
    check_password_rule(a.password)?;
    if !username_ok(a.username) {
        return Err(invalid(
            "用户名只能包含字母、数字和 . _ -".into(),
            "A username may contain letters, digits and . _ - only.".into(),
        ));
    }
    let role = p
        .policy
        .role(a.role)
        .ok_or_else(|| {
            invalid(
                format!("没有角色 {}", a.role),
                format!("There is no role `{}`.", a.role),
            )
        })?
        .clone();
    let hash = slow_hash(p, a.password).await?;
    let (username, display, org_code, op, version) = (
        a.username.to_string(),
        a.display_name.to_string(),
        a.org_code.to_string(),
        operator.to_string(),
        p.policy.version.clone(),
    );
    let clock = p.settings.clock.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let org = store::orgs::by_code(c, &org_code)
                    .await?
                    .ok_or_else(|| invalid(format!("没有编码为 {org_code} 的单位"), format!("There is no organisation `{org_code}`.")))?;
                if !role.org_kinds.contains(&org.kind) {
                    return Err(invalid(
                        format!("角色「{}」不能设在「{}」", role.name.zh, org.name_zh),
                        format!("Role `{}` does not belong in `{}` ({})", role.id, org.code, org.kind),
                    ));
                }
                if store::users::by_username(c, &username).await?.is_some() {
                    return Err(invalid(format!("用户名 {username} 已存在"), format!("User `{username}` already exists.")));
                }
                let at = store::timestamp(clock.now());
                let id = store::users::insert(
                    c,
                    &store::users::NewUser { username: &username, display_name: &display, org: org.id, role: &role.id, password_hash: &hash.0, at: &at, one_time: false },
                )
                .await?;
                let r = SecurityRecord {
                    origin: None,
                    actor_id: None,
                    actor_name: &op,
                    org_name: "",
                    role: "operator",
                    action: "user.add",
                    result: "ok",
                    detail: serde_json::json!({ "user": username, "org": org.code, "role": role.id }),
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok(id)
            })
        })
        .await
}

/// What an operator does to an existing account.
#[derive(Debug, Clone)]
pub enum Change {
    Password(String),
    Lock,
    Unlock,
}

pub async fn change(
    p: &Platform,
    operator: &str,
    username: &str,
    change: Change,
) -> Result<(), AppError> {
    let hash = match &change {
        Change::Password(pw) => {
            check_password_rule(pw)?;
            Some(slow_hash(p, pw).await?.0)
        }
        _ => None,
    };
    let (username, op, version) = (
        username.to_string(),
        operator.to_string(),
        p.policy.version.clone(),
    );
    let clock = p.settings.clock.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let u = store::users::by_username(c, &username)
                    .await?
                    .ok_or_else(|| {
                        invalid(
                            format!("没有用户 {username}"),
                            format!("There is no user `{username}`."),
                        )
                    })?;
                let at = store::timestamp(clock.now());
                let action = match (&change, &hash) {
                    (Change::Password(_), Some(h)) => {
                        store::users::set_password(c, u.id, h, &at, false).await?;
                        super::lockout::unlock_after_new_password(c, &u, clock.now()).await?;
                        store::sessions::delete_for_user(c, u.id).await?;
                        "user.passwd"
                    }
                    (Change::Lock, _) => {
                        super::lockout::lock_until_unlocked(c, &u).await?;
                        "user.lock"
                    }
                    _ => {
                        super::lockout::unlock(c, &u).await?;
                        "user.unlock"
                    }
                };
                let r = SecurityRecord {
                    origin: None,
                    actor_id: None,
                    actor_name: &op,
                    org_name: "",
                    role: "operator",
                    action,
                    result: "ok",
                    detail: serde_json::json!({ "user": username }),
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok(())
            })
        })
        .await
}

pub use store::orgs::{NewOrg, Org};

/// Registers a city's organisations at set-up, all in one write; false (and nothing written)
/// when the database already has organisations.
pub async fn add_orgs_if_none(p: &Platform, orgs: &[NewOrg<'_>]) -> Result<bool, AppError> {
    {
        let mut c = p.store.read().await?;
        if store::orgs::count(&mut c).await? > 0 {
            return Ok(false);
        }
    }
    // A vendor's unit is coded by its registry entry, which an empty database does not have
    // yet: it is added afterwards, by the security administrator (`grants::add_org`).
    if let Some(o) = orgs
        .iter()
        .find(|o| p.policy.org_kind(o.kind).is_some_and(|k| k.party.is_some()))
    {
        return Err(invalid(
            format!("单位 {} 须在参建单位库登记后，由安全管理员添加。", o.code),
            format!(
                "The unit {} is added by the security administrator once its registry entry exists.",
                o.code
            ),
        ));
    }
    let orgs: Vec<(String, String, String, String, Option<String>)> = orgs
        .iter()
        .map(|o| {
            (
                o.code.to_string(),
                o.name_zh.to_string(),
                o.name_en.to_string(),
                o.kind.to_string(),
                o.county.map(str::to_string),
            )
        })
        .collect();
    p.store
        .write(move |c| {
            Box::pin(async move {
                for (code, zh, en, kind, county) in &orgs {
                    store::orgs::insert(
                        c,
                        &NewOrg {
                            code,
                            name_zh: zh,
                            name_en: en,
                            kind,
                            parent: None,
                            county: county.as_deref(),
                        },
                    )
                    .await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(true)
}

/// Every organisation, in registration order.
pub async fn orgs(p: &Platform) -> Result<Vec<Org>, AppError> {
    let mut c = p.store.read().await?;
    Ok(store::orgs::all(&mut c).await?)
}
