//! Exports and downloads are recorded (SECURITY.md: every export writes one audit record):
//! who took what, from where, with the SM3 of what left the platform. The record is written
//! before the bytes are handed out; if it cannot be written, nothing is handed out.

use crate::record::{SecurityRecord, security_event};
use crate::{AppError, Platform, Principal};

/// What left the platform.
pub enum Access<'a> {
    /// A list exported to Excel: its kind, filters and number of rows.
    Export {
        kind: &'a str,
        filters: serde_json::Value,
        rows: usize,
    },
    /// A kept file downloaded.
    Download { item: i64, name: &'a str },
}

pub async fn record(
    p: &Platform,
    who: &Principal,
    access: Access<'_>,
    bytes: &[u8],
) -> Result<(), AppError> {
    let sm3 = crypto::sm3_hex(bytes);
    let (action, detail) = match access {
        Access::Export {
            kind,
            filters,
            rows,
        } => (
            "export",
            serde_json::json!({ "kind": kind, "filters": filters, "rows": rows, "sm3": sm3 }),
        ),
        Access::Download { item, name } => (
            "download",
            serde_json::json!({ "item": item, "name": name, "sm3": sm3 }),
        ),
    };
    let (uid, uname, org, role) = (
        who.user.id.get(),
        who.user.username.clone(),
        who.org.name_zh.clone(),
        who.user.role.clone(),
    );
    let (origin, at, version) = (
        who.origin.clone(),
        store::timestamp(p.now()),
        p.policy.version.clone(),
    );
    p.store
        .write(move |c| {
            Box::pin(async move {
                let r = SecurityRecord {
                    origin: Some(&origin),
                    actor_id: Some(uid),
                    actor_name: &uname,
                    org_name: &org,
                    role: &role,
                    action,
                    result: "ok",
                    detail,
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}
