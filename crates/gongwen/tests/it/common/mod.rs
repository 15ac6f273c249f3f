#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]
//! Shared fixtures: a task-book-like document and readers for the rendered files.

use std::io::Read;
use std::path::PathBuf;

use gongwen::{Block, OfficialDoc, Table};

pub const ITEMS: [(&str, &str, &str, &str); 5] = [
    (
        "城市运行管理服务平台二期（“一网统管”扩容）",
        "南阳市城市管理局",
        "1,280.00",
        "XQ-2026-0031 城市运行指挥需求",
    ),
    (
        "政务服务“一网通办”移动端适老化改造",
        "南阳市政务服务和大数据管理局",
        "356.50",
        "XQ-2026-0007",
    ),
    (
        "智慧医保综合监管系统",
        "南阳市医疗保障局",
        "742.80",
        "XQ-2026-0019 医保基金监管需求",
    ),
    (
        "公共数据授权运营平台",
        "南阳市数字城市建设运营有限公司",
        "2,015.35",
        "XQ-2026-0042",
    ),
    (
        "应急指挥融合通信系统升级",
        "南阳市应急管理局",
        "498.00",
        "XQ-2026-0050 应急融合通信需求",
    ),
];

pub fn task_book(rows: usize) -> OfficialDoc {
    let mut table_rows = Vec::new();
    for i in 0..rows {
        let (name, unit, budget, basis) = ITEMS[i % ITEMS.len()];
        let name = if i < ITEMS.len() {
            name.to_owned()
        } else {
            format!("{name}（第{}批）", i + 1)
        };
        table_rows.push(vec![
            (i + 1).to_string(),
            name,
            unit.to_owned(),
            budget.to_owned(),
            basis.to_owned(),
        ]);
    }
    OfficialDoc {
        issuer: "南阳市政务服务和大数据管理局".into(),
        letterhead: None,
        doc_number: "宛政数〔2026〕12号".into(),
        title: "关于下达南阳市2027年度政务信息化项目建设任务书的通知".into(),
        recipient: "南阳市数字城市建设运营有限公司".into(),
        body: vec![
            Block::Para(
                "根据《南阳市政务信息化项目管理办法》和2027年度拟建项目清单评审结果，经市政府同意，现将2027年度政务信息化项目建设任务下达给你公司，请认真组织实施。"
                    .into(),
            ),
            Block::Heading(1, "总体要求".into()),
            Block::Para(
                "坚持统筹规划、集约建设、共建共享，严格按照批复的建设内容、投资规模和建设周期组织实施，不得擅自变更。".into(),
            ),
            Block::Heading(2, "建设任务".into()),
            Block::Para("2027年度建设任务如下表所列：".into()),
            Block::Table(Table {
                headers: vec![
                    "序号".into(),
                    "项目名称".into(),
                    "建设单位".into(),
                    "预算（万元）".into(),
                    "依据需求".into(),
                ],
                rows: table_rows,
                total_row: Some(vec![
                    "合计".into(),
                    String::new(),
                    String::new(),
                    "4,892.65".into(),
                    String::new(),
                ]),
                widths: vec![3, 10, 7, 6, 7],
            }),
            Block::Heading(3, "进度安排".into()),
            Block::Para("各项目应于2027年3月31日前完成可行性研究报告编制并报送审核。".into()),
            Block::Heading(4, "特殊字符 <&> \"引号\" #[*_] $x$ 不作标记解析".into()),
            Block::Heading(2, "工作要求".into()),
            Block::Para(
                "请于每月5日前通过统筹平台报送项目进展情况。特此通知。".into(),
            ),
        ],
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        record_number: "RW-2027-0001".into(),
        colophon: Some(gongwen::Colophon {
            copy_to: vec!["南阳市发展和改革委员会".into(), "南阳市财政局".into()],
            printed_by: "南阳市政务服务和大数据管理局办公室".into(),
            printed_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        }),
    }
}

pub fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn zip_part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// All text of an XML part: the contents of its elements, tags dropped.
pub fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Text with all whitespace removed (extractors insert spaces and line breaks freely).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
