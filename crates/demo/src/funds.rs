//! The demo's money (issue 14): this year's special fund, approved, with an allocation to the
//! O&M of the government cloud; the Company's investment plan awaiting the city government;
//! and a payment for the hotline analysis project that the Bureau has signed and Finance has
//! still to review.

use crate::{DEMO_PASSWORD, act, principal};
use app::{AppError, Platform};

/// A one-page PDF, the demo's invoice.
const INVOICE: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\n% demo invoice\n%%EOF";

pub async fn seed(p: &Platform, hotline_project: &str) -> Result<(), AppError> {
    let finance = principal(p, "finance.officer").await?;
    let evm = principal(p, "leader.evm").await?;
    let pm = principal(p, "company.pm").await?;
    let head = principal(p, "bureau.head").await?;
    let year = chrono::Datelike::year(&p.now()).to_string();
    let lines = r#"[{"line":"1","purpose":"项目建设","item":"年度计划项目建设","approved":"6,000,000"},
                    {"line":"2","purpose":"基础设施运维","item":"政务云和电子政务外网运维","approved":"2,000,000"}]"#;
    let fund = act(
        p,
        &finance,
        None,
        "special_fund",
        "create",
        &[
            (
                "title",
                &format!("{year}年度数字政府和新型智慧城市建设专项资金"),
            ),
            ("year", &year),
            ("lines", lines),
        ],
    )
    .await?;
    act(p, &finance, Some(fund), "special_fund", "submit", &[]).await?;
    act(
        p,
        &evm,
        Some(fund),
        "special_fund",
        "approve",
        &[
            ("approval_no", &format!("宛政〔{year}〕3号")),
            ("approval_opinion", "同意专项资金预算安排。"),
        ],
    )
    .await?;
    let fund_no = app::items::view(p, &finance, fund).await?.row.number;
    act(
        p,
        &finance,
        None,
        "fund_allocation",
        "create",
        &[
            ("fund", &fund_no),
            ("title", "政务云和电子政务外网上半年运维"),
            ("allocation", r#"[{"line":"2","amount":"1,200,000"}]"#),
        ],
    )
    .await?;
    let plan = act(
        p,
        &pm,
        None,
        "investment_plan",
        "create",
        &[
            ("title", &format!("{year}年度投资计划方案")),
            ("year", &year),
            (
                "sources",
                r#"[{"source":"财政注资","detail":"市财政注入资本金","amount":"30,000,000"},
                    {"source":"专项债","detail":"新型基础设施专项债","amount":"50,000,000"},
                    {"source":"自有资金","detail":"运营性项目收益","amount":"5,000,000"}]"#,
            ),
        ],
    )
    .await?;
    act(p, &pm, Some(plan), "investment_plan", "submit", &[]).await?;
    let payee = principal(p, crate::VENDOR_LOGIN).await?.org.code;
    let payment = act(
        p,
        &pm,
        None,
        "disbursement",
        "create",
        &[
            ("project", hotline_project),
            ("title", "智能分析系统开发首期款"),
            ("source", "own"),
            ("payee", &payee),
            ("allocation", r#"[{"line":"1","amount":"207,000"}]"#),
            ("milestone", "完成招标"),
        ],
    )
    .await?;
    app::files::attach(p, &pm, payment, "首期款发票.pdf", INVOICE.to_vec()).await?;
    act(p, &pm, Some(payment), "disbursement", "submit", &[]).await?;
    let version = app::items::view(p, &head, payment)
        .await?
        .row
        .version
        .to_string();
    act(
        p,
        &head,
        Some(payment),
        "disbursement",
        "bureau_approve",
        &[
            ("_password", DEMO_PASSWORD),
            ("_version", &version),
            ("bureau_opinion", "用途与批复预算一致，同意拨付。"),
        ],
    )
    .await?;
    Ok(())
}
