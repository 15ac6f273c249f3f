//! Re-entering the password to sign (R14.1) counts like a login attempt (SECURITY.md), under
//! the same lockout rule (`lockout`); every attempt is in the security record.

use super::lockout::{self, Reserved};
use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, Principal};
use domain::Text;

fn locked() -> AppError {
    AppError::Denied(domain::Denied {
        reason: Text::new(
            "密码错误次数过多，账户已临时锁定，请稍后再试或联系安全管理员。",
            "Too many wrong passwords: the account is locked for a while; try later or ask the security administrator.",
        ),
        article: None,
        fields: Vec::new(),
    })
}

fn busy() -> AppError {
    AppError::Denied(domain::Denied {
        reason: Text::new(
            "同一账户同时进行的密码验证过多，请稍后再试。",
            "Too many password checks of this account at once; try again in a moment.",
        ),
        article: None,
        fields: Vec::new(),
    })
}

/// Whether the password is the principal's. `Err` when the account is locked.
pub async fn check(p: &Platform, who: &Principal, password: &str) -> Result<bool, AppError> {
    let now = p.now();
    let at = store::timestamp(now);
    let version = p.policy.version.clone();
    let user_id = who.user.id;
    let (name, role) = (who.user.username.clone(), who.user.role.clone());
    let org = who.org.name_zh.clone();
    let origin = who.origin.clone();
    let record = move |result: &'static str, reason: &str| {
        let r = SecurityRecord {
            origin: Some(&origin),
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
    let mut backoff = lockout::Backoff::new();
    let stored = loop {
        let (s, record, now) = (p.settings.clone(), record.clone(), p.now());
        let give_up = backoff.left_is_zero();
        // Ok(None): wait for the attempts in flight; Err(why): refused, and recorded.
        let reserved: Result<Option<String>, &'static str> = p
            .store
            .write(move |c| {
                Box::pin(async move {
                    let u = store::users::get(c, user_id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let r = lockout::reserve(c, &s, &u, now).await?;
                    let reason = match (r, give_up) {
                        (Reserved::Evaluate, _) => return Ok(Ok(Some(u.password_hash))),
                        (Reserved::Busy, false) => return Ok::<_, AppError>(Ok(None)),
                        (Reserved::Busy, true) => "busy",
                        (Reserved::Locked, _) => "locked",
                    };
                    store::events::append(c, &record("refused", reason)).await?;
                    Ok(Err(reason))
                })
            })
            .await?;
        match reserved {
            Ok(Some(hash)) => break hash,
            Ok(None) => {
                backoff.wait().await;
            }
            Err("busy") => return Err(busy()),
            Err(_) => return Err(locked()),
        }
    };
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || crypto::verify_password(&pw, &stored))
        .await
        .unwrap_or(false);
    let (s, now) = (p.settings.clone(), p.now());
    let settled = p
        .store
        .write(move |c| {
            Box::pin(async move {
                let settled = lockout::settle(c, &s, user_id, ok, now).await?;
                let (result, reason) = match (settled.accepted, ok) {
                    (true, _) => ("ok", ""),
                    (false, true) => ("refused", "locked"),
                    (false, false) => ("refused", "wrong password"),
                };
                store::events::append(c, &record2(result, reason)).await?;
                Ok::<_, AppError>(settled)
            })
        })
        .await?;
    if ok && !settled.accepted {
        return Err(locked());
    }
    Ok(settled.accepted)
}
