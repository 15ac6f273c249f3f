//! Excel (.xlsx) for Tongchou: list exports, import templates, and reading
//! filled templates back.
//!
//! The caller describes a table in plain terms ([`Sheet`], [`Column`],
//! [`Cell`]) and gets `.xlsx` bytes back; on import it gets the rows as
//! trimmed text with the row numbers the user sees in Excel/WPS, so that an
//! importer can say "第 5 行 C 列（解决的问题）：…" (see [`column_letter`]).
//!
//! * [`write`](fn@crate::write) — an export: one worksheet per [`Sheet`], bold frozen header
//!   row with an autofilter, money as yuan or 万元 with `#,##0.00`, dates as
//!   `yyyy-mm-dd`, CJK font 等线 11.
//! * [`template`] — an import template: required headers red with a `*`,
//!   the help text as a note on each header and as an input hint on its
//!   cells, dropdowns for choice columns, type checks for number and date
//!   columns, and a second sheet "填写说明".
//! * [`read`] — reads an uploaded workbook, finds the header row (a title
//!   row above it is fine), maps the expected columns by name, skips blank
//!   rows, and refuses anything that is not a sane `.xlsx` with a message in
//!   Chinese and English ([`SheetError::zh`], [`SheetError::en`]); a zip bomb is refused
//!   on the zip's directory or as it unpacks, before calamine reads it.
//! * [`ImportSlots`] — how many imports are read at once; a caller that finds them all
//!   taken answers "try again later".
#![forbid(unsafe_code)]

mod error;
mod guard;
mod read;
mod slots;
mod write;

pub use error::SheetError;
pub use guard::{
    MAX_COMPRESSION_RATIO, MAX_PART_BYTES, MAX_SHARED_STRINGS, MAX_SHARED_STRINGS_BYTES,
    MAX_UNZIPPED_BYTES,
};
pub use read::{MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_TEXT_BYTES, Row, Table, read};
pub use slots::{IMPORTS_AT_ONCE, ImportSlot, ImportSlots};
pub use write::{template, write};

use chrono::NaiveDate;

/// One value to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, written as a string cell (never as a formula).
    Text(String),
    /// An amount in fen (分). Shown in yuan, or in 万元 in a
    /// [`ColumnKind::MoneyWan`] column.
    Money(i64),
    /// A whole number.
    Int(i64),
    /// A date, shown as `yyyy-mm-dd`.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<NaiveDate> for Cell {
    fn from(date: NaiveDate) -> Self {
        Cell::Date(date)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// How a column is shown (and, in a template, checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnKind {
    /// Short text; in a template the cells are text-formatted so that phone
    /// numbers and codes keep their digits.
    #[default]
    Text,
    /// Long text, wrapped and top-aligned.
    LongText,
    /// Money in yuan, `#,##0.00`; the cell values are fen.
    Money,
    /// Money in 万元, `#,##0.00`; the value written is fen / 1 000 000
    /// rounded (half away from zero) to 2 decimals, so what is stored is
    /// what is shown.
    MoneyWan,
    /// A whole number.
    Int,
    /// A date, `yyyy-mm-dd`.
    Date,
}

/// One column of a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text, without any required marker.
    pub header: String,
    /// Width in Excel character units (a CJK character is about 2);
    /// 0 or less picks a width from the header and the contents.
    pub width: f64,
    /// Format of the column.
    pub kind: ColumnKind,
    /// Template only: the header gets a `*` and a red font.
    pub required: bool,
    /// Help text: a note on the header cell (export and template) and, in a
    /// template, the input hint of the column's cells.
    pub help: String,
    /// Template only: when non-empty, the cells get a dropdown that accepts
    /// these values only.
    pub choices: Vec<String>,
}

impl Column {
    /// A column with an automatic width, not required, without help or choices.
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Self {
        Column {
            header: header.into(),
            width: 0.0,
            kind,
            required: false,
            help: String::new(),
            choices: Vec::new(),
        }
    }

    /// Sets the width in character units.
    #[must_use]
    pub fn width(mut self, width: f64) -> Self {
        self.width = width;
        self
    }

    /// Marks the column as required (template).
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Sets the dropdown choices (template).
    #[must_use]
    pub fn choices<S: Into<String>>(mut self, choices: impl IntoIterator<Item = S>) -> Self {
        self.choices = choices.into_iter().map(Into::into).collect();
        self
    }
}

/// One worksheet: an optional title row, a header row, and data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Worksheet name. Characters Excel refuses (`[]:*?/\`) become `_`, it
    /// is cut to 31 characters, and a duplicate gets a suffix.
    pub name: String,
    /// A merged title row above the header, e.g. "需求方案清单（导出于 2026-11-28）".
    pub title: Option<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The data rows; a row may be shorter than `columns` (the rest is
    /// empty) but not longer.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// A sheet without a title or rows.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Self {
        Sheet {
            name: name.into(),
            title: None,
            columns,
            rows: Vec::new(),
        }
    }

    /// Sets the title row.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// The Excel column letters of a 0-based column index: 0 → "A", 25 → "Z",
/// 26 → "AA", 27 → "AB".
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index;
    loop {
        // `n % 26` is below 26, so the cast cannot truncate.
        letters.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters() {
        let cases = [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (51, "AZ"),
            (52, "BA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16_383, "XFD"),
        ];
        for (index, letters) in cases {
            assert_eq!(column_letter(index), letters, "index {index}");
        }
    }
}
