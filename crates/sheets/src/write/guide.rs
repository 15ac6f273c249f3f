//! What an import template carries besides the table: notes on the headers, drop-down
//! validations with their choices, the instructions sheet, and sheet names Excel accepts.

use super::*;

/// A note box sized to its text.
pub(super) fn note(text: &str) -> Note {
    let width_px = 300;
    // About 20 characters units per line at this width, 18 px a line.
    let height_px = (lines(text, 26.0) * 18 + 16).clamp(40, 400);
    Note::new(cell_text(text).as_ref())
        .add_author_prefix(false)
        .set_font_name(FONT)
        .set_font_size(10)
        .set_width(width_px)
        .set_height(height_px)
}

/// Whether a dropdown list can be written inline (Excel: at most 255
/// characters with the commas, and no commas inside a choice).
pub(super) fn fits_inline(choices: &[String]) -> bool {
    let joined: usize = choices
        .iter()
        .map(|c| c.replace('"', "\"\"").encode_utf16().count() + 1)
        .sum();
    joined <= VALIDATION_LIST_MAX + 1 && choices.iter().all(|c| !c.contains(','))
}

/// The range of the hidden sheet holding the list at `position`.
pub(super) fn choices_formula(position: usize, len: usize) -> Formula {
    let letter = column_letter(position);
    Formula::new(format!(
        "='{CHOICES_SHEET}'!${letter}$2:${letter}${}",
        len + 1
    ))
}

/// The data validation of a template column: a dropdown for choices, a type
/// check for numbers and dates, and the help text as the input hint.
pub(super) fn validation(
    column: &Column,
    list: Option<Formula>,
) -> Result<Option<DataValidation>, SheetError> {
    let unit = if matches!(column.kind, ColumnKind::MoneyWan) {
        "万元"
    } else {
        "元"
    };
    let (validation, error) = if !column.choices.is_empty() {
        let validation = match list {
            Some(formula) => DataValidation::new().allow_list_formula(formula),
            None => DataValidation::new().allow_list_strings(&column.choices)?,
        };
        let error = format!("请从下拉列表中选择：{}", column.choices.join("、"));
        (validation, Some(error))
    } else {
        match column.kind {
            ColumnKind::Money | ColumnKind::MoneyWan => (
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::Between(-1e15, 1e15)),
                Some(format!(
                    "请填写数字金额（单位：{unit}），如 1200000.00，不要带“元”“万”等文字。"
                )),
            ),
            ColumnKind::Int => (
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(i32::MIN, i32::MAX)),
                Some("请填写整数。".to_owned()),
            ),
            ColumnKind::Date => (
                DataValidation::new().allow_date(DataValidationRule::Between(
                    ExcelDateTime::from_ymd(1900, 1, 1)?,
                    ExcelDateTime::from_ymd(9999, 12, 31)?,
                )),
                Some("请填写日期，格式如 2026-01-31。".to_owned()),
            ),
            ColumnKind::Text | ColumnKind::LongText => {
                if column.help.is_empty() {
                    return Ok(None);
                }
                (DataValidation::new().allow_any_value(), None)
            }
        }
    };
    let mut validation = validation;
    if let Some(error) = error {
        validation = validation
            .set_error_title("输入有误")?
            .set_error_message(truncate_utf16(&error, VALIDATION_MESSAGE_MAX, "…"))?;
    }
    if !column.help.is_empty() {
        validation = validation
            .set_input_title(truncate_utf16(&column.header, VALIDATION_TITLE_MAX, "…"))?
            .set_input_message(truncate_utf16(&column.help, VALIDATION_MESSAGE_MAX, "…"))?;
    }
    Ok(Some(validation))
}

/// How a column kind is described to the person filling the template.
pub(super) fn kind_text(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Text => "文本",
        ColumnKind::LongText => "长文本（换行按 Alt+Enter）",
        ColumnKind::Money => "金额，单位：元，如 1200000.00",
        ColumnKind::MoneyWan => "金额，单位：万元，如 120.50",
        ColumnKind::Int => "整数",
        ColumnKind::Date => "日期，如 2026-01-31",
    }
}

/// The "填写说明" sheet: the caller's paragraphs, general rules, and a table
/// describing every column.
pub(super) fn write_instructions(
    worksheet: &mut Worksheet,
    sheet: &Sheet,
    instructions: &[String],
    styles: &Styles,
) -> Result<(), SheetError> {
    const WIDTHS: [f64; 5] = [8.0, 24.0, 8.0, 34.0, 60.0];
    let total_width: f64 = WIDTHS.iter().sum();
    for (col, width) in WIDTHS.iter().enumerate() {
        worksheet.set_column_width(to_col(col)?, *width)?;
    }
    worksheet.merge_range(0, 0, 0, 4, "填写说明", &styles.title)?;
    worksheet.set_row_height(0, 26)?;

    let first_data_row = header_row(sheet) + 2;
    let mut paragraphs: Vec<String> = instructions.to_vec();
    paragraphs.push(format!(
        "请在“{}”工作表中从第 {first_data_row} 行开始填写，每行一条；不要修改、删除或调换表头，不要合并单元格，中间的空行会被忽略。",
        sheet.name
    ));
    if sheet.columns.iter().any(|c| c.required) {
        paragraphs.push("表头为红色并带“*”的列为必填项。".to_owned());
    }
    if sheet.columns.iter().any(|c| !c.choices.is_empty()) {
        paragraphs.push("带下拉箭头的列请从下拉列表中选择。".to_owned());
    }
    if sheet
        .columns
        .iter()
        .any(|c| matches!(c.kind, ColumnKind::Money | ColumnKind::MoneyWan))
    {
        paragraphs.push(
            "金额请填写数字（单位见下表），如 1200000.00，不要带“元”“万元”等文字。".to_owned(),
        );
    }
    if sheet.columns.iter().any(|c| c.kind == ColumnKind::Date) {
        paragraphs.push("日期请按 2026-01-31 的格式填写。".to_owned());
    }
    paragraphs.push(format!("每个文件最多 {MAX_ROWS} 行数据。"));

    let mut row: u32 = 1;
    for paragraph in &paragraphs {
        let text = cell_text(paragraph);
        worksheet.merge_range(row, 0, row, 4, text.as_ref(), &styles.paragraph)?;
        // Excel does not fit the height of merged cells: estimate it.
        let height = row_height(lines(&text, total_width - 2.0));
        worksheet.set_row_height(row, height.max(20.0))?;
        row += 1;
    }

    row += 1;
    worksheet.write_string_with_format(row, 0, "字段说明", &styles.bold)?;
    row += 1;
    for (col, header) in ["列", "字段", "必填", "格式", "填写要求"]
        .iter()
        .enumerate()
    {
        worksheet.write_string_with_format(row, to_col(col)?, *header, &styles.header)?;
    }
    for (index, column) in sheet.columns.iter().enumerate() {
        row += 1;
        let mut rule = column.help.clone();
        if !column.choices.is_empty() {
            if !rule.is_empty() {
                rule.push('\n');
            }
            rule.push_str("可选：");
            rule.push_str(&column.choices.join("、"));
        }
        let cells = [
            column_letter(index),
            column.header.clone(),
            if column.required { "是" } else { "否" }.to_owned(),
            kind_text(column.kind).to_owned(),
            rule,
        ];
        let mut height_lines = 1;
        for (col, text) in cells.iter().enumerate() {
            let format = if col == 2 && column.required {
                &styles.required_mark
            } else {
                &styles.long_text
            };
            let text = cell_text(text);
            worksheet.write_string_with_format(row, to_col(col)?, text.as_ref(), format)?;
            height_lines = height_lines.max(lines(&text, WIDTHS[col] - 1.0));
        }
        if height_lines > 1 {
            worksheet.set_row_height(row, row_height(height_lines))?;
        }
    }
    worksheet.set_landscape();
    worksheet.set_paper_size(9);
    worksheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A name Excel accepts, unique (case-insensitively) among `used`, which it
/// joins.
pub(super) fn unique_sheet_name(raw: &str, used: &mut Vec<String>) -> String {
    let cleaned: String = raw
        .trim()
        .chars()
        .map(|ch| match ch {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            ch if ch.is_control() => '_',
            ch => ch,
        })
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim();
    let mut base: String = if cleaned.is_empty() {
        "Sheet".to_owned()
    } else {
        cleaned.to_owned()
    };
    if base.eq_ignore_ascii_case("history") {
        base.push('_');
    }
    let taken =
        |name: &str, used: &[String]| used.iter().any(|u| u.to_lowercase() == name.to_lowercase());
    let mut name: String = base.chars().take(SHEET_NAME_MAX).collect();
    let mut n = 2;
    while taken(&name, used) {
        let suffix = format!("({n})");
        let keep = SHEET_NAME_MAX - suffix.chars().count();
        name = base.chars().take(keep).collect::<String>() + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}
