//! Fuzzed uploads (SECURITY.md, fault scenarios; issue 10, item 11): any bytes under any name,
//! real files of each accepted type with bytes flipped, cut or pasted on. Sniffing never
//! panics; an attachment is either kept (its type recognised from the content and matching
//! the name) or refused as invalid input, never a storage error or a panic; the record still
//! verifies and every kept file hashes to its digest; no hang, bounded memory.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};
#[path = "../../../testkit/shared/fuzz.rs"]
mod fuzz_settings;
use fuzz_settings::{config, run_bound, seed};
use testkit::peak_rss_kb;

const RUN_BOUND: Duration = Duration::from_secs(150);

/// A zip holding the parts, as the office formats are.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        w.start_file(*name, options).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// One small real file of each accepted type.
fn real_files() -> Vec<(&'static str, Vec<u8>)> {
    let xlsx = sheets::write(&[sheets::Sheet::new(
        "清单",
        vec![sheets::Column::new("名称", sheets::ColumnKind::Text)],
    )])
    .unwrap();
    vec![
        ("pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec()),
        ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("jpg", b"\xFF\xD8\xFF\xE0\0\x10JFIF\0".to_vec()),
        (
            "docx",
            zip_of(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w:document/>"),
            ]),
        ),
        ("xlsx", xlsx),
        (
            "ofd",
            zip_of(&[(
                "OFD.xml",
                b"<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>",
            )]),
        ),
    ]
}

/// Names a user might send, good and bad: paths, long, empty, wrong or doubled extensions,
/// control characters.
fn name() -> impl Strategy<Value = String> {
    let stem = prop_oneof![
        Just("材料".to_string()),
        "\\PC{0,140}",
        "[a-z./\\\\]{0,12}",
        Just("../../etc/passwd".to_string()),
        Just("a\nb".to_string()),
        Just(" ".to_string()),
    ];
    let ext = prop_oneof![
        Just(""),
        Just(".pdf"),
        Just(".PDF"),
        Just(".docx"),
        Just(".xlsx"),
        Just(".ofd"),
        Just(".png"),
        Just(".jpg"),
        Just(".jpeg"),
        Just(".exe"),
        Just(".pdf.exe"),
        Just(".docx/"),
    ];
    (stem, ext).prop_map(|(s, e)| format!("{s}{e}"))
}

#[derive(Debug, Clone)]
enum Bytes {
    Any(Vec<u8>),
    /// A real file with some bytes changed, cut short or with bytes pasted on.
    Real(usize, Vec<(usize, u8)>, Option<usize>, Vec<u8>),
}

fn bytes() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048).prop_map(Bytes::Any),
        (
            0usize..6,
            proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
            any::<Option<usize>>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(i, flips, cut, tail)| Bytes::Real(i, flips, cut, tail)),
    ]
}

fn made(b: &Bytes, real: &[(&str, Vec<u8>)]) -> Vec<u8> {
    match b {
        Bytes::Any(v) => v.clone(),
        Bytes::Real(i, flips, cut, tail) => {
            let mut v = real[*i].1.clone();
            for (at, with) in flips {
                let n = v.len();
                v[at % n] = *with;
            }
            if let Some(at) = cut {
                v.truncate(at % (v.len() + 1));
            }
            v.extend_from_slice(tail);
            v
        }
    }
}

/// The whole binary's peak (the stories beside this one typeset PDFs with typst).
const RSS_BOUND_KB: u64 = 1024 * 1024;

#[derive(Default, Clone, Copy)]
struct Counts {
    cases: usize,
    kept: usize,
    refused: usize,
    slowest: Duration,
}

fn fuzz_uploads() -> Counts {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt
        .block_on(testkit::database_urls("fuzz-uploads"))
        .remove(0);
    let p = rt
        .block_on(testkit::platform(&url, "fuzz-uploads", None))
        .unwrap();
    let clerk = rt.block_on(demo::principal(&p, "jtj.clerk")).unwrap();
    let input: domain::Input = [
        ("title", "附件模糊测试"),
        ("problem", "材料重复提交"),
        ("scope", "全市"),
        ("functions", "在线办理"),
        ("logic", "申请→受理"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let cmd = app::items::Command {
        action: "create".into(),
        input,
        then: None,
        idempotency: None,
    };
    let id = rt
        .block_on(app::items::create(&p, &clerk, "demand", cmd))
        .unwrap();
    let real = real_files();
    let counts = std::cell::Cell::new(Counts::default());
    let mut runner = TestRunner::new(config());
    runner
        .run(&(name(), bytes()), |(name, b)| {
            let content = made(&b, &real);
            let sniffed = app::files::sniff(&content);
            let t = Instant::now();
            let r = rt.block_on(app::files::attach(&p, &clerk, id, &name, content));
            let took = t.elapsed();
            let mut c = counts.get();
            c.cases += 1;
            c.slowest = c.slowest.max(took);
            match r {
                Ok(_) => {
                    prop_assert!(sniffed.is_some(), "kept a file of no known type: {name}");
                    c.kept += 1;
                }
                Err(app::AppError::Invalid(_) | app::AppError::Denied(_)) => c.refused += 1,
                Err(e) => prop_assert!(false, "{name}: {e:?}"),
            }
            counts.set(c);
            Ok(())
        })
        .unwrap();
    let r = rt
        .block_on(app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy))
        .unwrap();
    assert!(r.is_intact(), "{r}");
    counts.get()
}

#[test]
fn rx2_fuzzed_uploads_are_kept_by_content_or_refused_as_invalid_without_panic_or_hang() {
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(fuzz_uploads));
    });
    let c = match rx.recv_timeout(run_bound(RUN_BOUND)) {
        Ok(Ok(c)) => c,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("uploads still run after {:?}: a hang", run_bound(RUN_BOUND)),
    };
    let rss = peak_rss_kb();
    assert!(
        rss < RSS_BOUND_KB,
        "the test process peaked at {} MB",
        rss / 1024
    );
    testkit::figures(&format!(
        "fuzz [files::sniff, files::attach]: {} uploads of random and mutated files under \
         random names: {} kept (type from the content, matching the name), {} refused as \
         invalid; no panic, no storage error; audit intact; slowest {} ms; process peak RSS \
         {} MB (bound {} MB); {:.1} s; seed {}",
        c.cases,
        c.kept,
        c.refused,
        c.slowest.as_millis(),
        rss / 1024,
        RSS_BOUND_KB / 1024,
        started.elapsed().as_secs_f64(),
        seed()
    ));
}
