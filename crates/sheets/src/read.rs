//! Reading an uploaded workbook, with calamine, after checking that it is a
//! sane `.xlsx`.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};

use crate::error::corrupt;
use crate::guard::check_zip;
use crate::{SheetError, column_letter};

/// Most data rows one import reads (and rows a template prepares).
pub const MAX_ROWS: usize = 5_000;
/// Values beyond this many columns are refused.
pub const MAX_COLUMNS: usize = 200;
/// Largest upload read, in bytes (20 MiB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Most text kept from the cells of an upload, in bytes (16 MiB). calamine lends each
/// cell's shared string and the reader copies it, so one long shared string in many cells
/// would be copied as many times (a 1 MiB string in 5 000 cells: 5 GB). 16 MiB is 5 000
/// rows of some 1 100 Chinese characters each.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// The header row is looked for among this many first non-blank rows.
const HEADER_SCAN_ROWS: usize = 20;
/// Most worksheets looked at.
const MAX_SHEETS: usize = 20;

/// The rows of an uploaded sheet, by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The headers: the expected ones, as the caller passed them and in
    /// that order; without expectations, the non-blank header cells as
    /// found (trimmed, without a `*` marker), left to right.
    pub headers: Vec<String>,
    /// For each header, its 0-based column in the sheet (for
    /// [`column_letter`]).
    pub columns: Vec<usize>,
    /// The Excel row number (1-based) of the header row.
    pub header_row: u32,
    /// The non-blank rows below the header.
    pub rows: Vec<Row>,
    /// Headers in the sheet that were not expected (their columns are not
    /// read).
    pub ignored: Vec<String>,
    /// The name of the worksheet read.
    pub sheet: String,
}

impl Table {
    /// Index of a header in [`Table::headers`] (the same comparison as when
    /// reading: spaces, a `*` marker, full/half-width brackets and ASCII
    /// case do not matter).
    pub fn index_of(&self, header: &str) -> Option<usize> {
        let wanted = normalize(header);
        self.headers.iter().position(|h| normalize(h) == wanted)
    }

    /// Where a cell is, as the user sees it: "第 5 行 C 列（解决的问题）".
    pub fn place(&self, row: &Row, index: usize) -> String {
        match (self.columns.get(index), self.headers.get(index)) {
            (Some(col), Some(header)) => {
                format!(
                    "第 {} 行 {} 列（{header}）",
                    row.number,
                    column_letter(*col)
                )
            }
            _ => format!("第 {} 行", row.number),
        }
    }
}

/// One non-blank data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number the user sees in Excel/WPS (1-based).
    pub number: u32,
    /// One text per [`Table::headers`], trimmed: numbers as Excel stores
    /// them to 15 significant digits without a spurious ".0" or exponent
    /// (1200000, 1200000.5), dates as `yyyy-mm-dd` (with ` HH:MM:SS` if
    /// there is a time), text as typed (e.g. "1,200,000.50"), errors as
    /// Excel shows them (`#N/A`), empty as "".
    pub cells: Vec<String>,
}

impl Row {
    /// The text of column `index`, "" if there is none.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// Reads the uploaded workbook `bytes`.
///
/// The sheet read is the first visible worksheet, or, when
/// `expected_headers` is not empty and several are visible (e.g. the
/// user moved "填写说明" first), the one whose header row carries the most
/// expected headers. The header row is the row, among the first 20
/// non-blank ones, carrying the most expected headers (so a title row
/// above it is skipped); without expectations, the one with the most
/// values. Headers compare without spaces, line breaks or a `*` marker,
/// with full- and half-width brackets alike. Every expected header must be
/// there, once.
///
/// # Errors
/// A [`SheetError`] that tells the user what to do: not an `.xlsx`
/// ([`SheetError::EmptyFile`], [`SheetError::LegacyFormat`],
/// [`SheetError::Encrypted`], [`SheetError::TextFile`],
/// [`SheetError::NotXlsx`], [`SheetError::Corrupt`]), too big
/// ([`SheetError::FileTooLarge`], [`SheetError::ContentTooLarge`],
/// [`SheetError::PartTooLarge`], [`SheetError::CompressionTooHigh`],
/// [`SheetError::TooManySharedStrings`], [`SheetError::TooManyFormats`],
/// [`SheetError::TooManyEntries`], [`SheetError::TooMuchText`],
/// [`SheetError::TooManyRows`], [`SheetError::TooManyColumns`]), nothing
/// to read ([`SheetError::NoWorksheet`], [`SheetError::EmptyWorkbook`]), or
/// the wrong columns ([`SheetError::HeaderNotFound`],
/// [`SheetError::MissingColumns`], [`SheetError::DuplicateColumn`]).
pub fn read(bytes: &[u8], expected_headers: &[&str]) -> Result<Table, SheetError> {
    sniff(bytes)?;
    check_zip(bytes)?;
    let mut workbook: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let names: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .take(MAX_SHEETS)
        .collect();
    if names.is_empty() {
        return Err(SheetError::NoWorksheet);
    }
    let expected: Vec<String> = expected_headers.iter().map(|h| normalize(h)).collect();

    // (grid, header index in grid, matches, name)
    let mut best: Option<(Grid, usize, usize, String)> = None;
    let mut text_left = MAX_TEXT_BYTES;
    for name in names {
        let grid = load(&mut workbook, &name, &mut text_left)?;
        if grid.is_empty() {
            continue;
        }
        let (header, matches) = find_header(&grid, &expected);
        let better = best.as_ref().is_none_or(|(_, _, m, _)| matches > *m);
        if better {
            best = Some((grid, header, matches, name));
        }
        if expected.is_empty() || matches == expected.len() {
            break;
        }
    }
    let Some((grid, header, matches, sheet)) = best else {
        return Err(SheetError::EmptyWorkbook);
    };
    if !expected.is_empty() && matches == 0 {
        return Err(SheetError::HeaderNotFound {
            expected: expected_headers.iter().map(|h| display(h)).collect(),
        });
    }
    table(grid, header, expected_headers, &expected, sheet)
}

/// Non-blank rows: (0-based row, [(0-based column, text)]), in order.
type Grid = Vec<(u32, Vec<(u32, String)>)>;

/// Refuses what is plainly not an `.xlsx`, before unzipping anything.
fn sniff(bytes: &[u8]) -> Result<(), SheetError> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetError::FileTooLarge {
            limit_mib: (MAX_FILE_BYTES / (1024 * 1024)) as u64,
        });
    }
    if bytes.starts_with(CFB) {
        // An encrypted .xlsx is an OLE container with this stream.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(SheetError::Encrypted);
        }
        return Err(SheetError::LegacyFormat);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    if looks_like_text(bytes) {
        return Err(SheetError::TextFile);
    }
    Err(SheetError::NotXlsx)
}

/// Text in UTF-8, GBK or UTF-16 (with its BOM): no NUL and few control
/// characters in the first 8 KiB.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    !head.contains(&0) && control * 100 <= head.len()
}

/// The non-blank cells of a worksheet, streamed so that the limits stop a
/// huge sheet early; their text is taken from `text_left` before it is copied.
fn load(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    text_left: &mut usize,
) -> Result<Grid, SheetError> {
    let mut cells = workbook.worksheet_cells_reader(name).map_err(corrupt)?;
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(corrupt)? {
        let value = cell.get_value();
        *text_left = text_left
            .checked_sub(text_len(value))
            .ok_or(SheetError::TooMuchText {
                limit_mib: (MAX_TEXT_BYTES / (1024 * 1024)) as u64,
            })?;
        let text = text(value);
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(SheetError::TooManyColumns { limit: MAX_COLUMNS });
        }
        rows.entry(row).or_default().push((col, text));
        if rows.len() > MAX_ROWS + HEADER_SCAN_ROWS {
            return Err(SheetError::TooManyRows { limit: MAX_ROWS });
        }
    }
    Ok(rows
        .into_iter()
        .map(|(row, mut cells)| {
            cells.sort_by_key(|(col, _)| *col);
            (row, cells)
        })
        .collect())
}

/// The header row (index in `grid`) and how many expected headers it has;
/// without expectations, the row with the most values.
fn find_header(grid: &Grid, expected: &[String]) -> (usize, usize) {
    let mut best = (0, 0);
    for (index, (_, cells)) in grid.iter().take(HEADER_SCAN_ROWS).enumerate() {
        let score = if expected.is_empty() {
            cells.len()
        } else {
            let found: Vec<String> = cells.iter().map(|(_, t)| normalize(t)).collect();
            expected.iter().filter(|e| found.contains(e)).count()
        };
        if score > best.1 {
            best = (index, score);
        }
    }
    best
}

fn table(
    grid: Grid,
    header: usize,
    expected_headers: &[&str],
    expected: &[String],
    sheet: String,
) -> Result<Table, SheetError> {
    let mut rows = grid.into_iter().skip(header);
    let Some((header_index, header_cells)) = rows.next() else {
        return Err(SheetError::EmptyWorkbook);
    };
    let header_row = header_index + 1;

    let (headers, columns, ignored) = if expected.is_empty() {
        let headers = header_cells.iter().map(|(_, t)| display(t)).collect();
        let columns = header_cells.iter().map(|(c, _)| *c as usize).collect();
        (headers, columns, Vec::new())
    } else {
        let mut columns = Vec::with_capacity(expected.len());
        let mut missing = Vec::new();
        for (wanted, name) in expected.iter().zip(expected_headers) {
            let found: Vec<usize> = header_cells
                .iter()
                .filter(|(_, t)| normalize(t) == *wanted)
                .map(|(c, _)| *c as usize)
                .collect();
            match found.as_slice() {
                [] => missing.push(display(name)),
                [col] => columns.push(*col),
                _ => {
                    return Err(SheetError::DuplicateColumn {
                        header_row,
                        header: display(name),
                        columns: found.iter().map(|c| column_letter(*c)).collect(),
                    });
                }
            }
        }
        if !missing.is_empty() {
            return Err(SheetError::MissingColumns {
                header_row,
                missing,
            });
        }
        let ignored = header_cells
            .iter()
            .filter(|(_, t)| !expected.contains(&normalize(t)))
            .map(|(_, t)| display(t))
            .collect();
        let headers = expected_headers.iter().map(|h| (*h).to_owned()).collect();
        (headers, columns, ignored)
    };

    let mut data = Vec::new();
    for (row, cells) in rows {
        let values: Vec<String> = columns
            .iter()
            .map(|col| {
                cells
                    .iter()
                    .find(|(c, _)| *c as usize == *col)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            })
            .collect();
        if values.iter().all(String::is_empty) {
            continue;
        }
        if data.len() == MAX_ROWS {
            return Err(SheetError::TooManyRows { limit: MAX_ROWS });
        }
        data.push(Row {
            number: row + 1,
            cells: values,
        });
    }
    Ok(Table {
        headers,
        columns,
        header_row,
        rows: data,
        ignored,
        sheet,
    })
}

/// A header as shown back to the user: trimmed, without a `*` marker.
fn display(header: &str) -> String {
    header
        .trim()
        .trim_matches(|c| c == '*' || c == '＊')
        .trim()
        .to_owned()
}

/// A header for comparison: no whitespace, no `*` marker, half-width
/// brackets, ASCII lower case.
fn normalize(header: &str) -> String {
    display(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The text of a cell value.
fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => clean(s),
        DataRef::SharedString(s) => clean(s),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(dt) => number(dt.as_f64()),
        DataRef::DateTimeIso(s) => {
            let s = s.trim();
            s.strip_suffix("T00:00:00").unwrap_or(s).replace('T', " ")
        }
        DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// The length of a cell's text before it is copied (numbers and the like: 0).
fn text_len(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::SharedString(s) => s.len(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        _ => 0,
    }
}

/// Trimmed text with Windows line ends made plain.
fn clean(text: &str) -> String {
    text.trim().replace("\r\n", "\n").replace('\r', "\n")
}

/// A number as Excel would show it in a General cell, without exponent:
/// rounded to 15 significant digits, no trailing zeros or ".0".
fn number(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_shown() {
        assert_eq!(number(1_200_000.0), "1200000");
        assert_eq!(number(1_200_000.5), "1200000.5");
        assert_eq!(number(12_345.6), "12345.6");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(number(13_800_138_000.0), "13800138000");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(110_101_199_001_011_234.0), "110101199001011000");
        assert_eq!(number(0.000_000_1), "0.0000001");
    }

    #[test]
    fn headers_compare_loosely() {
        assert_eq!(normalize(" 功（性）能要求 *"), normalize("功(性)能要求"));
        assert_eq!(normalize("需求\n名称＊"), "需求名称");
        assert_eq!(normalize("*Name"), "name");
        assert_eq!(display(" 解决的问题* "), "解决的问题");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b""), Err(SheetError::EmptyFile));
        assert_eq!(
            sniff("名称,金额\n甲,1\n".as_bytes()),
            Err(SheetError::TextFile)
        );
        assert_eq!(sniff(&[0xFF, 0xFE, b'a', 0]), Err(SheetError::TextFile));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0, 1, 2, 3]),
            Err(SheetError::NotXlsx)
        );
        let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        xls.extend_from_slice(&[0; 64]);
        assert_eq!(sniff(&xls), Err(SheetError::LegacyFormat));
        xls.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&xls), Err(SheetError::Encrypted));
        assert_eq!(sniff(b"PK\x03\x04rest"), Ok(()));
    }
}
