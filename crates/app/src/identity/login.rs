//! A login in three steps, the same three for every answer:
//!
//! 1. in the writer: reserve an attempt on the account (or refuse it as locked), or, for a
//!    name no account has, write the same kind of row elsewhere;
//! 2. off the async threads: one PBKDF2-HMAC-SM3 check, against the account's hash or, for an
//!    unknown name, against a dummy hash of the configured cost (a locked account's hash is
//!    checked too, its result unused);
//! 3. in the writer: settle the attempt, open the session when it is accepted, and write the
//!    attempt's one security event.
//!
//! So unknown user, wrong password and locked account give the same answer after the same
//! writes and the same check (issue 10, finding 5). The attempt runs in a task of its own:
//! when its caller is gone (the client hung up) by the time step 1 runs, nothing is written
//! and nothing checked; once step 1 has run, steps 2 and 3 follow whatever the caller does,
//! so a reserved attempt is always checked and recorded, once.

use super::lockout::{self, Reserved};
use super::{Principal, authenticate, random_hex, token_hash};
use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, Settings};
use chrono::{DateTime, FixedOffset};
use domain::Lang;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use store::sessions::Session;
use store::users::User;

/// Checks a password and opens a session of `kind` (`web` or `api`). Returns the token.
/// `source` is the caller's IP address (with the edge's request id); anything else is
/// recorded as unknown (empty).
pub async fn login(
    p: &Platform,
    username: &str,
    password: &str,
    source: impl Into<super::Origin>,
    kind: &str,
    lang: Lang,
) -> Result<(String, Principal), AppError> {
    let caller = Caller::new();
    login_traced(p, username, password, source, kind, lang, &caller)
        .await
        .0
}

/// Whoever waits for a login. Dropping it (the request's future is dropped when its client
/// hangs up) or calling `leave` tells the attempt nobody waits any more.
#[derive(Debug, Default)]
pub struct Caller(Arc<AtomicBool>);

impl Caller {
    pub fn new() -> Caller {
        Caller::default()
    }

    /// The caller goes away.
    pub fn leave(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Drop for Caller {
    fn drop(&mut self) {
        self.leave();
    }
}

/// What one login attempt did, for the tests that hold its structure (not its timing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The caller was gone when step 1 ran: nothing was written and nothing checked.
    pub abandoned: bool,
    /// The iterations of the one PBKDF2 check that ran (the account's hash or the dummy's).
    pub checked_iterations: Option<u32>,
    /// Steps that went through the writer.
    pub writes: u32,
    /// Why it was refused (`unknown user`, `wrong password`, `locked`); empty when accepted.
    pub refused: &'static str,
}

/// [`login`] with the caller given and what the attempt did.
pub async fn login_traced(
    p: &Platform,
    username: &str,
    password: &str,
    source: impl Into<super::Origin>,
    kind: &str,
    lang: Lang,
    caller: &Caller,
) -> (Result<(String, Principal), AppError>, Trace) {
    let origin: super::Origin = source.into();
    let args = Attempt {
        username: username.to_string(),
        password: password.to_string(),
        source: source_ip(&origin.source),
        request_id: origin.request_id,
        kind: kind.to_string(),
        lang,
        gone: caller.0.clone(),
    };
    let p = p.clone();
    match tokio::spawn(async move { attempt(&p, args).await }).await {
        Ok(done) => done,
        Err(e) => (
            Err(AppError::Startup(format!("login task failed: {e}"))),
            Trace::default(),
        ),
    }
}

/// Only a syntactically valid IP address is ever recorded as a source.
fn source_ip(source: &str) -> String {
    source
        .trim()
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.to_canonical().to_string())
        .unwrap_or_default()
}

struct Attempt {
    username: String,
    password: String,
    source: String,
    request_id: String,
    kind: String,
    lang: Lang,
    gone: Arc<AtomicBool>,
}

impl Attempt {
    /// Where the attempt came from (its source already checked to be an IP address).
    fn origin(&self) -> super::Origin {
        super::Origin {
            source: self.source.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// The refusal of an account that has no role (yet, or one the policy no longer has).
const NO_ROLE: &str = "no role";
/// The refusal of a one-time password older than `ONE_TIME_DAYS`.
const ONE_TIME_EXPIRED: &str = "one-time password expired";
/// How long a one-time password set by an administrator may wait for its first use.
pub const ONE_TIME_DAYS: i64 = 3;

/// Why an account whose password was right still may not log in, if it may not.
fn unusable(policy: &domain::Policy, u: &User, now: DateTime<FixedOffset>) -> Option<&'static str> {
    if policy.role(&u.role).is_none() {
        return Some(NO_ROLE);
    }
    let set = crate::clock::parse(&u.password_changed_at)?;
    (u.password_one_time && now - set > chrono::Duration::days(ONE_TIME_DAYS))
        .then_some(ONE_TIME_EXPIRED)
}

/// What step 1 found.
enum Found {
    /// Nobody waits any more: nothing was written.
    Gone,
    /// No account has the name.
    Unknown,
    Account(Box<User>, Reserved),
}

async fn attempt(p: &Platform, a: Attempt) -> (Result<(String, Principal), AppError>, Trace) {
    let mut trace = Trace::default();
    if a.username.len() > super::accounts::MAX_USERNAME_BYTES {
        // No account has such a name; nothing is looked up or written for it.
        trace.refused = "unknown user";
        return (Err(AppError::LoginFailed), trace);
    }
    // Made before anything is reserved, so a reserved attempt always reaches its settle.
    let (token, csrf) = match (random_hex::<16>(), random_hex::<16>()) {
        (Ok(t), Ok(c)) => (t, c),
        (Err(e), _) | (_, Err(e)) => return (Err(e), trace),
    };
    let mut backoff = lockout::Backoff::new();
    // Known name or not, an attempt waits while the limit of the same name are in flight here.
    let _gate = loop {
        match p.logins.enter(&a.username, p.settings.lockout_attempts) {
            Some(gate) => break Some(gate),
            None if backoff.wait().await => continue,
            None => break None,
        }
    };
    let found = loop {
        match reserve(p, &a.username, p.now(), a.gone.clone()).await {
            Ok(Found::Gone) => {
                trace.abandoned = true;
                return (Err(AppError::LoginFailed), trace);
            }
            // Attempts in flight may yet succeed: wait for them rather than guess more.
            Ok(Found::Account(_, Reserved::Busy)) if backoff.wait().await => {
                trace.writes += 1;
                continue;
            }
            Ok(f) => break f,
            Err(e) => return (Err(e), trace),
        }
    };
    trace.writes += 1;
    let hash = match &found {
        Found::Account(u, _) => u.password_hash.clone(),
        Found::Unknown | Found::Gone => dummy_hash(&p.settings),
    };
    trace.checked_iterations = iterations_of(&hash);
    let ok = verify(&a.password, &hash).await;
    let now = p.now();
    let at = store::timestamp(now);
    let session = Session {
        token_hash: token_hash(&token),
        user: domain::UserId::new(0),
        kind: a.kind.clone(),
        csrf,
        lang: a.lang.code().to_string(),
        created_at: at.clone(),
        last_seen: at,
    };
    let refused = match settle(p, found, &a.username, ok, session, &a.origin(), now).await {
        Ok(r) => r,
        Err(e) => return (Err(e), trace),
    };
    trace.writes += 1;
    trace.refused = refused;
    // The password was right, so saying why tells nothing a guesser could use.
    let why = match refused {
        NO_ROLE => Some(domain::Text::new(
            "账户尚未授权：请联系安全管理员为您分配角色后再登录。",
            "The account has no role yet: ask the security administrator to grant one, then log in.",
        )),
        ONE_TIME_EXPIRED => Some(domain::Text::new(
            "一次性密码已超过 3 天未使用而失效：请联系系统管理员重新重置。",
            "The one-time password was not used within 3 days and has lapsed: ask the system administrator for a new one.",
        )),
        _ => None,
    };
    if let Some(reason) = why {
        let denied = domain::Denied {
            reason,
            article: None,
            fields: Vec::new(),
        };
        return (Err(AppError::Denied(denied)), trace);
    }
    if !refused.is_empty() {
        return (Err(AppError::LoginFailed), trace);
    }
    (
        authenticate(p, &token, &a.kind)
            .await
            .map(|who| (token, who)),
        trace,
    )
}

/// Step 1, in the writer: nothing when the caller is gone; otherwise the account with one
/// evaluation reserved (or refused as locked), or, for an unknown name, the row that stands in
/// for an account's counters.
async fn reserve(
    p: &Platform,
    username: &str,
    now: DateTime<FixedOffset>,
    gone: Arc<AtomicBool>,
) -> Result<Found, AppError> {
    let s = p.settings.clone();
    let name = username.to_string();
    p.store
        .write(move |c| {
            Box::pin(async move {
                if gone.load(Ordering::SeqCst) {
                    return Ok(Found::Gone);
                }
                match store::users::by_username(c, &name).await? {
                    None => {
                        store::users::note_unknown_attempt(c).await?;
                        Ok::<_, AppError>(Found::Unknown)
                    }
                    Some(u) => {
                        let r = lockout::reserve(c, &s, &u, now).await?;
                        Ok(Found::Account(Box::new(u), r))
                    }
                }
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

/// A hash no password matches, at the configured cost: what an unknown name is checked
/// against, so that it takes a real check's time.
fn dummy_hash(s: &Settings) -> String {
    format!(
        "pbkdf2-sm3${}${}${}",
        s.password_iterations,
        "00".repeat(16),
        "00".repeat(32)
    )
}

fn iterations_of(hash: &str) -> Option<u32> {
    hash.split('$').nth(1)?.parse().ok()
}

/// Step 3, in the writer: settle the attempt and, when accepted, open the session; the
/// outcome goes to the security record, once. Returns why it was refused (empty: accepted).
async fn settle(
    p: &Platform,
    found: Found,
    username: &str,
    ok: bool,
    mut session: Session,
    origin: &super::Origin,
    now: DateTime<FixedOffset>,
) -> Result<&'static str, AppError> {
    let s = p.settings.clone();
    let version = p.policy.version.clone();
    let policy = p.policy.clone();
    let (src, name) = (origin.source.clone(), username.to_string());
    let origin = origin.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let at = store::timestamp(now);
                let (user, reserved) = match found {
                    Found::Account(u, r) => (*u, r),
                    Found::Unknown | Found::Gone => {
                        store::users::note_unknown_attempt(c).await?;
                        let record = SecurityRecord {
                            origin: Some(&origin),
                            actor_id: None,
                            actor_name: &name,
                            org_name: "",
                            role: "",
                            action: "login",
                            result: "refused",
                            detail: serde_json::json!({ "source": src, "reason": "unknown user" }),
                        };
                        store::events::append(c, &security_event(&record, &at, &version)).await?;
                        return Ok::<_, AppError>("unknown user");
                    }
                };
                let org = store::orgs::get(c, user.org)
                    .await?
                    .map(|o| o.name_zh)
                    .unwrap_or_default();
                // A locked (or still busy) account's check does not count: none was reserved,
                // so nothing is settled and the counters stay as they are.
                let evaluated = reserved == Reserved::Evaluate;
                let settled = match evaluated {
                    true => lockout::settle(c, &s, user.id, ok, now).await?,
                    false => lockout::Settled {
                        accepted: false,
                        locked: reserved == Reserved::Locked,
                    },
                };
                let mut record = SecurityRecord {
                    origin: Some(&origin),
                    actor_id: Some(user.id.get()),
                    actor_name: &user.username,
                    org_name: &org,
                    role: &user.role,
                    action: "login",
                    result: "ok",
                    detail: serde_json::json!({ "source": src, "kind": session.kind }),
                };
                let refused = if let Some(why) = settled
                    .accepted
                    .then(|| unusable(&policy, &user, now))
                    .flatten()
                {
                    // The right password, on an account that may not log in yet (no role
                    // granted, or a one-time password left too long): it opens nothing.
                    record.result = "refused";
                    record.detail = serde_json::json!({ "source": src, "reason": why });
                    why
                } else if settled.accepted {
                    session.user = user.id;
                    store::sessions::insert(c, &session).await?;
                    ""
                } else {
                    record.result = "refused";
                    let reason = match (reserved, ok) {
                        (Reserved::Busy, _) => "busy",
                        (Reserved::Locked, _) | (Reserved::Evaluate, true) => "locked",
                        (Reserved::Evaluate, false) => "wrong password",
                    };
                    record.detail = match evaluated {
                        true => serde_json::json!({
                            "source": src, "reason": reason, "locked": settled.locked
                        }),
                        false => serde_json::json!({ "source": src, "reason": reason }),
                    };
                    reason
                };
                store::events::append(c, &security_event(&record, &at, &version)).await?;
                Ok(refused)
            })
        })
        .await
}
