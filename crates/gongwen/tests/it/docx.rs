#![allow(clippy::unwrap_used, clippy::expect_used)]
//! .docx rendering: read the package back and check content, fonts, margins, footer.

use crate::common;

use common::{ITEMS, out_dir, task_book, xml_text, zip_part};
use gongwen::{Block, DocError, Table, render_docx};

#[test]
fn docx_task_book() {
    let doc = task_book(5);
    let bytes = render_docx(&doc).unwrap();
    std::fs::write(out_dir().join("taskbook.docx"), &bytes).unwrap();

    // docx-rs can read it back.
    let parsed = docx_rs::read_docx(&bytes).unwrap();
    let sect = &parsed.document.section_property;
    let json = serde_json::to_value(sect).unwrap();
    let margin = &json["pageMargin"];
    assert_eq!(margin["top"], 2098, "top margin 37 mm in twips: {margin}");
    assert_eq!(margin["left"], 1587, "left margin 28 mm in twips: {margin}");
    assert_eq!(margin["right"], 1475, "156 mm text width: {margin}");
    assert_eq!(margin["bottom"], 1984, "225 mm text height: {margin}");
    assert_eq!(json["pageSize"]["w"], 11906, "A4 width");
    assert_eq!(json["pageSize"]["h"], 16838, "A4 height");

    let document = zip_part(&bytes, "word/document.xml");
    let text = xml_text(&document);
    for (i, (name, unit, budget, basis)) in ITEMS.iter().enumerate() {
        for s in [*name, *unit, *budget, *basis] {
            assert!(text.contains(s), "item {i}: {s} missing from document.xml");
        }
    }
    for s in [
        "宛政数〔2026〕12号",
        "关于下达南阳市2027年度政务信息化项目建设任务书的通知",
        "南阳市数字城市建设运营有限公司：",
        "一、总体要求",
        "（一）建设任务",
        "1.进度安排",
        "（1）特殊字符 <&> \"引号\" #[*_] $x$ 不作标记解析",
        "（二）工作要求",
        "2026年11月28日",
        "4,892.65",
    ] {
        assert!(text.contains(s), "{s} missing from document.xml");
    }
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"] {
        assert!(
            document.contains(&format!(r#"w:eastAsia="{font}""#)),
            "East-Asian font {font} not named"
        );
    }
    assert!(
        document.contains("<w:tblHeader />"),
        "table header row does not repeat"
    );
    assert!(
        document.contains(r#"w:type="lines" w:linePitch="579""#)
            && document.contains(r#"<w:spacing w:val="-5" />"#),
        "22 × 28 line grid missing"
    );

    let footers: Vec<String> = (1..=2)
        .map(|i| zip_part(&bytes, &format!("word/footer{i}.xml")))
        .collect();
    for f in &footers {
        assert!(
            xml_text(f).contains("本文件由统筹平台生成，记录编号 RW-2027-0001"),
            "footer without record number: {f}"
        );
        assert!(f.contains("PAGE"), "footer without page field");
        assert!(xml_text(f).contains("— "), "page number without dashes");
    }
    assert!(zip_part(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
    // Only the red separator line under the document number, no box.
    assert!(document.contains(r#"w:color="E60012""#));
    assert!(
        !document.contains("<w:pBdr><w:left"),
        "paragraph framed on all sides"
    );

    let core = zip_part(&bytes, "docProps/core.xml");
    assert!(
        core.contains("<dc:title>关于下达南阳市2027年度政务信息化项目建设任务书的通知</dc:title>")
    );
    assert!(core.contains("仿宋_GB2312") && core.contains("方正小标宋简体"));
    assert!(core.contains("2026-11-28T00:00:00Z"));
    let custom = zip_part(&bytes, "docProps/custom.xml");
    assert!(
        custom.contains("RW-2027-0001") && custom.contains("楷体_GB2312"),
        "{custom}"
    );

    // Deterministic.
    let again = render_docx(&doc).unwrap();
    let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..]))
        .unwrap()
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    for name in names.iter().filter(|n| !n.ends_with('/')) {
        let (a, b) = (zip_part(&bytes, name), zip_part(&again, name));
        assert!(
            a == b,
            "{name} differs between two renderings:\n{a}\n---\n{b}"
        );
    }
    assert!(bytes == again, "docx bytes differ between two renderings");
}

#[test]
fn invalid_documents_are_refused() {
    let mut doc = task_book(3);
    doc.body.push(Block::Table(Table {
        headers: vec!["a".into(), "b".into()],
        rows: vec![vec!["1".into()]],
        total_row: None,
        widths: vec![],
    }));
    assert!(matches!(render_docx(&doc), Err(DocError::Invalid(_))));
    let mut doc = task_book(1);
    doc.body.push(Block::Heading(0, "x".into()));
    assert!(matches!(render_docx(&doc), Err(DocError::Invalid(_))));
}
