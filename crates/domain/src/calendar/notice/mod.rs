//! Reads the State Council General Office's yearly notice (国务院办公厅关于YYYY年部分节假日安排
//! 的通知) as published, so an operator imports a year without typing dates (R13.1). The
//! year comes from the title; each numbered line (一、元旦：…) gives a holiday's days off and
//! its make-up working days. Every weekday written in parentheses is checked against the real
//! date and every 共N天 against the range, so a typo in the copy is refused, naming the line.

mod written;

use super::{YearTable, is_weekend};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use written::{Cursor, shown, zh_date};

/// A notice as read: its title, number and date, and its holidays in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedNotice {
    pub year: i32,
    /// 国务院办公厅关于2026年部分节假日安排的通知
    pub title: String,
    /// Who issued it: the title's words before 关于 (国务院办公厅).
    pub issuer: String,
    /// 国办发明电〔2024〕12号, when the notice carries one.
    pub number: Option<String>,
    /// The date it was signed (the date line at the end).
    pub issued: Option<NaiveDate>,
    pub holidays: Vec<Holiday>,
}

/// One numbered line of the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The line in the notice, from 1.
    pub line: usize,
    /// 春节, or 国庆节、中秋节 when two are joined.
    pub name: String,
    /// Every day off, weekends within the range included.
    pub off: Vec<NaiveDate>,
    /// Weekend days made working days (调休上班).
    pub work: Vec<NaiveDate>,
}

/// Why a notice was refused, naming the line when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct NoticeError {
    /// The line, from 1, and its text.
    pub line: Option<(usize, String)>,
    /// In Chinese, for the operator who holds the notice.
    pub message: String,
}

impl NoticeError {
    fn render(&self) -> String {
        match &self.line {
            Some((n, text)) => format!("第{n}行：{}\n  {n} | {text}", self.message),
            None => self.message.clone(),
        }
    }
}

impl ParsedNotice {
    /// The table's `source`: who issued it and when, with its number when it has one
    /// (国务院办公厅 2024年11月12日（国办发明电〔2024〕12号）).
    pub fn source(&self) -> String {
        let Some(d) = self.issued else {
            return self.title.clone();
        };
        let base = format!("{} {}", self.issuer, zh_date(d, true));
        match &self.number {
            Some(n) => format!("{base}（{n}）"),
            None => base,
        }
    }

    /// The year's table. Days off outside the year (a 元旦 starting on 31 December) are weekend
    /// days, which `parse` checked, and belong to the other year's table.
    pub fn table(&self) -> YearTable {
        let in_year = |d: &&NaiveDate| d.year() == self.year;
        YearTable {
            source: self.source(),
            off: self
                .holidays
                .iter()
                .flat_map(|h| &h.off)
                .filter(in_year)
                .copied()
                .collect(),
            work: self
                .holidays
                .iter()
                .flat_map(|h| &h.work)
                .filter(in_year)
                .copied()
                .collect(),
        }
    }

    /// What was read, in Chinese, for the operator to compare with the notice before it is
    /// written: one line per holiday, then the totals.
    pub fn summary(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{}年节假日安排，来源：{}",
            self.year,
            self.source()
        )];
        for h in &self.holidays {
            let (Some(first), Some(last)) = (h.off.first(), h.off.last()) else {
                continue;
            };
            let across = first.year() != last.year();
            let mut off = shown(*first, across);
            if last != first {
                off = format!("{off}至{}", shown(*last, across));
            }
            let work = if h.work.is_empty() {
                "不调休".to_string()
            } else {
                let days: Vec<String> = h.work.iter().map(|d| shown(*d, false)).collect();
                format!("调休上班 {}", days.join("、"))
            };
            out.push(format!(
                "  {}：放假 {off}，共{}天；{work}",
                h.name,
                h.off.len()
            ));
        }
        let t = self.table();
        out.push(format!(
            "共放假{}天，调休上班{}天。",
            t.off.len(),
            t.work.len()
        ));
        out
    }
}

/// Reads a notice. Lines that are not the title, the number, a numbered holiday or the date
/// at the end (the preamble, the closing paragraph) are not arrangements and are skipped.
pub fn parse(text: &str) -> Result<ParsedNotice, NoticeError> {
    let text = text.trim_start_matches('\u{feff}');
    let raw: Vec<&str> = text.lines().collect();
    let lines: Vec<String> = raw.iter().map(|l| normalise(l)).collect();
    let (title, year) = lines
        .iter()
        .find_map(|l| title_year(l).map(|y| (l.trim().to_string(), y)))
        .ok_or_else(|| NoticeError {
            line: None,
            message:
                "找不到通知标题（如「国务院办公厅关于2026年部分节假日安排的通知」），无法确定年度。"
                    .into(),
        })?;
    let issuer = title.split("关于").next().unwrap_or_default().to_string();
    let number = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.contains('〔') && l.ends_with('号') && l.chars().count() < 30)
        .map(str::to_string);
    let issued = lines.iter().rev().find_map(|l| signed_on(l.trim()));
    let mut holidays = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(body) = numbered(l.trim()) else {
            continue;
        };
        let at = |message: String| NoticeError {
            line: Some((i + 1, raw[i].trim().to_string())),
            message,
        };
        let (name, arrangement) = body
            .split_once('：')
            .ok_or_else(|| at("找不到节日名称后的冒号（如「一、元旦：」）。".into()))?;
        let mut h = Holiday {
            line: i + 1,
            name: name.trim().to_string(),
            off: Vec::new(),
            work: Vec::new(),
        };
        read_arrangement(arrangement, year, &mut h).map_err(at)?;
        holidays.push(h);
    }
    if holidays.is_empty() {
        return Err(NoticeError {
            line: None,
            message: "没有读到任何节假日安排（应有如「一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。」的行）。"
                .into(),
        });
    }
    check_across(&holidays, year, &raw)?;
    Ok(ParsedNotice {
        year,
        title,
        issuer,
        number,
        issued,
        holidays,
    })
}

/// Full-width digits and ASCII punctuation read as the notice's usual characters.
fn normalise(l: &str) -> String {
    l.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            ':' => '：',
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ';' => '；',
            _ => c,
        })
        .collect()
}

fn title_year(l: &str) -> Option<i32> {
    let rest = l.split_once("关于")?.1;
    let (y, tail) = rest.split_once('年')?;
    (tail.starts_with("部分节假日安排") && y.len() == 4)
        .then(|| y.parse().ok())
        .flatten()
}

/// The date line under the signature: 2025年11月4日.
fn signed_on(l: &str) -> Option<NaiveDate> {
    let chars: Vec<char> = l.chars().collect();
    let mut c = Cursor { s: &chars, i: 0 };
    let d = c.date(None, None).ok()??;
    (c.i == chars.len() && d.year_written).then_some(d.date)
}

/// The text after 一、 … 十二、, for a numbered line.
fn numbered(l: &str) -> Option<&str> {
    let (n, body) = l.split_once('、')?;
    (!n.is_empty() && n.chars().all(|c| "一二三四五六七八九十".contains(c))).then_some(body)
}

/// Reads 「1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。」 clause by clause.
fn read_arrangement(text: &str, year: i32, h: &mut Holiday) -> Result<(), String> {
    let mut last_range: Option<(NaiveDate, NaiveDate)> = None;
    for clause in text.split(['，', '。', '；']).map(str::trim) {
        let chars: Vec<char> = clause.chars().collect();
        let mut c = Cursor { s: &chars, i: 0 };
        if let Some(n) = clause.strip_prefix('共').and_then(|r| r.strip_suffix('天')) {
            let (first, last) =
                last_range.ok_or_else(|| format!("「{clause}」之前没有放假日期。"))?;
            check_count(first, last, n)?;
            continue;
        }
        if !chars.first().is_some_and(char::is_ascii_digit) {
            continue; // 不调休, 与周末连休, or words that are no arrangement
        }
        let first = c.date(Some(year), None)?.ok_or_else(|| unread(clause))?;
        if c.eat('至') || c.eat('到') {
            let last = c
                .date(Some(first.date.year()), Some(first.date.month()))?
                .ok_or_else(|| unread(clause))?;
            if last.date < first.date {
                return Err(format!("「{clause}」的结束日早于开始日。"));
            }
            expect_off(&c, clause)?;
            push_range(h, first.date, last.date);
            last_range = Some((first.date, last.date));
        } else if c.rest().starts_with("放假") {
            expect_off(&c, clause)?;
            push_range(h, first.date, first.date);
            last_range = Some((first.date, first.date));
        } else {
            let mut days = vec![first.date];
            while c.eat('、') || c.eat('和') {
                let month = days.last().map(NaiveDate::month);
                days.push(
                    c.date(Some(year), month)?
                        .ok_or_else(|| unread(clause))?
                        .date,
                );
            }
            if c.rest() != "上班" {
                return Err(unread(clause));
            }
            for d in days {
                if !is_weekend(d) {
                    return Err(format!(
                        "{}本是工作日，不能作为调休上班日，请核对原文。",
                        shown(d, false)
                    ));
                }
                h.work.push(d);
            }
        }
        // 放假1天: the count inside the clause.
        if let (Some((first, last)), Some(n)) = (last_range, count_in(clause)) {
            check_count(first, last, &n)?;
        }
    }
    if h.off.is_empty() {
        return Err("这一行没有读到放假日期。".into());
    }
    Ok(())
}

fn push_range(h: &mut Holiday, first: NaiveDate, last: NaiveDate) {
    h.off.extend(first.iter_days().take_while(|d| *d <= last));
}

/// The N of 放假N天 within a clause.
fn count_in(clause: &str) -> Option<String> {
    let rest = clause.split_once("放假")?.1;
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!n.is_empty() && rest[n.len()..].starts_with('天')).then_some(n)
}

fn check_count(first: NaiveDate, last: NaiveDate, n: &str) -> Result<(), String> {
    let days = (last - first).num_days() + 1;
    if n.parse::<i64>().ok() != Some(days) {
        let range = if first == last {
            shown(first, false)
        } else {
            format!("{}至{}", shown(first, false), shown(last, false))
        };
        return Err(format!(
            "{range}是{days}天，通知写的是共{n}天，请核对原文。"
        ));
    }
    Ok(())
}

fn unread(clause: &str) -> String {
    format!(
        "无法识别「{clause}」：应为「1月1日（周四）至3日（周六）放假」或「1月4日（周日）、2月14日（周六）上班」的写法。"
    )
}

/// Days off and make-up days the lines disagree on, and days outside the notice's year.
fn check_across(holidays: &[Holiday], year: i32, lines: &[&str]) -> Result<(), NoticeError> {
    let mut seen: BTreeMap<NaiveDate, (usize, bool)> = BTreeMap::new();
    for h in holidays {
        let at = |message: String| NoticeError {
            line: Some((h.line, lines[h.line - 1].trim().to_string())),
            message,
        };
        for (d, off) in h
            .off
            .iter()
            .map(|d| (d, true))
            .chain(h.work.iter().map(|d| (d, false)))
        {
            if d.year() != year && !(off && is_weekend(*d)) {
                return Err(at(format!("{}不在{year}年内。", shown(*d, true))));
            }
            if let Some((line, was_off)) = seen.insert(*d, (h.line, off)) {
                let what = |o: bool| if o { "放假" } else { "上班" };
                return Err(at(format!(
                    "{}在第{line}行已列为{}，这里又列为{}。",
                    shown(*d, false),
                    what(was_off),
                    what(off)
                )));
            }
        }
    }
    Ok(())
}

fn expect_off(c: &Cursor<'_>, clause: &str) -> Result<(), String> {
    if c.rest().starts_with("放假") {
        Ok(())
    } else {
        Err(unread(clause))
    }
}

#[cfg(test)]
mod tests;
