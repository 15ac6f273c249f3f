//! Exports and downloads are recorded (SECURITY.md: every export writes one audit record):
//! who took what, from where, with the SM3 of what left the platform. The record is written
//! before the bytes are handed out; if it cannot be written, nothing is handed out.

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
    crate::record::security_of(p, who, action, detail).await
}
