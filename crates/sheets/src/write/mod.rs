//! Exports and import templates, with rust_xlsxwriter.

use std::borrow::Cow;

use chrono::Datelike;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Formula, Note, Workbook, Worksheet,
};

use crate::{Cell, Column, ColumnKind, MAX_ROWS, Sheet, SheetError, column_letter};

mod guide;
mod measure;
use guide::*;
use measure::*;

/// The CJK font of every cell: the default font of Chinese Office since
/// 2016; WPS and LibreOffice substitute a CJK font where it is missing.
const FONT: &str = "等线";
const FONT_SIZE: f64 = 11.0;
/// GB2312, so that Excel treats the font as a Chinese one.
const CHARSET_GB2312: u8 = 134;
/// Default row height and column width of 等线 11 in Chinese Excel, pixels.
const DEFAULT_ROW_PX: u32 = 19;
const DEFAULT_COL_PX: u32 = 72;
/// Excel's limit for the text of one cell, in UTF-16 units.
const CELL_TEXT_MAX: usize = 32_767;
const TRUNCATED: &str = "…（内容过长，已截断）";
/// Excel's limit on a worksheet name, in characters.
const SHEET_NAME_MAX: usize = 31;
/// Excel's limit on the rows of a worksheet.
const EXCEL_ROWS: usize = 1_048_576;
/// Excel's limit on the columns of a worksheet.
const EXCEL_COLUMNS: usize = 16_384;
/// Name of the instructions sheet of a template.
const INSTRUCTIONS_SHEET: &str = "填写说明";
/// Name of the hidden sheet holding long dropdown lists of a template.
const CHOICES_SHEET: &str = "下拉选项";
/// Limits of data-validation texts, in UTF-16 units.
const VALIDATION_TITLE_MAX: usize = 32;
const VALIDATION_MESSAGE_MAX: usize = 255;
const VALIDATION_LIST_MAX: usize = 255;
const MONEY_FORMAT: &str = "#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";

/// Writes an export: one worksheet per sheet, each with an optional merged
/// title row, a bold header row (frozen, with an autofilter and the help
/// text as notes), and the rows with thin borders, in 等线 11.
///
/// Money cells are fen and are shown in yuan (or 万元 in a
/// [`ColumnKind::MoneyWan`] column) with `#,##0.00`; dates as `yyyy-mm-dd`.
/// Sheet names are made acceptable to Excel. Text longer than Excel allows
/// in a cell is cut with a visible marker. `required` and `choices` are
/// ignored in an export.
///
/// # Errors
/// [`SheetError::InvalidSheet`] when `sheets` is empty, a sheet has no
/// columns, a row is longer than the columns, or Excel's size limits are
/// exceeded; [`SheetError::Write`] if the writer fails.
pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>, SheetError> {
    if sheets.is_empty() {
        return Err(invalid("no sheet to write"));
    }
    let styles = Styles::new();
    let mut workbook = new_workbook(&styles)?;
    let mut names = Vec::new();
    for sheet in sheets {
        check(sheet)?;
        let name = unique_sheet_name(&sheet.name, &mut names);
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(name)?;
        write_table(worksheet, sheet, &styles, false)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Writes an import template for `sheet`: the title row if any, the header
/// row with required headers red and marked `*`, the help text as a note on
/// each header and as the input hint of the column's cells, a dropdown for
/// each column with choices, number/date checks for money, whole-number and
/// date columns, text format for text columns (so phone numbers keep their
/// digits), for the first [`MAX_ROWS`] data rows. `sheet.rows`, if any, are
/// written as pre-filled rows.
///
/// A second sheet "填写说明" lists `instructions` (one paragraph each),
/// general rules derived from the columns, and a table describing every
/// column.
///
/// # Errors
/// As [`write`](fn@crate::write).
pub fn template(sheet: &Sheet, instructions: &[String]) -> Result<Vec<u8>, SheetError> {
    check(sheet)?;
    let styles = Styles::new();
    let mut workbook = new_workbook(&styles)?;
    let mut names = vec![INSTRUCTIONS_SHEET.to_owned(), CHOICES_SHEET.to_owned()];
    let name = unique_sheet_name(&sheet.name, &mut names);

    // Dropdown lists too long (or with commas) for an inline list go to a
    // hidden sheet: (column index, formula).
    let mut long_lists: Vec<(usize, Vec<String>)> = Vec::new();
    for (index, column) in sheet.columns.iter().enumerate() {
        if !column.choices.is_empty() && !fits_inline(&column.choices) {
            long_lists.push((index, column.choices.clone()));
        }
    }

    let worksheet = workbook.add_worksheet();
    worksheet.set_name(name)?;
    write_table(worksheet, sheet, &styles, true)?;
    let first_data = header_row(sheet) + 1;
    let last_data = first_data + to_u32(MAX_ROWS)? - 1;
    for (index, column) in sheet.columns.iter().enumerate() {
        let col = to_col(index)?;
        worksheet.set_column_format(col, styles.data(column.kind))?;
        let list = long_lists
            .iter()
            .position(|(i, _)| *i == index)
            .map(|position| choices_formula(position, long_lists[position].1.len()));
        if let Some(validation) = validation(column, list)? {
            worksheet.add_data_validation(first_data, col, last_data, col, &validation)?;
        }
    }

    let worksheet = workbook.add_worksheet();
    worksheet.set_name(INSTRUCTIONS_SHEET)?;
    write_instructions(worksheet, sheet, instructions, &styles)?;

    if !long_lists.is_empty() {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(CHOICES_SHEET)?;
        for (position, (index, choices)) in long_lists.iter().enumerate() {
            let col = to_col(position)?;
            worksheet.write_string_with_format(
                0,
                col,
                sheet.columns[*index].header.as_str(),
                &styles.header,
            )?;
            for (row, choice) in choices.iter().enumerate() {
                worksheet.write_string_with_format(
                    to_u32(row + 1)?,
                    col,
                    cell_text(choice).as_ref(),
                    &styles.text,
                )?;
            }
        }
        worksheet.set_hidden(true);
    }
    Ok(workbook.save_to_buffer()?)
}

/// The formats, all in 等线 11.
struct Styles {
    base: Format,
    title: Format,
    header: Format,
    header_required: Format,
    text: Format,
    long_text: Format,
    money: Format,
    int: Format,
    date: Format,
    /// Unbordered formats for whole template columns.
    column_text: Format,
    column_long_text: Format,
    column_money: Format,
    column_int: Format,
    column_date: Format,
    /// Instructions sheet.
    paragraph: Format,
    bold: Format,
    required_mark: Format,
}

impl Styles {
    fn new() -> Self {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(FONT_SIZE)
            .set_font_charset(CHARSET_GB2312)
            .set_align(FormatAlign::VerticalCenter);
        let cell = base.clone().set_border(FormatBorder::Thin);
        let header = cell
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0x00DD_EBF7));
        Styles {
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            header_required: header.clone().set_font_color(Color::RGB(0x00C0_0000)),
            header,
            text: cell.clone(),
            long_text: cell.clone().set_text_wrap(),
            money: cell.clone().set_num_format(MONEY_FORMAT),
            int: cell.clone().set_num_format("0"),
            date: cell.clone().set_num_format(DATE_FORMAT),
            column_text: base.clone().set_num_format("@"),
            column_long_text: base.clone().set_num_format("@").set_text_wrap(),
            column_money: base.clone().set_num_format(MONEY_FORMAT),
            column_int: base.clone().set_num_format("0"),
            column_date: base.clone().set_num_format(DATE_FORMAT),
            paragraph: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            bold: base.clone().set_bold(),
            required_mark: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_font_color(Color::RGB(0x00C0_0000)),
            base,
        }
    }

    fn cell(&self, kind: ColumnKind) -> &Format {
        match kind {
            ColumnKind::Text => &self.text,
            ColumnKind::LongText => &self.long_text,
            ColumnKind::Money | ColumnKind::MoneyWan => &self.money,
            ColumnKind::Int => &self.int,
            ColumnKind::Date => &self.date,
        }
    }

    fn data(&self, kind: ColumnKind) -> &Format {
        match kind {
            ColumnKind::Text => &self.column_text,
            ColumnKind::LongText => &self.column_long_text,
            ColumnKind::Money | ColumnKind::MoneyWan => &self.column_money,
            ColumnKind::Int => &self.column_int,
            ColumnKind::Date => &self.column_date,
        }
    }
}

fn new_workbook(styles: &Styles) -> Result<Workbook, SheetError> {
    let mut workbook = Workbook::new();
    workbook.set_default_format(&styles.base, DEFAULT_ROW_PX, DEFAULT_COL_PX)?;
    Ok(workbook)
}

fn invalid(detail: impl Into<String>) -> SheetError {
    SheetError::InvalidSheet {
        detail: detail.into(),
    }
}

fn to_u32(n: usize) -> Result<u32, SheetError> {
    u32::try_from(n).map_err(|_| invalid(format!("row {n} is beyond Excel's limit")))
}

fn to_col(n: usize) -> Result<u16, SheetError> {
    u16::try_from(n).map_err(|_| invalid(format!("column {n} is beyond Excel's limit")))
}

/// The 0-based row of the header.
fn header_row(sheet: &Sheet) -> u32 {
    u32::from(sheet.title.is_some())
}

fn check(sheet: &Sheet) -> Result<(), SheetError> {
    if sheet.columns.is_empty() {
        return Err(invalid(format!("sheet \"{}\" has no columns", sheet.name)));
    }
    if sheet.columns.len() > EXCEL_COLUMNS {
        return Err(invalid(format!(
            "sheet \"{}\" has {} columns, Excel allows {EXCEL_COLUMNS}",
            sheet.name,
            sheet.columns.len()
        )));
    }
    if sheet.rows.len() + 2 > EXCEL_ROWS {
        return Err(invalid(format!(
            "sheet \"{}\" has {} rows, Excel allows {}",
            sheet.name,
            sheet.rows.len(),
            EXCEL_ROWS - 2
        )));
    }
    if let Some((index, row)) = sheet
        .rows
        .iter()
        .enumerate()
        .find(|(_, row)| row.len() > sheet.columns.len())
    {
        return Err(invalid(format!(
            "sheet \"{}\": row {index} has {} cells for {} columns",
            sheet.name,
            row.len(),
            sheet.columns.len()
        )));
    }
    Ok(())
}

/// The title, header and rows of one sheet, its widths, notes, panes and
/// print setup.
fn write_table(
    worksheet: &mut Worksheet,
    sheet: &Sheet,
    styles: &Styles,
    template: bool,
) -> Result<(), SheetError> {
    let last_col = to_col(sheet.columns.len() - 1)?;
    let header = header_row(sheet);
    if let Some(title) = &sheet.title {
        let title = cell_text(title);
        if last_col == 0 {
            worksheet.write_string_with_format(0, 0, title.as_ref(), &styles.title)?;
        } else {
            worksheet.merge_range(0, 0, 0, last_col, title.as_ref(), &styles.title)?;
        }
        worksheet.set_row_height(0, 26)?;
    }
    let mut header_lines = 1;
    let mut widths = Vec::with_capacity(sheet.columns.len());
    for (index, column) in sheet.columns.iter().enumerate() {
        let col = to_col(index)?;
        let marked = template && column.required;
        let text = if marked {
            format!("{}*", column.header)
        } else {
            column.header.clone()
        };
        let format = if marked {
            &styles.header_required
        } else {
            &styles.header
        };
        worksheet.write_string_with_format(header, col, cell_text(&text).as_ref(), format)?;
        if !column.help.is_empty() {
            worksheet.insert_note(header, col, &note(&column.help))?;
        }
        let width = if column.width > 0.0 {
            column.width
        } else {
            auto_width(sheet, index)
        };
        worksheet.set_column_width(col, width)?;
        widths.push(width);
        // A header wider than its column wraps; give it the lines it needs.
        header_lines = header_lines.max(lines(&text, width - 2.0));
    }
    if header_lines > 1 {
        worksheet.set_row_height(header, row_height(header_lines.min(4)))?;
    }

    for (index, row) in sheet.rows.iter().enumerate() {
        let r = header + 1 + to_u32(index)?;
        let mut row_lines = 1;
        for (c, column) in sheet.columns.iter().enumerate() {
            let cell = row.get(c).unwrap_or(&Cell::Empty);
            write_cell(worksheet, r, to_col(c)?, cell, column.kind, styles)?;
            if let (Cell::Text(text), ColumnKind::LongText) = (cell, column.kind) {
                row_lines = row_lines.max(lines(text, widths[c] - 1.0));
            }
        }
        // Wrapped text gets the height it needs: not every program fits
        // row heights when it opens a file.
        if row_lines > 1 {
            worksheet.set_row_height(r, row_height(row_lines))?;
        }
    }

    worksheet.set_freeze_panes(header + 1, 0)?;
    if !template {
        let last_row = header + to_u32(sheet.rows.len())?;
        worksheet.autofilter(header, 0, last_row, last_col)?;
    }
    worksheet.set_repeat_rows(header, header)?;
    worksheet.set_landscape();
    worksheet.set_paper_size(9); // A4
    worksheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn write_cell(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    kind: ColumnKind,
    styles: &Styles,
) -> Result<(), SheetError> {
    let format = styles.cell(kind);
    match cell {
        Cell::Text(text) if !text.is_empty() => {
            let format = if matches!(kind, ColumnKind::LongText) {
                &styles.long_text
            } else {
                &styles.text
            };
            worksheet.write_string_with_format(row, col, cell_text(text).as_ref(), format)?;
        }
        Cell::Money(fen) => {
            let value = if matches!(kind, ColumnKind::MoneyWan) {
                wan(*fen)
            } else {
                yuan(*fen)
            };
            let format = match kind {
                ColumnKind::Money | ColumnKind::MoneyWan => format,
                _ => &styles.money,
            };
            worksheet.write_number_with_format(row, col, value, format)?;
        }
        Cell::Int(n) => {
            // Above 2^53 an f64 loses digits; no such count exists here.
            #[allow(clippy::cast_precision_loss)]
            let value = *n as f64;
            worksheet.write_number_with_format(row, col, value, format)?;
        }
        Cell::Date(date) => match excel_date(*date) {
            Some(date) => {
                worksheet.write_datetime_with_format(row, col, &date, &styles.date)?;
            }
            None => {
                let text = date.format("%Y-%m-%d").to_string();
                worksheet.write_string_with_format(row, col, text.as_str(), &styles.text)?;
            }
        },
        Cell::Text(_) | Cell::Empty => {
            worksheet.write_blank(row, col, format)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_rounds_half_away_from_zero() {
        assert!((wan(123_456_789) - 123.46).abs() < 1e-9);
        assert!((wan(125_000) - 0.13).abs() < 1e-9);
        assert!((wan(124_999) - 0.12).abs() < 1e-9);
        assert!((wan(-125_000) + 0.13).abs() < 1e-9);
        assert!((wan(0)).abs() < 1e-9);
    }

    #[test]
    fn sheet_names_are_made_acceptable_and_unique() {
        let mut used = vec!["填写说明".to_owned()];
        assert_eq!(unique_sheet_name("a/b:c?", &mut used), "a_b_c_");
        assert_eq!(unique_sheet_name("填写说明", &mut used), "填写说明(2)");
        assert_eq!(unique_sheet_name("  ", &mut used), "Sheet");
        assert_eq!(unique_sheet_name("sheet", &mut used), "sheet(2)");
        let long = "一".repeat(40);
        let first = unique_sheet_name(&long, &mut used);
        assert_eq!(first.chars().count(), 31);
        let second = unique_sheet_name(&long, &mut used);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with("(2)"));
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let text = "长".repeat(40_000);
        let cut = cell_text(&text);
        assert_eq!(cut.encode_utf16().count(), CELL_TEXT_MAX);
        assert!(cut.ends_with(TRUNCATED));
        assert_eq!(cell_text("短"), "短");
    }

    #[test]
    fn inline_lists() {
        assert!(fits_inline(&["是".to_owned(), "否".to_owned()]));
        assert!(!fits_inline(&["a,b".to_owned()]));
        let many: Vec<String> = (0..100).map(|i| format!("选项{i}")).collect();
        assert!(!fits_inline(&many));
    }
}
