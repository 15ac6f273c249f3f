//! Re-entering the password to sign (R14.1) counts like a login attempt (SECURITY.md): each
//! check is reserved before it runs, so parallel guesses evaluate at most the allowed number;
//! reaching the limit locks the account; every attempt is in the security record.

use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, Principal, clock};
use domain::Text;

/// Whether the password is the principal's. `Err` when the account is locked.
pub async fn check(p: &Platform, who: &Principal, password: &str) -> Result<bool, AppError> {
    let now = p.now();
    let at = store::timestamp(now);
    let s = p.settings.clone();
    let version = p.policy.version.clone();
    let user_id = who.user.id;
    let (name, role) = (who.user.username.clone(), who.user.role.clone());
    let org = who.org.name_zh.clone();
    let record = move |result: &'static str, reason: &str| {
        let r = SecurityRecord {
            actor_id: Some(user_id.get()),
            actor_name: &name,
            org_name: &org,
            role: &role,
            action: "sign_step_up",
            result,
            detail: serde_json::json!({ "reason": reason }),
        };
        security_event(&r, &at, &version)
    };
    let record2 = record.clone();
    // Reserve one evaluation, or refuse a locked account.
    let stored = p
        .store
        .write(move |c| {
            Box::pin(async move {
                let u = store::users::get(c, user_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let locked = u
                    .locked_until
                    .as_deref()
                    .and_then(clock::parse)
                    .is_some_and(|t| t > now);
                let window_open = u
                    .failed_since
                    .as_deref()
                    .and_then(clock::parse)
                    .is_some_and(|t| now - t < chrono::Duration::minutes(s.lockout_window_minutes));
                let failed = if window_open { u.failed_count } else { 0 };
                if locked || failed >= s.lockout_attempts {
                    store::events::append(c, &record("refused", "locked")).await?;
                    return Ok::<_, AppError>(None);
                }
                let since = if window_open {
                    u.failed_since.clone()
                } else {
                    Some(store::timestamp(now))
                };
                store::users::set_failures(c, user_id, failed + 1, since.as_deref(), None).await?;
                Ok(Some(u.password_hash))
            })
        })
        .await?;
    let Some(stored) = stored else {
        return Err(AppError::Denied(domain::Denied {
            reason: Text::new(
                "密码错误次数过多，账户已临时锁定，请稍后再试或联系安全管理员。",
                "Too many wrong passwords: the account is locked for a while; try later or ask the security administrator.",
            ),
            article: None,
            fields: Vec::new(),
        }));
    };
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || crypto::verify_password(&pw, &stored))
        .await
        .unwrap_or(false);
    let s = p.settings.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let u = store::users::get(c, user_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if ok {
                    store::users::set_failures(c, user_id, 0, None, None).await?;
                    store::events::append(c, &record2("ok", "")).await?;
                } else {
                    let until = (u.failed_count >= s.lockout_attempts).then(|| {
                        store::timestamp(now + chrono::Duration::minutes(s.lockout_minutes))
                    });
                    store::users::set_failures(
                        c,
                        user_id,
                        u.failed_count,
                        u.failed_since.as_deref(),
                        until.as_deref(),
                    )
                    .await?;
                    store::events::append(c, &record2("refused", "wrong password")).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(ok)
}
