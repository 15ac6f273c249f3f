//! All dates and times are in Asia/Shanghai. China keeps no daylight saving time, so the zone
//! is exactly UTC+08:00.
//!
//! The platform reads time only through its [`Clock`]: the system's in production, a pinned one
//! in tests, so no test depends on the day it runs (a deadline counted across New Year, a
//! campaign window, a session's idle time).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, Utc};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub fn shanghai() -> FixedOffset {
    // 8 hours is always in range, so this never falls back.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Where the platform's time comes from.
#[derive(Clone, Debug)]
pub struct Clock {
    pinned: Option<Arc<Mutex<Pin>>>,
}

/// A pinned clock starts at `at` and then runs with real time, so events stay in order and
/// idle timers still move; `advance` jumps it forward (a test's "31 minutes later").
#[derive(Debug)]
struct Pin {
    at: DateTime<FixedOffset>,
    since: Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock { pinned: None }
    }

    /// A clock that reads `at` now and runs on from there.
    pub fn pinned(at: DateTime<FixedOffset>) -> Clock {
        Clock {
            pinned: Some(Arc::new(Mutex::new(Pin {
                at,
                since: Instant::now(),
            }))),
        }
    }

    /// A clock pinned to 09:30 in Shanghai on `day` (office hours, a working morning).
    pub fn pinned_on(day: NaiveDate) -> Clock {
        let at = day
            .and_hms_opt(9, 30, 0)
            .and_then(|t| t.and_local_timezone(shanghai()).single())
            .unwrap_or_else(|| Utc::now().with_timezone(&shanghai()));
        Clock::pinned(at)
    }

    /// The current time in Asia/Shanghai.
    pub fn now(&self) -> DateTime<FixedOffset> {
        match &self.pinned {
            None => Utc::now().with_timezone(&shanghai()),
            Some(pin) => {
                let pin = pin.lock().unwrap_or_else(|e| e.into_inner());
                let ran = Duration::from_std(pin.since.elapsed()).unwrap_or_default();
                pin.at + ran
            }
        }
    }

    /// Today's date in Asia/Shanghai.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves a pinned clock forward (or back); the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(pin) = &self.pinned {
            let mut pin = pin.lock().unwrap_or_else(|e| e.into_inner());
            pin.at += by;
        }
    }

    /// Sets a pinned clock to 09:30 on `day`.
    pub fn set_day(&self, day: NaiveDate) {
        let target = Clock::pinned_on(day).now();
        if let Some(pin) = &self.pinned {
            let mut pin = pin.lock().unwrap_or_else(|e| e.into_inner());
            pin.at = target;
            pin.since = Instant::now();
        }
    }
}

/// Parses a stored timestamp.
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_reads_its_day_and_moves_only_forward_from_there() {
        let day = NaiveDate::from_ymd_opt(2030, 3, 11).unwrap_or_default();
        let c = Clock::pinned_on(day);
        assert_eq!(c.today(), day);
        let first = c.now();
        assert!(c.now() >= first);
        c.advance(Duration::days(1));
        assert_eq!(c.today(), day.succ_opt().unwrap_or_default());
        c.set_day(day);
        assert_eq!(c.today(), day);
    }
}
