//! The three administrators' work in the web (三员分立, SECURITY.md; issue 10, item 10): the
//! system administrator keeps accounts (`accounts`), the security administrator grants roles
//! and keeps the organisations (`grants`), the audit administrator reads the security record
//! and the ledger (`trail`). None of them sees a business item (their roles see nothing), none
//! may do another's work, and each of their actions is recorded in the same write as the
//! change it makes, so a change without its record cannot exist.

pub mod accounts;
pub mod grants;
pub mod trail;

use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, Principal};
use domain::policy::AdminKind;
use domain::{Denied, FieldError, Text};
use store::events::NewEvent;

/// Refuses anyone but the administrator of `kind`, saying whose work it is.
pub fn require(p: &Platform, who: &Principal, kind: AdminKind) -> Result<(), AppError> {
    if admin_kind(p, who) == Some(kind) {
        return Ok(());
    }
    let (zh, en) = match kind {
        AdminKind::System => ("系统管理员", "system administrator"),
        AdminKind::Security => ("安全管理员", "security administrator"),
        AdminKind::Audit => ("安全审计员", "audit administrator"),
    };
    Err(AppError::Denied(Denied {
        reason: Text::new(
            format!("此项工作由{zh}办理（三员分立），请联系{zh}。"),
            format!(
                "This is the {en}'s work (separation of the three administrators); ask the {en}."
            ),
        ),
        article: None,
        fields: Vec::new(),
    }))
}

/// Which of the three administrators `who` is, if any.
pub fn admin_kind(p: &Platform, who: &Principal) -> Option<AdminKind> {
    p.policy.role(&who.user.role).and_then(|r| r.admin)
}

/// A refusal naming the field that is wrong.
pub(crate) fn field_error(field: &str, zh: String, en: String) -> AppError {
    let message = Text::new(zh, en);
    AppError::Denied(Denied {
        reason: message.clone(),
        article: None,
        fields: vec![FieldError {
            field: field.to_string(),
            message,
        }],
    })
}

/// The administrator acting, as the record keeps them; owned, so it moves into the writer.
#[derive(Clone)]
pub(crate) struct Acting {
    id: i64,
    name: String,
    org: String,
    role: String,
    origin: crate::Origin,
    version: String,
    pub at: String,
}

impl Acting {
    pub fn of(p: &Platform, who: &Principal) -> Acting {
        Acting {
            id: who.user.id.get(),
            name: who.user.username.clone(),
            org: who.org.name_zh.clone(),
            role: who.user.role.clone(),
            origin: who.origin.clone(),
            version: p.policy.version.clone(),
            at: store::timestamp(p.now()),
        }
    }

    /// The security event of one action of this administrator.
    pub fn event(&self, action: &str, result: &str, detail: serde_json::Value) -> NewEvent {
        let r = SecurityRecord {
            origin: Some(&self.origin),
            actor_id: Some(self.id),
            actor_name: &self.name,
            org_name: &self.org,
            role: &self.role,
            action,
            result,
            detail,
        };
        security_event(&r, &self.at, &self.version)
    }
}

/// Gives back `r`; when it is a refusal, first records it (who tried what on what, and why) in
/// a write of its own, since the refused change wrote nothing (SECURITY.md: result and reason).
pub(crate) async fn recording_refusal<T>(
    p: &Platform,
    who: &Principal,
    action: &'static str,
    mut detail: serde_json::Value,
    r: Result<T, AppError>,
) -> Result<T, AppError> {
    let reason = match &r {
        Err(AppError::Denied(d)) => d.reason.en.clone(),
        Err(AppError::Invalid(t)) => t.en.clone(),
        Err(AppError::NotFound) => "not found".to_string(),
        _ => return r,
    };
    detail["reason"] = serde_json::Value::String(reason);
    // A refusal of fields names them (what was wrong, not what was typed: values may be
    // personal data).
    if let Err(AppError::Denied(d)) = &r
        && !d.fields.is_empty()
    {
        detail["fields"] = d.fields.iter().map(|f| f.field.clone()).collect();
    }
    append(p, Acting::of(p, who).event(action, "refused", detail)).await?;
    r
}

/// Records one security event in a write of its own (an action that changes nothing else).
pub(crate) async fn append(p: &Platform, event: NewEvent) -> Result<(), AppError> {
    p.store
        .write(move |c| {
            Box::pin(async move {
                store::events::append(c, &event).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}
