//! The security administrator's grants (三员分立): the role of each account, and the
//! organisations accounts belong to. Granting a role needs a fresh proof (SECURITY.md: the
//! administrator's password again, under the lockout rule). Only business roles are granted
//! here: the three administrators' roles are given by the operator at the console
//! (`tongchou user add`), so no administrator can make another, or themselves, an
//! administrator; and an administrator's account is never given a business role.

use super::{Acting, field_error, recording_refusal, require};
use crate::{AppError, Platform, Principal};
use domain::policy::AdminKind;
use domain::{Denied, Text};

fn refused(zh: String, en: String) -> AppError {
    AppError::Denied(Denied {
        reason: Text::new(zh, en),
        article: None,
        fields: Vec::new(),
    })
}

/// The business roles that fit an organisation of `org_kind`, for the grant's choice.
pub fn roles_for<'p>(p: &'p Platform, org_kind: &str) -> Vec<&'p domain::policy::Role> {
    p.policy
        .roles
        .iter()
        .filter(|r| r.admin.is_none() && r.org_kinds.iter().any(|k| k == org_kind))
        .collect()
}

/// Grants `role` to the account `username`, after checking the administrator's password.
pub async fn grant(
    p: &Platform,
    who: &Principal,
    username: &str,
    role: &str,
    password: &str,
) -> Result<(), AppError> {
    let r = grant_checked(p, who, username, role, password).await;
    recording_refusal(
        p,
        who,
        "role.grant",
        serde_json::json!({ "user": username, "role": role }),
        r,
    )
    .await
}

/// `grant`, before its refusal is recorded.
async fn grant_checked(
    p: &Platform,
    who: &Principal,
    username: &str,
    role: &str,
    password: &str,
) -> Result<(), AppError> {
    require(p, who, AdminKind::Security)?;
    if username == who.user.username {
        return Err(refused(
            "管理员不能为自己授权。".into(),
            "An administrator does not grant roles to themselves.".into(),
        ));
    }
    let Some(new_role) = p.policy.role(role).filter(|r| r.admin.is_none()).cloned() else {
        return Err(field_error(
            "role",
            "请从列表中选择一个业务角色（管理员角色只能在控制台设置）".into(),
            "Choose a business role from the list (administrators' roles are set at the console)."
                .into(),
        ));
    };
    if password.is_empty() || !crate::identity::step_up::check(p, who, password).await? {
        return Err(field_error(
            "password",
            "授权须再次输入您的登录密码：密码不正确。".into(),
            "Granting a role needs your password again: it was wrong.".into(),
        ));
    }
    let (name, acting) = (username.to_string(), Acting::of(p, who));
    let policy = p.policy.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                let u = store::users::by_username(c, &name)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if policy.role(&u.role).is_some_and(|r| r.admin.is_some()) {
                    return Err(refused(
                        format!("{name} 是管理员账户，不能授予业务角色（三员分立）。"),
                        format!("{name} is an administrator's account and holds no business role."),
                    ));
                }
                let org = store::orgs::get(c, u.org)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !new_role.org_kinds.contains(&org.kind) {
                    return Err(field_error(
                        "role",
                        format!("角色「{}」不能设在「{}」", new_role.name.zh, org.name_zh),
                        format!(
                            "Role {} does not belong in {}",
                            new_role.name.en, org.name_en
                        ),
                    ));
                }
                store::users::set_role(c, u.id, &new_role.id).await?;
                // The sessions opened under the old role end: the new one applies from the
                // next login, never halfway through a page.
                store::sessions::delete_for_user(c, u.id).await?;
                let detail = serde_json::json!({
                    "user": name, "role": new_role.id, "before": u.role, "org": org.code
                });
                store::events::append(c, &acting.event("role.grant", "ok", detail)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// What a new organisation needs.
pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
    pub county: &'a str,
}

/// Registers an organisation of a kind the policy knows.
pub async fn add_org(p: &Platform, who: &Principal, o: &NewOrg<'_>) -> Result<(), AppError> {
    let r = add_org_checked(p, who, o).await;
    recording_refusal(p, who, "org.add", serde_json::json!({ "org": o.code }), r).await
}

/// `add_org`, before its refusal is recorded.
async fn add_org_checked(p: &Platform, who: &Principal, o: &NewOrg<'_>) -> Result<(), AppError> {
    require(p, who, AdminKind::Security)?;
    let code = o.code.trim().to_string();
    let party = p
        .policy
        .org_kinds
        .iter()
        .find(|k| k.id == o.kind)
        .and_then(|k| k.party.clone());
    // A vendor's unit is coded by its number in the registry, which links its staff to it.
    let code_ok = party.is_some()
        || !code.is_empty()
            && code.len() <= 32
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        return Err(field_error(
            "code",
            "单位编码须为 1 至 32 个小写字母、数字或下划线".into(),
            "A code has 1 to 32 lower-case letters, digits or underscores.".into(),
        ));
    }
    let (zh, en) = (o.name_zh.trim().to_string(), o.name_en.trim().to_string());
    if zh.is_empty() || zh.chars().count() > 64 {
        return Err(field_error(
            "name_zh",
            "请填写单位名称（不超过 64 个字）".into(),
            "Enter the organisation's Chinese name (at most 64 characters).".into(),
        ));
    }
    if en.chars().count() > 128 {
        return Err(field_error(
            "name_en",
            "英文名称不超过 128 个字符".into(),
            "The English name has at most 128 characters.".into(),
        ));
    }
    let Some(kind) = p.policy.org_kinds.iter().find(|k| k.id == o.kind).cloned() else {
        return Err(field_error(
            "kind",
            "请从列表中选择单位类别".into(),
            "Choose the kind of organisation from the list.".into(),
        ));
    };
    let county = Some(o.county.trim().to_string()).filter(|c| !c.is_empty());
    let acting = Acting::of(p, who);
    p.store
        .write(move |c| {
            Box::pin(async move {
                if store::orgs::by_code(c, &code).await?.is_some() {
                    return Err(field_error(
                        "code",
                        format!("单位编码 {code} 已存在"),
                        format!("The code {code} is taken."),
                    ));
                }
                if let Some(kind) = &party {
                    let found = store::items::get_by_number(c, &code).await?;
                    let Some(entry) = found.filter(|r| r.item.kind == *kind) else {
                        return Err(field_error(
                            "code",
                            format!("单位编码须为参建单位库中的编号（如 GS-2026-0001），{code} 不在库中；请先登记该参建单位"),
                            format!("The code must be the vendor's number in the registry (such as GS-2026-0001); {code} is not there. Register the vendor first."),
                        ));
                    };
                    // The unit is the registered vendor, by the name the registry holds.
                    if entry.title != zh {
                        return Err(field_error(
                            "name_zh",
                            format!("单位名称须与参建单位库中 {code} 的名称一致：{}", entry.title),
                            format!("The name must be the one the registry holds for {code}: {}", entry.title),
                        ));
                    }
                }
                let new = store::orgs::NewOrg {
                    code: &code,
                    name_zh: &zh,
                    name_en: if en.is_empty() { &zh } else { &en },
                    kind: &kind.id,
                    parent: None,
                    county: county.as_deref(),
                };
                store::orgs::insert(c, &new).await?;
                let detail = serde_json::json!({ "org": code, "name": zh, "kind": kind.id });
                store::events::append(c, &acting.event("org.add", "ok", detail)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}
