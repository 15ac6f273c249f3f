//! The served demo's construction work (art. 14-18), beyond the city and its demands: this
//! year's plan reviewed by the NDRC, funded by Finance and its task book issued; one project
//! waiting for its demand unit's signature, one signed whose feasibility study is with the Data
//! Center, one self-funded whose study is approved and whose filing is with the NDRC, and one on
//! trial after its initial acceptance, with a defect open (`acceptance`). Tests
//! start from the city alone, so their numbering does not depend on this.

use crate::{DEMO_PASSWORD, act, principal};
use app::{AppError, Platform};

/// (title, budget yuan, content, the construction mode the Bureau fixes for it, art. 5)
const LINES: &[(&str, &str, &str, &str)] = &[
    (
        "城市运行一网统管平台",
        "3,000,000",
        "建设城市运行监测、事件处置和指挥调度三大模块，接入12个部门的业务数据。",
        "special_fund",
    ),
    (
        "不动产登记一窗受理系统",
        "1,800,000",
        "整合不动产登记、税务、住建业务，实现一窗受理、并行办理。",
        "company_self_funded",
    ),
    (
        "12345热线智能分析",
        "950,000",
        "对热线工单进行智能分类、热点发现和办理质量分析。",
        "company_self_funded",
    ),
    (
        "政务数据共享交换平台扩容",
        "1,000,000",
        "扩容共享交换平台的接口网关和数据缓存，支撑各部门日均千万级的数据调用。",
        "company_self_funded",
    ),
];

async fn org_id(p: &Platform, code: &str) -> Result<String, AppError> {
    Ok(app::accounts::orgs(p)
        .await?
        .into_iter()
        .find(|o| o.code == code)
        .map(|o| o.id.get().to_string())
        .unwrap_or_default())
}

pub async fn seed(p: &Platform) -> Result<(), AppError> {
    let planner = principal(p, "bureau.planner").await?;
    let head = principal(p, "bureau.head").await?;
    let year = chrono::Datelike::year(&p.now()).to_string();
    let plan = act(
        p,
        &planner,
        None,
        "plan",
        "create",
        &[
            ("title", &format!("{year}年度数字政府建设计划")),
            ("year", &year),
        ],
    )
    .await?;
    let plan_no = app::items::view(p, &planner, plan).await?.row.number;
    let mut lines = Vec::new();
    for (n, (title, budget, content, mode)) in LINES.iter().enumerate() {
        let seq = (n + 1).to_string();
        let id = act(
            p,
            &planner,
            None,
            "plan_item",
            "create",
            &[
                ("plan", &plan_no),
                ("seq", &seq),
                ("title", title),
                ("budget", budget),
                ("content", content),
                ("mode", mode),
            ],
        )
        .await?;
        lines.push(app::items::view(p, &planner, id).await?.row.number);
    }
    crate::supervision::review_and_fund(p, plan, Some("8,000,000")).await?;
    act(p, &head, Some(plan), "plan", "to_meeting", &[]).await?;
    let recorder = principal(p, "bureau.planner2").await?;
    act(
        p,
        &recorder,
        Some(plan),
        "plan",
        "record_approval",
        &[
            ("meeting_no", "市政府第18次常务会议"),
            ("meeting_date", &format!("{year}-01-15")),
            ("minutes", "原则同意年度建设计划"),
        ],
    )
    .await?;
    act(
        p,
        &head,
        Some(plan),
        "plan",
        "issue_taskbook",
        &[("taskbook_no", &format!("宛数政〔{year}〕2号"))],
    )
    .await?;
    let pm = principal(p, "company.pm").await?;
    let zrzy = org_id(p, "zrzy").await?;
    // The to-build entry of task-book line `n`, for the natural resources bureau.
    let entry = |n: usize| {
        let (title, budget, content, mode) = LINES[n];
        let unit = zrzy.as_str();
        [
            ("plan_item", lines[n].clone()),
            ("title", title.to_string()),
            ("content", content.to_string()),
            ("budget", budget.to_string()),
            ("planned_start", format!("{year}-03-01")),
            ("planned_end", format!("{year}-12-31")),
            ("units", unit.to_string()),
            ("mode", mode.to_string()),
            (
                "mode_reason",
                if mode == "special_fund" {
                    "市级基础性、公益性项目，由专项资金保障，市政务服务和大数据管理部门统筹组织实施。"
                } else {
                    "项目具备运营收益，由公司自筹资金建设，批复可研后向市发改部门备案。"
                }
                .to_string(),
            ),
        ]
    };
    // One waiting for the natural resources bureau's signature.
    send(p, &entry(0), false).await?;
    // One signed, its feasibility study with the Data Center.
    let (_, project_no) = send(p, &entry(1), true).await?;
    let milestones = format!(
        r#"[{{"name":"完成招标","planned":"{year}-05-31"}},{{"name":"上线试运行","planned":"{year}-10-31"}},{{"name":"竣工验收","planned":"{year}-12-31"}}]"#
    );
    let fsr = study(p, &project_no, "不动产登记一窗受理系统可行性研究报告", "建设一窗受理、并行办理、结果共享的不动产登记业务系统。", r#"[{"category":"硬件","item":"应用服务器","quantity":"4","unit_price":"120,000"},
                    {"category":"软件","item":"一窗受理系统开发","quantity":"1","unit_price":"980,000"},
                    {"category":"服务","item":"数据迁移与治理","quantity":"1","unit_price":"260,000"},
                    {"category":"其他","item":"等保测评","quantity":"1","unit_price":"80,000"}]"#, &milestones).await?;
    act(p, &pm, Some(fsr), "fsr", "submit", &[]).await?;
    // One self-funded, its study approved and its filing with the NDRC.
    let (id, project_no) = send(p, &entry(3), true).await?;
    let milestones = format!(
        r#"[{{"name":"完成招标","planned":"{year}-06-30"}},{{"name":"上线试运行","planned":"{year}-11-30"}}]"#
    );
    let fsr = study(
        p,
        &project_no,
        "政务数据共享交换平台扩容可行性研究报告",
        "扩容接口网关和数据缓存，支撑各部门日均千万级的数据调用。",
        r#"[{"category":"软件","item":"接口网关扩容","quantity":"1","unit_price":"520,000"},
                    {"category":"硬件","item":"缓存服务器","quantity":"3","unit_price":"110,000"},
                    {"category":"其他","item":"等保测评","quantity":"1","unit_price":"80,000"}]"#,
        &milestones,
    )
    .await?;
    crate::supervision::approve_and_apply_for_filing(p, id, fsr).await?;
    crate::supervision::guidance_and_findings(p, &project_no).await?;
    crate::supervision::next_years_plan(p).await?;
    // Last, so the numbers above stay what they were: one self-funded project on trial.
    let (id, project_no) = send(p, &entry(2), true).await?;
    let milestones = format!(
        r#"[{{"name":"完成招标","planned":"{year}-04-30"}},{{"name":"上线试运行","planned":"{year}-09-30"}}]"#
    );
    let fsr = study(
        p,
        &project_no,
        "12345热线智能分析可行性研究报告",
        "对热线工单进行智能分类、热点发现和办理质量分析。",
        r#"[{"category":"软件","item":"智能分析系统开发","quantity":"1","unit_price":"690,000"},
                    {"category":"硬件","item":"分析服务器","quantity":"2","unit_price":"90,000"},
                    {"category":"其他","item":"等保测评","quantity":"1","unit_price":"80,000"}]"#,
        &milestones,
    )
    .await?;
    crate::acceptance::on_trial(p, id, &project_no, fsr).await?;
    crate::operations::seed(p).await?;
    crate::funds::seed(p, &project_no).await
}

/// The Company drafts the feasibility study of project `project_no` with its budget lines and
/// milestones (JSON tables, as the form sends them).
async fn study(
    p: &Platform,
    project_no: &str,
    title: &str,
    summary: &str,
    budget_lines: &str,
    milestones: &str,
) -> Result<domain::ItemId, AppError> {
    let pm = principal(p, "company.pm").await?;
    let fields = [
        ("project", project_no),
        ("title", title),
        ("summary", summary),
        (
            "security_plan",
            "按等保三级建设；身份认证和传输采用国密 SM2、SM3、SM4；数据分级分类、敏感字段脱敏。",
        ),
        ("budget_lines", budget_lines),
        ("milestones", milestones),
    ];
    act(p, &pm, None, "fsr", "create", &fields).await
}

/// The Company drafts the entry and sends it for confirmation; when `signed`, the natural
/// resources bureau's clerk signs it with their password. Returns the project and its number.
async fn send(
    p: &Platform,
    entry: &[(&str, String)],
    signed: bool,
) -> Result<(domain::ItemId, String), AppError> {
    let pm = principal(p, "company.pm").await?;
    let fields: Vec<(&str, &str)> = entry.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let id = act(p, &pm, None, "project", "create", &fields).await?;
    act(p, &pm, Some(id), "project", "request_confirmation", &[]).await?;
    if signed {
        confirm(p, id).await?;
    }
    Ok((id, app::items::view(p, &pm, id).await?.row.number))
}

/// The natural resources bureau's clerk signs the to-build entry with their password.
async fn confirm(p: &Platform, id: domain::ItemId) -> Result<(), AppError> {
    let clerk = principal(p, "zrzy.clerk").await?;
    let version = app::items::view(p, &clerk, id)
        .await?
        .row
        .version
        .to_string();
    act(
        p,
        &clerk,
        Some(id),
        "project",
        "confirm",
        &[("_password", DEMO_PASSWORD), ("_version", &version)],
    )
    .await?;
    Ok(())
}
