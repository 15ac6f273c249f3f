#![allow(clippy::unwrap_used, clippy::expect_used)]
//! PDF rendering: extract the text back and check content, page size, page numbers.

use crate::common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{ITEMS, out_dir, squash, task_book, xml_text, zip_part};
use gongwen::{Block, DocError, FontRole, Table, render_docx};
use typeset::{Fonts, render_pdf};

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::system)
}

fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).unwrap()
}

fn page_sizes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).unwrap();
            let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

fn info_string(pdf: &[u8], key: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info).unwrap();
    let s = info.get(key).unwrap().as_str().unwrap();
    lopdf::decode_text_string(&lopdf::Object::String(
        s.to_vec(),
        lopdf::StringFormat::Literal,
    ))
    .unwrap()
}

#[test]
fn pdf_task_book() {
    let fonts = fonts();
    eprintln!("{}", fonts.summary());
    let doc = task_book(5);
    let bytes = render_pdf(&doc, fonts).unwrap();
    std::fs::write(out_dir().join("taskbook.pdf"), &bytes).unwrap();

    let sizes = page_sizes(&bytes);
    assert!(!sizes.is_empty());
    for (w, h) in &sizes {
        assert!(
            (w - 595.28).abs() < 0.1 && (h - 841.89).abs() < 0.1,
            "not A4: {w} × {h}"
        );
    }

    let text = pdf_text(&bytes);
    let flat = squash(&text);
    for (i, (name, unit, budget, basis)) in ITEMS.iter().enumerate() {
        for s in [*name, *unit, *budget, *basis] {
            assert!(
                flat.contains(&squash(s)),
                "item {i}: {s} missing from PDF text"
            );
        }
    }
    for s in [
        "关于下达南阳市2027年度政务信息化项目建设任务书的通知",
        "宛政数〔2026〕12号",
        "南阳市数字城市建设运营有限公司：",
        "一、总体要求",
        "（一）建设任务",
        "（1）特殊字符<&>\"引号\"#[*_]$x$不作标记解析",
        "2026年11月28日",
        "本文件由统筹平台生成，记录编号RW-2027-0001",
        "4,892.65",
    ] {
        assert!(
            flat.contains(&squash(s)),
            "{s} missing from PDF text:\n{text}"
        );
    }
    assert!(
        text.contains("— 1 —"),
        "page number '— 1 —' missing:\n{text}"
    );

    let title = info_string(&bytes, b"Title");
    assert_eq!(title, doc.title);
    let keywords = info_string(&bytes, b"Keywords");
    assert!(keywords.contains("RW-2027-0001"), "{keywords}");
    let subject = info_string(&bytes, b"Subject");
    assert!(subject.contains("字体"), "font note missing: {subject}");
    if fonts.uses_fallback() {
        assert!(keywords.contains("字体替代"), "{keywords}");
        assert!(subject.contains("替代"), "{subject}");
    }

    // Deterministic.
    assert!(
        bytes == render_pdf(&doc, fonts).unwrap(),
        "PDF differs between two renderings"
    );
}

#[test]
fn pdf_long_table_paginates() {
    let fonts = fonts();
    let doc = task_book(40);
    let bytes = render_pdf(&doc, fonts).unwrap();
    std::fs::write(out_dir().join("taskbook-40.pdf"), &bytes).unwrap();
    let pages = page_sizes(&bytes).len();
    assert!(
        pages >= 3,
        "40 rows should need at least 3 pages, got {pages}"
    );
    let text = pdf_text(&bytes);
    for n in 1..=pages {
        assert!(
            text.contains(&format!("— {n} —")),
            "page number {n} missing"
        );
    }
    assert!(!text.contains(&format!("— {} —", pages + 1)));
    let flat = squash(&text);
    for i in [1usize, 20, 40] {
        let (name, ..) = ITEMS[(i - 1) % ITEMS.len()];
        let name = if i <= ITEMS.len() {
            name.to_owned()
        } else {
            format!("{name}（第{i}批）")
        };
        assert!(flat.contains(&squash(&name)), "row {i} missing");
    }
    // Header row repeats on every page that the table spans.
    assert!(
        flat.matches("预算（万元）").count() >= 2,
        "table header does not repeat"
    );
    // The record number is on every page.
    assert_eq!(
        flat.matches("记录编号RW-2027-0001").count(),
        pages,
        "record number not on every page"
    );

    let docx = render_docx(&doc).unwrap();
    std::fs::write(out_dir().join("taskbook-40.docx"), &docx).unwrap();
    let document = xml_text(&zip_part(&docx, "word/document.xml"));
    assert!(document.contains("（第40批）"));
}

#[test]
fn letterhead_and_fonts_report() {
    let fonts = fonts();
    assert!(fonts.face_count() > 0);
    for role in FontRole::ALL {
        let c = fonts.choice(role).unwrap();
        assert_eq!(c.official, role.official_name());
        assert!(
            c.family.is_some(),
            "no font for {role:?}: {}",
            fonts.summary()
        );
    }
    let mut doc = task_book(2);
    doc.letterhead = Some("南阳市政务服务和大数据管理局文件".into());
    let pdf = render_pdf(&doc, fonts).unwrap();
    std::fs::write(out_dir().join("letterhead.pdf"), &pdf).unwrap();
    assert!(squash(&pdf_text(&pdf)).contains("南阳市政务服务和大数据管理局文件"));
    let docx = render_docx(&doc).unwrap();
    assert!(
        xml_text(&zip_part(&docx, "word/document.xml"))
            .contains("南阳市政务服务和大数据管理局文件")
    );
}

#[test]
fn invalid_documents_are_refused_pdf() {
    let mut doc = task_book(3);
    doc.body.push(Block::Table(Table {
        headers: vec!["a".into(), "b".into()],
        rows: vec![vec!["1".into()]],
        total_row: None,
        widths: vec![],
    }));
    assert!(matches!(
        render_pdf(&doc, fonts()),
        Err(DocError::Invalid(_))
    ));

    let empty = Fonts::from_dirs(&[PathBuf::from("/nonexistent")]);
    assert!(empty.uses_fallback());
    assert!(matches!(
        render_pdf(&task_book(1), &empty),
        Err(DocError::NoCjkFont(_))
    ));
}
