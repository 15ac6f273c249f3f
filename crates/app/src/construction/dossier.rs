//! The acceptance dossier (验收档案, art. 16, R16.3): every document of a project from its
//! demands to the final acceptance, each with its SM3 digest, generated with the Company's
//! step on the signed final acceptance as a Chinese .docx and PDF (GB/T 9704), and checked
//! against the record at any time: each file's bytes must still give the digest it was kept
//! with, and the item's hash-chained record must name that digest.

use crate::steps::{BoxFut, DocFiles, DocumentMaker, Read};
use crate::{AppError, Platform, Principal};
use gongwen::{Block, OfficialDoc, Table};
use store::Conn;
use store::items::ItemRow;

pub const DOCX: &str = "acceptance-dossier.docx";
pub const PDF: &str = "acceptance-dossier.pdf";
/// What the dossier's own files are kept as; a dossier does not list an earlier dossier.
const PURPOSE: &str = "dossier";

/// One document of the project as the dossier lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub item: String,
    /// The kind of item it belongs to, in Chinese (需求, 可行性研究报告 …).
    pub kind_zh: String,
    pub item_title: String,
    pub name: String,
    pub sm3: String,
    pub kept_at: String,
    /// The bytes still give the digest, and the item's record names it.
    pub verified: bool,
}

/// The items of the project in the dossier's order: its plan line's demands and the line, the
/// project, what belongs to it and what belongs to those (an inspection's rectifications), up
/// to the final acceptance's sign-off (a system registered after the handover is O&M's, not
/// the acceptance's).
async fn items_of(
    c: &mut Conn,
    p: &Platform,
    project: &ItemRow,
    until: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<Vec<ItemRow>, AppError> {
    let mut out = Vec::new();
    let line_field = p
        .policy
        .kind(&project.item.kind)
        .and_then(|k| k.parent_field.clone())
        .unwrap_or_default();
    if let Some(line) = store::items::get_by_number(c, project.item.field(&line_field)).await? {
        for d in domain::fields::numbers_in(line.item.field("demands")) {
            if let Some(row) = store::items::get_by_number(c, d).await? {
                out.push(row);
            }
        }
        out.push(line);
    }
    out.extend(under(c, project).await?);
    let made = |r: &ItemRow| chrono::DateTime::parse_from_rfc3339(&r.created_at).ok();
    out.retain(|r| match (until, made(r)) {
        (Some(until), Some(made)) => made <= until,
        _ => true,
    });
    Ok(out)
}

/// The project and what belongs to it, two levels down (an inspection's rectifications).
async fn under(c: &mut Conn, project: &ItemRow) -> Result<Vec<ItemRow>, AppError> {
    let mut out = vec![project.clone()];
    let mut level = vec![project.number.clone()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for parent in &level {
            let rows = store::items::children(c, parent).await?;
            next.extend(rows.iter().map(|r| r.number.clone()));
            out.extend(rows);
        }
        level = next;
    }
    Ok(out)
}

/// The documents an item's record names: each line (`digest name`) of its file fields, and the
/// digest of each document the platform generated with it (a 批复's Word and PDF), by field.
/// The dossier's own files are not its contents.
fn documents_of(p: &Platform, row: &ItemRow) -> Vec<(String, String)> {
    let Some(kind) = p.policy.kind(&row.item.kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in kind
        .fields
        .iter()
        .filter(|f| f.ty == domain::policy::FieldType::Files)
    {
        for line in row.item.field(&f.id).lines() {
            if let Some((digest, name)) = line.split_once(' ') {
                out.push((name.trim().to_string(), digest.to_string()));
            }
        }
    }
    for files in crate::steps::documents::generated() {
        if files.purpose == PURPOSE {
            continue;
        }
        for (name, field) in [(files.docx, files.docx_sm3), (files.pdf, files.pdf_sm3)] {
            let digest = row.item.field(field);
            if kind.field(field).is_some() && !digest.is_empty() {
                out.push((name.to_string(), digest.to_string()));
            }
        }
    }
    out
}

/// The sign-off's time: the dossier covers what the record held by then.
fn signed_at(fa: &ItemRow) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(fa.item.field("signed_at")).ok()
}

/// Every document of the project of the final acceptance `fa` that `who` may read, each
/// checked: the record names it (the item's file field or generated-document field, as the
/// hash-chained record keeps them), a file is kept under that digest, and its bytes still give
/// it. A file removed or altered is listed as not matching, never left out.
pub async fn entries(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    fa: &ItemRow,
    project: &ItemRow,
) -> Result<Vec<Entry>, AppError> {
    let mut out = Vec::new();
    for row in items_of(c, p, project, signed_at(fa)).await? {
        if !domain::permissions::can_see(&p.policy, &who.actor, &row.item) {
            continue;
        }
        let kind_zh = p
            .policy
            .kind(&row.item.kind)
            .map(|k| k.name.zh.clone())
            .unwrap_or_default();
        for (name, digest) in documents_of(p, &row) {
            let kept = store::files::by_digest(c, row.item.id.get(), &digest).await?;
            let verified = kept
                .as_ref()
                .is_some_and(|f| crypto::sm3_hex(&f.content) == digest);
            out.push(Entry {
                item: row.number.clone(),
                kind_zh: kind_zh.clone(),
                item_title: row.title.clone(),
                verified,
                name: crate::steps::documents::label_of(&name).unwrap_or(name),
                sm3: digest,
                kept_at: kept
                    .map(|f| f.created_at.chars().take(10).collect())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// The dossier of the final acceptance `fa` as the record stands now: every document of its
/// project the reader may see, each checked (the page beside the dossier, and `verified` false
/// for any file whose bytes or record no longer agree).
pub async fn check(
    p: &Platform,
    who: &Principal,
    fa: domain::ItemId,
) -> Result<Vec<Entry>, AppError> {
    let row = crate::items::view(p, who, fa).await?.row;
    let mut c = p.store.read().await?;
    let project = store::items::get_by_number(&mut c, row.item.field("project"))
        .await?
        .ok_or(AppError::NotFound)?;
    entries(&mut c, p, who, &row, &project).await
}

/// A digest in four groups of sixteen, so that a table cell can break it.
fn grouped(sm3: &str) -> String {
    sm3.as_bytes()
        .chunks(16)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The dossier of the final acceptance `fa` as it will be kept.
async fn document(
    p: &Platform,
    who: &Principal,
    fa: &ItemRow,
    dossier_no: &str,
) -> Result<OfficialDoc, AppError> {
    let mut c = p.store.read().await?;
    let project = store::items::get_by_number(&mut c, fa.item.field("project"))
        .await?
        .ok_or(AppError::NotFound)?;
    let listed = entries(&mut c, p, who, fa, &project).await?;
    let issuer = store::orgs::get(&mut c, fa.item.owner_org)
        .await?
        .map(|o| o.name_zh)
        .unwrap_or_default();
    let unchecked = listed.iter().filter(|e| !e.verified).count();
    let rows = listed
        .iter()
        .enumerate()
        .map(|(n, e)| {
            vec![
                (n + 1).to_string(),
                format!("{}\n{}", e.kind_zh, e.item),
                e.name.clone(),
                e.kept_at.clone(),
                grouped(&e.sm3),
            ]
        })
        .collect();
    let mut body = vec![
        Block::Para(format!(
            "根据《{}》第十六条，{}项目已通过竣工验收，现将项目自需求申报至竣工验收的全部文件列为验收档案。每份文件附 SM3 摘要，可在统筹平台核验与记录一致。",
            p.policy.title.zh, project.title
        )),
        Block::Heading(1, "档案文件目录".into()),
        Block::Table(Table {
            headers: ["序号", "所属事项", "文件名称", "归档日期", "SM3 摘要"]
                .map(String::from)
                .to_vec(),
            rows,
            total_row: None,
            widths: vec![8, 20, 19, 15, 38],
        }),
        Block::Heading(1, "核验情况".into()),
    ];
    body.push(Block::Para(if unchecked == 0 {
        format!("共 {} 份文件，均与平台记录一致。", listed.len())
    } else {
        format!(
            "共 {} 份文件，其中 {unchecked} 份与平台记录不一致，请核查。",
            listed.len()
        )
    }));
    Ok(OfficialDoc {
        issuer,
        letterhead: None,
        doc_number: dossier_no.to_string(),
        title: format!("关于{}验收档案的说明", project.title),
        recipient: "南阳市政务大数据中心".into(),
        body,
        date: p.today(),
        record_number: fa.number.clone(),
        colophon: None,
    })
}

pub struct Dossier;

impl DocumentMaker for Dossier {
    fn name(&self) -> &'static str {
        "acceptance_dossier"
    }

    fn title_zh(&self) -> &'static str {
        "验收档案"
    }

    fn files(&self) -> DocFiles {
        DocFiles {
            purpose: PURPOSE,
            docx: DOCX,
            pdf: PDF,
            docx_sm3: "dossier_docx_sm3",
            pdf_sm3: "dossier_pdf_sm3",
        }
    }

    fn reads(&self) -> &'static [&'static str] {
        &["dossier_no", "project"]
    }

    fn document<'a>(
        &'a self,
        read: &'a Read<'a>,
    ) -> BoxFut<'a, Result<Option<OfficialDoc>, AppError>> {
        Box::pin(async move {
            let Some(number) = read.typed("dossier_no") else {
                return Ok(None);
            };
            Ok(Some(document(read.p, read.who, read.row, number).await?))
        })
    }

    /// The items the dossier reads, at their versions (no file is read inside the writer): a
    /// document kept in between would be missing from it.
    fn depends<'c>(
        &'c self,
        c: &'c mut Conn,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Vec<String>, AppError>> {
        Box::pin(async move {
            let Some(project) = store::items::get_by_number(c, row.item.field("project")).await?
            else {
                return Ok(Vec::new());
            };
            Ok(under(c, &project)
                .await?
                .iter()
                .map(|r| format!("{}:{}", r.number, r.version))
                .collect())
        })
    }
}
