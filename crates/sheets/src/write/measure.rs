//! Values and sizes as Excel shows them: yuan and 万元 from fen, dates, cell text within
//! Excel's limit, and the column widths and row heights CJK text needs.

use super::*;

/// Fen to yuan.
#[allow(clippy::cast_precision_loss)]
pub(super) fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// Fen to 万元, rounded half away from zero to 2 decimals.
#[allow(clippy::cast_precision_loss)]
pub(super) fn wan(fen: i64) -> f64 {
    // One hundredth of a 万元 is 10 000 fen.
    let hundredths = i128::from(fen);
    let half = if hundredths < 0 { -5_000 } else { 5_000 };
    let rounded = (hundredths + half) / 10_000;
    rounded as f64 / 100.0
}

/// A date Excel can hold (1900-01-01 to 9999-12-31).
pub(super) fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    if !(1900..=9999).contains(&year) {
        return None;
    }
    ExcelDateTime::from_ymd(year, month, day).ok()
}

/// Text cut to Excel's per-cell limit, with a visible marker.
pub(super) fn cell_text(text: &str) -> Cow<'_, str> {
    truncate_utf16(text, CELL_TEXT_MAX, TRUNCATED)
}

/// `text` cut so that it, with `marker` appended, fits `max` UTF-16 units.
pub(super) fn truncate_utf16<'a>(text: &'a str, max: usize, marker: &str) -> Cow<'a, str> {
    if text.encode_utf16().count() <= max {
        return Cow::Borrowed(text);
    }
    let budget = max.saturating_sub(marker.encode_utf16().count());
    let mut used = 0;
    let mut cut = String::new();
    for ch in text.chars() {
        used += ch.len_utf16();
        if used > budget {
            break;
        }
        cut.push(ch);
    }
    cut.push_str(marker);
    Cow::Owned(cut)
}

/// Display width in Excel character units: CJK and other wide characters
/// count 2.
pub(super) fn display_width(text: &str) -> f64 {
    text.lines()
        .map(|line| {
            line.chars()
                .map(|ch| if u32::from(ch) >= 0x2E80 { 2.0 } else { 1.1 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// Lines `text` takes in a column `width` characters wide.
pub(super) fn lines(text: &str, width: f64) -> u32 {
    let width = width.max(1.0);
    text.lines()
        .map(|line| {
            let w = display_width(line);
            // Small positive values only; the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let n = (w / width).ceil().max(1.0) as u32;
            n
        })
        .sum::<u32>()
        .max(1)
}

/// Height in points of a row of `lines` lines of 等线 11 (Excel's maximum
/// is 409).
pub(super) fn row_height(lines: u32) -> f64 {
    (15.0 * f64::from(lines) + 4.0).min(409.0)
}

/// A width that fits the header and the first rows.
pub(super) fn auto_width(sheet: &Sheet, index: usize) -> f64 {
    let column = &sheet.columns[index];
    // Room for the filter button and the required marker.
    let mut width = display_width(&column.header) + 4.0;
    for row in sheet.rows.iter().take(200) {
        let w = match row.get(index) {
            Some(Cell::Text(text)) => display_width(text),
            Some(Cell::Money(fen)) => {
                let value = if matches!(column.kind, ColumnKind::MoneyWan) {
                    wan(*fen)
                } else {
                    yuan(*fen)
                };
                // Digits, separators and decimals.
                format!("{value:.2}").len() as f64 * 1.35
            }
            Some(Cell::Int(n)) => n.to_string().len() as f64 * 1.1,
            Some(Cell::Date(_)) => 11.0,
            Some(Cell::Empty) | None => 0.0,
        };
        width = width.max(w + 2.0);
    }
    let max = if matches!(column.kind, ColumnKind::LongText) {
        50.0
    } else {
        40.0
    };
    let min = match column.kind {
        ColumnKind::Date => 12.0,
        ColumnKind::Money | ColumnKind::MoneyWan => 14.0,
        ColumnKind::LongText => 24.0,
        ColumnKind::Text | ColumnKind::Int => 8.0,
    };
    width.clamp(min, max)
}
