//! 委托: a person going on leave delegates to a colleague of the same post until a day. What
//! is handed over to them meanwhile goes on to the colleague (see `decide` in the parent), and
//! what they hold when it starts is handed on at once, each recorded on its item.

use super::{NOTE_MAX, actor_of, held_by, keep, refuse, words_of};
use crate::{AppError, Platform, Principal};
use domain::UserId;
use domain::handling::{self, HandlingAct};
use store::users::User;

/// The longest a delegation (委托) runs, in days: a leave, not a standing arrangement.
pub const DELEGATION_MAX_DAYS: i64 = 92;

pub use store::delegations::Delegation;

/// 委托: until `ends` (from today), every item handed over to the principal goes on to the
/// colleague, and what the principal holds now is handed to them (each recorded on its item).
/// Returns how many held items were handed on; one that separation of duties keeps from the
/// colleague stays with the principal. Recorded in the security record.
pub async fn delegate(
    p: &Platform,
    who: &Principal,
    to: UserId,
    ends: chrono::NaiveDate,
    reason: &str,
) -> Result<usize, AppError> {
    let detail = serde_json::json!({ "to": to.get(), "ends": ends.to_string() });
    let r = delegate_unrecorded(p, who, to, ends, reason).await;
    let r = crate::admin::recording_refusal(p, who, DELEGATE_ACTION, detail.clone(), r).await;
    if let Ok(n) = &r {
        let mut detail = detail;
        detail["handed"] = serde_json::json!(n);
        crate::record::security_of(p, who, DELEGATE_ACTION, detail).await?;
    }
    r
}

/// The security record's action for a delegation, and for its early end.
pub const DELEGATE_ACTION: &str = "delegate";
pub const DELEGATE_END_ACTION: &str = "delegate.end";

async fn delegate_unrecorded(
    p: &Platform,
    who: &Principal,
    to: UserId,
    ends: chrono::NaiveDate,
    reason: &str,
) -> Result<usize, AppError> {
    let reason = words_of(reason);
    let today = p.today();
    if reason.is_empty() || reason.chars().count() > NOTE_MAX {
        return Err(refuse(
            format!("请填写委托理由（例如休假、外出学习），不超过 {NOTE_MAX} 个字。"),
            format!("Give the reason (leave, training), at most {NOTE_MAX} characters."),
        ));
    }
    if ends < today || ends > today + chrono::Duration::days(DELEGATION_MAX_DAYS) {
        return Err(refuse(
            format!("委托截止日期须在今天（{today}）至 {DELEGATION_MAX_DAYS} 天之内。"),
            format!("The last day must be from today ({today}) to {DELEGATION_MAX_DAYS} days on."),
        ));
    }
    let held = crate::inbox::visible_recent(p, who, |r| held_by(p, r, who.user.id)).await?;
    let (p2, who2) = (p.clone(), who.clone());
    p.store
        .write(move |c| {
            Box::pin(async move {
                let day = today.to_string();
                let Some((colleague, user)) = actor_of(c, &p2.policy, to).await? else {
                    return Err(refuse(
                        "所选同事不存在，请重新选择。",
                        "That colleague does not exist; choose again.",
                    ));
                };
                if to == who2.user.id
                    || colleague.role != who2.actor.role
                    || colleague.org != who2.actor.org
                {
                    return Err(refuse(
                        "只能委托本单位同一岗位的其他同事。",
                        "Delegate only to another colleague of the same role in the same unit.",
                    ));
                }
                if let Some(d) = store::delegations::in_force(c, who2.user.id, &day).await? {
                    return Err(refuse(
                        format!("您已有委托（至 {}），请先结束它再重新委托。", d.ends),
                        format!("You already delegate until {}; end it first.", d.ends),
                    ));
                }
                if store::delegations::in_force(c, to, &day).await?.is_some() {
                    return Err(refuse(
                        format!("{}本人已委托他人办理，请选择其他同事。", user.display_name),
                        format!(
                            "{} has delegated their own items; choose another colleague.",
                            user.display_name
                        ),
                    ));
                }
                let at = store::timestamp(p2.now());
                let ends = ends.to_string();
                store::delegations::insert(
                    c,
                    &store::delegations::NewDelegation {
                        from_user: who2.user.id,
                        to_user: to,
                        starts: &day,
                        ends: &ends,
                        reason: &reason,
                        at: &at,
                    },
                )
                .await?;
                let note = format!("委托办理（至 {ends}）：{reason}");
                let mut handed = 0;
                for r in held {
                    // Read again inside the write: it may have moved since.
                    let Some(row) = store::items::get(c, r.item.id).await? else {
                        continue;
                    };
                    let Some(kind) = p2.policy.kind(&row.item.kind) else {
                        continue;
                    };
                    if !held_by(&p2, &row, who2.user.id)
                        || handling::may_hand_over(
                            &p2.policy,
                            kind,
                            &row.item,
                            &who2.actor,
                            &colleague,
                        )
                        .is_err()
                    {
                        continue;
                    }
                    let act = handling::act(
                        HandlingAct::HandOver,
                        &who2.actor,
                        vec![to],
                        Vec::new(),
                        Some(today),
                    );
                    keep(
                        c,
                        &p2,
                        &who2,
                        &row,
                        act,
                        std::slice::from_ref(&user.display_name),
                        &note,
                    )
                    .await?;
                    handed += 1;
                }
                Ok(handed)
            })
        })
        .await
}

/// Ends the principal's delegation before its last day (back from leave).
pub async fn end_delegation(p: &Platform, who: &Principal, id: i64) -> Result<(), AppError> {
    let (uid, at) = (who.user.id, store::timestamp(p.now()));
    let ended = p
        .store
        .write(move |c| {
            Box::pin(
                async move { Ok::<_, AppError>(store::delegations::end(c, id, uid, &at).await?) },
            )
        })
        .await?;
    let detail = serde_json::json!({ "delegation": id });
    if !ended {
        let r: Result<(), AppError> = Err(refuse(
            "没有可结束的委托。",
            "There is no delegation of yours to end.",
        ));
        return crate::admin::recording_refusal(p, who, DELEGATE_END_ACTION, detail, r).await;
    }
    crate::record::security_of(p, who, DELEGATE_END_ACTION, detail).await
}

/// The principal's delegation in force today, and the delegations to them.
pub async fn delegations(
    p: &Platform,
    who: &Principal,
) -> Result<(Option<Delegation>, Vec<Delegation>), AppError> {
    let day = p.today().to_string();
    let mut c = p.store.read().await?;
    Ok((
        store::delegations::in_force(&mut c, who.user.id, &day).await?,
        store::delegations::to_user(&mut c, who.user.id, &day).await?,
    ))
}

/// Colleagues the principal may delegate to: the same role in the same unit.
pub async fn delegation_colleagues(p: &Platform, who: &Principal) -> Result<Vec<User>, AppError> {
    let mut c = p.store.read().await?;
    Ok(store::users::all(&mut c)
        .await?
        .into_iter()
        .filter(|u| u.id != who.user.id && u.org == who.org.id && u.role == who.user.role)
        .collect())
}
