//! `document = "..."`: the platform generates an official document with the step, as .docx
//! and PDF. The files are typeset before the write (it takes a moment); inside the write the
//! digests become the step's system fields and the files are kept with the item, so a
//! refused step keeps nothing and a kept file is always the one the record names.

use super::{BoxFut, Capability, Read, Ready};
use crate::items::ItemRow;
use crate::{AppError, Platform, Principal};
use domain::policy::Transition;
use domain::{Input, ItemId};
use gongwen::OfficialDoc;
use store::Conn;

/// Where a document's files go and which fields carry their digests.
#[derive(Debug, Clone, Copy)]
pub struct DocFiles {
    /// What the files are kept as (`files.purpose`).
    pub purpose: &'static str,
    pub docx: &'static str,
    pub pdf: &'static str,
    /// The system fields that carry the SM3 of each file.
    pub docx_sm3: &'static str,
    pub pdf_sm3: &'static str,
}

/// Makes one kind of official document for a step.
pub trait DocumentMaker: Send + Sync {
    /// The name a transition's `document` gives.
    fn name(&self) -> &'static str;
    /// What the document is called, in Chinese (an acceptance dossier lists it so).
    fn title_zh(&self) -> &'static str;
    fn files(&self) -> DocFiles;
    /// The fields of the item's kind the maker reads (besides the digests).
    fn reads(&self) -> &'static [&'static str];
    /// The document for this step, or `None` when the input lacks what it needs (the step
    /// then refuses at the field, and nothing is typeset).
    fn document<'a>(
        &'a self,
        read: &'a Read<'a>,
    ) -> BoxFut<'a, Result<Option<OfficialDoc>, AppError>>;
    /// What else the document depends on and must not change before the write (the plan's
    /// lines); empty when only the item itself matters.
    fn depends<'c>(
        &'c self,
        _c: &'c mut Conn,
        _row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Vec<String>, AppError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

static MAKERS: [&dyn DocumentMaker; 3] = [
    &crate::taskbook::TaskBook,
    &crate::approval::FsrApproval,
    &crate::construction::dossier::Dossier,
];

pub(super) fn maker(name: &str) -> Option<&'static dyn DocumentMaker> {
    MAKERS.iter().copied().find(|m| m.name() == name)
}

/// The files of every document the platform generates.
pub fn generated() -> impl Iterator<Item = DocFiles> {
    MAKERS.iter().map(|m| m.files())
}

/// What a generated file is called in Chinese ("可研批复（PDF）"), if the platform made it.
pub fn label_of(file: &str) -> Option<String> {
    MAKERS.iter().find_map(|m| {
        let f = m.files();
        if file == f.docx {
            Some(format!("{}（Word）", m.title_zh()))
        } else if file == f.pdf {
            Some(format!("{}（PDF）", m.title_zh()))
        } else {
            None
        }
    })
}

pub(super) fn names() -> Vec<&'static str> {
    MAKERS.iter().map(|m| m.name()).collect()
}

/// The fields each declared document needs on its kind, for the policy check.
pub(super) fn needs(name: &str) -> Vec<&'static str> {
    maker(name)
        .map(|m| {
            let f = m.files();
            let mut v = m.reads().to_vec();
            v.extend([f.docx_sm3, f.pdf_sm3]);
            v
        })
        .unwrap_or_default()
}

pub(super) struct Document;

impl Capability for Document {
    fn declared(&self, t: &Transition) -> bool {
        t.document.is_some()
    }

    fn prepare<'a>(&'a self, read: &'a Read<'a>) -> BoxFut<'a, Result<Box<dyn Ready>, AppError>> {
        Box::pin(async move {
            let name = read.t.document.as_deref().unwrap_or_default();
            let maker = maker(name).ok_or(AppError::NotFound)?;
            let depends = {
                let mut c = read.p.store.read().await?;
                maker.depends(&mut c, read.row).await?
            };
            let files = match read.may {
                true => match maker.document(read).await? {
                    Some(doc) => Some(render(read.p, doc).await?),
                    None => None,
                },
                false => None,
            };
            Ok(Box::new(Made {
                maker,
                depends,
                files,
            }) as Box<dyn Ready>)
        })
    }
}

struct Made {
    maker: &'static dyn DocumentMaker,
    depends: Vec<String>,
    files: Option<(Vec<u8>, Vec<u8>)>,
}

impl Ready for Made {
    fn system<'c>(
        &'c mut self,
        c: &'c mut Conn,
        _p: &'c Platform,
        _who: &'c Principal,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Input, AppError>> {
        Box::pin(async move {
            // What the files were made from must still be so (a leader's consent in between
            // would otherwise be missing from the issued document).
            if self.maker.depends(c, row).await? != self.depends {
                return Err(AppError::Conflict);
            }
            let mut system = Input::new();
            if let Some((docx, pdf)) = &self.files {
                let f = self.maker.files();
                system.insert(f.docx_sm3.into(), crypto::sm3_hex(docx));
                system.insert(f.pdf_sm3.into(), crypto::sm3_hex(pdf));
            }
            Ok(system)
        })
    }

    fn after<'c>(
        &'c mut self,
        c: &'c mut Conn,
        p: &'c Platform,
        who: &'c Principal,
        id: ItemId,
    ) -> BoxFut<'c, Result<(), AppError>> {
        Box::pin(async move {
            if let Some(files) = &self.files {
                keep(c, p, who, id, self.maker.files(), files).await?;
            }
            Ok(())
        })
    }
}

const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const PDF_TYPE: &str = "application/pdf";

/// Renders both files off the async threads (typesetting takes a moment).
pub async fn render(p: &Platform, doc: OfficialDoc) -> Result<(Vec<u8>, Vec<u8>), AppError> {
    let typesetter = p.settings.typesetter.clone();
    tokio::task::spawn_blocking(move || {
        let docx = gongwen::render_docx(&doc)?;
        let pdf = typesetter.pdf(&doc)?;
        Ok::<_, gongwen::DocError>((docx, pdf))
    })
    .await
    .map_err(|_| AppError::Conflict)?
    .map_err(|e| {
        AppError::Invalid(domain::Text::new(
            format!("文件生成失败：{e}"),
            format!("The document could not be generated: {e}"),
        ))
    })
}

/// Keeps a generated document's two files with the item, each with its digest.
async fn keep(
    c: &mut Conn,
    p: &Platform,
    who: &Principal,
    id: ItemId,
    f: DocFiles,
    (docx, pdf): &(Vec<u8>, Vec<u8>),
) -> Result<(), AppError> {
    let at = store::timestamp(p.now());
    for (name, media_type, bytes) in [(f.docx, DOCX_TYPE, docx), (f.pdf, PDF_TYPE, pdf)] {
        store::files::insert(
            c,
            &store::files::NewFile {
                item_id: id.get(),
                purpose: f.purpose,
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

/// How a document of `issuer` is headed and closed in this deployment: its 发文机关标志 and
/// its 版记 (抄送 the supervising organs of the given kinds, as the city's register names
/// them; printed by the issuer's office on `on`).
pub async fn masthead_and_colophon(
    p: &Platform,
    issuer: &str,
    copy_kinds: &[&str],
    on: chrono::NaiveDate,
) -> Result<(String, gongwen::Colophon), AppError> {
    let set = &p.settings.documents;
    let masthead = set
        .masthead
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{issuer}文件"));
    let printed_by = set
        .printed_by
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{issuer}办公室"));
    let mut c = p.store.read().await?;
    let orgs = store::orgs::all(&mut c).await?;
    let copy_to = copy_kinds
        .iter()
        .filter_map(|k| orgs.iter().find(|o| o.kind == *k))
        .map(|o| o.name_zh.clone())
        .collect();
    Ok((
        masthead,
        gongwen::Colophon {
            copy_to,
            printed_by,
            printed_on: on,
        },
    ))
}
