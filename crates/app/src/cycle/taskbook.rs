//! The annual construction task book (年度建设任务书, art. 13(1), R13.5): generated from the
//! approved plan as a Chinese .docx and PDF in the official-document format, both files kept
//! with their SM3 digests, and the digests written into the plan's record in the same
//! transaction as the step that issues it.

use crate::contract::ids;
use crate::steps::{BoxFut, DocFiles, DocumentMaker, Read};
use crate::{AppError, Platform, Principal};
use domain::{ItemId, Money};
use gongwen::{Block, OfficialDoc, Table};
use store::Conn;
use store::items::ItemRow;

pub const DOCX: &str = "taskbook.docx";
pub const PDF: &str = "taskbook.pdf";

/// The document as it will be issued: every plan line and every emergency item added to the
/// plan, with its budget, and the total.
pub async fn document(
    p: &Platform,
    who: &Principal,
    plan: &ItemRow,
    doc_number: &str,
) -> Result<OfficialDoc, AppError> {
    let view = crate::cycle::plan_view(p, who, plan).await?;
    let company = {
        let mut c = p.store.read().await?;
        store::orgs::all(&mut c)
            .await?
            .into_iter()
            .find(|o| o.kind == ids::ORG_COMPANY)
            .map(|o| o.name_zh)
            .unwrap_or_else(|| "市属国有专业公司".into())
    };
    let i = &plan.item;
    let year = i.field("year");
    let wan = |fen: &str| {
        fen.parse::<i64>()
            .map(|f| Money::from_fen(f).wan_string())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (n, r) in view.lines.iter().chain(&view.emergencies).enumerate() {
        let basis = if r.item.kind == ids::EMERGENCY {
            format!("{}（紧急补列）", r.number)
        } else {
            r.item.field("demands").replace(',', "、")
        };
        let unit = match r.item.field("unit") {
            "" => r.owner_name_zh.clone(),
            u => u.to_string(),
        };
        rows.push(vec![
            (n + 1).to_string(),
            r.title.clone(),
            unit,
            wan(r.item.field("budget")),
            basis,
        ]);
    }
    let meeting_date = domain::decide::parse_date(i.field("meeting_date"))
        .map(gongwen::date_written_out)
        .unwrap_or_default();
    let body = vec![
        Block::Para(format!(
            "根据《{}》第十三条规定，{}年度数字政府和新型智慧城市建设计划已经{}（{}）研究通过。现将{}年度建设任务书下达给你公司，请认真组织实施。",
            p.policy.title.zh,
            year,
            i.field("meeting_no"),
            meeting_date,
            year
        )),
        Block::Heading(1, "建设任务".into()),
        Block::Para(format!(
            "{}年度共安排建设项目 {} 个，预算合计 {} 万元，具体如下表。{}",
            year,
            rows.len(),
            Money::from_fen(view.total_fen).wan_string(),
            ceiling_note(&view)
        )),
        Block::Table(Table {
            headers: ["序号", "项目名称", "需求单位", "预算（万元）", "依据"]
                .map(String::from)
                .to_vec(),
            rows,
            total_row: Some(vec![
                "合计".into(),
                String::new(),
                String::new(),
                Money::from_fen(view.total_fen).wan_string(),
                String::new(),
            ]),
            // 预算（万元） is six characters of 小四: its column holds them on one line.
            widths: vec![7, 33, 22, 19, 19],
        }),
        Block::Heading(1, "工作要求".into()),
        Block::Heading(2, "需求确认".into()),
        Block::Para(
            "请会同市政务大数据中心对各项需求进行分析研判，形成拟建清单，并取得需求单位书面确认（第十四条第一款）。"
                .into(),
        ),
        Block::Heading(2, "可研编制与报批".into()),
        Block::Para(
            "请会同需求单位编制达到初设要求的可行性研究报告，经市政务大数据中心审核同意后报市政务服务和大数据管理部门评审批复。"
                .into(),
        ),
        Block::Heading(2, "实施管理".into()),
        Block::Para(
            "请严格按照批复的建设内容、投资规模和建设周期组织实施，不得擅自变更；确需变更的，按规定履行变更程序。"
                .into(),
        ),
    ];
    let today = p.now().date_naive();
    let (masthead, colophon) = crate::steps::masthead_and_colophon(
        p,
        &who.org.name_zh,
        &[ids::ORG_NDRC, ids::ORG_FINANCE, ids::ORG_DATACENTER],
        today,
    )
    .await?;
    Ok(OfficialDoc {
        issuer: who.org.name_zh.clone(),
        letterhead: Some(masthead),
        doc_number: doc_number.to_string(),
        title: format!("关于下达{}年度数字政府和新型智慧城市建设任务书的通知", year),
        recipient: company,
        body,
        date: today,
        record_number: plan.number.clone(),
        colophon: Some(colophon),
    })
}

/// A plan over the year's special-fund ceiling says so, and that the meeting decided it
/// (R13.5: the ceiling warns, the meeting decides); within it, nothing is said.
fn ceiling_note(view: &crate::cycle::PlanView) -> String {
    match (view.over_ceiling(), view.ceiling_fen) {
        (Some(over), Some(ceiling)) => format!(
            "预算合计超出本年度专项资金控制额度（{} 万元）{} 万元，超出部分已经上述会议研究确定。",
            Money::from_fen(ceiling).wan_string(),
            Money::from_fen(over).wan_string()
        ),
        _ => String::new(),
    }
}

/// The task book as a step's document (`document = "taskbook"` on the plan's issue step).
pub struct TaskBook;

impl DocumentMaker for TaskBook {
    fn name(&self) -> &'static str {
        "taskbook"
    }

    fn title_zh(&self) -> &'static str {
        "年度建设任务书"
    }

    fn files(&self) -> DocFiles {
        DocFiles {
            purpose: "taskbook",
            docx: DOCX,
            pdf: PDF,
            docx_sm3: "taskbook_docx_sm3",
            pdf_sm3: "taskbook_pdf_sm3",
        }
    }

    fn reads(&self) -> &'static [&'static str] {
        &["taskbook_no", "year"]
    }

    fn document<'a>(
        &'a self,
        read: &'a Read<'a>,
    ) -> BoxFut<'a, Result<Option<OfficialDoc>, AppError>> {
        Box::pin(async move {
            let Some(number) = read.typed("taskbook_no") else {
                return Ok(None);
            };
            Ok(Some(document(read.p, read.who, read.row, number).await?))
        })
    }

    /// The plan's lines and emergency items, as the document lists them.
    fn depends<'c>(
        &'c self,
        c: &'c mut Conn,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Vec<String>, AppError>> {
        Box::pin(async move {
            Ok(lines_fingerprint(c, &row.number)
                .await?
                .into_iter()
                .map(|(id, version, state)| format!("{id}:{version}:{state}"))
                .collect())
        })
    }
}

/// The ids, versions and states of everything that belongs to the plan.
async fn lines_fingerprint(
    c: &mut Conn,
    number: &str,
) -> Result<Vec<(i64, i64, String)>, AppError> {
    let mut out = Vec::new();
    for kind in [ids::PLAN_ITEM, ids::EMERGENCY] {
        let f = store::items::Filter {
            kind: kind.into(),
            parent: Some(number.to_string()),
            page: 1,
            per_page: 200,
            ..store::items::Filter::default()
        };
        for r in store::items::list(c, &f).await? {
            out.push((r.item.id.get(), r.version, r.item.state));
        }
    }
    Ok(out)
}

/// A kept file of an item the principal may see.
pub async fn file(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    name: &str,
) -> Result<store::files::File, AppError> {
    crate::items::view(p, who, id).await?;
    let mut c = p.store.read().await?;
    store::files::latest(&mut c, id.get(), name)
        .await?
        .ok_or(AppError::NotFound)
}
