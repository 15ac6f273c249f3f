//! Bad uploads: each gets its own error, in Chinese and English.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::{Cursor, Write};

use common::DEMAND_HEADERS;
use rust_xlsxwriter::Workbook;
use sheets::{MAX_ROWS, SheetError, read, write};

/// Deterministic "random" bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

fn workbook_with(rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn assert_both_languages(error: &SheetError) {
    let shown = error.to_string();
    assert!(shown.contains(&error.zh()) && shown.contains(&error.en()));
    assert!(
        error
            .zh()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    );
    let en = error.en();
    assert!(en.starts_with("The ") || en.starts_with("This "), "{en}");
}

#[test]
fn random_bytes() {
    let error = read(&noise(4096), &DEMAND_HEADERS).unwrap_err();
    assert_eq!(error, SheetError::NotXlsx);
    assert_both_languages(&error);
}

#[test]
fn a_csv_renamed() {
    let csv = "需求名称,联系人及电话,解决的问题\n不动产登记,张三,跑多次\n";
    let error = read(csv.as_bytes(), &DEMAND_HEADERS).unwrap_err();
    assert_eq!(error, SheetError::TextFile);
    assert!(error.zh().contains("CSV"));
    // GBK, as Excel saves CSV on a Chinese Windows: "名称,金额".
    let gbk = [
        0xC3, 0xFB, 0xB3, 0xC6, b',', 0xBD, 0xF0, 0xB6, 0xEE, b'\r', b'\n',
    ];
    assert_eq!(read(&gbk, &[]).unwrap_err(), SheetError::TextFile);
    let html = "<html><body><table><tr><td>需求名称</td></tr></table></body></html>";
    assert_eq!(
        read(html.as_bytes(), &[]).unwrap_err(),
        SheetError::TextFile
    );
}

#[test]
fn an_old_xls_and_an_encrypted_xlsx() {
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend(noise(1024));
    let error = read(&xls, &DEMAND_HEADERS).unwrap_err();
    assert_eq!(error, SheetError::LegacyFormat);
    assert!(error.zh().contains(".xls"));
    xls.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(read(&xls, &[]).unwrap_err(), SheetError::Encrypted);
}

#[test]
fn an_empty_file_and_an_empty_workbook() {
    assert_eq!(
        read(&[], &DEMAND_HEADERS).unwrap_err(),
        SheetError::EmptyFile
    );
    let mut workbook = Workbook::new();
    workbook.add_worksheet();
    let bytes = workbook.save_to_buffer().unwrap();
    let error = read(&bytes, &DEMAND_HEADERS).unwrap_err();
    assert_eq!(error, SheetError::EmptyWorkbook);
    assert_both_languages(&error);
    assert_eq!(read(&bytes, &[]).unwrap_err(), SheetError::EmptyWorkbook);
}

#[test]
fn a_sheet_missing_a_required_header() {
    let mut headers: Vec<&str> = DEMAND_HEADERS.to_vec();
    headers.retain(|h| *h != "功（性）能要求");
    let mut title_and_header: Vec<&[&str]> = vec![&["2027 年度需求征集表"]];
    title_and_header.push(&headers);
    title_and_header.push(&["甲"]);
    let bytes = workbook_with(&title_and_header);
    let error = read(&bytes, &DEMAND_HEADERS).unwrap_err();
    assert_eq!(
        error,
        SheetError::MissingColumns {
            header_row: 2,
            missing: vec!["功（性）能要求".to_owned()]
        }
    );
    assert!(error.zh().contains("第 2 行"));
    assert!(error.zh().contains("功（性）能要求"));
    assert_both_languages(&error);
}

#[test]
fn no_header_row_at_all() {
    let bytes = workbook_with(&[&["姓名", "年龄"], &["张三", "30"]]);
    let error = read(&bytes, &DEMAND_HEADERS).unwrap_err();
    assert!(matches!(error, SheetError::HeaderNotFound { ref expected } if expected.len() == 9));
    assert!(error.zh().contains("需求名称、联系人及电话"));
}

#[test]
fn a_header_twice() {
    let bytes = workbook_with(&[&["需求名称", "预期效益", "需求名称*"]]);
    let error = read(&bytes, &["需求名称", "预期效益"]).unwrap_err();
    assert_eq!(
        error,
        SheetError::DuplicateColumn {
            header_row: 1,
            header: "需求名称".to_owned(),
            columns: vec!["A".to_owned(), "C".to_owned()]
        }
    );
}

#[test]
fn too_many_rows() {
    let at_limit = write_rows(MAX_ROWS);
    assert_eq!(read(&at_limit, &["名称"]).unwrap().rows.len(), MAX_ROWS);
    let over = write_rows(MAX_ROWS + 1);
    let error = read(&over, &["名称"]).unwrap_err();
    assert_eq!(error, SheetError::TooManyRows { limit: MAX_ROWS });
    assert!(error.zh().contains("5000"));
    let far_over = write_rows(MAX_ROWS + 100);
    assert_eq!(
        read(&far_over, &[]).unwrap_err(),
        SheetError::TooManyRows { limit: MAX_ROWS }
    );
}

fn write_rows(count: usize) -> Vec<u8> {
    let mut sheet = sheets::Sheet::new(
        "多",
        vec![sheets::Column::new("名称", sheets::ColumnKind::Text)],
    );
    sheet.rows = (0..count)
        .map(|i| vec![sheets::Cell::Text(format!("第{i}条"))])
        .collect();
    write(&[sheet]).unwrap()
}

#[test]
fn too_many_columns() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    sheet.write_string(1, 250, "远处的值").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let error = read(&bytes, &["名称"]).unwrap_err();
    assert_eq!(error, SheetError::TooManyColumns { limit: 200 });
    assert!(error.zh().contains("GR"), "{}", error.zh());
}

#[test]
fn a_zip_that_is_not_a_workbook() {
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<document/>"),
    ]);
    assert_eq!(read(&docx, &[]).unwrap_err(), SheetError::NotXlsx);
}

#[test]
fn a_zip_bomb() {
    // 300 MiB of zeros deflate to about 300 KiB.
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let bomb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/sharedStrings.xml", &zeros),
    ]);
    drop(zeros);
    assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
    let error = read(&bomb, &[]).unwrap_err();
    assert_eq!(
        error,
        SheetError::PartTooLarge {
            part: "xl/sharedStrings.xml".to_owned(),
            limit_mib: 16
        }
    );
    assert_both_languages(&error);
}

#[test]
fn a_truncated_workbook() {
    let bytes = workbook_with(&[&["需求名称"], &["甲"]]);
    let half = &bytes[..bytes.len() / 2];
    let error = read(half, &["需求名称"]).unwrap_err();
    assert!(matches!(error, SheetError::Corrupt { .. }), "{error:?}");
    assert_both_languages(&error);
}

#[test]
fn a_file_too_large() {
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(sheets::MAX_FILE_BYTES + 1, 0);
    assert_eq!(
        read(&big, &[]).unwrap_err(),
        SheetError::FileTooLarge { limit_mib: 20 }
    );
}
