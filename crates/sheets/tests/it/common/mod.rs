//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{Cursor, Read};

use sheets::{Column, ColumnKind, Sheet};

/// The text of one part of an .xlsx (a zip), e.g. "xl/styles.xml".
pub fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

/// The names of the parts of an .xlsx.
pub fn parts(xlsx: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

/// The headers of the demand sheet, without markers.
pub const DEMAND_HEADERS: [&str; 9] = [
    "需求名称",
    "联系人及电话",
    "解决的问题",
    "使用范围",
    "功（性）能要求",
    "功能逻辑",
    "技术路线要求",
    "预算估算（元）",
    "预期效益",
];

/// The 9-column demand sheet of the demand units' template.
pub fn demand_sheet() -> Sheet {
    Sheet::new(
        "需求清单",
        vec![
            Column::new("需求名称", ColumnKind::Text)
                .width(24.0)
                .required()
                .help("一句话概括需求，如“不动产登记一网通办”。"),
            Column::new("联系人及电话", ColumnKind::Text)
                .width(20.0)
                .help("如：张三 13800138000"),
            Column::new("解决的问题", ColumnKind::LongText)
                .width(36.0)
                .required()
                .help("现状存在什么问题、影响谁。"),
            Column::new("使用范围", ColumnKind::Text)
                .width(14.0)
                .required()
                .choices(["本部门", "跨部门", "全市", "跨层级"]),
            Column::new("功（性）能要求", ColumnKind::LongText)
                .width(36.0)
                .required(),
            Column::new("功能逻辑", ColumnKind::LongText)
                .width(36.0)
                .required(),
            Column::new("技术路线要求", ColumnKind::LongText).width(24.0),
            Column::new("预算估算（元）", ColumnKind::Money)
                .width(18.0)
                .help("单位：元，填写数字。"),
            Column::new("预期效益", ColumnKind::LongText).width(30.0),
        ],
    )
    .title("2027 年度信息化项目需求征集表")
}

/// The instructions of the demand template.
pub fn demand_instructions() -> Vec<String> {
    vec![
        "本表由各需求单位填写，一个需求填写一行。".to_owned(),
        "填写完成后在“需求征集”页面导入本文件。".to_owned(),
    ]
}

/// The heap of this test binary, counted: every allocation goes through `System`, and the
/// counter keeps the bytes in use and their peak.
#[global_allocator]
static HEAP: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// Set in the child process that [`alone`] starts.
const ALONE: &str = "SHEETS_TEST_ALONE";

/// Whether the calling test runs alone in this process, so that what the counting allocator
/// sees is its own (the other tests of the binary run on other threads and allocate too).
///
/// In the test run as usual, this starts the test binary again for the one test `name`
/// (e.g. "bounded::a_bomb"), on one thread, waits for it, shows its output and fails if it
/// failed, and returns false: the caller returns. In that child it returns true: the caller
/// measures.
pub fn alone(name: &str) -> bool {
    if std::env::var_os(ALONE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(exe)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "{name} failed when run alone:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "{name} did not run alone:\n{stdout}"
    );
    false
}

/// What `work` returns, the peak of heap bytes above what was in use when it started, and
/// how long it took.
pub fn peak_of<T>(work: impl FnOnce() -> T) -> (T, usize, std::time::Duration) {
    HEAP.reset_peak_usage();
    let before = HEAP.current_usage();
    let started = std::time::Instant::now();
    let out = work();
    let took = started.elapsed();
    (out, HEAP.peak_usage().saturating_sub(before), took)
}

/// Bytes as MiB, for messages.
pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[path = "../../../../testkit/shared/figures.rs"]
mod shared_figures;
pub use shared_figures::figures;
