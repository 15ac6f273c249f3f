//! Writes an example export, an import template and a filled-in copy of it
//! to a folder (default `out`), then reads the filled copy back.
//!
//! `cargo run --example demo -- /work/helper-sheets/out`

use std::path::PathBuf;

use chrono::NaiveDate;
use sheets::{Cell, Column, ColumnKind, Sheet, SheetError, read, template, write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "out".to_owned()));
    std::fs::create_dir_all(&dir)?;

    let export = write(&[plans()?, summary()])?;
    std::fs::write(dir.join("export.xlsx"), &export)?;

    let demand = demand();
    let instructions = vec![
        "本表由各需求单位填写，一个需求填写一行。".to_owned(),
        "填写完成后在“需求征集”页面导入本文件；导入时逐行校验，有错误的行会列出行号和列名。"
            .to_owned(),
    ];
    std::fs::write(dir.join("template.xlsx"), template(&demand, &instructions)?)?;

    // The same template with two demands already in it, as a unit would
    // return it.
    let mut filled = demand.clone();
    filled.rows = vec![
        vec![
            Cell::from("不动产登记一网通办"),
            Cell::from("张三 13800138000"),
            Cell::from("群众办理不动产登记需跑多个窗口，材料重复提交。"),
            Cell::from("全市"),
            Cell::from("统一受理、并联审批、结果互认"),
            Cell::from("受理→审核→登簿→发证"),
            Cell::from("信创环境，国产数据库"),
            Cell::Money(120_000_000),
            Cell::from("办理时间由 5 天缩短到 1 天"),
        ],
        vec![],
        vec![
            Cell::from("城市运行一网统管"),
            Cell::Empty,
            Cell::from("事件分散在各部门系统"),
            Cell::from("跨部门"),
            Cell::from("事件统一分拨"),
            Cell::from("发现→分拨→处置→核查"),
            Cell::Empty,
            Cell::Money(350_000_050),
        ],
    ];
    let bytes = template(&filled, &instructions)?;
    std::fs::write(dir.join("template-filled.xlsx"), &bytes)?;
    let headers: Vec<&str> = demand.columns.iter().map(|c| c.header.as_str()).collect();
    let table = read(&bytes, &headers)?;
    println!("sheet {}, header row {}", table.sheet, table.header_row);
    for row in &table.rows {
        println!("row {}: {:?}", row.number, row.cells);
    }
    match read(b"a,b\n1,2\n", &headers) {
        Err(SheetError::TextFile) => println!("a CSV: {}", SheetError::TextFile),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, &'static str> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date")
}

fn plans() -> Result<Sheet, &'static str> {
    let mut sheet = Sheet::new(
        "需求方案清单",
        vec![
            Column::new("编号", ColumnKind::Text).width(14.0),
            Column::new("需求名称", ColumnKind::Text).width(28.0),
            Column::new("需求单位", ColumnKind::Text).width(18.0),
            Column::new("解决的问题", ColumnKind::LongText).width(40.0),
            Column::new("预算估算（元）", ColumnKind::Money),
            Column::new("预算（万元）", ColumnKind::MoneyWan)
                .help("预算估算折算为万元，四舍五入到两位小数。"),
            Column::new("子项数", ColumnKind::Int),
            Column::new("提交日期", ColumnKind::Date),
            Column::new("状态", ColumnKind::Text),
        ],
    )
    .title("需求方案清单（导出于 2026-11-28）");
    sheet.rows = vec![
        vec![
            Cell::from("XQ-2026-0001"),
            Cell::from("不动产登记一网通办"),
            Cell::from("市自然资源局"),
            Cell::from("群众办理不动产登记需跑多个窗口。\n材料重复提交，办理时间长。"),
            Cell::Money(120_000_000),
            Cell::Money(120_000_000),
            Cell::Int(3),
            Cell::Date(date(2026, 3, 15)?),
            Cell::from("已立项"),
        ],
        vec![
            Cell::from("XQ-2026-0002"),
            Cell::from("城市运行一网统管"),
            Cell::from("市城运中心"),
            Cell::from("事件分散在各部门系统，分拨靠电话。"),
            Cell::Money(350_000_050),
            Cell::Money(350_000_050),
            Cell::Int(12),
            Cell::Date(date(2026, 4, 1)?),
            Cell::from("专家评审中"),
        ],
        vec![
            Cell::from("XQ-2026-0003"),
            Cell::from("12345 热线知识库"),
            Cell::from("市政务服务中心"),
            Cell::Empty,
            Cell::Money(45_678_901),
            Cell::Money(45_678_901),
            Cell::Int(1),
            Cell::Date(date(2026, 11, 28)?),
            Cell::from("草稿"),
        ],
    ];
    Ok(sheet)
}

fn summary() -> Sheet {
    let mut sheet = Sheet::new(
        "按单位汇总",
        vec![
            Column::new("需求单位", ColumnKind::Text),
            Column::new("需求数", ColumnKind::Int),
            Column::new("预算合计（万元）", ColumnKind::MoneyWan),
        ],
    );
    sheet.rows = vec![
        vec![
            Cell::from("市自然资源局"),
            Cell::Int(1),
            Cell::Money(120_000_000),
        ],
        vec![
            Cell::from("市城运中心"),
            Cell::Int(1),
            Cell::Money(350_000_050),
        ],
        vec![
            Cell::from("市政务服务中心"),
            Cell::Int(1),
            Cell::Money(45_678_901),
        ],
    ];
    sheet
}

fn demand() -> Sheet {
    Sheet::new(
        "需求清单",
        vec![
            Column::new("需求名称", ColumnKind::Text)
                .width(24.0)
                .required()
                .help("一句话概括需求，如“不动产登记一网通办”。"),
            Column::new("联系人及电话", ColumnKind::Text)
                .width(20.0)
                .help("如：张三 13800138000"),
            Column::new("解决的问题", ColumnKind::LongText)
                .width(36.0)
                .required()
                .help("现状存在什么问题、影响谁、有多严重。"),
            Column::new("使用范围", ColumnKind::Text)
                .width(14.0)
                .required()
                .choices(["本部门", "跨部门", "全市", "跨层级"]),
            Column::new("功（性）能要求", ColumnKind::LongText)
                .width(36.0)
                .required()
                .help("需要哪些功能、性能指标。"),
            Column::new("功能逻辑", ColumnKind::LongText)
                .width(36.0)
                .required()
                .help("业务流程：谁在什么环节做什么。"),
            Column::new("技术路线要求", ColumnKind::LongText).width(24.0),
            Column::new("预算估算（元）", ColumnKind::Money)
                .width(18.0)
                .help("单位：元，填写数字，如 1200000。"),
            Column::new("预期效益", ColumnKind::LongText).width(30.0),
        ],
    )
    .title("2027 年度信息化项目需求征集表")
}
