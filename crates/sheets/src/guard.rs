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

/// What a streaming look at a part's XML counts: start tags by local name (`<si>`,
/// `<x:si>`), the `uniqueCount` an `<sst>` declares, and the longest attribute value.
///
/// A byte-wise state machine over chunks, without building anything. It finds the end of a
/// tag at the first `>` outside quotes, as the XML reader calamine uses does; text, end tags,
/// comments, processing instructions and CDATA are skipped. A `<si` in a comment may be
/// counted: the counts can only be too high, never too low.
#[derive(Debug, Default)]
struct Scan {
    state: State,
    /// The tag's local name read so far (the first [`NAME`] bytes).
    name: [u8; NAME],
    name_len: usize,
    /// The attribute name read so far.
    attribute: [u8; NAME],
    attribute_len: usize,
    /// The next name byte in a tag starts a new attribute name.
    new_attribute: bool,
    /// In an `<sst>` tag.
    in_sst: bool,
    /// The value being read is an `<sst>`'s `uniqueCount`.
    unique_count: bool,
    /// That value so far (saturating), and whether it has a byte that is not a digit.
    number: u64,
    not_a_number: bool,
    value_len: u64,
    longest_value: u64,
    shared_strings: u64,
    declared_shared_strings: u64,
    formats: u64,
    sheets: u64,
    defined_names: u64,
    relationships: u64,
}

/// Longer local or attribute names are none of those compared ("Relationship" is 12 bytes).
const NAME: usize = 24;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Text between tags.
    #[default]
    Text,
    /// After `<`, in the tag's name.
    Name,
    /// In a start tag, after its name.
    Tag,
    /// In an attribute value, quoted with this byte.
    Value(u8),
    /// In an end tag, comment, processing instruction or the like, until `>`.
    Skip,
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.byte(byte);
        }
    }

    fn byte(&mut self, byte: u8) {
        match self.state {
            State::Text => {
                if byte == b'<' {
                    self.state = State::Name;
                    self.name_len = 0;
                }
            }
            State::Name => match byte {
                b'!' | b'?' | b'/' if self.name_len == 0 => self.state = State::Skip,
                b'>' => {
                    self.start_tag();
                    self.state = State::Text;
                }
                // What follows the last colon is the local name ("x:si" is an "si").
                b':' => self.name_len = 0,
                b'/' => {
                    self.start_tag();
                    self.enter_tag();
                }
                b if b.is_ascii_whitespace() => {
                    self.start_tag();
                    self.enter_tag();
                }
                b => {
                    if self.name_len < NAME {
                        self.name[self.name_len] = b;
                    }
                    self.name_len = self.name_len.saturating_add(1);
                }
            },
            State::Tag => match byte {
                b'>' => self.state = State::Text,
                b'"' | b'\'' => {
                    self.unique_count =
                        self.in_sst && &self.attribute[..self.attribute_len] == b"uniqueCount";
                    self.number = 0;
                    self.not_a_number = false;
                    self.value_len = 0;
                    self.state = State::Value(byte);
                }
                b'=' | b'/' => self.new_attribute = true,
                b if b.is_ascii_whitespace() => self.new_attribute = true,
                b => {
                    if self.new_attribute {
                        self.attribute_len = 0;
                        self.new_attribute = false;
                    }
                    if self.attribute_len < NAME {
                        self.attribute[self.attribute_len] = b;
                        self.attribute_len += 1;
                    } else {
                        // Too long to be "uniqueCount".
                        self.attribute[0] = 0;
                    }
                }
            },
            State::Value(quote) => {
                if byte == quote {
                    self.longest_value = self.longest_value.max(self.value_len);
                    if self.unique_count && self.value_len > 0 && !self.not_a_number {
                        self.declared_shared_strings =
                            self.declared_shared_strings.max(self.number);
                    }
                    self.new_attribute = true;
                    self.state = State::Tag;
                } else {
                    self.value_len += 1;
                    if byte.is_ascii_digit() {
                        self.number = self
                            .number
                            .saturating_mul(10)
                            .saturating_add(u64::from(byte - b'0'));
                    } else {
                        self.not_a_number = true;
                    }
                }
            }
            State::Skip => {
                if byte == b'>' {
                    self.state = State::Text;
                }
            }
        }
    }

    /// Inside a start tag, after its name.
    fn enter_tag(&mut self) {
        self.attribute_len = 0;
        self.new_attribute = true;
        self.state = State::Tag;
    }

    /// Counts the start tag whose name was just read.
    fn start_tag(&mut self) {
        self.in_sst = false;
        if self.name_len > NAME {
            return;
        }
        match &self.name[..self.name_len] {
            b"si" => self.shared_strings += 1,
            b"xf" => self.formats += 1,
            b"sheet" => self.sheets += 1,
            b"definedName" => self.defined_names += 1,
            b"Relationship" => self.relationships += 1,
            b"sst" => self.in_sst = true,
            _ => {}
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
        // no longer than the longest attribute value seen.
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
            r#"<?xml version="1.0"?><x:sst xmlns:x="urn" count="9" uniqueCount="0003"><x:si><x:t>a</x:t></x:si><si/><si ><t xml:space="preserve"> b </t></si><sis/><s/></x:sst>"#,
        );
        assert_eq!(s.shared_strings, 3);
        assert_eq!(s.declared_shared_strings, 3);
        assert_eq!(s.longest_value, "preserve".len() as u64);
    }

    #[test]
    fn skips_comments_end_tags_and_quoted_brackets() {
        let s = scan(
            r#"<!-- <si> --><sst a='>' uniqueCount = "12"><si>x</si><![CDATA[ <si> ]]></sst>"#,
        );
        assert_eq!(s.shared_strings, 1);
        assert_eq!(s.declared_shared_strings, 12);
    }

    #[test]
    fn unique_count_only_of_an_sst_and_only_digits() {
        assert_eq!(
            scan(r#"<sst uniqueCount="+5"/>"#).declared_shared_strings,
            0
        );
        assert_eq!(
            scan(r#"<x uniqueCount="999999999"/>"#).declared_shared_strings,
            0
        );
        assert_eq!(
            scan(r#"<sst UniqueCount="7" uniqueCount="99999999999999999999999"/>"#)
                .declared_shared_strings,
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
    fn long_prefixes_do_not_hide_a_local_name() {
        let s = scan(&format!("<{}:si><{}si>", "p".repeat(40), "p".repeat(40)));
        assert_eq!(s.shared_strings, 1);
    }
}
