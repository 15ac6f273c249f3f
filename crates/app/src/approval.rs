//! The Bureau's approval of a feasibility study (可研批复, art. 14, R14.2): generated with the
//! approve step as a Chinese .docx and PDF in the official-document format, listing every budget
//! line with the amount asked, the amount approved and the reason for each cut. Both files are
//! kept with their SM3 digests in the same transaction as the step.

use crate::items::{Command, Target};
use crate::{AppError, Platform, Principal};
use docs::{Block, OfficialDoc, Table};
use domain::policy::FieldType;
use domain::{Input, ItemId, Money};
use store::items::ItemRow;

pub const DOCX: &str = "fsr-approval.docx";
pub const PDF: &str = "fsr-approval.pdf";

fn wan(fen: i64) -> String {
    Money::from_fen(fen).wan_string()
}

/// The cuts as typed, in their stored form, if they are valid.
fn stored_cuts(p: &Platform, typed: &str) -> Option<String> {
    let def = p.policy.kind("fsr")?.field("cuts")?;
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
        .is_some_and(|r| r.item.field("mode") == "company_self_funded");
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
                .map(docs::date_written_out)
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
    Ok(OfficialDoc {
        issuer: who.org.name_zh.clone(),
        letterhead: Some(format!("{}文件", who.org.name_zh)),
        doc_number: doc_number.to_string(),
        title: format!("关于{}可行性研究报告的批复", project_title),
        recipient: company,
        body,
        date: crate::clock::now().date_naive(),
        record_number: fsr.number.clone(),
    })
}

/// Approves an FSR: the document is generated first, then the step, the files and their
/// digests are written together; a refused step keeps nothing.
pub async fn approve(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    mut input: Input,
    action: &str,
) -> Result<ItemId, AppError> {
    let view = crate::items::view(p, who, id).await?;
    let doc_number = input
        .get("approval_no")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let may = view.actions.iter().any(|t| t.id == action);
    let cuts = stored_cuts(p, input.get("cuts").map_or("", String::as_str));
    let valid = cuts.as_ref().is_some_and(|c| {
        domain::table::check_cuts(view.row.item.field("budget_lines"), "amount", c).is_ok()
    });
    let files = if doc_number.is_empty() || !may || !valid {
        None
    } else {
        let doc = document(
            p,
            who,
            &view.row,
            cuts.as_deref().unwrap_or(""),
            &doc_number,
        )
        .await?;
        Some(crate::taskbook::render(doc).await?)
    };
    let mut system = Input::new();
    if let Some((docx, pdf)) = &files {
        system.insert("approval_docx_sm3".into(), crypto::sm3_hex(docx));
        system.insert("approval_pdf_sm3".into(), crypto::sm3_hex(pdf));
    }
    let read_version = crate::items::expected_version(&input).unwrap_or(view.row.version);
    input.retain(|k, _| k == "approval_no" || k == "cuts");
    let cmd = Command {
        action: action.to_string(),
        input,
        then: None,
        idempotency_key: None,
    };
    let (p2, who2) = (p.clone(), who.clone());
    p.store
        .write(move |c| {
            Box::pin(async move {
                let now = store::items::get(c, id).await?.ok_or(AppError::NotFound)?;
                if now.version != read_version {
                    return Err(AppError::Conflict);
                }
                let id =
                    crate::items::step(c, &p2, &who2, Target::Existing(id), cmd, system).await?;
                if let Some(files) = &files {
                    crate::taskbook::keep(c, id, "fsr_approval", (DOCX, PDF), files, &who2).await?;
                }
                Ok(id)
            })
        })
        .await
}
