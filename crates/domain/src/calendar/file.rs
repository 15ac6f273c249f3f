//! Writes a year into a holiday file in the format of `calendar/cn-holidays.toml`, keeping
//! the rest of the operator's file (other years, comments) as it was.

use super::YearTable;
use chrono::NaiveDate;

/// The `[yYYYY]` section of one year, ending in a newline.
pub fn section(year: i32, table: &YearTable) -> String {
    let dates = |days: &std::collections::BTreeSet<NaiveDate>| {
        days.iter()
            .map(|d| format!("\"{d}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "[y{year}]\nsource = {}\noff = [{}]\nwork = [{}]\n",
        toml::Value::String(table.source.clone()),
        dates(&table.off),
        dates(&table.work)
    )
}

/// `existing` with the year's section replaced, or appended when the file lacks it. Comments
/// and blank lines just before the next section stay with that section.
pub fn with_year(existing: &str, year: i32, table: &YearTable) -> String {
    let header = format!("[y{year}]");
    let lines: Vec<&str> = existing.lines().collect();
    let new = section(year, table);
    let Some(start) = lines.iter().position(|l| l.trim() == header) else {
        let mut out = existing.trim_end().to_string();
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&new);
        return out;
    };
    let next = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    // The section's own lines end at its last value line.
    let end = (start + 1..next)
        .rev()
        .find(|&i| {
            let l = lines[i].trim();
            !l.is_empty() && !l.starts_with('#')
        })
        .map_or(start + 1, |i| i + 1);
    let mut out = String::new();
    for l in &lines[..start] {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&new);
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}
