//! The system administrator's accounts (三员分立): create one (with no role: the security
//! administrator grants it), lock, unlock, and reset a password to a one-time password that is
//! shown once and must be replaced at the next login. An administrator does none of this to
//! their own account.

use super::{Acting, field_error, recording_refusal, require};
use crate::identity::accounts::{hash_slowly, username_ok};
use crate::identity::lockout;
use crate::{AppError, Platform, Principal};
use domain::Text;
use domain::policy::AdminKind;

/// Where an account stands, as the administrators' list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Created, no role granted yet: it cannot log in.
    NoRole,
    /// Locked (by an administrator, or by wrong passwords).
    Locked,
    /// Holds a one-time password its owner has not replaced yet.
    OneTime,
    Active,
}

impl Standing {
    pub fn label(self) -> Text {
        match self {
            Standing::NoRole => Text::new("待授权", "No role yet"),
            Standing::Locked => Text::new("已锁定", "Locked"),
            Standing::OneTime => Text::new("待改密", "Must change password"),
            Standing::Active => Text::new("正常", "Active"),
        }
    }
}

/// One account in the administrators' list (no password, no business data).
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub org_name: Text,
    pub org_kind: String,
    pub role: String,
    pub role_name: Text,
    pub is_admin: bool,
    pub standing: Standing,
}

/// Refuses anyone but the two administrators who work on accounts.
fn may_read_accounts(p: &Platform, who: &Principal) -> Result<(), AppError> {
    if require(p, who, AdminKind::System).is_err() {
        require(p, who, AdminKind::Security)?;
    }
    Ok(())
}

/// An account as the administrators' list shows it.
fn account_of(
    p: &Platform,
    u: store::users::User,
    org: &store::orgs::Org,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Account {
    let role = p.policy.role(&u.role);
    let standing = if role.is_none() {
        Standing::NoRole
    } else if lockout::is_locked(&u, now) {
        Standing::Locked
    } else if u.password_one_time {
        Standing::OneTime
    } else {
        Standing::Active
    };
    Account {
        org_name: Text::new(org.name_zh.clone(), org.name_en.clone()),
        org_code: org.code.clone(),
        org_kind: org.kind.clone(),
        role_name: role.map(|r| r.name.clone()).unwrap_or_default(),
        is_admin: role.is_some_and(|r| r.admin.is_some()),
        role: u.role,
        username: u.username,
        display_name: u.display_name,
        standing,
    }
}

/// The accounts whose username, name or organisation contains `q`: for the system
/// administrator (who keeps them) and the security administrator (who grants their roles).
pub async fn list(p: &Platform, who: &Principal, q: &str) -> Result<Vec<Account>, AppError> {
    may_read_accounts(p, who)?;
    let now = p.now();
    let mut c = p.store.read().await?;
    let orgs = store::orgs::all(&mut c).await?;
    let users = store::users::all(&mut c).await?;
    drop(c);
    let q = q.trim();
    Ok(users
        .into_iter()
        .filter_map(|u| {
            let org = orgs.iter().find(|o| o.id == u.org)?;
            let a = account_of(p, u, org, now);
            let hit = q.is_empty()
                || [&a.username, &a.display_name, &a.org_name.zh, &a.org_code]
                    .iter()
                    .any(|s| s.contains(q));
            hit.then_some(a)
        })
        .collect())
}

/// One account, by its username (the grant page's).
pub async fn one(p: &Platform, who: &Principal, username: &str) -> Result<Account, AppError> {
    may_read_accounts(p, who)?;
    let mut c = p.store.read().await?;
    let u = store::users::by_username(&mut c, username)
        .await?
        .ok_or(AppError::NotFound)?;
    let org = store::orgs::get(&mut c, u.org)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(account_of(p, u, &org, p.now()))
}

/// A password set by the system administrator, shown to them once and never stored in clear.
#[derive(Clone)]
pub struct OneTime {
    pub username: String,
    pub password: String,
}

/// Never prints the password (a log or a failed assertion would keep it).
impl std::fmt::Debug for OneTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OneTime {{ username: {:?}, password: <hidden> }}",
            self.username
        )
    }
}

/// What a new account needs from the system administrator.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org_code: &'a str,
}

/// The most characters of a person's display name.
const MAX_DISPLAY_CHARS: usize = 32;

/// Creates an account with no role and a one-time password.
pub async fn create(
    p: &Platform,
    who: &Principal,
    a: &NewAccount<'_>,
) -> Result<OneTime, AppError> {
    let r = create_checked(p, who, a).await;
    recording_refusal(
        p,
        who,
        "user.add",
        serde_json::json!({ "user": a.username, "org": a.org_code }),
        r,
    )
    .await
}

/// `create`, before its refusal is recorded.
async fn create_checked(
    p: &Platform,
    who: &Principal,
    a: &NewAccount<'_>,
) -> Result<OneTime, AppError> {
    require(p, who, AdminKind::System)?;
    let username = a.username.trim().to_string();
    if !username_ok(&username) {
        return Err(field_error(
            "username",
            "用户名须为 1 至 64 个字母、数字或 . _ -".into(),
            "A username has 1 to 64 letters, digits or . _ -".into(),
        ));
    }
    let display = a.display_name.trim().to_string();
    if display.is_empty() || display.chars().count() > MAX_DISPLAY_CHARS {
        return Err(field_error(
            "display_name",
            format!("请填写姓名（不超过 {MAX_DISPLAY_CHARS} 个字）"),
            format!("Enter the person's name (at most {MAX_DISPLAY_CHARS} characters)."),
        ));
    }
    let password = one_time_password()?;
    let hash = hash_slowly(p, &password).await?;
    let (org_code, acting) = (a.org_code.trim().to_string(), Acting::of(p, who));
    let name = username.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let Some(org) = store::orgs::by_code(c, &org_code).await? else {
                    return Err(field_error(
                        "org",
                        "请从列表中选择所在单位".into(),
                        "Choose the organisation from the list.".into(),
                    ));
                };
                if store::users::by_username(c, &name).await?.is_some() {
                    return Err(field_error(
                        "username",
                        format!("用户名 {name} 已被使用，请换一个"),
                        format!("The username {name} is taken; choose another."),
                    ));
                }
                let new = store::users::NewUser {
                    username: &name,
                    display_name: &display,
                    org: org.id,
                    role: "",
                    password_hash: &hash,
                    at: &acting.at,
                    one_time: true,
                };
                store::users::insert(c, &new).await?;
                let detail = serde_json::json!({ "user": name, "org": org.code });
                store::events::append(c, &acting.event("user.add", "ok", detail)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(OneTime { username, password })
}

/// What the system administrator does to an existing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Lock,
    Unlock,
    Reset,
}

impl Change {
    /// The action the security record names it by.
    fn action(self) -> &'static str {
        match self {
            Change::Lock => "user.lock",
            Change::Unlock => "user.unlock",
            Change::Reset => "user.reset",
        }
    }
}

/// Locks, unlocks or resets an account (never one's own). A reset answers the one-time
/// password; a lock or a reset ends the account's sessions.
pub async fn change(
    p: &Platform,
    who: &Principal,
    username: &str,
    change: Change,
) -> Result<Option<OneTime>, AppError> {
    let r = change_checked(p, who, username, change).await;
    recording_refusal(
        p,
        who,
        change.action(),
        serde_json::json!({ "user": username }),
        r,
    )
    .await
}

/// `change`, before its refusal is recorded.
async fn change_checked(
    p: &Platform,
    who: &Principal,
    username: &str,
    change: Change,
) -> Result<Option<OneTime>, AppError> {
    require(p, who, AdminKind::System)?;
    if username == who.user.username {
        return Err(AppError::Denied(domain::Denied {
            reason: Text::new(
                "管理员不能锁定、解锁或重置自己的账户，请由另一名系统管理员办理。",
                "An administrator does not lock, unlock or reset their own account; ask another system administrator.",
            ),
            article: None,
            fields: Vec::new(),
        }));
    }
    let password = match change {
        Change::Reset => Some(one_time_password()?),
        _ => None,
    };
    let hash = match &password {
        Some(pw) => Some(hash_slowly(p, pw).await?),
        None => None,
    };
    let (name, acting, policy) = (username.to_string(), Acting::of(p, who), p.policy.clone());
    let now = p.now();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let u = store::users::by_username(c, &name)
                    .await?
                    .ok_or(AppError::NotFound)?;
                // Another administrator's account is the operator's, at the console: a system
                // administrator who could reset it would log in as them (三员分立).
                if policy.role(&u.role).is_some_and(|r| r.admin.is_some()) {
                    return Err(AppError::Denied(domain::Denied {
                        reason: Text::new(
                            format!("{name} 是管理员账户，只能由运维人员在控制台锁定、解锁或重置（三员分立）。"),
                            format!("{name} is an administrator's account: only the operator, at the console, locks, unlocks or resets it."),
                        ),
                        article: None,
                        fields: Vec::new(),
                    }));
                }
                let (action, detail) = match (change, &hash) {
                    (Change::Reset, Some(h)) => {
                        store::users::set_password(c, u.id, h, &acting.at, true).await?;
                        let unlocked = lockout::unlock_after_new_password(c, &u, now).await?;
                        store::sessions::delete_for_user(c, u.id).await?;
                        ("user.reset", serde_json::json!({ "user": name, "unlocked": unlocked }))
                    }
                    (Change::Reset, None) => return Err(AppError::Startup("reset without a password".into())),
                    (Change::Lock, _) => {
                        lockout::lock_until_unlocked(c, &u).await?;
                        ("user.lock", serde_json::json!({ "user": name }))
                    }
                    (Change::Unlock, _) => {
                        lockout::unlock(c, &u).await?;
                        ("user.unlock", serde_json::json!({ "user": name }))
                    }
                };
                store::events::append(c, &acting.event(action, "ok", detail)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(password.map(|password| OneTime {
        username: username.to_string(),
        password,
    }))
}

/// 16 characters (about 90 bits) with an upper-case letter, a lower-case letter and a digit,
/// from an alphabet without look-alikes (0/O, 1/l/I), so it can be read out or typed from paper.
/// Random bytes past the largest multiple of a set's size are dropped, so every character of a
/// set is equally likely.
fn one_time_password() -> Result<String, AppError> {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
    let sets: Vec<&[u8]> = [UPPER, LOWER, DIGIT]
        .into_iter()
        .chain(std::iter::repeat_n(&all[..], 13))
        .collect();
    let mut out = String::new();
    for set in sets {
        let fair = 256 - 256 % set.len();
        let b = loop {
            let [b] = crypto::random_bytes::<1>().map_err(|e| AppError::Startup(e.to_string()))?;
            if usize::from(b) < fair {
                break b;
            }
        };
        out.push(set[usize::from(b) % set.len()] as char);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests may panic: that is how they fail

    #[test]
    fn a_one_time_password_meets_the_password_rule_and_differs_each_time() {
        let (a, b) = (
            super::one_time_password().unwrap(),
            super::one_time_password().unwrap(),
        );
        assert_eq!(a.chars().count(), 16);
        assert!(crate::identity::check_password_rule(&a).is_ok(), "{a}");
        assert_ne!(a, b);
    }
}
