//! 个人中心: what the platform holds of the person themself — their account, unit and role,
//! when their password was set and when it must be replaced, their signing key, and their own
//! recent logins (等保 2.0: a user is shown their last logins, so they notice one not theirs).

use crate::admin::trail::Row;
use crate::{AppError, Platform, Principal};

/// How many of one's own security records the page shows.
pub const RECENT: i64 = 10;

#[derive(Debug, Clone)]
pub struct Me {
    /// When the password was set, and the day it must be replaced by.
    pub password_set: String,
    pub password_due: String,
    /// The public half of their SM2 signing key (hex), once they have signed a step.
    pub signing_key: Option<String>,
    /// Their own security records (logins, refusals, password changes), newest first.
    pub recent: Vec<Row>,
}

pub async fn me(p: &Platform, who: &Principal) -> Result<Me, AppError> {
    let mut c = p.store.read().await?;
    let id = who.user.id.get();
    let key = store::signing_keys::get(&mut c, id).await?;
    let recent = store::trail::own(&mut c, id, RECENT).await?;
    let set = &who.user.password_changed_at;
    let due = chrono::DateTime::parse_from_rfc3339(set)
        .map(|t| (t + chrono::Duration::days(p.settings.password_max_days)).date_naive())
        .map(|d| d.to_string())
        .unwrap_or_default();
    Ok(Me {
        password_set: set.chars().take(10).collect(),
        password_due: due,
        signing_key: key.map(|k| k.public_hex),
        recent: recent.into_iter().map(crate::admin::trail::row).collect(),
    })
}
