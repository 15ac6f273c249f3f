//! Item-page panels of the construction module (art. 14-18): a plan line's projects, a
//! project's signed confirmation and its feasibility studies, and an FSR's experts and
//! approval document.

use super::panels::{Cell, Panel, cell, item_link, link, new_panel, state_cell, t};
use crate::contract::ids;
use app::items::ItemRow;
use app::items::ItemView;
use app::signing::SignatureCheck;
use app::{AppError, Platform, Principal};
use domain::Lang;
use domain::policy::ItemKind;

fn rows_of(p: &Platform, rows: &[ItemRow], lang: Lang) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            vec![
                item_link(r),
                cell(r.title.clone()),
                cell(crate::views::wan(
                    p.policy
                        .kind(&r.item.kind)
                        .and_then(|k| k.amount_field.as_ref())
                        .and_then(|f| r.item.field(f).parse::<i64>().ok()),
                )),
                state_cell(p, r, lang),
            ]
        })
        .collect()
}

fn list_panel(id: &str, title: String, lang: Lang) -> Panel {
    new_panel(
        id,
        title,
        vec![
            t(lang, "编号", "No."),
            t(lang, "名称", "Title"),
            t(lang, "金额（万元）", "Amount (10k yuan)"),
            t(lang, "状态", "State"),
        ],
    )
}

fn may_create(p: &Platform, who: &Principal, kind: &str) -> bool {
    !app::items::creations(p, who, kind).is_empty()
}

pub async fn panels(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    v: &ItemView,
) -> Result<Vec<Panel>, AppError> {
    let lang = who.lang;
    let number = &v.row.number;
    let mut out = Vec::new();
    // Any signed item (a to-build confirmation, a final acceptance's sign-off) shows who
    // signed and whether the signature still matches the content.
    if kind.transitions.iter().any(|t| !t.sign.is_empty())
        && let Some(panel) = signature_panel(p, &v.row, lang).await?
    {
        out.push(panel);
    }
    match kind.id.as_str() {
        ids::PLAN_ITEM => {
            let mut panel = list_panel("projects", t(lang, "建设项目", "Projects"), lang);
            panel.rows = rows_of(
                p,
                &app::cycle::children(p, who, ids::PROJECT, number).await?,
                lang,
            );
            if may_create(p, who, ids::PROJECT) {
                let units = app::cycle::units_of_demands(p, v.row.item.field("demands")).await?;
                panel.links.push((
                    t(lang, "编制拟建清单", "Draft the to-build entry"),
                    format!(
                        "/items/new?kind=project&action=create&plan_item={number}&units={units}"
                    ),
                    "new-project".into(),
                ));
            }
            out.push(panel);
        }
        ids::EMERGENCY if app::items::may_create_under(p, who, ids::PROJECT, &v.row) => {
            let mut panel = list_panel("projects", t(lang, "建设项目", "Projects"), lang);
            panel.links.push((
                t(lang, "提出一事一议建设方式", "Propose a case-by-case mode"),
                format!("/items/new?kind=project&action=create_emergency&emergency={number}"),
                "new-emergency-project".into(),
            ));
            out.push(panel);
        }
        ids::PROJECT => {
            super::progress::panels(p, who, v, &mut out).await?;
            let buys = app::cycle::children(p, who, ids::PROCUREMENT, number).await?;
            let mut panel = list_panel("procurements", t(lang, "采购与合同", "Procurement"), lang);
            panel.rows = rows_of(p, &buys, lang);
            if app::items::may_create_under(p, who, ids::PROCUREMENT, &v.row) {
                panel.links.push((
                    t(lang, "登记采购", "Record a procurement"),
                    format!("/items/new?kind=procurement&project={number}"),
                    "new-procurement".into(),
                ));
            }
            out.push(panel);
            let mut panel = list_panel("changes", t(lang, "变更申请", "Change requests"), lang);
            panel.rows = rows_of(
                p,
                &app::cycle::children(p, who, ids::PROJECT_CHANGE, number).await?,
                lang,
            );
            if app::items::may_create_under(p, who, ids::PROJECT_CHANGE, &v.row) {
                panel.links.push((
                    t(lang, "提出变更申请", "Request a change"),
                    format!("/items/new?kind=project_change&project={number}"),
                    "new-change".into(),
                ));
            }
            out.push(panel);
            let mut panel = list_panel(
                "fsrs",
                t(lang, "可行性研究报告", "Feasibility studies"),
                lang,
            );
            panel.rows = rows_of(
                p,
                &app::cycle::children(p, who, ids::FSR, number).await?,
                lang,
            );
            if app::items::may_create_under(p, who, ids::FSR, &v.row) {
                panel.links.push((
                    t(lang, "编制可研报告", "Draft the FSR"),
                    format!("/items/new?kind=fsr&project={number}"),
                    "new-fsr".into(),
                ));
            }
            out.push(panel);
        }
        ids::INSPECTION => {
            let mut panel = list_panel(
                "rectifications",
                t(lang, "整改事项", "Rectifications"),
                lang,
            );
            panel.rows = rows_of(
                p,
                &app::cycle::children(p, who, ids::RECTIFICATION, number).await?,
                lang,
            );
            // Only while the inspection takes them (not once an initial acceptance passed).
            if let Some(k) = p.policy.kind(ids::RECTIFICATION) {
                panel.links = super::children::creation_links(p, who, k, &v.row);
            }
            out.push(panel);
        }
        ids::FINAL_ACCEPTANCE if !v.row.item.field("dossier_pdf_sm3").is_empty() => {
            out.push(dossier_panel(p, who, v, lang).await?);
        }
        ids::FSR => {
            out.push(versions_panel(p, who, v, lang).await?);
            if let Some(panel) = experts_panel(p, who, v, lang).await? {
                out.push(panel);
            }
            if !v.row.item.field("approval_pdf_sm3").is_empty() {
                let mut panel = new_panel(
                    "approval-files",
                    t(lang, "批复文件", "Approval document"),
                    Vec::new(),
                );
                for (fmt, label) in [("docx", "Word (.docx)"), ("pdf", "PDF")] {
                    panel.links.push((
                        format!("{} {label}", t(lang, "下载", "Download")),
                        format!("/items/{}/files/fsr-approval.{fmt}", v.row.item.id.get()),
                        format!("approval-{fmt}"),
                    ));
                }
                out.push(panel);
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The acceptance dossier (R16.3): its two files to download, and every document it lists,
/// each checked against the record as it stands now.
async fn dossier_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Panel, AppError> {
    let mut panel = new_panel(
        "dossier",
        t(lang, "验收档案", "Acceptance dossier"),
        vec![
            t(lang, "序号", "No."),
            t(lang, "所属事项", "Item"),
            t(lang, "文件名称", "File"),
            t(lang, "归档日期", "Kept on"),
            t(lang, "SM3 摘要", "SM3 digest"),
            t(lang, "核验", "Check"),
        ],
    );
    let id = v.row.item.id;
    for (fmt, label) in [("docx", "Word (.docx)"), ("pdf", "PDF")] {
        panel.links.push((
            format!("{} {label}", t(lang, "下载", "Download")),
            format!("/items/{}/files/acceptance-dossier.{fmt}", id.get()),
            format!("dossier-{fmt}"),
        ));
    }
    let listed = app::dossier::check(p, who, id).await?;
    let bad = listed.iter().filter(|e| !e.verified).count();
    for (n, e) in listed.iter().enumerate() {
        panel.rows.push(vec![
            cell((n + 1).to_string()),
            cell(format!("{} {}", e.item, e.item_title)),
            cell(e.name.clone()),
            cell(e.kept_at.clone()),
            Cell {
                text: e.sm3.clone(),
                href: None,
                class: "mono small",
            },
            Cell {
                text: if e.verified {
                    t(lang, "✓ 一致", "✓ matches")
                } else {
                    t(lang, "✗ 不一致", "✗ differs")
                },
                href: None,
                class: if e.verified {
                    "sig-valid"
                } else {
                    "sig-invalid"
                },
            },
        ]);
    }
    panel.note = Some(format!(
        "{} {}（Word {}；PDF {}）",
        v.row.item.field("dossier_no"),
        t(lang, "档案文件 SM3：", "dossier files' SM3:"),
        v.row.item.field("dossier_docx_sm3"),
        v.row.item.field("dossier_pdf_sm3"),
    ));
    if bad > 0 {
        panel.warning = Some(t(
            lang,
            &format!("{bad} 份文件与平台记录不一致，请联系审计部门核查。"),
            &format!("{bad} file(s) no longer match the record; ask Audit to investigate."),
        ));
    }
    Ok(panel)
}

/// The item's signature (a demand unit's confirmation or sign-off): who signed, when, and
/// whether it still matches the content.
async fn signature_panel(
    p: &Platform,
    row: &ItemRow,
    lang: Lang,
) -> Result<Option<Panel>, AppError> {
    let Some((check, signer)) = app::signing::status(p, row).await? else {
        return Ok(None);
    };
    let mut panel = new_panel(
        "signature",
        t(
            lang,
            "书面确认（电子签名）",
            "Written confirmation (electronic signature)",
        ),
        vec![
            t(lang, "签署人", "Signed by"),
            t(lang, "签署时间", "Signed at"),
            t(lang, "算法", "Algorithm"),
            t(lang, "验证结果", "Check"),
        ],
    );
    let (at, ok) = match &check {
        SignatureCheck::Valid { at, .. } => (at.clone(), true),
        SignatureCheck::Invalid { at, .. } => (at.clone(), false),
    };
    panel.rows.push(vec![
        cell(signer),
        cell(crate::views::short_time(&at)),
        cell("SM2 / SM3"),
        Cell {
            text: if ok {
                t(
                    lang,
                    "签名有效：内容与签署时一致",
                    "Valid: the content is as signed",
                )
            } else {
                t(
                    lang,
                    "签名无效：内容在签署后被改动",
                    "Invalid: the content changed after signing",
                )
            },
            href: None,
            class: if ok { "sig-valid" } else { "sig-invalid" },
        },
    ]);
    if !ok {
        panel.warning = Some(t(
            lang,
            "电子签名与当前内容不符，请联系审计部门核查。",
            "The signature does not match the current content; ask Audit to investigate.",
        ));
    }
    Ok(Some(panel))
}

/// The experts drawn for the review (names for those who may see the registry) and those
/// excluded for a conflict.
async fn experts_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Option<Panel>, AppError> {
    let drawn = v.row.item.field("drawn_experts");
    if drawn.is_empty() {
        return Ok(None);
    }
    let mut panel = new_panel(
        "experts",
        t(lang, "评审专家抽取结果", "Experts drawn"),
        vec![
            t(lang, "编号", "No."),
            t(lang, "姓名", "Name"),
            t(lang, "工作单位", "Employer"),
        ],
    );
    for number in drawn.split(',') {
        let shown = app::items::by_number(p, who, number).await.ok();
        panel.rows.push(match shown {
            Some(r) => vec![
                link(number, format!("/items/{}", r.item.id.get())),
                cell(r.item.field("name")),
                cell(r.item.field("employer")),
            ],
            None => vec![cell(number), cell("—"), cell("—")],
        });
    }
    // The record names the excluded by number; whoever may read the registry sees who.
    let mut excluded = Vec::new();
    for line in v.row.item.field("excluded_experts").lines() {
        let (number, why) = line.split_once('：').unwrap_or((line, ""));
        let why = app::experts::reason(why);
        let why = why.get(lang);
        excluded.push(match app::items::by_number(p, who, number).await.ok() {
            Some(r) => match lang {
                Lang::Zh => format!(
                    "{number} {}（{}）：{why}",
                    r.item.field("name"),
                    r.item.field("employer")
                ),
                Lang::En => format!(
                    "{number} {} ({}): {why}",
                    r.item.field("name"),
                    r.item.field("employer")
                ),
            },
            None => match lang {
                Lang::Zh => line.to_string(),
                Lang::En => format!("{number}: {why}"),
            },
        });
    }
    if !excluded.is_empty() {
        panel.note = Some(format!(
            "{}\n{}",
            t(lang, "回避的专家：", "Excluded for a conflict:"),
            excluded.join("\n")
        ));
    }
    Ok(Some(panel))
}

/// The versions sent for review, with a link comparing the last two line by line.
async fn versions_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Panel, AppError> {
    let versions = app::cycle::versions(p, who, v.row.item.id).await?;
    Ok(super::panels::versions_panel(
        v,
        &versions,
        t(lang, "报审版本", "Versions sent for review"),
        lang,
    ))
}
