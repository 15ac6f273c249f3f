//! The lockout rule (SECURITY.md), once, for logins and for the password step-up before a
//! signature: `lockout_attempts` wrong passwords within `lockout_window_minutes` lock the
//! account for `lockout_minutes`. An attempt is reserved in the writer *before* the password
//! is checked, so 100 parallel guesses evaluate at most the allowed number, and settled in the
//! writer afterwards, re-reading the account so that a lock set meanwhile (by an operator, or
//! by parallel guesses) is never undone by an attempt in flight.
//!
//! A reserved attempt is *pending*, not failed: settled failures alone lock an account, so six
//! parallel logins with the right password all pass. While failures and attempts in flight
//! together reach the limit, a further attempt waits (`Reserved::Busy`) rather than being
//! evaluated: the bound on guesses holds and nothing is locked by an attempt that may succeed.

use crate::{AppError, Settings, clock};
use chrono::{DateTime, Duration, FixedOffset};
use store::Conn;
use store::users::User;

/// What the reservation allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// One evaluation of the password is reserved (counted as pending until settled).
    Evaluate,
    /// Failures and attempts in flight already reach the limit: try again shortly.
    Busy,
    /// The account is locked (now, or by reaching the limit): nothing is evaluated.
    Locked,
}

pub(crate) fn is_locked(u: &User, now: DateTime<FixedOffset>) -> bool {
    u.locked_until
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| t > now)
}

/// How long an attempt may stay pending: a password check takes well under a second, so a
/// count older than this is left by a process that died between reserve and settle.
const PENDING_STALE_SECONDS: i64 = 60;

fn pending(u: &User, now: DateTime<FixedOffset>) -> i64 {
    let fresh = u
        .pending_since
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| now - t < Duration::seconds(PENDING_STALE_SECONDS));
    if fresh { u.pending_count.max(0) } else { 0 }
}

fn lock_end(s: &Settings, now: DateTime<FixedOffset>) -> String {
    store::timestamp(now + Duration::minutes(s.lockout_minutes))
}

/// Step 1, in the writer: refuse a locked account (locking one that has reached the limit),
/// ask to wait while failures and attempts in flight reach the limit, or reserve one
/// evaluation.
pub(crate) async fn reserve(
    c: &mut Conn,
    s: &Settings,
    u: &User,
    now: DateTime<FixedOffset>,
) -> Result<Reserved, AppError> {
    // Hold the row and read it again, so another instance's writer cannot interleave.
    store::users::hold(c, u.id).await?;
    let current = store::users::get(c, u.id)
        .await?
        .ok_or(AppError::LoginFailed)?;
    let u = &current;
    let locked = is_locked(u, now);
    let failed = failures(s, u, now);
    if locked || failed >= s.lockout_attempts {
        let until = match locked {
            true => u.locked_until.clone(),
            false => Some(lock_end(s, now)),
        };
        store::users::set_failures(c, u.id, failed, u.failed_since.as_deref(), until.as_deref())
            .await?;
        return Ok(Reserved::Locked);
    }
    let in_flight = pending(u, now);
    if failed + in_flight >= s.lockout_attempts {
        return Ok(Reserved::Busy);
    }
    store::users::set_pending(c, u.id, in_flight + 1, Some(&store::timestamp(now))).await?;
    Ok(Reserved::Evaluate)
}

/// The settled failures that count now: those within the window.
fn failures(s: &Settings, u: &User, now: DateTime<FixedOffset>) -> i64 {
    let window_open = u
        .failed_since
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| now - t < Duration::minutes(s.lockout_window_minutes));
    if window_open { u.failed_count } else { 0 }
}

/// How a reserved attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settled {
    /// The password was right and the account is not locked: the failures are cleared.
    pub accepted: bool,
    /// The account is locked now (it was locked meanwhile, or this failure reached the limit).
    pub locked: bool,
}

/// Step 3, in the writer: settle a reserved attempt whose password check gave `ok`.
pub(crate) async fn settle(
    c: &mut Conn,
    s: &Settings,
    user: domain::UserId,
    ok: bool,
    now: DateTime<FixedOffset>,
) -> Result<Settled, AppError> {
    store::users::hold(c, user).await?;
    let current = store::users::get(c, user)
        .await?
        .ok_or(AppError::LoginFailed)?;
    let in_flight = (pending(&current, now) - 1).max(0);
    let since = (in_flight > 0)
        .then_some(current.pending_since.as_deref())
        .flatten();
    store::users::set_pending(c, user, in_flight, since).await?;
    let locked_now = is_locked(&current, now);
    if ok && !locked_now {
        store::users::set_failures(c, user, 0, None, None).await?;
        return Ok(Settled {
            accepted: true,
            locked: false,
        });
    }
    if ok {
        // Right password, locked meanwhile: refused, and not a failure.
        return Ok(Settled {
            accepted: false,
            locked: true,
        });
    }
    let counted = failures(s, &current, now);
    let failed = counted + 1;
    let failed_since = match counted {
        0 => Some(store::timestamp(now)),
        _ => current.failed_since.clone(),
    };
    let until = match locked_now {
        true => current.locked_until.clone(),
        false => (failed >= s.lockout_attempts).then(|| lock_end(s, now)),
    };
    store::users::set_failures(c, user, failed, failed_since.as_deref(), until.as_deref()).await?;
    Ok(Settled {
        accepted: false,
        locked: until.is_some(),
    })
}

/// The login attempts in flight in this process, by username, known or not: an attempt waits
/// while `lockout_attempts` of the same name are in flight, so a name no account has waits
/// exactly like one an account has (its timing tells neither; the database's pending count
/// bounds the guesses across instances as well).
#[derive(Default)]
pub(crate) struct InFlight(std::sync::Mutex<std::collections::HashMap<String, i64>>);

/// One attempt's place among those in flight; leaving it frees the place.
pub(crate) struct Gate<'a> {
    of: &'a InFlight,
    name: String,
}

impl InFlight {
    /// A place for one more attempt on `name`, unless `limit` are in flight.
    pub(crate) fn enter(&self, name: &str, limit: i64) -> Option<Gate<'_>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = map.entry(name.to_string()).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Gate {
            of: self,
            name: name.to_string(),
        })
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut map = self
            .of
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.name) {
            *n -= 1;
            if *n <= 0 {
                map.remove(&self.name);
            }
        }
    }
}

/// How an attempt told `Reserved::Busy` waits for the attempts in flight to settle: short
/// sleeps, doubling, for at most a few seconds (a password check takes well under one).
pub(crate) struct Backoff {
    sleep: std::time::Duration,
    left: std::time::Duration,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff {
            sleep: std::time::Duration::from_millis(10),
            left: std::time::Duration::from_secs(5),
        }
    }

    /// Whether the time to wait is used up.
    pub(crate) fn left_is_zero(&self) -> bool {
        self.left.is_zero()
    }

    /// Sleeps once and says true, or says false when the time to wait is used up.
    pub(crate) async fn wait(&mut self) -> bool {
        if self.left.is_zero() {
            return false;
        }
        let nap = self.sleep.min(self.left);
        tokio::time::sleep(nap).await;
        self.left -= nap;
        self.sleep = (self.sleep * 2).min(std::time::Duration::from_millis(200));
        true
    }
}

/// An operator's or administrator's lock: it lasts until one of them unlocks the account, and
/// ends its sessions at once.
pub(crate) async fn lock_until_unlocked(c: &mut Conn, u: &User) -> Result<(), AppError> {
    let until = Some(UNTIL_UNLOCKED);
    store::users::set_failures(c, u.id, u.failed_count, u.failed_since.as_deref(), until).await?;
    store::sessions::delete_for_user(c, u.id).await?;
    Ok(())
}

/// Whether the lock is an operator's or administrator's (lasting until unlocked), not one set
/// by wrong passwords.
pub(crate) fn locked_by_hand(u: &User) -> bool {
    u.locked_until.as_deref() == Some(UNTIL_UNLOCKED)
}

/// After a new password is set: lifts a lock that wrong passwords set (they were guesses at
/// the old password), never one set by hand. Says whether it lifted one.
pub(crate) async fn unlock_after_new_password(
    c: &mut Conn,
    u: &User,
    now: DateTime<FixedOffset>,
) -> Result<bool, AppError> {
    if !is_locked(u, now) || locked_by_hand(u) {
        return Ok(false);
    }
    unlock(c, u).await?;
    Ok(true)
}

/// Lifts any lock and forgets the failures.
pub(crate) async fn unlock(c: &mut Conn, u: &User) -> Result<(), AppError> {
    Ok(store::users::set_failures(c, u.id, 0, None, None).await?)
}

const UNTIL_UNLOCKED: &str = "9999-12-31T23:59:59.999+08:00";
