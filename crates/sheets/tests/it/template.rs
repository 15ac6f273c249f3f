//! Import template: what `template` produces, and reading a filled one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{DEMAND_HEADERS, demand_instructions, demand_sheet, part, parts};
use rust_xlsxwriter::{Format, Workbook};
use sheets::{Column, ColumnKind, Sheet, read, template};

#[test]
fn template_has_marked_headers_notes_dropdowns_and_instructions() {
    let bytes = template(&demand_sheet(), &demand_instructions()).unwrap();

    let workbook = part(&bytes, "xl/workbook.xml");
    let first = workbook.find(r#"name="需求清单""#).unwrap();
    let second = workbook.find(r#"name="填写说明""#).unwrap();
    assert!(first < second, "data sheet first: {workbook}");

    let strings = part(&bytes, "xl/sharedStrings.xml");
    for header in [
        "需求名称*",
        "联系人及电话<",
        "解决的问题*",
        "使用范围*",
        "功（性）能要求*",
        "功能逻辑*",
        "技术路线要求<",
        "预算估算（元）<",
        "预期效益<",
    ] {
        assert!(strings.contains(header), "{header} in {strings}");
    }
    assert!(strings.contains("本表由各需求单位填写，一个需求填写一行。"));
    assert!(strings.contains("表头为红色并带“*”的列为必填项。"));
    assert!(strings.contains("请在“需求清单”工作表中从第 3 行开始填写"));

    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"<color rgb="FFC00000"/>"#), "red headers");
    assert!(styles.contains(r#"<name val="等线"/>"#));
    assert!(styles.contains(r##"formatCode="#,##0.00""##));

    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    // The choice column D, for rows 3 to 5002.
    assert!(
        sheet.contains(r#"sqref="D3:D5002""#),
        "dropdown range: {sheet}"
    );
    assert!(sheet.contains("<formula1>\"本部门,跨部门,全市,跨层级\"</formula1>"));
    assert!(sheet.contains(r#"type="decimal""#), "money column checked");
    assert!(sheet.contains(r#"ySplit="2""#), "frozen below the header");
    assert!(!sheet.contains("autoFilter"), "no filter in a template");

    let comments = part(&bytes, "xl/comments1.xml");
    assert!(comments.contains("一句话概括需求"));
    assert!(comments.contains("现状存在什么问题、影响谁。"));

    // The template itself reads back: header found, no rows.
    let table = read(&bytes, &DEMAND_HEADERS).unwrap();
    assert_eq!(table.header_row, 2);
    assert_eq!(table.columns, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(table.rows.is_empty());
}

#[test]
fn long_dropdown_lists_go_to_a_hidden_sheet() {
    let units: Vec<String> = (1..=60).map(|i| format!("市第{i}委办局")).collect();
    let sheet = Sheet::new(
        "名单",
        vec![
            Column::new("单位", ColumnKind::Text).choices(units),
            Column::new("备注", ColumnKind::Text).choices(["甲,乙", "丙"]),
        ],
    );
    let bytes = template(&sheet, &[]).unwrap();
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="下拉选项" sheetId="3" state="hidden""#),
        "{workbook}"
    );
    let data = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        data.contains("<formula1>'下拉选项'!$A$2:$A$61</formula1>"),
        "{data}"
    );
    assert!(
        data.contains("<formula1>'下拉选项'!$B$2:$B$3</formula1>"),
        "{data}"
    );
    // The hidden sheet is not taken for the data sheet.
    let table = read(&bytes, &["单位", "备注"]).unwrap();
    assert_eq!(table.sheet, "名单");
    assert_eq!(table.header_row, 1);
}

/// A demand unit's filled template, as Excel would save it: the title row,
/// the header row with the markers, five demands with a blank row (and a
/// row of spaces) between them, a stray formatted empty row below; the
/// instructions sheet moved in front.
fn filled() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("填写说明").unwrap();
    notes.write_string(0, 0, "填写说明").unwrap();
    for (row, header) in DEMAND_HEADERS.iter().enumerate() {
        // The instructions table names each field in a cell of its own.
        notes.write_string(row as u32 + 2, 1, *header).unwrap();
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("需求清单").unwrap();
    let bold = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 8, "2027 年度信息化项目需求征集表", &bold)
        .unwrap();
    let headers = [
        "需求名称*",
        "联系人及电话",
        "解决的问题*",
        "使用范围*",
        "功（性）能要求*",
        "功能逻辑*",
        "技术路线要求",
        "预算估算（元）",
        "预期效益",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(1, col as u16, *header, &bold)
            .unwrap();
    }
    // Row 3.
    let row = 2;
    sheet.write_string(row, 0, "不动产登记一网通办").unwrap();
    sheet.write_string(row, 1, "张三 13800138000").unwrap();
    sheet
        .write_string(row, 2, "群众办理不动产登记需跑多个窗口。\r\n材料重复提交。")
        .unwrap();
    sheet.write_string(row, 3, "全市").unwrap();
    sheet.write_string(row, 4, "统一受理、并联审批").unwrap();
    sheet.write_string(row, 5, "受理→审核→登簿→发证").unwrap();
    sheet.write_number(row, 7, 1_200_000.0).unwrap();
    sheet
        .write_string(row, 8, "办理时间由 5 天缩短到 1 天")
        .unwrap();
    // Row 4.
    let row = 3;
    sheet.write_string(row, 0, "  城市运行一网统管  ").unwrap();
    sheet.write_number(row, 1, 13_900_139_000.0).unwrap();
    sheet.write_string(row, 2, "事件分散在各部门系统").unwrap();
    sheet.write_string(row, 3, "跨部门").unwrap();
    sheet.write_string(row, 4, "事件统一分拨").unwrap();
    sheet.write_string(row, 5, "发现→分拨→处置→核查").unwrap();
    sheet.write_string(row, 6, "信创环境").unwrap();
    sheet
        .write_number_with_format(
            row,
            7,
            1_200_000.5,
            &Format::new().set_num_format("#,##0.00"),
        )
        .unwrap();
    // Row 5 blank; row 6 spaces only.
    sheet.write_string(5, 0, "   ").unwrap();
    sheet.write_string(5, 2, "\u{3000}").unwrap();
    // Row 7: money typed as text.
    let row = 6;
    sheet.write_string(row, 0, "12345 热线知识库").unwrap();
    sheet.write_string(row, 2, "知识库更新慢").unwrap();
    sheet.write_string(row, 3, "本部门").unwrap();
    sheet.write_string(row, 4, "知识检索").unwrap();
    sheet.write_string(row, 5, "检索→推荐").unwrap();
    sheet.write_string(row, 7, "1,200,000.50").unwrap();
    // Row 8: only some cells, a required one missing (the caller checks).
    let row = 7;
    sheet.write_string(row, 0, "电子证照共享").unwrap();
    sheet.write_string(row, 3, "跨层级").unwrap();
    sheet.write_number(row, 7, 300_000.0).unwrap();
    // Row 9.
    let row = 8;
    sheet.write_string(row, 0, "公共数据开放平台升级").unwrap();
    sheet.write_string(row, 1, "李四").unwrap();
    sheet.write_string(row, 2, "开放数据少").unwrap();
    sheet.write_string(row, 3, "全市").unwrap();
    sheet.write_string(row, 4, "数据目录").unwrap();
    sheet.write_string(row, 5, "编目→审核→发布").unwrap();
    sheet.write_number(row, 7, 0.0).unwrap();
    // Row 12: formatted but empty.
    sheet.write_blank(11, 0, &bold).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn filled_template_reads_with_excel_row_numbers_and_no_blank_rows() {
    let table = read(&filled(), &DEMAND_HEADERS).unwrap();
    assert_eq!(table.sheet, "需求清单");
    assert_eq!(table.header_row, 2);
    assert_eq!(table.headers, DEMAND_HEADERS);
    let numbers: Vec<u32> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [3, 4, 7, 8, 9]);

    let first = &table.rows[0];
    assert_eq!(first.get(0), "不动产登记一网通办");
    assert_eq!(first.get(1), "张三 13800138000");
    assert_eq!(
        first.get(2),
        "群众办理不动产登记需跑多个窗口。\n材料重复提交。"
    );
    assert_eq!(first.get(6), "");
    assert_eq!(first.get(7), "1200000");
    let second = &table.rows[1];
    assert_eq!(second.get(0), "城市运行一网统管");
    assert_eq!(second.get(1), "13900139000");
    assert_eq!(second.get(7), "1200000.5");
    assert_eq!(table.rows[2].get(7), "1,200,000.50");
    assert_eq!(table.rows[3].get(2), "");
    assert_eq!(table.rows[3].get(7), "300000");
    assert_eq!(table.rows[4].get(7), "0");

    let budget = table.index_of("预算估算（元）*").unwrap();
    assert_eq!(table.place(&table.rows[3], 2), "第 8 行 C 列（解决的问题）");
    assert_eq!(sheets::column_letter(table.columns[budget]), "H");
}

#[test]
fn headers_typed_by_hand_still_match() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let typed = [
        "需求名称 *",
        "联系人及电话",
        "解决的\n问题",
        "使用范围＊",
        "功(性)能要求",
        "功能逻辑",
        "技术路线要求",
        "预算估算(元)",
        "预期效益",
        "备注",
    ];
    for (col, header) in typed.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "甲").unwrap();
    // Something only in a column nobody reads: not a data row.
    sheet.write_string(2, 9, "备注而已").unwrap();
    let table = read(&workbook.save_to_buffer().unwrap(), &DEMAND_HEADERS).unwrap();
    assert_eq!(table.header_row, 1);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].number, 2);
    assert_eq!(table.ignored, ["备注"]);
}

#[test]
fn prefilled_rows_are_written_into_the_template() {
    let mut sheet = demand_sheet();
    sheet.rows = vec![vec![sheets::Cell::from("已有需求")]];
    let bytes = template(&sheet, &[]).unwrap();
    let table = read(&bytes, &DEMAND_HEADERS).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].number, 3);
    assert!(parts(&bytes).contains(&"xl/worksheets/sheet2.xml".to_owned()));
}
