//! Working days in mainland China (R13.1, RX.3). A day is a working day when it is
//! Monday-Friday and not an official holiday, or when it is a weekend day the State Council
//! made a working day (调休). The table is data: the State Council publishes each year's
//! arrangement in November of the year before, and operators add it without a release.
//! A year the table lacks is reported as unknown, never guessed.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The holiday arrangement of one year, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTable {
    /// The notice it comes from, e.g. 国办发明电〔2024〕12号.
    pub source: String,
    pub off: BTreeSet<NaiveDate>,
    pub work: BTreeSet<NaiveDate>,
}

/// The known years. Asking about any other year is an error, not a guess.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearTable>,
}

/// The table has no arrangement for this year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the holiday table has no arrangement for {0}")]
pub struct UnknownYear(pub i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
struct RawYear {
    source: String,
    #[serde(default)]
    off: Vec<NaiveDate>,
    #[serde(default)]
    work: Vec<NaiveDate>,
}

impl Calendar {
    /// Reads a table in the format of `calendar/cn-holidays.toml`: one `[yYYYY]` section per year.
    pub fn from_toml(file: &str, text: &str) -> Result<Calendar, CalendarError> {
        let invalid = |message: String| CalendarError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: BTreeMap<String, RawYear> =
            toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut years = BTreeMap::new();
        for (key, y) in raw {
            let year: i32 = key
                .strip_prefix('y')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| invalid(format!("section [{key}] should be named like [y2026]")))?;
            for d in y.off.iter().chain(&y.work) {
                if d.year() != year {
                    return Err(invalid(format!(
                        "[{key}] lists {d}, which is not in {year}"
                    )));
                }
            }
            if let Some(d) = y.work.iter().find(|d| !is_weekend(**d)) {
                return Err(invalid(format!(
                    "[{key}] lists {d} as a make-up working day, but it is not a weekend day"
                )));
            }
            if let Some(d) = y.off.iter().find(|d| y.work.contains(d)) {
                return Err(invalid(format!(
                    "[{key}] lists {d} both as off and as work"
                )));
            }
            years.insert(
                year,
                YearTable {
                    source: y.source,
                    off: y.off.into_iter().collect(),
                    work: y.work.into_iter().collect(),
                },
            );
        }
        Ok(Calendar { years })
    }

    /// Adds (or replaces) the years of `other`: an operator's file extends the shipped table.
    pub fn merge(&mut self, other: Calendar) {
        self.years.extend(other.years);
    }

    pub fn years(&self) -> impl Iterator<Item = (&i32, &YearTable)> {
        self.years.iter()
    }

    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, UnknownYear> {
        let t = self.years.get(&day.year()).ok_or(UnknownYear(day.year()))?;
        Ok(t.work.contains(&day) || (!is_weekend(day) && !t.off.contains(&day)))
    }

    /// The day `n` working days after `day` (the deadline of a step taken on `day`).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, UnknownYear> {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(UnknownYear(d.year()))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The day `n` working days before `day`.
    pub fn sub_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, UnknownYear> {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d.pred_opt().ok_or(UnknownYear(d.year()))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days from `today` to `due`: 0 on the due day itself when it is a working day,
    /// negative when overdue (剩余 N 个工作日 / 逾期 N 个工作日).
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> Result<i64, UnknownYear> {
        let (from, to, sign) = if today <= due {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().ok_or(UnknownYear(d.year()))?;
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(sign * n)
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}
