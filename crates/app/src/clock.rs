//! All dates and times are in Asia/Shanghai. China keeps no daylight saving time, so the zone
//! is exactly UTC+08:00.

use chrono::{DateTime, FixedOffset, Utc};

pub fn shanghai() -> FixedOffset {
    // 8 hours is always in range, so this never falls back.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset;

/// The current time in Asia/Shanghai.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&shanghai())
}

/// Parses a stored timestamp.
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}
