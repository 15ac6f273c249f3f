//! GB/T 9704-2012 on the documents the platform issues (issue 12, point 7): the task book
//! (R13.5) and the FSR approval (批复, R14.5) are read back from the files kept with the item,
//! as a clerk's word processor and PDF reader would see them, and checked for the masthead,
//! the document number's brackets, a title broken only between words, and the 版记.

use demo::principal;
use testkit::{Seed, each_backend_seeded, peek, test_day};

/// The text of the .docx's body.
fn docx_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut s = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The PDF's text lines, each without the spaces the extraction puts between characters.
fn pdf_lines(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem(bytes)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<String>())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A document number as GB/T 9704 writes it: organ code, year in 〔〕, serial, 号.
fn is_doc_number(s: &str) -> bool {
    let Some((code, rest)) = s.split_once('〔') else {
        return false;
    };
    let Some((year, serial)) = rest.split_once('〕') else {
        return false;
    };
    !code.is_empty()
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && serial
            .strip_suffix('号')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Checks one issued document in both files.
fn check(what: &str, docx: &[u8], pdf: &[u8], title: &[&str], number: &str) {
    let xml = docx_xml(docx);
    let lines = pdf_lines(pdf);
    let masthead = "南阳市政务服务和大数据管理局文件";
    // 发文机关标志: red, above the number.
    assert!(xml.contains(masthead), "{what}: the .docx has no masthead");
    assert!(xml.contains("E60012"), "{what}: the masthead is not red");
    assert_eq!(
        lines.first().map(String::as_str),
        Some(masthead),
        "{what}: {lines:?}"
    );
    // 发文字号 with 〔〕.
    assert!(is_doc_number(number), "{what}: {number}");
    assert!(lines.iter().any(|l| l == number), "{what}: {lines:?}");
    assert!(!xml.contains(&number.replace('〔', "[").replace('〕', "]")));
    // 标题: each line whole in the PDF, the lines one paragraph with breaks in the .docx.
    for l in title {
        assert!(
            lines.iter().any(|x| x == l),
            "{what}: title line {l} not in {lines:?}"
        );
    }
    let joined = title.join("");
    assert!(
        !lines.iter().any(|x| x == &joined),
        "{what}: the title is not broken"
    );
    // 版记: 抄送 the supervising organs, then who printed it and when, at the end.
    let copy = "抄送：南阳市发展和改革委员会，南阳市财政局，南阳市政务大数据中心。";
    let printed_by = "南阳市政务服务和大数据管理局办公室";
    let printed = format!("{}印发", gongwen::date_written_out(test_day()));
    for want in [copy, printed_by, printed.as_str()] {
        assert!(xml.contains(want), "{what}: the .docx lacks {want}");
    }
    // In the PDF the 版记 closes the text: after the signature and date, only the page's
    // own footer follows it.
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("抄送："))
        .expect("a 抄送 line");
    let tail: String = lines[at..].concat();
    let date_line = gongwen::date_written_out(test_day());
    assert!(
        lines[..at].iter().any(|l| l == &date_line),
        "{what}: {lines:?}"
    );
    let expected = format!("{copy}{printed_by}{printed}");
    assert!(
        tail.starts_with(&expected),
        "{what}: the PDF does not end with the 版记: {tail}"
    );
    assert!(
        tail[expected.len()..].contains("本文件由统筹平台生成"),
        "{what}: {tail}"
    );
}

/// R13.5, R14.5: the task book and the 批复 pass the GB/T 9704 layout checks.
#[tokio::test]
async fn r13_5_r14_5_the_task_book_and_the_approval_are_official_documents_by_gbt_9704() {
    for p in each_backend_seeded("gbt9704", Seed::Projects, test_day()).await {
        let head = principal(&p, "bureau.head").await.unwrap();
        let plan = peek::first(&p, "plan", "建设计划").await;
        assert_eq!(plan.item.state, "issued");
        let file = |id, name| {
            let (p, head) = (p.clone(), head.clone());
            async move {
                app::taskbook::file(&p, &head, id, name)
                    .await
                    .unwrap()
                    .content
            }
        };
        let (docx, pdf) = (
            file(plan.item.id, app::taskbook::DOCX).await,
            file(plan.item.id, app::taskbook::PDF).await,
        );
        let year = chrono::Datelike::year(&test_day());
        let first = format!("关于下达{year}年度数字政府和");
        check(
            "task book",
            &docx,
            &pdf,
            &[first.as_str(), "新型智慧城市建设任务书的通知"],
            plan.item.field("taskbook_no"),
        );
        let fsr = peek::first(&p, "fsr", "可行性").await;
        let fsr = app::items::view(&p, &head, fsr.item.id).await.unwrap().row;
        let (docx, pdf) = (
            file(fsr.item.id, app::approval::DOCX).await,
            file(fsr.item.id, app::approval::PDF).await,
        );
        // The 批复's title names the project: its lines are read off the PDF, and must be
        // the platform's breaks, none inside "可行性研究报告".
        let lines = pdf_lines(&pdf);
        let start = lines.iter().position(|l| l.starts_with("关于")).unwrap();
        let end = start
            + lines[start..]
                .iter()
                .position(|l| l.ends_with("的批复"))
                .unwrap();
        let title: Vec<&str> = lines[start..=end].iter().map(String::as_str).collect();
        assert_eq!(gongwen::title_lines(&title.concat()), title);
        assert!(
            title.iter().any(|l| l.contains("可行性研究报告")),
            "{title:?}"
        );
        check(
            "approval",
            &docx,
            &pdf,
            &title,
            fsr.item.field("approval_no"),
        );
    }
}
