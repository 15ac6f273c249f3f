//! The served demo's acceptance work (art. 16): the 12345 hotline analysis, self-funded, filed
//! with the NDRC, built, its cybersecurity review passed, through the Data Center's initial
//! acceptance and now on trial at the natural resources bureau, which has logged one defect the
//! Company has named its development vendor to fix. So the final acceptance shows what blocks
//! it, and the vendor's login has something to answer.

use crate::{act, principal};
use app::{AppError, Platform};

/// From the signed project `project` (its study `fsr` drafted) to a trial with one open defect.
pub async fn on_trial(
    p: &Platform,
    project: domain::ItemId,
    project_no: &str,
    fsr: domain::ItemId,
) -> Result<(), AppError> {
    let pm = principal(p, "company.pm").await?;
    let year = chrono::Datelike::year(&p.now());
    crate::supervision::approve_and_apply_for_filing(p, project, fsr).await?;
    let ndrc = principal(p, "ndrc.officer").await?;
    act(
        p,
        &ndrc,
        Some(project),
        "project",
        "record_filing",
        &[
            ("ndrc_filing_no", &format!("宛发改备〔{year}〕31号")),
            ("ndrc_filing_date", &format!("{year}-04-20")),
        ],
    )
    .await?;
    act(p, &pm, Some(project), "project", "start_after_filing", &[]).await?;
    let reached = format!(
        r#"[{{"milestone":"完成招标","actual":"{year}-04-28"}},{{"milestone":"上线试运行","actual":"{year}-09-26"}}]"#
    );
    act(
        p,
        &pm,
        Some(project),
        "project",
        "record_progress",
        &[("actuals", &reached)],
    )
    .await?;
    act(
        p,
        &principal(p, "cyber.reviewer").await?,
        Some(project),
        "project",
        "record_cyber_review",
        &[
            ("cyber_conclusion", "pass"),
            (
                "cyber_opinion",
                "等级保护测评和渗透测试报告齐全，未发现高危问题。",
            ),
            ("cyber_date", &format!("{year}-09-10")),
        ],
    )
    .await?;
    act(
        p,
        &pm,
        Some(project),
        "project",
        "complete_construction",
        &[],
    )
    .await?;
    let analyst = principal(p, "dc.analyst").await?;
    let check = act(
        p,
        &analyst,
        None,
        "inspection",
        "create_initial",
        &[
            ("project", project_no),
            ("title", "12345热线智能分析初验"),
            ("inspected_on", &format!("{year}-10-12")),
        ],
    )
    .await?;
    let mut criteria = vec![("conclusion_note", "四项内容均符合要求，同意初验合格。")];
    for (id, note) in [
        ("consistency", "与批复可研逐项核对，建设内容一致。"),
        ("data_conformity", "数据目录已编制，已接入共享交换平台。"),
        ("intensive", "部署在政务云，使用统一身份认证。"),
        ("security", "等保三级测评通过，网络安全审查意见已落实。"),
    ] {
        criteria.push((id, "pass"));
        criteria.push((note_field(id), note));
    }
    act(
        p,
        &analyst,
        Some(check),
        "inspection",
        "pass_initial",
        &criteria,
    )
    .await?;
    let defect = act(
        p,
        &principal(p, "zrzy.clerk").await?,
        None,
        "defect",
        "create",
        &[
            ("project", project_no),
            ("summary", "工单热点分析导出为空"),
            ("severity", "major"),
            (
                "description",
                "在「热点分析」页选择本月后点“导出”，下载的文件没有数据；应有本月全部工单的热点。",
            ),
        ],
    )
    .await?;
    // The Company names the development vendor, whose staff answer it with their own login.
    let vendor = principal(p, crate::VENDOR_LOGIN).await?.org.code;
    act(
        p,
        &pm,
        Some(defect),
        "defect",
        "assign",
        &[("vendor", &vendor)],
    )
    .await?;
    Ok(())
}

fn note_field(id: &str) -> &'static str {
    match id {
        "consistency" => "consistency_note",
        "data_conformity" => "data_conformity_note",
        "intensive" => "intensive_note",
        _ => "security_note",
    }
}
