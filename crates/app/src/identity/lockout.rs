//! The lockout rule (SECURITY.md), once, for logins and for the password step-up before a
//! signature: `lockout_attempts` wrong passwords within `lockout_window_minutes` lock the
//! account for `lockout_minutes`. An attempt is reserved in the writer *before* the password
//! is checked, so 100 parallel guesses evaluate at most the allowed number, and settled in the
//! writer afterwards, re-reading the account so that a lock set meanwhile (by an operator, or
//! by parallel guesses) is never undone by an attempt in flight.

use crate::{AppError, Settings, clock};
use chrono::{DateTime, Duration, FixedOffset};
use store::Conn;
use store::users::User;

/// What the reservation allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// One evaluation of the password is reserved (and counted as failed until settled).
    Evaluate,
    /// The account is locked (now, or by reaching the limit): nothing is evaluated.
    Locked,
}

pub(crate) fn is_locked(u: &User, now: DateTime<FixedOffset>) -> bool {
    u.locked_until
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| t > now)
}

fn lock_end(s: &Settings, now: DateTime<FixedOffset>) -> String {
    store::timestamp(now + Duration::minutes(s.lockout_minutes))
}

/// Step 1, in the writer: refuse a locked account (locking one that has reached the limit),
/// or reserve one evaluation.
pub(crate) async fn reserve(
    c: &mut Conn,
    s: &Settings,
    u: &User,
    now: DateTime<FixedOffset>,
) -> Result<Reserved, AppError> {
    let locked = is_locked(u, now);
    let window_open = u
        .failed_since
        .as_deref()
        .and_then(clock::parse)
        .is_some_and(|t| now - t < Duration::minutes(s.lockout_window_minutes));
    let failed = if window_open { u.failed_count } else { 0 };
    if locked || failed >= s.lockout_attempts {
        let until = match locked {
            true => u.locked_until.clone(),
            false => Some(lock_end(s, now)),
        };
        store::users::set_failures(c, u.id, failed, u.failed_since.as_deref(), until.as_deref())
            .await?;
        return Ok(Reserved::Locked);
    }
    let since = match window_open {
        true => u.failed_since.clone(),
        false => Some(store::timestamp(now)),
    };
    store::users::set_failures(c, u.id, failed + 1, since.as_deref(), None).await?;
    Ok(Reserved::Evaluate)
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
    let current = store::users::get(c, user)
        .await?
        .ok_or(AppError::LoginFailed)?;
    let locked_now = is_locked(&current, now);
    if ok && !locked_now {
        store::users::set_failures(c, user, 0, None, None).await?;
        return Ok(Settled {
            accepted: true,
            locked: false,
        });
    }
    // The reserved attempt stays counted; reaching the limit locks the account.
    let until = match locked_now {
        true => current.locked_until.clone(),
        false => (current.failed_count >= s.lockout_attempts).then(|| lock_end(s, now)),
    };
    store::users::set_failures(
        c,
        user,
        current.failed_count,
        current.failed_since.as_deref(),
        until.as_deref(),
    )
    .await?;
    Ok(Settled {
        accepted: false,
        locked: until.is_some(),
    })
}
