//! What an upload may unpack to, checked before calamine parses anything (issue 10,
//! finding 6: a 631 KB workbook of 15.4 M tiny shared strings cost 540 MB).
//!
//! An `.xlsx` is a zip. calamine streams the worksheets, but reads some parts whole into
//! memory: the shared strings (a `String` each, and it first reserves room for as many as
//! `<sst uniqueCount>` says), the styles (a style per `<xf>`, each with its own copy of its
//! font name and number format), the workbook (its sheets and defined names) and its
//! relationships. So the checks are, in this order:
//!
//! 1. the zip's directory, before unpacking anything: how many parts, each part's declared
//!    size against its limit and against its compressed size (the ratio), and the total;
//! 2. each part as it unpacks, through a reader that stops one byte past the declared size
//!    (a header can lie: what is unpacked is never more than what was checked), counting the
//!    elements calamine keeps for each part: shared strings, cell formats, sheets, defined
//!    names and relationships.
//!
//! The unpacking goes into a 16 KiB buffer: refusing costs no memory beyond the zip's own
//! directory and inflater.

use std::io::{Cursor, ErrorKind, Read};

use crate::SheetError;
use crate::error::{corrupt, is_shared_strings};

const MIB: u64 = 1024 * 1024;

/// Largest unpacked content of an upload in all, in bytes (64 MiB). A real import is far
/// smaller (the demand template with 5 000 filled rows unpacks to a few MB); what calamine
/// holds in memory is bounded by the limits below, and this bounds the work of unpacking:
/// everything is unpacked twice (here, then by calamine), about a second in all.
pub const MAX_UNZIPPED_BYTES: u64 = 64 * MIB;
/// Largest unpacked part other than the shared strings, in bytes (32 MiB). Worksheets are
/// streamed, so this bounds work, not memory: 5 000 rows of 200 number cells unpack to
/// 26 MB, so a bigger sheet holds rows an import refuses anyway, or blank formatted rows
/// (a sheet formatted down to row 1 048 576 unpacks to some 60 MB: the message says to
/// delete them).
pub const MAX_PART_BYTES: u64 = 32 * MIB;
/// Largest unpacked shared strings (`xl/sharedStrings.xml`), in bytes (16 MiB): calamine
/// holds all of their text at once. 16 MiB is 5 000 rows of 4 long texts of some 270
/// Chinese characters each, all different.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 16 * MIB;
/// Most shared strings (distinct cell texts) in a workbook, declared or counted (200 000).
/// Each costs calamine a `String` (24 bytes, plus the allocator's minimum for its text),
/// about 10 MB for 200 000. A 5 000-row import of 20 columns has at most 100 000 text cells,
/// so 200 000 is twice the widest import; a full 5 000 × 200 grid could in theory need
/// 1 000 000, but that is 50 MB of strings before a single row is read.
pub const MAX_SHARED_STRINGS: u64 = 200_000;
/// Largest ratio of a part's unpacked to compressed size (100:1). Real parts compress 8:1
/// to 25:1 (measured: sheets of repeated text, of zeros, of blank bordered cells, of a
/// million empty rows); deflate's best is about 1 000:1, which only a bomb reaches.
pub const MAX_COMPRESSION_RATIO: u64 = 100;
/// Parts up to this size (1 MiB) may compress any amount: a small part of repeated bytes is
/// harmless, and short XML parts compress well.
const RATIO_FLOOR: u64 = MIB;
/// Most parts in the zip. The zip's directory costs the zip reader about 180 bytes a part
/// before it can be asked how many there are, so they are counted first (see
/// [`directory_entries`]).
pub(crate) const MAX_ZIP_ENTRIES: usize = 10_000;
/// What calamine's styles may cost (16 MiB): each cell format (`<xf>`) costs about 400
/// bytes (measured), plus a copy of its font name and number format code.
const STYLES_BUDGET: u64 = 16 * MIB;
/// The fixed cost of a cell format in that budget, rounded up.
const FORMAT_BYTES: u64 = 512;
/// Most `<sheet>` entries in a part (10 000); calamine keeps each sheet's name and path.
const MAX_SHEET_ENTRIES: u64 = 10_000;
/// Most `<definedName>` entries in a part (100 000, about 9 MB in calamine); old workbooks
/// carry thousands of stale names.
const MAX_DEFINED_NAMES: u64 = 100_000;
/// Most `<Relationship>` entries in a part (65 536: Excel's limit of hyperlinks in a sheet).
const MAX_RELATIONSHIPS: u64 = 65_536;
/// Bytes read from an unpacking part at a time.
const BUFFER: usize = 16 * 1024;

/// Checks the zip before calamine opens it: not too many parts, each part within its
/// limits both as declared and as it unpacks, and a spreadsheet workbook part.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    let too_large = || SheetError::ContentTooLarge {
        limit_mib: MAX_UNZIPPED_BYTES / MIB,
    };
    if directory_entries(bytes) > MAX_ZIP_ENTRIES {
        return Err(too_large());
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(too_large());
    }

    // 1. The directory, before unpacking anything.
    let mut parts = Vec::with_capacity(archive.len());
    let mut workbook = false;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(corrupt)?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().map_err(corrupt)?.into_owned();
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("xl/") && lower.contains("workbook") && lower.ends_with(".xml") {
            workbook = true;
        }
        let declared = file.size();
        let limit = if is_shared_strings(&name) {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if declared > limit {
            return Err(SheetError::PartTooLarge {
                part: name,
                limit_mib: limit / MIB,
            });
        }
        if declared > RATIO_FLOOR
            && declared > file.compressed_size().saturating_mul(MAX_COMPRESSION_RATIO)
        {
            return Err(SheetError::CompressionTooHigh {
                part: name,
                limit: MAX_COMPRESSION_RATIO,
            });
        }
        total = total.saturating_add(declared);
        if total > MAX_UNZIPPED_BYTES {
            return Err(too_large());
        }
        parts.push((index, declared));
    }
    if !workbook {
        return Err(SheetError::NotXlsx);
    }

    // 2. Each part as it unpacks: never past what its header declares, and what calamine
    // would keep of it counted.
    let mut buffer = [0u8; BUFFER];
    for (index, declared) in parts {
        let file = archive.by_index(index).map_err(corrupt)?;
        let name = file.name().map_err(corrupt)?.into_owned();
        let mut scan = Scan::default();
        let mut unpacking = file.take(declared.saturating_add(1));
        let mut unpacked: u64 = 0;
        loop {
            let read = match unpacking.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(error) => return Err(corrupt(error)),
            };
            unpacked += read as u64;
            if unpacked > declared {
                return Err(SheetError::Corrupt {
                    detail: format!(
                        "{name} unpacks to more than the {declared} bytes its header declares"
                    ),
                });
            }
            scan.feed(&buffer[..read]);
            scan.check(&name)?;
        }
    }
    Ok(())
}

/// How many central directory entries the zip can have at most: each begins with this
/// signature (a chance match inside compressed data only makes the count higher).
fn directory_entries(bytes: &[u8]) -> usize {
    bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count()
}

/// What a streaming look at a part counts, without building anything: start tags by local
/// name (`<si`, `<x:si`), the largest `uniqueCount="N"`, and the longest stretch between
/// two quotes of a kind (an upper bound on any attribute value).
///
/// It looks for these patterns anywhere, in comments, text and attribute values too, and
/// does not try to follow the XML: a reader that did could be led astray by a crafted
/// comment or doctype and miss the tags calamine's XML reader finds. Every start tag that
/// reader finds is a `<`, a name and a space, `/` or `>`; every `uniqueCount` it takes is
/// `uniqueCount`, `=` and a quoted number. So the counts can only be too high (a `<si>` in
/// a comment), never too low.
#[derive(Debug, Default)]
struct Scan {
    /// After `<`, in a tag's name.
    in_name: bool,
    /// The tag's local name so far (the first [`NAME`] bytes; what follows the last `:`).
    name: [u8; NAME],
    name_len: usize,
    key: Key,
    /// Bytes since the last `"` and since the last `'`.
    since_double: u64,
    since_single: u64,
    longest_value: u64,
    shared_strings: u64,
    declared_shared_strings: u64,
    formats: u64,
    sheets: u64,
    defined_names: u64,
    relationships: u64,
}

/// Longer local names are none of those counted ("Relationship" is 12 bytes).
const NAME: usize = 24;

/// The attribute whose value calamine reserves room for.
const UNIQUE_COUNT: &[u8] = b"uniqueCount";

/// How far `uniqueCount = "123"` is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// This many bytes of [`UNIQUE_COUNT`].
    Matching(usize),
    /// The whole name; spaces or `=` may follow.
    Name,
    /// The `=`; spaces or a quote may follow.
    Equals,
    /// In the quoted value: its quote, the number so far (saturating), and whether it has
    /// a digit.
    Digits { quote: u8, value: u64, any: bool },
}

impl Default for Key {
    fn default() -> Self {
        Key::Matching(0)
    }
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.tag(byte);
            self.key(byte);
            self.quotes(byte);
        }
    }

    fn tag(&mut self, byte: u8) {
        if byte == b'<' {
            self.in_name = true;
            self.name_len = 0;
            return;
        }
        if !self.in_name {
            return;
        }
        match byte {
            b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n' => {
                self.in_name = false;
                self.start_tag();
            }
            b':' => self.name_len = 0,
            b => {
                if self.name_len < NAME {
                    self.name[self.name_len] = b;
                }
                self.name_len = self.name_len.saturating_add(1);
            }
        }
    }

    /// Counts the start tag whose local name was just read.
    fn start_tag(&mut self) {
        if self.name_len > NAME {
            return;
        }
        match &self.name[..self.name_len] {
            b"si" => self.shared_strings += 1,
            b"xf" => self.formats += 1,
            b"sheet" => self.sheets += 1,
            b"definedName" => self.defined_names += 1,
            b"Relationship" => self.relationships += 1,
            _ => {}
        }
    }

    fn key(&mut self, byte: u8) {
        let restart = |byte: u8| Key::Matching(usize::from(byte == UNIQUE_COUNT[0]));
        self.key = match self.key {
            Key::Matching(matched) if UNIQUE_COUNT.get(matched) == Some(&byte) => {
                if matched + 1 == UNIQUE_COUNT.len() {
                    Key::Name
                } else {
                    Key::Matching(matched + 1)
                }
            }
            Key::Matching(_) => restart(byte),
            Key::Name | Key::Equals if byte.is_ascii_whitespace() => self.key,
            Key::Name if byte == b'=' => Key::Equals,
            Key::Equals if byte == b'"' || byte == b'\'' => Key::Digits {
                quote: byte,
                value: 0,
                any: false,
            },
            Key::Name | Key::Equals => restart(byte),
            Key::Digits { quote, value, any } if byte == quote => {
                if any {
                    self.declared_shared_strings = self.declared_shared_strings.max(value);
                }
                Key::Matching(0)
            }
            Key::Digits { quote, value, .. } if byte.is_ascii_digit() => Key::Digits {
                quote,
                value: value
                    .saturating_mul(10)
                    .saturating_add(u64::from(byte - b'0')),
                any: true,
            },
            // Not a number: calamine reserves nothing for it.
            Key::Digits { .. } => restart(byte),
        };
    }

    fn quotes(&mut self, byte: u8) {
        match byte {
            b'"' => {
                self.longest_value = self.longest_value.max(self.since_double);
                self.since_double = 0;
                self.since_single += 1;
            }
            b'\'' => {
                self.longest_value = self.longest_value.max(self.since_single);
                self.since_single = 0;
                self.since_double += 1;
            }
            _ => {
                self.since_double += 1;
                self.since_single += 1;
            }
        }
    }

    /// Refuses what calamine would keep too much of.
    fn check(&self, part: &str) -> Result<(), SheetError> {
        if self.shared_strings > MAX_SHARED_STRINGS
            || self.declared_shared_strings > MAX_SHARED_STRINGS
        {
            return Err(SheetError::TooManySharedStrings {
                limit: MAX_SHARED_STRINGS,
            });
        }
        // A format costs its fixed part and copies of a font name and a format code, each
        // an attribute value.
        let format_bytes = FORMAT_BYTES.saturating_add(self.longest_value.saturating_mul(2));
        if self.formats.saturating_mul(format_bytes) > STYLES_BUDGET {
            return Err(SheetError::TooManyFormats {
                limit: STYLES_BUDGET / format_bytes,
            });
        }
        for (count, element, limit) in [
            (self.sheets, "sheet", MAX_SHEET_ENTRIES),
            (self.defined_names, "definedName", MAX_DEFINED_NAMES),
            (self.relationships, "Relationship", MAX_RELATIONSHIPS),
        ] {
            if count > limit {
                return Err(SheetError::TooManyEntries {
                    part: part.to_owned(),
                    element,
                    limit,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> Scan {
        let mut scan = Scan::default();
        // Byte by byte: a chunk may end anywhere.
        for byte in xml.as_bytes() {
            scan.feed(std::slice::from_ref(byte));
        }
        scan
    }

    #[test]
    fn counts_start_tags_by_local_name() {
        let s = scan(
            r#"<?xml version="1.0"?><x:sst xmlns:x="urn" count="9" uniqueCount="0003"><x:si><x:t>a</x:t></x:si><si/><si
><t xml:space="preserve"> b </t></si><sis/><s/></x:sst>"#,
        );
        assert_eq!(s.shared_strings, 3);
        assert_eq!(s.declared_shared_strings, 3);
    }

    #[test]
    fn counts_too_many_rather_than_too_few() {
        // In a comment and in CDATA too.
        let s = scan(
            r#"<!-- <si> --><sst a='>' uniqueCount = "12"><si>x</si><![CDATA[ <si> ]]></sst>"#,
        );
        assert_eq!(s.shared_strings, 3);
        assert_eq!(s.declared_shared_strings, 12);
        // A comment that would lead a reader following the XML into an endless attribute
        // value hides nothing.
        let s = scan(r#"<!-- > <a b=" --><sst uniqueCount="100000000"><si/><si/>"#);
        assert_eq!(s.shared_strings, 2);
        assert_eq!(s.declared_shared_strings, 100_000_000);
    }

    #[test]
    fn unique_count_is_a_quoted_number() {
        assert_eq!(
            scan(r#"<sst uniqueCount="+5"/>"#).declared_shared_strings,
            0
        );
        assert_eq!(scan(r#"<sst uniqueCount=""/>"#).declared_shared_strings, 0);
        assert_eq!(
            scan(r#"<sst UniqueCount="7" uniqueuniqueCount='8'/>"#).declared_shared_strings,
            8
        );
        assert_eq!(
            scan(r#"<sst uniqueCount="99999999999999999999999"/>"#).declared_shared_strings,
            u64::MAX
        );
    }

    #[test]
    fn counts_what_calamine_keeps() {
        let s = scan(
            r#"<cellXfs><xf numFmtId="0"/><xf/></cellXfs><sheets><sheet name="a"/></sheets><definedNames><definedName name="b">A1</definedName></definedNames><Relationships><Relationship Id="r"/></Relationships><dxf/><sheetData/>"#,
        );
        assert_eq!(
            (s.formats, s.sheets, s.defined_names, s.relationships),
            (2, 1, 1, 1)
        );
    }

    #[test]
    fn the_longest_value_is_bounded_from_above() {
        let name = "等".repeat(1_000);
        let s = scan(&format!(
            r#"<font><name val="{name}"/></font><xf a='{name}"'/>"#
        ));
        assert!(s.longest_value > name.len() as u64, "{}", s.longest_value);
    }

    #[test]
    fn long_prefixes_do_not_hide_a_local_name() {
        let s = scan(&format!("<{}:si><{}si>", "p".repeat(40), "p".repeat(40)));
        assert_eq!(s.shared_strings, 1);
    }
}
