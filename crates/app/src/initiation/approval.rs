//! The Bureau's approval of a feasibility study (可研批复, art. 14, R14.2): generated with the
//! approve step as a Chinese .docx and PDF in the official-document format, listing every budget
//! line with the amount asked, the amount approved and the reason for each cut. Both files are
//! kept with their SM3 digests in the same transaction as the step.

use crate::contract::ids;
use crate::steps::{BoxFut, DocFiles, DocumentMaker, Read};
use crate::{AppError, Platform, Principal};
use domain::Money;
use domain::policy::FieldType;
use gongwen::{Block, OfficialDoc, Table};
use store::items::ItemRow;

pub const DOCX: &str = "fsr-approval.docx";
pub const PDF: &str = "fsr-approval.pdf";

fn wan(fen: i64) -> String {
    Money::from_fen(fen).wan_string()
}

/// The cuts as typed, in their stored form, if they are valid.
fn stored_cuts(p: &Platform, kind: &str, typed: &str) -> Option<String> {
    let def = p.policy.kind(kind)?.field("cuts")?;
    matches!(def.ty, FieldType::Table(_))
        .then(|| domain::fields::normalise(def, typed).ok())
        .flatten()
}

/// The approval document for the FSR with these cuts.
pub async fn document(
    p: &Platform,
    who: &Principal,
    fsr: &ItemRow,
    cuts: &str,
    doc_number: &str,
) -> Result<OfficialDoc, AppError> {
    let i = &fsr.item;
    let (company, project) = {
        let mut c = p.store.read().await?;
        let company = store::orgs::all(&mut c)
            .await?
            .into_iter()
            .find(|o| o.id == i.owner_org)
            .map(|o| o.name_zh)
            .unwrap_or_else(|| "市属国有专业公司".into());
        (
            company,
            store::items::get_by_number(&mut c, i.field("project")).await?,
        )
    };
    let project_title = project
        .as_ref()
        .map(|r| r.title.clone())
        .unwrap_or_else(|| i.field("title").to_string());
    let self_funded = project
        .as_ref()
        .is_some_and(|r| r.item.field(ids::PROJECT_MODE) == ids::MODE_SELF_FUNDED);
    let lines = domain::table::baseline(i.field("budget_lines"), "amount", cuts);
    let asked: i64 = lines.iter().map(|l| l.requested_fen).sum();
    let approved: i64 = lines.iter().map(|l| l.approved_fen).sum();
    let rows = lines
        .iter()
        .map(|l| {
            let cell = |c: &str| l.cells.get(c).cloned().unwrap_or_default();
            vec![
                l.line.to_string(),
                cell("category"),
                cell("item"),
                wan(l.requested_fen),
                wan(l.approved_fen),
                l.reason.clone(),
            ]
        })
        .collect();
    let milestones: Vec<String> = domain::table::rows(i.field("milestones"))
        .iter()
        .map(|m| {
            let date = m
                .get("planned")
                .and_then(|d| domain::decide::parse_date(d))
                .map(gongwen::date_written_out)
                .unwrap_or_default();
            format!(
                "{}：{}前完成",
                m.get("name").cloned().unwrap_or_default(),
                date
            )
        })
        .collect();
    let mut body = vec![
        Block::Para(format!(
            "你公司报送的《{}》收悉。经市政务大数据中心审核、专家评审，根据《{}》第十四条规定，现批复如下：",
            i.field("title"),
            p.policy.title.zh
        )),
        Block::Heading(1, "建设内容".into()),
        Block::Para(format!("原则同意{}建设。{}", project_title, i.field("summary"))),
        Block::Heading(1, "投资估算".into()),
        Block::Para(format!(
            "项目申报总投资 {} 万元，核定总投资 {} 万元，核减 {} 万元。明细如下表。",
            wan(asked),
            wan(approved),
            wan(asked - approved)
        )),
        Block::Table(Table {
            headers: ["序号", "费用类别", "项目", "申报（万元）", "核定（万元）", "核减理由"]
                .map(String::from)
                .to_vec(),
            rows,
            total_row: Some(vec![
                "合计".into(),
                String::new(),
                String::new(),
                wan(asked),
                wan(approved),
                String::new(),
            ]),
            widths: vec![8, 14, 26, 15, 15, 22],
        }),
        Block::Heading(1, "建设周期".into()),
        Block::Para(milestones.join("；") + "。"),
        Block::Heading(1, "有关要求".into()),
        Block::Para(
            "请严格按照批复的建设内容、投资和工期组织实施；超出批复范围或投资的，须按规定履行变更程序后方可实施（第十五条）。"
                .into(),
        ),
    ];
    if self_funded {
        body.push(Block::Para(
            "本项目由你公司自筹资金建设，请按规定向市发改部门办理项目备案（第十四条第二款）。"
                .into(),
        ));
    }
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
        title: format!("关于{}可行性研究报告的批复", project_title),
        recipient: company,
        body,
        date: today,
        record_number: fsr.number.clone(),
        colophon: Some(colophon),
    })
}

/// The approval as a step's document (`document = "fsr_approval"` on the approve step).
pub struct FsrApproval;

impl DocumentMaker for FsrApproval {
    fn name(&self) -> &'static str {
        "fsr_approval"
    }

    fn title_zh(&self) -> &'static str {
        "可行性研究报告批复"
    }

    fn files(&self) -> DocFiles {
        DocFiles {
            purpose: "fsr_approval",
            docx: DOCX,
            pdf: PDF,
            docx_sm3: "approval_docx_sm3",
            pdf_sm3: "approval_pdf_sm3",
        }
    }

    fn reads(&self) -> &'static [&'static str] {
        &[
            "approval_no",
            "cuts",
            "budget_lines",
            "milestones",
            "project",
            "title",
            "summary",
        ]
    }

    /// Typeset only with a number and cuts the step would accept; otherwise the step refuses
    /// at the field and nothing is made.
    fn document<'a>(
        &'a self,
        read: &'a Read<'a>,
    ) -> BoxFut<'a, Result<Option<OfficialDoc>, AppError>> {
        Box::pin(async move {
            let number = read.input.get("approval_no").map_or("", |s| s.trim());
            let cuts = stored_cuts(
                read.p,
                &read.row.item.kind,
                read.input.get("cuts").map_or("", String::as_str),
            );
            let valid = cuts.as_ref().is_some_and(|c| {
                domain::table::check_cuts(read.row.item.field("budget_lines"), "amount", c).is_ok()
            });
            if number.is_empty() || !valid {
                return Ok(None);
            }
            let cuts = cuts.unwrap_or_default();
            Ok(Some(
                document(read.p, read.who, read.row, &cuts, number).await?,
            ))
        })
    }
}
