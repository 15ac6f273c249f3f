//! A person changes their own password: after an administrator's one-time password (which
//! must be replaced before anything else), or whenever they choose. The current password is
//! checked under the lockout rule, like a login.

use crate::admin::{Acting, field_error};
use crate::{AppError, Platform, Principal};

pub async fn change_own(
    p: &Platform,
    who: &Principal,
    current: &str,
    new: &str,
    again: &str,
) -> Result<(), AppError> {
    if let Err(AppError::Invalid(why)) = super::check_password_rule(new) {
        return Err(field_error("new", why.zh, why.en));
    }
    if new != again {
        return Err(field_error(
            "again",
            "两次输入的新密码不一致".into(),
            "The two new passwords differ.".into(),
        ));
    }
    if new == current {
        return Err(field_error(
            "new",
            "新密码不能与当前密码相同".into(),
            "The new password must differ from the current one.".into(),
        ));
    }
    if !super::step_up::check(p, who, current).await? {
        return Err(field_error(
            "current",
            "当前密码不正确".into(),
            "The current password is wrong.".into(),
        ));
    }
    let hash = super::accounts::hash_slowly(p, new).await?;
    let (id, acting, now) = (who.user.id, Acting::of(p, who), p.now());
    let keep = who.token_hash.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                // A lock set meanwhile (by an administrator, or by wrong passwords) holds.
                store::users::hold(c, id).await?;
                let u = store::users::get(c, id).await?.ok_or(AppError::NotFound)?;
                if super::lockout::is_locked(&u, now) {
                    return Err(AppError::Unauthenticated);
                }
                store::users::set_password(c, id, &hash, &acting.at, false).await?;
                // Every other session ends: one opened with a one-time password someone else
                // saw must not inherit the new one.
                store::sessions::delete_others(c, id, &keep).await?;
                let event = acting.event("user.passwd.own", "ok", serde_json::json!({}));
                store::events::append(c, &event).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}
