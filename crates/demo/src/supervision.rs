//! The demo's supervising bodies at work (art. 8-12): the NDRC reviews each plan and records a
//! self-funded project's filing, Finance proposes each plan's fund budget, the Financial
//! Affairs Office guides the Company and the Audit Bureau records a finding. Each of them has
//! something in its 待办 when the demo starts.

use crate::{act, principal};
use app::{AppError, Platform};
use domain::ItemId;

/// Sends a drafted plan round the NDRC (its review opinion) and, given a `ceiling`, Finance
/// (its fund budget), as art. 8 and 9 ask before the executive meeting.
pub async fn review_and_fund(
    p: &Platform,
    plan: ItemId,
    ceiling: Option<&str>,
) -> Result<(), AppError> {
    let planner = principal(p, "bureau.planner").await?;
    act(p, &planner, Some(plan), "plan", "consult", &[]).await?;
    let ndrc = principal(p, "ndrc.officer").await?;
    act(
        p,
        &ndrc,
        Some(plan),
        "plan",
        "give_ndrc_opinion",
        &[(
            "ndrc_opinion",
            "计划项目与全市国民经济和社会发展规划、数字政府建设总体规划相衔接，同意提请审定；建议对自筹资金项目按程序办理立项备案。",
        )],
    )
    .await?;
    let Some(ceiling) = ceiling else {
        return Ok(());
    };
    let finance = principal(p, "finance.officer").await?;
    act(
        p,
        &finance,
        Some(plan),
        "plan",
        "propose_fund_budget",
        &[
            ("ceiling", ceiling),
            (
                "fund_proposal",
                "根据年度计划项目的建设内容和可研估算，安排数字政府和新型智慧城市专项资金，按程序报市政府审批。",
            ),
        ],
    )
    .await?;
    Ok(())
}

/// Next year's plan, drafted and reviewed by the NDRC, waiting for Finance's fund budget.
pub async fn next_years_plan(p: &Platform) -> Result<(), AppError> {
    let planner = principal(p, "bureau.planner").await?;
    let year = (chrono::Datelike::year(&p.now()) + 1).to_string();
    let plan = act(
        p,
        &planner,
        None,
        "plan",
        "create",
        &[
            ("title", &format!("{year}年度数字政府和新型智慧城市建设任务")),
            ("year", &year),
            (
                "notes",
                "演示数据：为展示发改、财政部门的办理环节，本草案已先行送审，征集结束后按编制意见调整。",
            ),
        ],
    )
    .await?;
    let number = app::items::view(p, &planner, plan).await?.row.number;
    for (seq, title, budget) in [
        ("1", "不动产登记“一网通办”系统升级", "3,860,000"),
        ("2", "智慧急救调度指挥平台", "5,200,000"),
    ] {
        act(
            p,
            &planner,
            None,
            "plan_item",
            "create",
            &[
                ("plan", &number),
                ("seq", seq),
                ("title", title),
                ("budget", budget),
                ("mode", "special_fund"),
            ],
        )
        .await?;
    }
    review_and_fund(p, plan, None).await
}

/// The self-funded project's feasibility study through its review and approval, and its
/// filing applied for: the NDRC has it to record.
pub async fn approve_and_apply_for_filing(
    p: &Platform,
    project: ItemId,
    fsr: ItemId,
) -> Result<(), AppError> {
    let pm = principal(p, "company.pm").await?;
    let analyst = principal(p, "dc.analyst").await?;
    let planner = principal(p, "bureau.planner").await?;
    act(p, &pm, Some(fsr), "fsr", "submit", &[]).await?;
    act(
        p,
        &analyst,
        Some(fsr),
        "fsr",
        "dc_pass",
        &[(
            "dc_opinion",
            "建设内容与任务书一致，投资估算依据充分，同意提交专家评审。",
        )],
    )
    .await?;
    act(
        p,
        &planner,
        Some(fsr),
        "fsr",
        "draw_experts",
        &[("expert_count", "3")],
    )
    .await?;
    let drawn = app::items::view(p, &planner, fsr)
        .await?
        .row
        .item
        .field("drawn_experts")
        .to_string();
    let opinions: Vec<String> = drawn
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| format!(r#"{{"expert":"{n}","opinion":"同意","score":"85"}}"#))
        .collect();
    act(
        p,
        &principal(p, "bureau.planner2").await?,
        Some(fsr),
        "fsr",
        "record_opinions",
        &[("expert_opinions", &format!("[{}]", opinions.join(",")))],
    )
    .await?;
    let year = chrono::Datelike::year(&p.now());
    act(
        p,
        &principal(p, "bureau.head").await?,
        Some(fsr),
        "fsr",
        "approve",
        &[
            ("cuts", "[]"),
            ("approval_no", &format!("宛数政〔{year}〕7号")),
        ],
    )
    .await?;
    act(
        p,
        &pm,
        Some(project),
        "project",
        "submit_filing",
        &[(
            "filing_note",
            "项目单位：南阳数字城市建设运营有限公司；资金来源：公司自筹；建设内容：共享交换平台接口网关和数据缓存扩容；可研已批复。",
        )],
    )
    .await?;
    Ok(())
}

/// Guidance from the Financial Affairs Office: one the Company still has to act on, one it has
/// answered for the Office to close; and an audit finding on `project` for the Company.
pub async fn guidance_and_findings(p: &Platform, project: &str) -> Result<(), AppError> {
    let office = principal(p, "finaff.officer").await?;
    let pm = principal(p, "company.pm").await?;
    let due = (p.now().date_naive() + chrono::Days::new(30)).to_string();
    act(
        p,
        &office,
        None,
        "guidance",
        "create",
        &[
            ("subject", "listing"),
            ("title", "制定上市培育规划时间表"),
            (
                "content",
                "请按照上市后备企业培育要求，于期限内报送股份制改造、财务规范和申报辅导的时间表。",
            ),
            ("due", &due),
        ],
    )
    .await?;
    let answered = act(
        p,
        &office,
        None,
        "guidance",
        "create",
        &[
            ("subject", "governance"),
            ("title", "健全董事会和监事会议事规则"),
            (
                "content",
                "请修订公司章程，明确董事会、监事会和经理层的权责，建立议事规则。",
            ),
            ("due", &due),
        ],
    )
    .await?;
    act(
        p,
        &pm,
        Some(answered),
        "guidance",
        "answer",
        &[(
            "response",
            "已修订公司章程并经股东审议通过，制定董事会、监事会议事规则各一份，附件已报送。",
        )],
    )
    .await?;
    act(
        p,
        &principal(p, "audit.auditor").await?,
        None,
        "audit_finding",
        "create",
        &[
            ("project", project),
            ("finding", "等保测评费用未按可研批复的费用类别列支"),
            ("aspect", "legality"),
            (
                "detail",
                "可研批复将等保测评列入“其他”费用，实际拟在软件开发合同中一并支付，需说明依据。",
            ),
            ("cites", project),
            ("due", &due),
        ],
    )
    .await?;
    Ok(())
}
