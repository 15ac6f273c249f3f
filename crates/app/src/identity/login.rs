//! A login in three steps: reserve an attempt (or refuse a locked or unknown account), check
//! the password off the async threads, then settle the attempt and open the session in one
//! write. Unknown user, wrong password and locked account give the same answer and take the
//! same time.

use super::lockout::{self, Reserved};
use super::{Principal, authenticate, random_hex, token_hash};
use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform};
use chrono::{DateTime, FixedOffset};
use domain::Lang;
use store::sessions::Session;
use store::users::User;

/// Checks a password and opens a session of `kind` (`web` or `api`). Returns the token.
pub async fn login(
    p: &Platform,
    username: &str,
    password: &str,
    source: &str,
    kind: &str,
    lang: Lang,
) -> Result<(String, Principal), AppError> {
    let now = p.now();
    let Some(user) = reserve(p, username, source, now).await? else {
        spend_a_check(p, password).await;
        return Err(AppError::LoginFailed);
    };
    let ok = verify(password, &user.password_hash).await;
    let token = random_hex::<16>()?;
    let at = store::timestamp(now);
    let session = Session {
        token_hash: token_hash(&token),
        user: user.id,
        kind: kind.to_string(),
        csrf: random_hex::<16>()?,
        lang: lang.code().to_string(),
        created_at: at.clone(),
        last_seen: at,
    };
    if !settle(p, user, ok, session, source, now).await? {
        return Err(AppError::LoginFailed);
    }
    let principal = authenticate(p, &token, kind).await?;
    Ok((token, principal))
}

/// Step 1, in the writer: the account, with one evaluation reserved; `None` (and the refusal
/// recorded) for an unknown or locked account.
async fn reserve(
    p: &Platform,
    username: &str,
    source: &str,
    now: DateTime<FixedOffset>,
) -> Result<Option<User>, AppError> {
    let s = p.settings.clone();
    let version = p.policy.version.clone();
    let (name, src) = (username.to_string(), source.to_string());
    p.store
        .write(move |c| {
            Box::pin(async move {
                let user = store::users::by_username(c, &name).await?;
                let reason = match &user {
                    None => "unknown user",
                    Some(u) => match lockout::reserve(c, &s, u, now).await? {
                        Reserved::Evaluate => return Ok(user),
                        Reserved::Locked => "locked",
                    },
                };
                let record = SecurityRecord {
                    actor_id: user.as_ref().map(|u| u.id.get()),
                    actor_name: &name,
                    org_name: "",
                    role: user.as_ref().map_or("", |u| u.role.as_str()),
                    action: "login",
                    result: "refused",
                    detail: serde_json::json!({ "source": src, "reason": reason }),
                };
                let at = store::timestamp(now);
                store::events::append(c, &security_event(&record, &at, &version)).await?;
                Ok::<_, AppError>(None)
            })
        })
        .await
}

/// Step 2, off the async threads: whether the password matches the stored hash.
async fn verify(password: &str, stored: &str) -> bool {
    let (pw, stored) = (password.to_string(), stored.to_string());
    tokio::task::spawn_blocking(move || crypto::verify_password(&pw, &stored))
        .await
        .unwrap_or(false)
}

/// Spends the time of a real check so timing does not tell a refused account from a wrong
/// password.
async fn spend_a_check(p: &Platform, password: &str) {
    let iterations = p.settings.password_iterations;
    let dummy = format!(
        "pbkdf2-sm3${iterations}${}${}",
        "00".repeat(16),
        "00".repeat(32)
    );
    let _ = verify(password, &dummy).await;
}

/// Step 3, in the writer: settle the attempt and, when accepted, open the session; the
/// outcome goes to the security record. Returns whether the login was accepted.
async fn settle(
    p: &Platform,
    user: User,
    ok: bool,
    session: Session,
    source: &str,
    now: DateTime<FixedOffset>,
) -> Result<bool, AppError> {
    let s = p.settings.clone();
    let version = p.policy.version.clone();
    let src = source.to_string();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let org = store::orgs::get(c, user.org)
                    .await?
                    .map(|o| o.name_zh)
                    .unwrap_or_default();
                let settled = lockout::settle(c, &s, user.id, ok, now).await?;
                let mut record = SecurityRecord {
                    actor_id: Some(user.id.get()),
                    actor_name: &user.username,
                    org_name: &org,
                    role: &user.role,
                    action: "login",
                    result: "ok",
                    detail: serde_json::json!({ "source": src, "kind": session.kind }),
                };
                if settled.accepted {
                    store::sessions::insert(c, &session).await?;
                } else {
                    record.result = "refused";
                    let reason = if ok { "locked" } else { "wrong password" };
                    record.detail = serde_json::json!({
                        "source": src, "reason": reason, "locked": settled.locked
                    });
                }
                let at = store::timestamp(now);
                store::events::append(c, &security_event(&record, &at, &version)).await?;
                Ok::<_, AppError>(settled.accepted)
            })
        })
        .await
}
