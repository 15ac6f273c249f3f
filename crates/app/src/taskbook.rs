//! The annual construction task book (年度建设任务书, art. 13(1), R13.5): generated from the
//! approved plan as a Chinese .docx and PDF in the official-document format, both files kept
//! with their SM3 digests, and the digests written into the plan's record in the same
//! transaction as the step that issues it.

use crate::items::{Command, Target};
use crate::{AppError, Platform, Principal};
use docs::{Block, Fonts, OfficialDoc, Table};
use domain::{Input, ItemId, Money, Text};
use std::sync::OnceLock;
use store::items::ItemRow;

pub const DOCX: &str = "taskbook.docx";
pub const PDF: &str = "taskbook.pdf";
const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const PDF_TYPE: &str = "application/pdf";

/// The system's fonts, found once (scanning the font directories takes a moment).
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::system)
}

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
            .find(|o| o.kind == "Company")
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
        let basis = if r.item.kind == "emergency" {
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
        .map(docs::date_written_out)
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
            "{}年度共安排建设项目 {} 个，预算合计 {} 万元，具体如下表。",
            year,
            rows.len(),
            Money::from_fen(view.total_fen).wan_string()
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
            widths: vec![8, 34, 24, 16, 22],
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
    Ok(OfficialDoc {
        issuer: who.org.name_zh.clone(),
        letterhead: None,
        doc_number: doc_number.to_string(),
        title: format!("关于下达{}年度数字政府和新型智慧城市建设任务书的通知", year),
        recipient: company,
        body,
        date: crate::clock::now().date_naive(),
        record_number: plan.number.clone(),
    })
}

/// Renders both files off the async threads (typesetting takes a moment).
pub async fn render(doc: OfficialDoc) -> Result<(Vec<u8>, Vec<u8>), AppError> {
    tokio::task::spawn_blocking(move || {
        let docx = docs::render_docx(&doc)?;
        let pdf = docs::render_pdf(&doc, fonts())?;
        Ok::<_, docs::DocError>((docx, pdf))
    })
    .await
    .map_err(|_| AppError::Conflict)?
    .map_err(|e| {
        AppError::Invalid(Text::new(
            format!("任务书生成失败：{e}"),
            format!("The task book could not be generated: {e}"),
        ))
    })
}

/// Issues the task book of an approved plan (R13.5): the files are generated first, then the
/// step, the files and their digests are written together; a refused step keeps nothing.
pub async fn issue(
    p: &Platform,
    who: &Principal,
    plan_id: ItemId,
    mut input: Input,
) -> Result<ItemId, AppError> {
    let view = crate::items::view(p, who, plan_id).await?;
    let doc_number = input
        .get("taskbook_no")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    // Render only for someone who may issue it now, with a number: otherwise the step
    // itself refuses, with the reason, and nothing is typeset.
    let may_issue = view.actions.iter().any(|t| t.id == "issue_taskbook");
    let lines_read = {
        let mut c = p.store.read().await?;
        lines_fingerprint(&mut c, &view.row.number).await?
    };
    let files = if doc_number.is_empty() || !may_issue {
        None
    } else {
        let doc = document(p, who, &view.row, &doc_number).await?;
        Some(render(doc).await?)
    };
    let mut system = Input::new();
    if let Some((docx, pdf)) = &files {
        system.insert("taskbook_docx_sm3".into(), crypto::sm3_hex(docx));
        system.insert("taskbook_pdf_sm3".into(), crypto::sm3_hex(pdf));
    }
    input.retain(|k, _| k == "taskbook_no");
    let cmd = Command {
        action: "issue_taskbook".into(),
        input,
        then: None,
        idempotency_key: None,
    };
    let (p2, who2) = (p.clone(), who.clone());
    let read_version = view.row.version;
    p.store
        .write(move |c| {
            Box::pin(async move {
                // The plan, its lines and its emergency items must still be as they were when
                // the files were made (a leader's consent in between would be missing).
                let now = store::items::get(c, plan_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if now.version != read_version
                    || lines_fingerprint(c, &now.number).await? != lines_read
                {
                    return Err(AppError::Conflict);
                }
                let id = crate::items::step(c, &p2, &who2, Target::Existing(plan_id), cmd, system)
                    .await?;
                if let Some(files) = &files {
                    keep(c, id, "taskbook", (DOCX, PDF), files, &who2).await?;
                }
                Ok(id)
            })
        })
        .await
}

/// Keeps a generated document's two files (.docx, .pdf) with the item, each with its digest.
pub(crate) async fn keep(
    c: &mut store::Conn,
    id: ItemId,
    purpose: &str,
    (docx_name, pdf_name): (&str, &str),
    (docx, pdf): &(Vec<u8>, Vec<u8>),
    who: &Principal,
) -> Result<(), AppError> {
    let at = store::timestamp(crate::clock::now());
    for (name, media_type, bytes) in [(docx_name, DOCX_TYPE, docx), (pdf_name, PDF_TYPE, pdf)] {
        store::files::insert(
            c,
            &store::files::NewFile {
                item_id: id.get(),
                purpose,
                name,
                media_type,
                sm3: &crypto::sm3_hex(bytes),
                content: bytes,
                uploaded_by: Some(who.user.id.get()),
                at: &at,
            },
        )
        .await?;
    }
    Ok(())
}

/// The ids, versions and states of everything that belongs to the plan.
async fn lines_fingerprint(
    c: &mut store::Conn,
    number: &str,
) -> Result<Vec<(i64, i64, String)>, AppError> {
    let mut out = Vec::new();
    for kind in ["plan_item", "emergency"] {
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
