//! Working days in mainland China (R13.1, RX.3). A day is a working day when it is
//! Monday-Friday and not an official holiday, or when it is a weekend day the State Council
//! made a working day (调休). The table is data: the State Council publishes each year's
//! arrangement in November of the year before, and operators import it without a release
//! (`notice` reads the published text).
//!
//! A deadline never goes silent: a year the table lacks is counted Monday to Friday, and the
//! count says which years it had to assume (`Counted`), so every page and record can mark it.
//! The strict functions (`is_working_day`, `add_working_days`, ...) report such a year as
//! `UnknownYear` instead, for checks that must know.

pub mod file;
pub mod notice;

use crate::text::Text;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The holiday arrangement of one year, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTable {
    /// The notice it comes from, e.g. 国务院办公厅 2024年11月12日（国办发明电〔2024〕12号）.
    pub source: String,
    pub off: BTreeSet<NaiveDate>,
    pub work: BTreeSet<NaiveDate>,
}

/// The known years.
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

/// A result counted in working days, with the years the table lacked: those were counted
/// Monday to Friday (R13.1). `assumed` is empty when every day came from the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<T> {
    pub value: T,
    pub assumed: BTreeSet<i32>,
}

impl<T> Counted<T> {
    /// Whether some day of the count was in a year the table lacks.
    pub fn is_assumed(&self) -> bool {
        !self.assumed.is_empty()
    }

    /// What to show beside the value when it was assumed:
    /// 2027年放假安排未导入，按周一至周五计算.
    pub fn note(&self) -> Option<Text> {
        let years: Vec<String> = self.assumed.iter().map(i32::to_string).collect();
        (!years.is_empty()).then(|| years_note(&years.join("、"), &years.join(", ")))
    }

    /// The value only if no year was assumed; otherwise the first year the table lacks.
    pub fn known(self) -> Result<T, UnknownYear> {
        match self.assumed.first() {
            Some(y) => Err(UnknownYear(*y)),
            None => Ok(self.value),
        }
    }
}

fn years_note(zh: &str, en: &str) -> Text {
    Text::new(
        format!("{zh}年放假安排未导入，按周一至周五计算"),
        format!("The {en} holiday arrangement has not been imported; counted Monday to Friday"),
    )
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
            let table = YearTable {
                source: y.source,
                off: y.off.into_iter().collect(),
                work: y.work.into_iter().collect(),
            };
            table
                .check(year)
                .map_err(|m| invalid(format!("[{key}] {m}")))?;
            years.insert(year, table);
        }
        Ok(Calendar { years })
    }

    /// Adds (or replaces) the years of `other`: an operator's file extends the shipped table.
    pub fn merge(&mut self, other: Calendar) {
        self.years.extend(other.years);
    }

    /// Adds (or replaces) one year, e.g. one just read from a notice.
    pub fn insert(&mut self, year: i32, table: YearTable) {
        self.years.insert(year, table);
    }

    pub fn years(&self) -> impl Iterator<Item = (&i32, &YearTable)> {
        self.years.iter()
    }

    pub fn year(&self, year: i32) -> Option<&YearTable> {
        self.years.get(&year)
    }

    /// The note for a year counted Monday to Friday because the table lacks it:
    /// 2027年放假安排未导入，按周一至周五计算.
    pub fn assumption_note(year: i32) -> Text {
        years_note(&year.to_string(), &year.to_string())
    }

    /// The year administrators should import now, if any (R13.1): from 1 November of year Y
    /// (the State Council publishes Y+1 in November), Y+1 when the table lacks it; and at
    /// any time, Y itself when the table lacks the current year. `today` comes from the caller.
    pub fn missing_next_year(&self, today: NaiveDate) -> Option<i32> {
        let y = today.year();
        if !self.years.contains_key(&y) {
            return Some(y);
        }
        let november = today.month() >= 11;
        (november && !self.years.contains_key(&(y + 1))).then_some(y + 1)
    }

    /// Whether `day` is a working day; a year the table lacks counts Monday to Friday.
    pub fn working_day(&self, day: NaiveDate) -> Counted<bool> {
        let mut assumed = BTreeSet::new();
        let value = self.day(day, &mut assumed);
        Counted { value, assumed }
    }

    /// The day `n` working days after `day`: the deadline of a step taken on `day`.
    pub fn working_days_after(&self, day: NaiveDate, n: u32) -> Counted<NaiveDate> {
        self.walk(day, n, NaiveDate::succ_opt)
    }

    /// The day `n` working days before `day` (e.g. when a reminder starts).
    pub fn working_days_before(&self, day: NaiveDate, n: u32) -> Counted<NaiveDate> {
        self.walk(day, n, NaiveDate::pred_opt)
    }

    /// Working days from `today` to `due`: 0 on the due day itself when it is a working day,
    /// negative when overdue (剩余 N 个工作日 / 逾期 N 个工作日).
    pub fn working_days_until(&self, today: NaiveDate, due: NaiveDate) -> Counted<i64> {
        let (from, to, sign) = if today <= due {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut assumed = BTreeSet::new();
        let mut n = 0;
        let mut d = from;
        while d < to {
            let Some(next) = d.succ_opt() else { break };
            d = next;
            if self.day(d, &mut assumed) {
                n += 1;
            }
        }
        Counted {
            value: sign * n,
            assumed,
        }
    }

    /// Strict: a year the table lacks is an error.
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, UnknownYear> {
        self.working_day(day).known()
    }

    /// Strict `working_days_after`.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, UnknownYear> {
        self.working_days_after(day, n).known()
    }

    /// Strict `working_days_before`.
    pub fn sub_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, UnknownYear> {
        self.working_days_before(day, n).known()
    }

    /// Strict `working_days_until`.
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> Result<i64, UnknownYear> {
        self.working_days_until(today, due).known()
    }

    fn day(&self, day: NaiveDate, assumed: &mut BTreeSet<i32>) -> bool {
        match self.years.get(&day.year()) {
            Some(t) => t.work.contains(&day) || (!is_weekend(day) && !t.off.contains(&day)),
            None => {
                assumed.insert(day.year());
                !is_weekend(day)
            }
        }
    }

    fn walk(
        &self,
        day: NaiveDate,
        n: u32,
        step: fn(&NaiveDate) -> Option<NaiveDate>,
    ) -> Counted<NaiveDate> {
        let mut assumed = BTreeSet::new();
        let mut d = day;
        let mut left = n;
        while left > 0 {
            let Some(next) = step(&d) else { break };
            d = next;
            if self.day(d, &mut assumed) {
                left -= 1;
            }
        }
        Counted { value: d, assumed }
    }
}

impl YearTable {
    /// The rules every year's table keeps: its days are in the year, a make-up working day is
    /// a weekend day, and no day is both off and work.
    pub fn check(&self, year: i32) -> Result<(), String> {
        if let Some(d) = self.off.iter().chain(&self.work).find(|d| d.year() != year) {
            return Err(format!("lists {d}, which is not in {year}"));
        }
        if let Some(d) = self.work.iter().find(|d| !is_weekend(**d)) {
            return Err(format!(
                "lists {d} as a make-up working day, but it is not a weekend day"
            ));
        }
        if let Some(d) = self.off.iter().find(|d| self.work.contains(d)) {
            return Err(format!("lists {d} both as off and as work"));
        }
        Ok(())
    }
}

pub(crate) fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests;
