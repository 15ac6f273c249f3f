//! PDF rendering with typst as a library.
//!
//! The layout lives in a fixed template (`template.typ`); the document reaches it as the JSON
//! virtual file `/data.json`, so no user text is ever parsed as typst markup.

use chrono::Datelike;
use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontStretch, FontStyle, FontVariant, FontWeight};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::fonts::Fonts;
use gongwen::FontRole;
use gongwen::{DocError, OfficialDoc, Prepared};

const TEMPLATE: &str = include_str!("template.typ");

#[derive(Serialize)]
struct FontSpec {
    families: Vec<String>,
    weight: &'static str,
    /// Whether the first family has a real bold face (else level-3 headings are emboldened).
    bold_face: bool,
}

#[derive(Serialize)]
struct Meta {
    title: String,
    author: String,
    description: String,
    keywords: Vec<String>,
}

#[derive(Serialize)]
struct Data<'a> {
    meta: Meta,
    fonts: std::collections::BTreeMap<&'static str, FontSpec>,
    letterhead: Option<&'a str>,
    doc_number: &'a str,
    title: Vec<String>,
    recipient: String,
    body: Vec<Prepared>,
    issuer: &'a str,
    date: String,
    footer: String,
    colophon: Option<ColophonData>,
}

/// 版记 as the template prints it.
#[derive(Serialize)]
struct ColophonData {
    copy: Option<String>,
    printed_by: String,
    printed: String,
}

fn font_spec(fonts: &Fonts, role: FontRole) -> Result<FontSpec, DocError> {
    let choice = fonts
        .choice(role)
        .ok_or(DocError::NoCjkFont(role.official_name()))?;
    let family = choice
        .family
        .clone()
        .ok_or(DocError::NoCjkFont(role.official_name()))?;
    let bold_face = fonts
        .book
        .select(
            &family.to_lowercase(),
            FontVariant::new(FontStyle::Normal, FontWeight::BOLD, FontStretch::NORMAL),
        )
        .and_then(|i| fonts.book.info(i))
        .is_some_and(|info| info.variant.weight.to_number() >= 600);
    let mut families = vec![family];
    // Glyphs missing from an official font (rare characters) come from Noto.
    for noto in ["Noto Serif CJK SC", "Noto Sans CJK SC"] {
        if !families.iter().any(|f| f == noto) && fonts.book.contains_family(&noto.to_lowercase()) {
            families.push(noto.to_owned());
        }
    }
    Ok(FontSpec {
        families,
        weight: if choice.bold { "bold" } else { "regular" },
        bold_face,
    })
}

struct DocWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a Fonts,
    main_id: FileId,
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main_id {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main_id {
            Ok(Bytes::from_string(self.main.text().to_owned()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn file_id(path: &str) -> Result<FileId, DocError> {
    let vpath = VirtualPath::new(path).map_err(|e| DocError::Typst(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn diagnostics(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
            if hints.is_empty() {
                d.message.to_string()
            } else {
                format!("{} ({})", d.message, hints.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Compiles `template` with `json` as `/data.json`.
fn compile(
    template: &str,
    json: Vec<u8>,
    fonts: &Fonts,
    today: Datetime,
) -> Result<PagedDocument, DocError> {
    let main_id = file_id("/main.typ")?;
    let world = DocWorld {
        library: LazyHash::new(Library::builder().build()),
        fonts,
        main_id,
        main: Source::new(main_id, template.to_owned()),
        data_id: file_id("/data.json")?,
        data: Bytes::new(json),
        today,
    };
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|diags| DocError::Typst(diagnostics(&diags)))
}

/// Renders the document as PDF (A4, GB/T 9704-2012), typeset by typst with the given fonts.
///
/// Where the official fonts are missing, Noto Serif/Sans CJK SC stand in and the PDF's
/// description and keywords say so. Output is deterministic: the creation date is `doc.date`
/// and the document identifier derives from the record number.
pub fn render_pdf(doc: &OfficialDoc, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    let body = gongwen::prepare(doc)?;
    let mut font_map = std::collections::BTreeMap::new();
    for (key, role) in [
        ("title", FontRole::Title),
        ("body", FontRole::Body),
        ("hei", FontRole::Hei),
        ("kai", FontRole::Kai),
        ("song", FontRole::Song),
    ] {
        font_map.insert(key, font_spec(fonts, role)?);
    }
    let mut keywords = vec![
        "公文".to_owned(),
        "GB/T 9704-2012".to_owned(),
        doc.doc_number.clone(),
        format!("记录编号 {}", doc.record_number.trim()),
    ];
    if fonts.uses_fallback() {
        keywords.push("字体替代 Noto CJK".to_owned());
    } else {
        keywords.push("官方字体".to_owned());
    }
    let data = Data {
        meta: Meta {
            title: doc.title.clone(),
            author: doc.issuer.clone(),
            description: format!(
                "{}。{}。{}",
                doc.doc_number,
                fonts.summary(),
                gongwen::footer_text(doc)
            ),
            keywords,
        },
        fonts: font_map,
        letterhead: doc.letterhead.as_deref().filter(|s| !s.trim().is_empty()),
        doc_number: &doc.doc_number,
        title: gongwen::title_lines(&doc.title),
        recipient: gongwen::recipient_line(doc),
        body,
        issuer: &doc.issuer,
        date: gongwen::date_written_out(doc.date),
        footer: gongwen::footer_text(doc),
        colophon: doc.colophon.as_ref().map(|c| ColophonData {
            copy: c.copy_line(),
            printed_by: c.printed_by.clone(),
            printed: c.printed_line(),
        }),
    };
    let json = serde_json::to_vec(&data)?;

    let month = u8::try_from(doc.date.month()).map_err(|e| DocError::Invalid(e.to_string()))?;
    let day = u8::try_from(doc.date.day()).map_err(|e| DocError::Invalid(e.to_string()))?;
    let today = Datetime::from_ymd(doc.date.year(), month, day)
        .ok_or_else(|| DocError::Invalid(format!("date {} out of range", doc.date)))?;

    let document = compile(TEMPLATE, json, fonts, today);
    // typst memoises across compilations; without eviction a long-running server grows.
    typst::comemo::evict(2);
    let document = document?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("tongchou/{}/{}", doc.record_number, doc.doc_number)),
        creator: Smart::Custom(Some("统筹平台 (typst)".to_owned())),
        timestamp: Some(Timestamp::new_utc(today)),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|diags| DocError::Typst(diagnostics(&diags)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Debug aid: `DOCS_TYP=file.typ cargo test --lib typ_scratch -- --ignored` writes
    /// /tmp/scratch.pdf.
    #[test]
    #[ignore]
    fn typ_scratch() {
        let src = std::fs::read_to_string(std::env::var("DOCS_TYP").unwrap()).unwrap();
        let fonts = Fonts::system();
        let doc = compile(
            &src,
            b"{}".to_vec(),
            &fonts,
            Datetime::from_ymd(2026, 1, 1).unwrap(),
        )
        .unwrap();
        std::fs::write(
            "/tmp/scratch.pdf",
            typst_pdf::pdf(&doc, &PdfOptions::default()).unwrap(),
        )
        .unwrap();
    }
}
