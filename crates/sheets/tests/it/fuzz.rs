//! Fuzzed imports (SECURITY.md, fault scenarios; issue 10, item 11): the reader takes any
//! bytes, mutated copies of real workbooks (bits flipped in the file; or one part's XML
//! broken and the zip rebuilt with good checksums, so the XML parser sees it) and returns a
//! table or an error: no panic, no hang, and the heap stays bounded. Runs alone in a child
//! process so the counting allocator measures the reader only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};

use common::{DEMAND_HEADERS, alone, demand_instructions, demand_sheet, mib, peak_of};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use sheets::{Cell, read, template, write};
#[path = "../../../testkit/shared/fuzz.rs"]
mod fuzz_settings;
use fuzz_settings::{config, run_bound, seed};

/// Cases per kind of input: three kinds, so 3 × this many reads.
/// The heap a read may take at most, whatever it is given (the bombs' bound).
const HEAP_BOUND: usize = 100 * 1000 * 1000;
/// No single read may take longer; the whole run is stopped (and fails) after `RUN_BOUND`.
const READ_BOUND: Duration = Duration::from_secs(10);
const RUN_BOUND: Duration = Duration::from_secs(120);

/// The workbooks mutated: the import template as the platform hands it out, and an export
/// with rows of text and money.
fn seeds() -> Vec<Vec<u8>> {
    let mut sheet = demand_sheet();
    sheet.rows = (0..12)
        .map(|i| {
            let mut row: Vec<Cell> = DEMAND_HEADERS
                .iter()
                .map(|h| Cell::Text(format!("{h}{i}")))
                .collect();
            row[7] = Cell::Money(135_000_000 + i);
            row
        })
        .collect();
    vec![
        template(&demand_sheet(), &demand_instructions()).unwrap(),
        write(&[sheet]).unwrap(),
    ]
}

/// The parts of a zip, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            f.read_to_end(&mut content).unwrap();
            (f.name().unwrap().into_owned(), content)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// What a mutation of a part's XML may insert: markup that means something to a reader.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "\"",
    "&",
    "&#0;",
    "&#xFFFF;",
    "&amp;",
    "</row>",
    "<row r=\"1048577\">",
    "<c r=\"XFD1048576\" t=\"s\"><v>4294967295</v></c>",
    "<c r=\"A3\" t=\"s\"><v>-1</v></c>",
    "<c r=\"B3\" t=\"n\"><v>1e309</v></c>",
    "<c r=\"C3\" t=\"inlineStr\"><is><t>注入</t></is></c>",
    "<si><t>x</t></si>",
    "count=\"4294967295\"",
    "uniqueCount=\"99999999\"",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<sheet name=\"x\" sheetId=\"9\" r:id=\"rId99\"/>",
    "\u{0}",
    "\u{FEFF}",
];

/// One change to a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize, usize),
    Repeat(usize, usize, u8),
    Insert(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip(at, bit)),
        (any::<usize>(), 1usize..512).prop_map(|(at, len)| Edit::Cut(at, len)),
        (any::<usize>(), 1usize..256, 2u8..20).prop_map(|(at, len, n)| Edit::Repeat(at, len, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for e in edits {
        if bytes.is_empty() {
            return;
        }
        let n = bytes.len();
        match *e {
            Edit::Flip(at, bit) => bytes[at % n] ^= 1 << bit,
            Edit::Cut(at, len) => {
                let at = at % n;
                bytes.drain(at..(at + len).min(n));
            }
            Edit::Repeat(at, len, times) => {
                let at = at % n;
                let piece = bytes[at..(at + len).min(n)].to_vec();
                for _ in 1..times {
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            Edit::Insert(at, t) => {
                let at = at % n;
                bytes.splice(at..at, TOKENS[t].bytes());
            }
        }
    }
}

/// The worst of the reads so far.
#[derive(Default, Debug)]
struct Worst {
    reads: usize,
    ok: usize,
    heap: usize,
    time: Duration,
}

impl Worst {
    fn read(&mut self, bytes: &[u8]) {
        let (result, heap, took) = peak_of(|| read(bytes, &DEMAND_HEADERS));
        self.reads += 1;
        self.ok += usize::from(result.is_ok());
        self.heap = self.heap.max(heap);
        self.time = self.time.max(took);
        assert!(
            heap < HEAP_BOUND,
            "a read of {} bytes took {:.1} MiB",
            bytes.len(),
            mib(heap)
        );
        assert!(took < READ_BOUND, "a read took {took:?}");
    }
}

fn runner() -> TestRunner {
    TestRunner::new(config())
}

/// Runs `work` on a thread of its own and fails if it has not finished within `bound` (a
/// hang): the test process then exits and takes the thread with it.
fn within<T: Send + 'static>(bound: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    });
    match rx.recv_timeout(bound) {
        Ok(Ok(out)) => out,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("still running after {bound:?}: a hang"),
    }
}

#[test]
fn rx2_fuzzed_workbooks_are_read_or_refused_without_panic_hang_or_unbounded_memory() {
    if !alone(
        "fuzz::rx2_fuzzed_workbooks_are_read_or_refused_without_panic_hang_or_unbounded_memory",
    ) {
        return;
    }
    let started = Instant::now();
    let worst = within(run_bound(RUN_BOUND), || {
        let seeds = seeds();
        let worst = std::cell::RefCell::new(Worst::default());
        // Any bytes, some of them behind a zip's signature.
        let junk = (
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..4096),
        );
        runner()
            .run(&junk, |(zip, mut bytes)| {
                if zip {
                    bytes.splice(0..0, *b"PK\x03\x04");
                }
                worst.borrow_mut().read(&bytes);
                Ok(())
            })
            .unwrap();
        // A real workbook with bits flipped, a piece cut or repeated, or cut short.
        let flipped = (
            0..seeds.len(),
            proptest::collection::vec(edit(), 1..8),
            any::<Option<usize>>(),
        );
        runner()
            .run(&flipped, |(seed, edits, short)| {
                let mut bytes = seeds[seed].clone();
                apply(&mut bytes, &edits);
                if let Some(at) = short {
                    bytes.truncate(at % (bytes.len() + 1));
                }
                worst.borrow_mut().read(&bytes);
                Ok(())
            })
            .unwrap();
        // One part's XML broken, the zip rebuilt with good checksums.
        let parts: Vec<Vec<(String, Vec<u8>)>> = seeds.iter().map(|s| unzip(s)).collect();
        let broken = (
            0..seeds.len(),
            any::<usize>(),
            proptest::collection::vec(edit(), 1..6),
        );
        runner()
            .run(&broken, |(seed, part, edits)| {
                let mut parts = parts[seed].clone();
                let n = parts.len();
                apply(&mut parts[part % n].1, &edits);
                worst.borrow_mut().read(&rezip(&parts));
                Ok(())
            })
            .unwrap();
        worst.into_inner()
    });
    let line = format!(
        "fuzz [sheets::read]: {} reads of random bytes and mutated workbooks, {} read as a \
         table, the rest refused; no panic; slowest read {} ms, largest heap {:.1} MiB (bound \
         {} MB); {:.1} s; seed {}",
        worst.reads,
        worst.ok,
        worst.time.as_millis(),
        mib(worst.heap),
        HEAP_BOUND / 1_000_000,
        started.elapsed().as_secs_f64(),
        seed()
    );
    common::figures(&line);
}
