//! Logins, sessions and accounts, under the rules of SECURITY.md: slow salted hashes, lockout
//! after repeated failures (evaluated at most N times even under concurrency), one answer for
//! every kind of failure, idle and absolute session limits, every attempt recorded.

use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, clock};
use domain::{Actor, Lang, Text};
use store::orgs::Org;
use store::sessions::Session;
use store::users::User;

/// The user behind a request, with the organisation and role they act in.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub org: Org,
    pub actor: Actor,
    pub token_hash: String,
    pub csrf: String,
    pub lang: Lang,
    pub kind: String,
}

impl Principal {
    pub fn role_name(&self, p: &Platform) -> Text {
        p.policy
            .role(&self.user.role)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    pub fn is_admin(&self, p: &Platform) -> bool {
        p.policy
            .role(&self.user.role)
            .is_some_and(|r| r.admin.is_some())
    }
}

fn token_hash(token: &str) -> String {
    crypto::sm3_hex(token.as_bytes())
}

fn random_hex<const N: usize>() -> Result<String, AppError> {
    crypto::random_bytes::<N>()
        .map(hex::encode)
        .map_err(|e| AppError::Startup(e.to_string()))
}

enum Gate {
    Evaluate(Box<User>),
    Refuse,
}

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
    let at = store::timestamp(now);
    let s = p.settings.clone();
    let version = p.policy.version.clone();
    let (name, src, at1) = (username.to_string(), source.to_string(), at.clone());
    // Step 1, in the writer: refuse a locked account, or reserve one evaluation. Reserving
    // before checking means 100 parallel attempts evaluate at most `lockout_attempts`.
    let gate = p
        .store
        .write(move |c| {
            Box::pin(async move {
                let user = store::users::by_username(c, &name).await?;
                let mut record = SecurityRecord {
                    actor_id: user.as_ref().map(|u| u.id.get()),
                    actor_name: &name,
                    org_name: "",
                    role: user.as_ref().map_or("", |u| u.role.as_str()),
                    action: "login",
                    result: "refused",
                    detail: serde_json::json!({ "source": src, "reason": "unknown user" }),
                };
                let at = at1;
                let gate = match &user {
                    None => Gate::Refuse,
                    Some(u) => {
                        let locked = u
                            .locked_until
                            .as_deref()
                            .and_then(clock::parse)
                            .is_some_and(|t| t > now);
                        let window_open = u
                            .failed_since
                            .as_deref()
                            .and_then(clock::parse)
                            .is_some_and(|t| {
                                now - t < chrono::Duration::minutes(s.lockout_window_minutes)
                            });
                        let failed = if window_open { u.failed_count } else { 0 };
                        if locked || failed >= s.lockout_attempts {
                            let until = if locked {
                                u.locked_until.clone()
                            } else {
                                Some(store::timestamp(
                                    now + chrono::Duration::minutes(s.lockout_minutes),
                                ))
                            };
                            store::users::set_failures(
                                c,
                                u.id,
                                failed,
                                u.failed_since.as_deref(),
                                until.as_deref(),
                            )
                            .await?;
                            record.detail =
                                serde_json::json!({ "source": src, "reason": "locked" });
                            Gate::Refuse
                        } else {
                            let since = if window_open {
                                u.failed_since.clone()
                            } else {
                                Some(at.clone())
                            };
                            store::users::set_failures(c, u.id, failed + 1, since.as_deref(), None)
                                .await?;
                            record.result = "evaluating";
                            Gate::Evaluate(Box::new(u.clone()))
                        }
                    }
                };
                if matches!(gate, Gate::Refuse) {
                    store::events::append(c, &security_event(&record, &at, &version)).await?;
                }
                Ok::<_, AppError>(gate)
            })
        })
        .await?;
    let user = match gate {
        Gate::Refuse => {
            // Spend the same time as a real check so timing does not tell the cases apart.
            let pw = password.to_string();
            let iterations = p.settings.password_iterations;
            let _ = tokio::task::spawn_blocking(move || {
                crypto::verify_password(
                    &pw,
                    &format!(
                        "pbkdf2-sm3${iterations}${}${}",
                        "00".repeat(16),
                        "00".repeat(32)
                    ),
                )
            })
            .await;
            return Err(AppError::LoginFailed);
        }
        Gate::Evaluate(u) => *u,
    };
    let (pw, stored) = (password.to_string(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || crypto::verify_password(&pw, &stored))
        .await
        .unwrap_or(false);
    let token = random_hex::<16>()?;
    let csrf = random_hex::<16>()?;
    let session = Session {
        token_hash: token_hash(&token),
        user: user.id,
        kind: kind.to_string(),
        csrf,
        lang: lang.code().to_string(),
        created_at: at.clone(),
        last_seen: at.clone(),
    };
    let (s, version, src, u) = (
        p.settings.clone(),
        p.policy.version.clone(),
        source.to_string(),
        user.clone(),
    );
    let sess = session.clone();
    let accepted = p.store
        .write(move |c| {
            Box::pin(async move {
                let org = store::orgs::get(c, u.org).await?.map(|o| o.name_zh).unwrap_or_default();
                let mut record = SecurityRecord {
                    actor_id: Some(u.id.get()),
                    actor_name: &u.username,
                    org_name: &org,
                    role: &u.role,
                    action: "login",
                    result: "ok",
                    detail: serde_json::json!({ "source": src, "kind": sess.kind }),
                };
                // Read the account again: an operator may have locked it while the password was
                // being checked, and a lock must never be undone by a login in flight.
                let current = store::users::get(c, u.id).await?.ok_or(AppError::LoginFailed)?;
                let locked_now = current.locked_until.as_deref().and_then(clock::parse).is_some_and(|t| t > now);
                let accepted = ok && !locked_now;
                if accepted {
                    store::users::set_failures(c, u.id, 0, None, None).await?;
                    store::sessions::insert(c, &sess).await?;
                } else {
                    // The reserved attempt stays counted; reaching the limit locks the account.
                    let until = if locked_now {
                        current.locked_until.clone()
                    } else {
                        (current.failed_count >= s.lockout_attempts)
                            .then(|| store::timestamp(now + chrono::Duration::minutes(s.lockout_minutes)))
                    };
                    store::users::set_failures(c, u.id, current.failed_count, current.failed_since.as_deref(), until.as_deref()).await?;
                    record.result = "refused";
                    let reason = if ok { "locked" } else { "wrong password" };
                    record.detail = serde_json::json!({ "source": src, "reason": reason, "locked": until.is_some() });
                }
                store::events::append(c, &security_event(&record, &at, &version)).await?;
                Ok::<_, AppError>(accepted)
            })
        })
        .await?;
    if !accepted {
        return Err(AppError::LoginFailed);
    }
    let principal = authenticate(p, &token, kind).await?;
    Ok((token, principal))
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
    let locked = user
        .locked_until
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| t > now);
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
    let actor = Actor {
        user: user.id,
        org: org.id,
        org_kind: org.kind.clone(),
        role: user.role.clone(),
    };
    Ok(Principal {
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
    p.store
        .write(move |c| {
            Box::pin(async move {
                store::sessions::delete(c, &h).await?;
                let r = SecurityRecord {
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
    let actor = domain::Actor {
        user: user.id,
        org: org.id,
        org_kind: org.kind.clone(),
        role: user.role.clone(),
    };
    Ok(Principal {
        user,
        org,
        actor,
        token_hash: String::new(),
        csrf: String::new(),
        lang: domain::Lang::Zh,
        kind: "internal".into(),
    })
}
