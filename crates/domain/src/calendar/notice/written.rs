//! Dates as the notices write them: 1月28日（农历除夕、周二）, with the weekday checked.

use chrono::{Datelike, NaiveDate, Weekday};

/// A date as written in a notice (its weekday, when written, already checked).
pub(super) struct Written {
    pub date: NaiveDate,
    pub year_written: bool,
}

pub(super) struct Cursor<'a> {
    pub s: &'a [char],
    pub i: usize,
}

impl Cursor<'_> {
    pub(super) fn eat(&mut self, c: char) -> bool {
        let hit = self.s.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    pub(super) fn rest(&self) -> String {
        self.s[self.i..]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(char::is_ascii_digit) {
            self.i += 1;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    /// `[YYYY年][M月]D日[（…、周X）]`, the year and month defaulting to those given. `None`
    /// when no date starts here; an error when it names no real day or the weekday is wrong.
    pub(super) fn date(
        &mut self,
        year: Option<i32>,
        month: Option<u32>,
    ) -> Result<Option<Written>, String> {
        let start = self.i;
        let mut parts = (None, None, None);
        while let Some(n) = self.number() {
            match self.s.get(self.i) {
                Some('年') if parts.0.is_none() && parts.1.is_none() => parts.0 = Some(n),
                Some('月') if parts.1.is_none() => parts.1 = Some(n),
                Some('日') => parts.2 = Some(n),
                _ => break,
            }
            self.i += 1;
            if parts.2.is_some() {
                break;
            }
        }
        let (y, m, Some(d)) = parts else {
            self.i = start;
            return Ok(None);
        };
        let year_written = y.is_some();
        let (Some(y), Some(m)) = (y.and_then(|y| i32::try_from(y).ok()).or(year), m.or(month))
        else {
            self.i = start;
            return Ok(None);
        };
        let date = NaiveDate::from_ymd_opt(y, m, d)
            .ok_or_else(|| format!("{y}年{m}月{d}日不是有效日期。"))?;
        if self.eat('（') {
            let from = self.i;
            while self.s.get(self.i).is_some_and(|c| *c != '）') {
                self.i += 1;
            }
            let inside: String = self.s[from..self.i].iter().collect();
            if !self.eat('）') {
                return Err(format!("「{inside}」缺少右括号。"));
            }
            let written = inside
                .split(['、', '，'])
                .map(str::trim)
                .find_map(|p| weekday_named(p).map(|w| (p, w)));
            if let Some((name, w)) = written
                && w != date.weekday()
            {
                return Err(format!(
                    "{}是{}，通知写的是{name}，请核对原文。",
                    zh_date(date, year_written),
                    zh_weekday(date.weekday())
                ));
            }
        }
        Ok(Some(Written { date, year_written }))
    }
}

fn weekday_named(p: &str) -> Option<Weekday> {
    let d = p.strip_prefix("星期").or_else(|| p.strip_prefix("周"))?;
    Some(match d {
        "一" => Weekday::Mon,
        "二" => Weekday::Tue,
        "三" => Weekday::Wed,
        "四" => Weekday::Thu,
        "五" => Weekday::Fri,
        "六" => Weekday::Sat,
        "日" | "天" => Weekday::Sun,
        _ => return None,
    })
}

fn zh_weekday(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

pub(super) fn zh_date(d: NaiveDate, with_year: bool) -> String {
    let md = format!("{}月{}日", d.month(), d.day());
    if with_year {
        format!("{}年{md}", d.year())
    } else {
        md
    }
}

/// 2月4日（周二）
pub(super) fn shown(d: NaiveDate, with_year: bool) -> String {
    format!("{}（{}）", zh_date(d, with_year), zh_weekday(d.weekday()))
}
