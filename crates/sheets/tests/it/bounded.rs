//! Imports bounded (issue 10, finding 6): "A 631 KB Excel file costs 540 MB of memory (15.4 M
//! tiny shared strings); three in parallel peaked at 1.66 GB. Any demand clerk can upload it."
//!
//! The bombs are built here as real zips (the parts of a real template, one part swapped), and
//! each is refused with a message that says what to do. Where memory is the point, the test
//! runs alone in a child process (`common::alone`) and the counting allocator measures the
//! heap while the reader refuses (`common::peak_of`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::{Cursor, Read, Write};

use common::{DEMAND_HEADERS, alone, demand_instructions, demand_sheet, mib, peak_of};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use sheets::{Cell, IMPORTS_AT_ONCE, ImportSlots, SheetError, read, template};

/// The bound of the finding: the server's peak while refusing.
const HUNDRED_MB: usize = 100 * 1000 * 1000;

/// One part of a hand-made zip.
struct Part {
    name: String,
    /// Raw deflate.
    deflated: Vec<u8>,
    crc: u32,
    /// The unpacked size the headers declare.
    size: u64,
}

impl Part {
    fn new(name: &str, bytes: &[u8]) -> Part {
        Part::repeated(name, &[(bytes, 1)])
    }

    /// The pieces, each repeated so many times, deflated: each piece is compressed once and
    /// its output repeated, so that hundreds of MB deflate in a moment (at the best level, as
    /// a bomb's maker would).
    fn repeated(name: &str, pieces: &[(&[u8], usize)]) -> Part {
        let mut deflated = Vec::new();
        let mut crc = Crc::new();
        let mut size = 0u64;
        for (bytes, times) in pieces {
            // A sync flush ends the piece on a byte boundary without a last block, and a
            // fresh encoder refers to nothing before the piece: copies can follow each other.
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(bytes).unwrap();
            encoder.flush().unwrap();
            let mut one = Crc::new();
            one.update(bytes);
            for _ in 0..*times {
                deflated.extend_from_slice(encoder.get_ref());
                crc.combine(&one);
            }
            size += bytes.len() as u64 * *times as u64;
        }
        // The last block: fixed codes, nothing but its end.
        deflated.extend_from_slice(&[0x03, 0x00]);
        Part {
            name: name.to_owned(),
            deflated,
            crc: crc.sum(),
            size,
        }
    }

    /// The same part with headers that declare `size` unpacked bytes.
    fn declaring(mut self, size: u64) -> Part {
        self.size = size;
        self
    }
}

/// A zip of the parts, deflated, written by hand so that the headers say what the test wants.
fn zip_of(parts: &[Part]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&u16::try_from(n).unwrap().to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, n: u64) {
        out.extend_from_slice(&u32::try_from(n).unwrap().to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u64;
        let name = part.name.as_bytes();
        // version 2.0, flags (UTF-8 names), deflate, 1980-01-01 00:00, crc, sizes, name.
        let mut common = Vec::new();
        u16le(&mut common, 20);
        u16le(&mut common, 0x0800);
        u16le(&mut common, 8);
        u16le(&mut common, 0);
        u16le(&mut common, 0x21);
        u32le(&mut common, u64::from(part.crc));
        u32le(&mut common, part.deflated.len() as u64);
        u32le(&mut common, part.size);
        u16le(&mut common, name.len());
        u16le(&mut common, 0);

        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(&part.deflated);

        central.extend_from_slice(b"PK\x01\x02");
        u16le(&mut central, 20);
        central.extend_from_slice(&common);
        u16le(&mut central, 0); // comment
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, 0); // external attributes
        u32le(&mut central, offset);
        central.extend_from_slice(name);
    }
    let directory = out.len() as u64;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, parts.len());
    u16le(&mut out, parts.len());
    u32le(&mut out, central.len() as u64);
    u32le(&mut out, directory);
    u16le(&mut out, 0);
    out
}

/// The parts of the demand template (two sheets, notes, dropdowns), unpacked.
fn template_parts() -> Vec<(String, Vec<u8>)> {
    let bytes = template(&demand_sheet(), &demand_instructions()).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

/// The demand template with `swapped` parts in place of (or beside) its own.
fn template_with(swapped: Vec<Part>) -> Vec<u8> {
    let mut parts: Vec<Part> = template_parts()
        .iter()
        .filter(|(name, _)| !swapped.iter().any(|p| p.name == *name))
        .map(|(name, content)| Part::new(name, content))
        .collect();
    parts.extend(swapped);
    zip_of(&parts)
}

const SST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#;

/// The bomb of the finding: xl/sharedStrings.xml of 15.4 million `<si><t>a</t></si>`
/// (262 MB), declaring `unique_count` of them.
fn shared_strings_bomb(unique_count: u64) -> Part {
    let head = format!(r#"{SST_HEAD}count="{unique_count}" uniqueCount="{unique_count}">"#);
    let chunk = "<si><t>a</t></si>".repeat(100_000);
    Part::repeated(
        "xl/sharedStrings.xml",
        &[
            (head.as_bytes(), 1),
            (chunk.as_bytes(), 154),
            (b"</sst>", 1),
        ],
    )
}

/// Deterministic lower-case letters that do not compress much.
fn letters(len: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(b'a' + ((state >> 33) % 26) as u8)
        })
        .collect()
}

fn assert_clear(error: &SheetError) {
    let zh = error.zh();
    assert!(
        zh.contains("请"),
        "says what to do next: {zh} / {}",
        error.en()
    );
    assert!(error.en().starts_with("The "), "{}", error.en());
    assert_eq!(error.to_string(), format!("{zh} / {}", error.en()));
}

#[test]
fn rx2_f6_a_631_kb_workbook_of_15_million_shared_strings_is_refused_with_a_clear_message() {
    if !alone(
        "bounded::rx2_f6_a_631_kb_workbook_of_15_million_shared_strings_is_refused_with_a_clear_message",
    ) {
        return;
    }
    let bomb = template_with(vec![shared_strings_bomb(15_400_000)]);
    let declared = zip::ZipArchive::new(Cursor::new(&bomb[..]))
        .unwrap()
        .by_name("xl/sharedStrings.xml")
        .unwrap()
        .size();
    println!(
        "the bomb: {} KB, its xl/sharedStrings.xml unpacks to {} MB",
        bomb.len() / 1000,
        declared / 1_000_000
    );
    assert!(bomb.len() < 1_000_000, "{}", bomb.len());
    assert!(declared > 260_000_000, "{declared}");

    let (result, peak, took) = peak_of(|| read(&bomb, &DEMAND_HEADERS));
    println!("refused in {took:?}, heap peak {:.3} MiB", mib(peak));
    let error = result.unwrap_err();
    assert_eq!(
        error,
        SheetError::PartTooLarge {
            part: "xl/sharedStrings.xml".to_owned(),
            limit_mib: 16
        }
    );
    assert_eq!(
        error.zh(),
        "表格中的文字内容过多：共享字符串（xl/sharedStrings.xml）解压后超过 16 MB 的上限。请删除多余内容或拆分为多个文件后再导入。"
    );
    assert_clear(&error);
    assert!(peak < HUNDRED_MB, "peak {:.1} MiB", mib(peak));
    assert!(peak < 4 * 1024 * 1024, "a few MB: {:.1} MiB", mib(peak));
}

#[test]
fn rx2_f6_the_bomb_with_headers_that_declare_it_small_is_refused_without_unpacking_it() {
    if !alone(
        "bounded::rx2_f6_the_bomb_with_headers_that_declare_it_small_is_refused_without_unpacking_it",
    ) {
        return;
    }
    // The headers say 10 kB: small, and no more than 100:1.
    let bomb = template_with(vec![shared_strings_bomb(15_400_000).declaring(10_000)]);
    let (result, peak, took) = peak_of(|| read(&bomb, &DEMAND_HEADERS));
    println!("refused in {took:?}, heap peak {:.3} MiB", mib(peak));
    let error = result.unwrap_err();
    assert!(
        matches!(error, SheetError::Corrupt { ref detail } if detail.contains("declare")),
        "{error:?}"
    );
    assert!(error.zh().contains("已损坏"), "{}", error.zh());
    assert!(peak < 4 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
    // Unpacking the 262 MB takes seconds; reading past 10 kB would show here.
    assert!(took.as_millis() < 2_000, "{took:?}");

    // Declared as 15 MiB (under the part's limit, 25:1): the shared strings are counted as
    // they unpack, and the count says stop.
    let bomb = template_with(vec![shared_strings_bomb(3).declaring(15 * 1024 * 1024)]);
    let (result, peak, took) = peak_of(|| read(&bomb, &DEMAND_HEADERS));
    println!(
        "counted and refused in {took:?}, heap peak {:.3} MiB",
        mib(peak)
    );
    assert_eq!(
        result.unwrap_err(),
        SheetError::TooManySharedStrings { limit: 200_000 }
    );
    assert!(peak < 4 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
}

#[test]
fn rx2_f6_a_declared_unique_count_is_refused_before_the_reader_reserves_room_for_it() {
    if !alone(
        "bounded::rx2_f6_a_declared_unique_count_is_refused_before_the_reader_reserves_room_for_it",
    ) {
        return;
    }
    // Three strings that say they are 100 million: calamine reserves room for 100 million.
    let sst = format!(
        r#"{SST_HEAD}count="3" uniqueCount="100000000"><si><t>需求名称</t></si><si><t>甲</t></si><si><t>乙</t></si></sst>"#
    );
    let bytes = template_with(vec![Part::new("xl/sharedStrings.xml", sst.as_bytes())]);
    let (result, peak, took) = peak_of(|| read(&bytes, &DEMAND_HEADERS));
    println!("refused in {took:?}, heap peak {:.3} MiB", mib(peak));
    let error = result.unwrap_err();
    assert_eq!(error, SheetError::TooManySharedStrings { limit: 200_000 });
    assert_eq!(
        error.zh(),
        "共享字符串过多（超过 200000 个）：表格中不同的文字内容太多。请删除多余内容或拆分为多个文件后再导入。"
    );
    assert_clear(&error);
    assert!(peak < 4 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
}

#[test]
fn rx2_f6_shared_strings_are_counted_and_200_000_is_the_limit() {
    let strings = |n: usize| {
        let mut sst = format!(r#"{SST_HEAD}count="3" uniqueCount="3">"#);
        for i in 0..n {
            sst.push_str(&format!("<si><t>{i}</t></si>"));
        }
        sst.push_str("</sst>");
        Part::new("xl/sharedStrings.xml", sst.as_bytes())
    };
    let at_limit = template_with(vec![strings(200_000)]);
    // The template's cells now show numbers: no expected headers, the fullest row is read.
    assert!(read(&at_limit, &[]).is_ok());
    let over = template_with(vec![strings(200_001)]);
    assert_eq!(
        read(&over, &[]).unwrap_err(),
        SheetError::TooManySharedStrings { limit: 200_000 }
    );
}

#[test]
fn rx2_f6_a_part_compressed_more_than_100_to_1_is_refused_but_a_small_one_is_not() {
    // 8 MiB of zeros deflate to about 8 kB: 1000:1.
    let zeros = vec![0u8; 64 * 1024];
    let bytes = template_with(vec![Part::repeated(
        "xl/media/image1.png",
        &[(&zeros, 128)],
    )]);
    assert!(bytes.len() < 100_000, "{}", bytes.len());
    let error = read(&bytes, &DEMAND_HEADERS).unwrap_err();
    assert_eq!(
        error,
        SheetError::CompressionTooHigh {
            part: "xl/media/image1.png".to_owned(),
            limit: 100
        }
    );
    assert!(
        error.zh().contains("压缩比异常（超过 100:1）"),
        "{}",
        error.zh()
    );
    assert_clear(&error);

    // Below 1 MiB the ratio does not matter: 512 KiB of zeros.
    let bytes = template_with(vec![Part::repeated("xl/media/image1.png", &[(&zeros, 8)])]);
    let table = read(&bytes, &DEMAND_HEADERS).unwrap();
    assert_eq!(table.header_row, 2);
}

#[test]
fn rx2_f6_a_part_over_32_mib_and_a_workbook_over_64_mib_in_all_are_refused() {
    let zeros = vec![0u8; 64 * 1024];
    let sheet = Part::repeated("xl/worksheets/sheet1.xml", &[(&zeros, 33 * 16)]);
    let error = read(&template_with(vec![sheet]), &DEMAND_HEADERS).unwrap_err();
    assert_eq!(
        error,
        SheetError::PartTooLarge {
            part: "xl/worksheets/sheet1.xml".to_owned(),
            limit_mib: 32
        }
    );
    assert!(error.zh().contains("32 MB"), "{}", error.zh());
    assert_clear(&error);

    // Three parts of 30 MiB, each about 50:1, under each limit but 90 MiB together.
    let mut piece = letters(2048).into_bytes();
    piece.resize(64 * 1024, b' ');
    let parts = (1..=3)
        .map(|i| Part::repeated(&format!("xl/media/image{i}.png"), &[(&piece, 30 * 16)]))
        .collect();
    let bytes = template_with(parts);
    assert!(bytes.len() < sheets::MAX_FILE_BYTES, "{}", bytes.len());
    let error = read(&bytes, &DEMAND_HEADERS).unwrap_err();
    assert_eq!(error, SheetError::ContentTooLarge { limit_mib: 64 });
    assert_clear(&error);
}

#[test]
fn rx2_f6_one_long_shared_string_in_many_cells_is_refused_before_it_is_copied_for_each() {
    if !alone(
        "bounded::rx2_f6_one_long_shared_string_in_many_cells_is_refused_before_it_is_copied_for_each",
    ) {
        return;
    }
    // One string of 1 MiB, in 200 cells: the reader would copy it for each, 200 MiB.
    let sst = format!(
        r#"{SST_HEAD}count="201" uniqueCount="2"><si><t>需求名称</t></si><si><t>{}</t></si></sst>"#,
        letters(1024 * 1024)
    );
    let mut cells = String::from(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    for row in 2..=201 {
        cells.push_str(&format!(
            r#"<row r="{row}"><c r="A{row}" t="s"><v>1</v></c></row>"#
        ));
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
    );
    let bytes = template_with(vec![
        Part::new("xl/sharedStrings.xml", sst.as_bytes()),
        Part::new("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let (result, peak, took) = peak_of(|| read(&bytes, &["需求名称"]));
    println!("refused in {took:?}, heap peak {:.3} MiB", mib(peak));
    let error = result.unwrap_err();
    assert_eq!(error, SheetError::TooMuchText { limit_mib: 16 });
    assert!(
        error.zh().contains("文字内容过多（超过 16 MB）"),
        "{}",
        error.zh()
    );
    assert_clear(&error);
    assert!(peak < 40 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
}

#[test]
fn rx2_f6_cell_formats_that_each_copy_a_long_font_name_are_refused() {
    if !alone("bounded::rx2_f6_cell_formats_that_each_copy_a_long_font_name_are_refused") {
        return;
    }
    // A font named with 64 KiB and 2 000 formats using it: calamine copies the name into
    // each, 128 MiB.
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="{}"/></font></fonts><cellXfs count="2000">{}</cellXfs></styleSheet>"#,
        letters(64 * 1024),
        r#"<xf numFmtId="0" fontId="0"/>"#.repeat(2_000)
    );
    let bytes = template_with(vec![Part::new("xl/styles.xml", styles.as_bytes())]);
    let (result, peak, took) = peak_of(|| read(&bytes, &DEMAND_HEADERS));
    println!("refused in {took:?}, heap peak {:.3} MiB", mib(peak));
    let error = result.unwrap_err();
    assert!(
        matches!(error, SheetError::TooManyFormats { limit } if limit < 2_000),
        "{error:?}"
    );
    assert!(error.zh().contains("单元格格式过多"), "{}", error.zh());
    assert_clear(&error);
    assert!(peak < 4 * 1024 * 1024, "peak {:.1} MiB", mib(peak));
}

#[test]
fn rx2_f6_a_workbook_of_10_001_sheets_or_100_001_names_is_refused() {
    let workbook = |entries: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{entries}</workbook>"#
        )
    };
    let sheets = format!(
        "<sheets>{}</sheets>",
        r#"<sheet name="甲" sheetId="1" r:id="rId1"/>"#.repeat(10_001)
    );
    let bytes = template_with(vec![Part::new(
        "xl/workbook.xml",
        workbook(&sheets).as_bytes(),
    )]);
    let error = read(&bytes, &[]).unwrap_err();
    assert_eq!(
        error,
        SheetError::TooManyEntries {
            part: "xl/workbook.xml".to_owned(),
            element: "sheet",
            limit: 10_000
        }
    );
    assert!(error.zh().contains("工作表超过 10000 个"), "{}", error.zh());
    assert_clear(&error);

    let names: String = (0..100_001)
        .map(|i| format!(r#"<definedName name="n{i}">'甲'!$A${i}</definedName>"#))
        .collect();
    let names = format!("<definedNames>{names}</definedNames>");
    let bytes = template_with(vec![Part::new(
        "xl/workbook.xml",
        workbook(&names).as_bytes(),
    )]);
    assert_eq!(
        read(&bytes, &[]).unwrap_err(),
        SheetError::TooManyEntries {
            part: "xl/workbook.xml".to_owned(),
            element: "definedName",
            limit: 100_000
        }
    );
}

#[test]
fn rx2_f6_a_zip_of_more_than_10_000_parts_is_refused() {
    let mut parts: Vec<Part> = (0..10_001)
        .map(|i| Part::new(&format!("xl/media/{i}.bin"), b""))
        .collect();
    parts.push(Part::new("xl/workbook.xml", b"<workbook/>"));
    assert_eq!(
        read(&zip_of(&parts), &[]).unwrap_err(),
        SheetError::ContentTooLarge { limit_mib: 64 }
    );
}

#[test]
fn rx2_f6_a_filled_template_of_2_000_demands_still_reads() {
    let mut sheet = demand_sheet();
    sheet.rows = (1..=2_000)
        .map(|i| {
            vec![
                Cell::from(format!("第 {i} 项需求：不动产登记一网通办")),
                Cell::from(format!("张三 138{i:08}")),
                Cell::from(format!("群众办理第 {i} 类事项需要往返多次，材料重复提交。")),
                Cell::from("全市"),
                Cell::from(format!("统一受理、并联审批、结果互认（第 {i} 项）。")),
                Cell::from("受理—审核—办结，全程网办。"),
                Cell::from("政务云部署，对接统一身份认证。"),
                Cell::Money(100 * (1_200_000 + i64::from(i))),
                Cell::from(format!("每年减少跑腿 {i} 万次。")),
            ]
        })
        .collect();
    let bytes = template(&sheet, &demand_instructions()).unwrap();
    let table = read(&bytes, &DEMAND_HEADERS).unwrap();
    assert_eq!(table.rows.len(), 2_000);
    assert_eq!(table.rows[1_999].number, 2_002);
    assert_eq!(
        table.rows[1_999].get(0),
        "第 2000 项需求：不动产登记一网通办"
    );
    assert_eq!(table.rows[0].get(7), "1200001");
}

#[test]
fn rx2_f6_the_import_slots_refuse_the_third_import_at_once_and_free_a_slot_on_drop() {
    let slots = ImportSlots::new(IMPORTS_AT_ONCE);
    assert_eq!(slots.limit(), 2);
    let first = slots.try_acquire().unwrap();
    let second = slots.try_acquire().unwrap();
    let error = slots.try_acquire().unwrap_err();
    assert_eq!(error, SheetError::Busy);
    assert_eq!(error.zh(), "正在处理的导入较多，请稍后再试。");
    assert_clear(&error);
    assert_eq!(slots.taken(), 2);
    drop(first);
    assert_eq!(slots.taken(), 1);
    let third = slots.try_acquire().unwrap();
    assert!(slots.try_acquire().is_err());
    drop((second, third));
    assert_eq!(slots.taken(), 0);

    // A failed (panicking) import gives its slot back too.
    let panicked = std::panic::catch_unwind(|| {
        let _slot = slots.try_acquire().unwrap();
        panic!("the import failed");
    });
    assert!(panicked.is_err());
    assert_eq!(slots.taken(), 0);

    // Eight imports at once, each holding its slot until all have tried: two get one.
    let tried = std::sync::Barrier::new(8);
    let got = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let slot = slots.try_acquire();
                    tried.wait();
                    slot.is_ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count()
    });
    assert_eq!(got, 2);
    assert_eq!(slots.taken(), 0);

    assert_eq!(ImportSlots::global().limit(), IMPORTS_AT_ONCE);
}
