//! Panels of the annual cycle (art. 13): a demand's versions, change requests and the most
//! similar demands and systems (R13.3, R13.4), a change request beside the current version
//! (R13.3), who has answered a campaign (R13.1), and the plan's lines and totals against its
//! ceiling with the task book files (R13.5).

use super::panels::{Cell, Panel, cell, item_link, new_panel, state_cell, t, versions_panel};
use crate::contract::ids;
use crate::views::wan;
use app::items::ItemView;
use app::{AppError, Platform, Principal};
use domain::policy::ItemKind;
use domain::{Lang, Money};

pub(super) async fn demand_panels(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
    out: &mut Vec<Panel>,
) -> Result<(), AppError> {
    let versions = app::cycle::versions(p, who, v.row.item.id).await?;
    let changes = app::cycle::children(p, who, "demand_change", &v.row.number).await?;
    let mut panel = versions_panel(
        v,
        &versions,
        t(lang, "版本与变更记录", "Versions and changes"),
        lang,
    );
    for c in &changes {
        panel.rows.push(vec![
            item_link(c),
            cell(c.title.clone()),
            state_cell(p, c, lang),
        ]);
    }
    let frozen = !versions.is_empty();
    if frozen
        && !app::items::creations(p, who, ids::DEMAND_CHANGE).is_empty()
        && v.row.item.owner_org == who.org.id
    {
        panel.links.push((
            t(lang, "提出变更申请", "Request a change"),
            format!("/items/new?kind=demand_change&demand={}", v.row.number),
            "request-change".into(),
        ));
    }
    if !panel.rows.is_empty() || !panel.links.is_empty() {
        out.push(panel);
    }
    // The overlap check is for those who analyse and plan (R13.4).
    if ids::OVERLAP_READERS.contains(&who.user.role.as_str()) {
        let mut sim = new_panel(
            "similar",
            t(
                lang,
                "相似需求与已建系统（查重）",
                "Similar demands and systems (overlap check)",
            ),
            vec![
                t(lang, "编号", "No."),
                t(lang, "名称", "Name"),
                t(lang, "类别", "Kind"),
                t(lang, "相似度", "Similarity"),
                t(lang, "共同词语", "Shared terms"),
            ],
        );
        for m in app::similar::similar_to(p, who, v.row.item.id).await? {
            let kind_name = p
                .policy
                .kind(&m.row.item.kind)
                .map(|k| k.name.get(lang).to_string())
                .unwrap_or_default();
            sim.rows.push(vec![
                item_link(&m.row),
                cell(m.row.title.clone()),
                cell(kind_name),
                Cell {
                    text: format!("{}%", m.score),
                    href: None,
                    class: if m.score >= 40 { "score high" } else { "score" },
                },
                cell(m.shared.join("、")),
            ]);
        }
        if sim.rows.is_empty() {
            sim.note = Some(t(
                lang,
                "未发现相似的需求或已建系统。",
                "No similar demand or system found.",
            ));
        } else {
            sim.note = Some(t(
                lang,
                "相似度按中文双字词的加权余弦计算，40% 以上请重点核对是否重复建设。",
                "Weighted cosine over Chinese character pairs; check anything at 40% or more for duplication.",
            ));
        }
        out.push(sim);
    }
    Ok(())
}

pub(super) async fn change_diff(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    v: &ItemView,
    lang: Lang,
) -> Result<Option<Panel>, AppError> {
    // The item the request changes, and the fields its approval carries over.
    let Some(effect) = kind.transitions.iter().find_map(|t| t.effect.as_ref()) else {
        return Ok(None);
    };
    let number = v.row.item.field(&effect.on);
    // An item the principal may not see shows no comparison (NotFound either way).
    let demand = match app::items::by_number(p, who, number).await {
        Ok(row) => row,
        Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(fields) = p
        .policy
        .kind(&demand.item.kind)
        .and_then(|k| k.transition(&effect.action))
        .map(|t| t.inputs.clone())
    else {
        return Ok(None);
    };
    let rows = app::cycle::compare(kind, &fields, &demand.item.fields, &v.row.item.fields);
    let mut panel = new_panel(
        "change-diff",
        t(
            lang,
            "变更对照（左：需求当前版本；右：申请变更为）",
            "Side by side (left: current version; right: as requested)",
        ),
        vec![
            t(lang, "内容", "Part"),
            t(lang, "当前版本", "Current"),
            t(lang, "申请变更为", "Requested"),
        ],
    );
    let changed = rows.iter().filter(|r| r.changed).count();
    for r in rows {
        let show = |raw: &str| match kind.field(&r.field) {
            // Table lines come already written out, line by line.
            Some(f) if matches!(f.ty, domain::policy::FieldType::Table(_)) => raw.to_string(),
            Some(f) => crate::views::display_value(f, raw, lang),
            None => raw.to_string(),
        };
        let class = if r.changed { "changed" } else { "" };
        panel.rows.push(vec![
            Cell {
                text: r.label.get(lang).to_string(),
                href: None,
                class,
            },
            Cell {
                text: show(&r.left),
                href: None,
                class: if r.changed { "old" } else { "" },
            },
            Cell {
                text: show(&r.right),
                href: None,
                class: if r.changed { "new" } else { "" },
            },
        ]);
    }
    panel.note = Some(match lang {
        Lang::Zh => format!(
            "共 {changed} 项内容有变更，已用颜色标出。需求 {} 的原版本在批准后仍可查阅。",
            demand.number
        ),
        Lang::En => format!(
            "{changed} parts change (highlighted). Earlier versions of {} stay readable.",
            demand.number
        ),
    });
    panel.links.push((
        t(lang, "查看需求", "Open the demand"),
        format!("/items/{}", demand.item.id.get()),
        "open-demand".into(),
    ));
    Ok(Some(panel))
}

pub(super) async fn campaign_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Panel, AppError> {
    let mut answers = app::cycle::campaign_answers(p, who, &v.row).await?;
    // A unit sees only its own answer: others' demands are not its business (and it could not
    // see them, so they would all look unanswered).
    let sees_all = p
        .policy
        .role(&who.user.role)
        .is_some_and(|r| r.sees == domain::policy::Visibility::Submitted);
    if !sees_all {
        answers.retain(|a| a.org.id == who.org.id);
    }
    let done = answers.iter().filter(|a| !a.submitted.is_empty()).count();
    let mut panel = new_panel(
        "answers",
        t(lang, "上报情况", "Who has submitted"),
        vec![
            t(lang, "单位", "Unit"),
            t(lang, "上报情况", "Status"),
            t(lang, "需求", "Demands"),
        ],
    );
    for a in &answers {
        let name = if lang == Lang::En {
            &a.org.name_en
        } else {
            &a.org.name_zh
        };
        let status = if a.submitted.is_empty() {
            Cell {
                text: t(lang, "未上报", "not submitted"),
                href: None,
                class: "missing",
            }
        } else {
            Cell {
                text: match lang {
                    Lang::Zh => format!("已上报 {} 项", a.submitted.len()),
                    Lang::En => format!("{} submitted", a.submitted.len()),
                },
                href: None,
                class: "ok",
            }
        };
        let numbers: Vec<&str> = a.submitted.iter().map(|d| d.number.as_str()).collect();
        panel
            .rows
            .push(vec![cell(name.clone()), status, cell(numbers.join("、"))]);
    }
    // The Bureau and the Data Center rank the year's demands by the opinion's scores.
    if ids::OVERLAP_READERS.contains(&who.user.role.as_str()) {
        panel.links.push((
            t(lang, "需求评分排名", "Ranking by score"),
            format!("/items/{}/ranking", v.row.item.id.get()),
            "ranking-link".into(),
        ));
    }
    panel.note = Some(match lang {
        Lang::Zh => format!(
            "已上报 {done} 个单位，未上报 {} 个单位。",
            answers.len() - done
        ),
        Lang::En => format!(
            "{done} units have submitted, {} have not.",
            answers.len() - done
        ),
    });
    Ok(panel)
}

/// The Data Center's compilation opinion on the plan's year (art. 13(1)), which the Bureau
/// drafts the plan from: its overall opinion and the demands it proposes, or a warning that
/// none has been reported yet.
pub(super) async fn plan_opinion_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Panel, AppError> {
    let opinions = app::cycle::plan_opinions(p, who, &v.row).await?;
    let mut panel = new_panel(
        "plan-opinion",
        t(
            lang,
            "市政务大数据中心年度建设计划编制意见",
            "The Data Center's compilation opinion",
        ),
        vec![
            t(lang, "编号", "No."),
            t(lang, "状态", "State"),
            t(lang, "总体意见", "Overall opinion"),
            t(lang, "建议列入计划的需求", "Proposed for the plan"),
        ],
    );
    for o in &opinions {
        panel.rows.push(vec![
            item_link(o),
            state_cell(p, o, lang),
            cell(o.item.field("summary").to_string()),
            cell(o.item.field("priorities").to_string()),
        ]);
    }
    if opinions.is_empty() {
        panel.warning = Some(t(
            lang,
            "市政务大数据中心尚未报送本年度建设计划编制意见（第十三条第一款：根据编制意见研究制定下一年度建设任务）。",
            "The Data Center has not reported its compilation opinion for this year yet (art. 13(1): the plan is drawn up from it).",
        ));
    }
    Ok(panel)
}

pub(super) async fn plan_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Panel, AppError> {
    let plan = app::cycle::plan_view(p, who, &v.row).await?;
    let mut panel = new_panel(
        "plan-lines",
        t(lang, "计划项目", "Plan items"),
        vec![
            t(lang, "序号", "No."),
            t(lang, "编号", "Number"),
            t(lang, "项目名称", "Project"),
            t(lang, "需求单位", "Unit"),
            t(lang, "依据需求", "From demands"),
            t(lang, "预算（万元）", "Budget (10k yuan)"),
        ],
    );
    for (i, r) in plan.lines.iter().enumerate() {
        panel.rows.push(vec![
            // A line without its own number shows its place.
            cell(match r.item.field("seq") {
                "" => (i + 1).to_string(),
                seq => seq.to_string(),
            }),
            item_link(r),
            cell(r.title.clone()),
            // As the task book has them: the unit typed on the line, else the one that owns it.
            cell(match r.item.field("unit") {
                "" => r.owner_name(lang).to_string(),
                u => u.to_string(),
            }),
            cell(r.item.field("demands").replace(',', "、")),
            money_cell(r.item.field("budget")),
        ]);
    }
    for r in &plan.emergencies {
        panel.rows.push(vec![
            cell(t(lang, "补列", "Added")),
            item_link(r),
            cell(r.title.clone()),
            cell(r.owner_name_zh.clone()),
            cell(t(
                lang,
                "紧急补列（第十三条第三款）",
                "Emergency (art. 13(3))",
            )),
            money_cell(r.item.field("budget")),
        ]);
    }
    let total = Money::from_fen(plan.total_fen);
    let ceiling = plan.ceiling_fen.map(Money::from_fen);
    panel.note = Some(match (lang, ceiling) {
        (Lang::Zh, Some(c)) => format!(
            "合计 {} 万元；专项资金额度 {} 万元。",
            total.wan_string(),
            c.wan_string()
        ),
        (Lang::En, Some(c)) => format!(
            "Total {} (10k yuan); ceiling {}.",
            total.wan_string(),
            c.wan_string()
        ),
        // Art. 9: the ceiling is Finance's to propose, once the NDRC has reviewed the draft.
        (Lang::Zh, None) => format!(
            "合计 {} 万元；专项资金预算安排待市财政部门提出。",
            total.wan_string()
        ),
        (Lang::En, None) => format!(
            "Total {} (10k yuan); the special-fund budget is Finance's to propose.",
            total.wan_string()
        ),
    });
    if let Some(over) = plan.over_ceiling() {
        let over = Money::from_fen(over).wan_string();
        panel.warning = Some(match lang {
            Lang::Zh => format!("计划合计超出专项资金额度 {over} 万元，请调整或在提请会议时说明。"),
            Lang::En => format!(
                "The plan exceeds the special-fund ceiling by {over} (10k yuan); adjust it or explain it to the meeting."
            ),
        });
    }
    if app::items::may_create_under(p, who, ids::PLAN_ITEM, &v.row) {
        panel.links.push((
            t(lang, "新增计划项目", "Add a plan item"),
            format!("/items/new?kind=plan_item&plan={}", v.row.number),
            "add-plan-item".into(),
        ));
    }
    // The task book's files, once it has been issued with them.
    if !v.row.item.field("taskbook_pdf_sm3").is_empty() {
        for (fmt, label) in [("docx", "任务书（Word）"), ("pdf", "任务书（PDF）")] {
            panel.links.push((
                t(lang, label, &format!("Task book ({fmt})")),
                format!("/items/{}/files/taskbook.{fmt}", v.row.item.id.get()),
                format!("taskbook-{fmt}"),
            ));
        }
    }
    Ok(panel)
}

/// The accepted demands of the plan's year not yet in it, each with the demands merged into
/// it and a link that opens a new line filled from them (art. 13(1)-(2)): for the planner.
pub(super) async fn candidates_panel(
    p: &Platform,
    who: &Principal,
    v: &ItemView,
    lang: Lang,
) -> Result<Option<Panel>, AppError> {
    if !app::items::may_create_under(p, who, ids::PLAN_ITEM, &v.row) {
        return Ok(None);
    }
    let candidates = app::cycle::lines::plan_candidates(p, who, &v.row).await?;
    let mut panel = new_panel(
        "plan-candidates",
        t(
            lang,
            "已采纳需求（待列入计划）",
            "Accepted demands not yet in the plan",
        ),
        vec![
            t(lang, "需求编号", "Demand"),
            t(lang, "需求名称", "Title"),
            t(lang, "需求单位", "Unit"),
            t(lang, "合并的需求", "Merged into it"),
            t(lang, "预算（万元）", "Budget (10k yuan)"),
            t(lang, "操作", "Action"),
        ],
    );
    if candidates.is_empty() {
        panel.note = Some(t(
            lang,
            "本年度已采纳的需求均已列入计划。",
            "Every accepted demand of the year is in the plan.",
        ));
    }
    for c in &candidates {
        let d = &c.demand;
        let fen = c.budget_fen();
        panel.rows.push(vec![
            item_link(d),
            cell(d.title.clone()),
            cell(d.owner_name(lang)),
            cell(
                c.merged
                    .iter()
                    .map(|m| m.number.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            money_cell(&fen.to_string()),
            Cell {
                text: t(lang, "列入计划", "Add to the plan"),
                href: Some(format!(
                    "/items/new?kind={}&plan={}&demands={}",
                    ids::PLAN_ITEM,
                    v.row.number,
                    c.numbers().join(",")
                )),
                class: "",
            },
        ]);
    }
    Ok(Some(panel))
}

fn money_cell(fen: &str) -> Cell {
    Cell {
        text: fen.parse::<i64>().map(|f| wan(Some(f))).unwrap_or_default(),
        href: None,
        class: "num",
    }
}
