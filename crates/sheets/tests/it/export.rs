//! Export: what `write` produces reads back as the user sees it, and has
//! the formats the brief asks for.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sheets::{Cell, Column, ColumnKind, Sheet, SheetError, read, write};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn sample() -> Sheet {
    let mut sheet = Sheet::new(
        "需求方案清单",
        vec![
            Column::new("名称", ColumnKind::Text).width(20.0),
            Column::new("说明", ColumnKind::LongText),
            Column::new("预算（元）", ColumnKind::Money),
            Column::new("预算（万元）", ColumnKind::MoneyWan),
            Column::new("数量", ColumnKind::Int),
            Column::new("提交日期", ColumnKind::Date).help("需求单位提交的日期"),
        ],
    )
    .title("需求方案清单（导出于 2026-11-28）");
    sheet.rows = vec![
        vec![
            Cell::from("不动产登记“一网通办”"),
            Cell::from("第一行\n第二行"),
            Cell::Money(1_234_560),
            Cell::Money(123_456_789),
            Cell::Int(13_800_138_000),
            Cell::Date(date(2026, 11, 28)),
        ],
        // A row of nothing: written with borders, skipped on reading.
        vec![Cell::Empty; 6],
        vec![
            Cell::from("  前后空格  "),
            Cell::Empty,
            Cell::Money(120_000_050),
            Cell::Money(-125_000),
            Cell::Int(-7),
            Cell::Date(date(1999, 1, 2)),
        ],
        // Shorter than the columns: the rest is empty.
        vec![Cell::from("=1+1"), Cell::Money(1)],
    ];
    sheet
}

#[test]
fn round_trip_reads_back_what_the_user_sees() {
    let bytes = write(&[sample()]).unwrap();
    let headers = [
        "名称",
        "说明",
        "预算（元）",
        "预算（万元）",
        "数量",
        "提交日期",
    ];
    let table = read(&bytes, &headers).unwrap();

    assert_eq!(table.sheet, "需求方案清单");
    assert_eq!(table.header_row, 2, "the title is row 1");
    assert_eq!(table.headers, headers);
    assert_eq!(table.columns, [0, 1, 2, 3, 4, 5]);
    assert!(table.ignored.is_empty());
    let got: Vec<(u32, Vec<&str>)> = table
        .rows
        .iter()
        .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                vec![
                    "不动产登记“一网通办”",
                    "第一行\n第二行",
                    "12345.6",
                    "123.46",
                    "13800138000",
                    "2026-11-28"
                ]
            ),
            (
                5,
                vec!["前后空格", "", "1200000.5", "-0.13", "-7", "1999-01-02"]
            ),
            // Text that looks like a formula stays text; money in a text
            // column is still money.
            (6, vec!["=1+1", "0.01", "", "", "", ""]),
        ]
    );
}

#[test]
fn columns_can_be_asked_for_in_any_order_and_unknown_ones_are_reported() {
    let bytes = write(&[sample()]).unwrap();
    let table = read(&bytes, &["提交日期", "名称"]).unwrap();
    assert_eq!(table.columns, [5, 0]);
    assert_eq!(table.rows[0].cells, ["2026-11-28", "不动产登记“一网通办”"]);
    assert_eq!(
        table.ignored,
        ["说明", "预算（元）", "预算（万元）", "数量"]
    );
    assert_eq!(table.place(&table.rows[1], 1), "第 5 行 A 列（名称）");
}

#[test]
fn without_expected_headers_the_fullest_row_is_the_header() {
    let bytes = write(&[sample()]).unwrap();
    let table = read(&bytes, &[]).unwrap();
    assert_eq!(table.header_row, 2);
    assert_eq!(table.headers.len(), 6);
    assert_eq!(table.rows.len(), 3);
}

#[test]
fn export_has_font_formats_filter_panes_and_notes() {
    let bytes = write(&[sample()]).unwrap();
    let styles = common::part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"<name val="等线"/>"#), "{styles}");
    assert!(styles.contains(r#"<sz val="11"/>"#));
    assert!(styles.contains(r##"formatCode="#,##0.00""##));
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#));
    assert!(styles.contains("<b/>"), "a bold font for the header");
    let sheet = common::part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<autoFilter ref="A2:F6"/>"#), "{sheet}");
    assert!(sheet.contains(r#"ySplit="2""#), "frozen below the header");
    assert!(
        sheet.contains(r#"<mergeCell ref="A1:F1"/>"#),
        "title merged"
    );
    assert!(sheet.contains("<pageSetup"), "print setup");
    let comments = common::part(&bytes, "xl/comments1.xml");
    assert!(comments.contains("需求单位提交的日期"));
    let workbook = common::part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains(r#"name="需求方案清单""#));
}

#[test]
fn several_sheets_get_acceptable_unique_names() {
    let mut other = sample();
    other.name = "需求方案清单".to_owned();
    let mut odd = sample();
    odd.name = "2026/11 汇总?".to_owned();
    odd.title = None;
    let bytes = write(&[sample(), other, odd]).unwrap();
    let workbook = common::part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains(r#"name="需求方案清单(2)""#), "{workbook}");
    assert!(workbook.contains(r#"name="2026_11 汇总_""#), "{workbook}");
}

#[test]
fn bad_sheets_are_refused() {
    assert!(matches!(write(&[]), Err(SheetError::InvalidSheet { .. })));
    let mut wide = sample();
    wide.rows.push(vec![Cell::Empty; 7]);
    assert!(matches!(
        write(&[wide]),
        Err(SheetError::InvalidSheet { .. })
    ));
    let empty = Sheet::new("x", vec![]);
    assert!(matches!(
        write(&[empty]),
        Err(SheetError::InvalidSheet { .. })
    ));
}

#[test]
fn dates_in_any_date_format_read_as_iso() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "日期").unwrap();
    let formats = [
        Format::new().set_num_format("yyyy/m/d"),
        Format::new().set_num_format(r#"yyyy"年"m"月"d"日""#),
        Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    ];
    let day = ExcelDateTime::from_ymd(2026, 1, 5).unwrap();
    sheet
        .write_datetime_with_format(1, 0, &day, &formats[0])
        .unwrap();
    sheet
        .write_datetime_with_format(2, 0, &day, &formats[1])
        .unwrap();
    let moment = ExcelDateTime::parse_from_str("2026-01-05 08:30:00").unwrap();
    sheet
        .write_datetime_with_format(3, 0, &moment, &formats[2])
        .unwrap();
    sheet.write_string(4, 0, " 2026-01-05 ").unwrap();
    sheet.write_number(5, 0, 46027.0).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let table = read(&bytes, &["日期"]).unwrap();
    let got: Vec<&str> = table.rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        got,
        [
            "2026-01-05",
            "2026-01-05",
            "2026-01-05 08:30:00",
            "2026-01-05",
            // A serial number without a date format is a number.
            "46027"
        ]
    );
}
