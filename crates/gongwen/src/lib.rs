//! Official Chinese documents (公文) in the national format GB/T 9704-2012: the document
//! model, its layout rules, and the Word (.docx, via docx-rs) rendering. The PDF rendering is
//! the `typeset` crate (typst as a library), reached through the [`Typesetter`] port so that
//! only the binary and the document tests link typst.
//!
//! The same [`OfficialDoc`] renders to both formats:
//!
//! * A4, top margin 37 mm, binding (left) margin 28 mm, text block 156 mm × 225 mm,
//!   22 lines of 28 characters;
//! * title in 二号 (22 pt) 小标宋, centred; body in 三号 (16 pt) 仿宋 with a two-character
//!   first-line indent;
//! * headings numbered automatically by level: 一、(黑体) → （一）(楷体) → 1.(仿宋 bold) → （1）(仿宋);
//! * document number as given (宛政数〔2026〕12号), date written out (2026年11月28日) four
//!   characters from the right with the issuer centred above it;
//! * page numbers in 四号 as "— 1 —" (odd pages right, even pages left, one character in);
//! * every page's footer names the platform record number.
//!
//! In the PDF, user text never passes through typst's markup parser: the document is handed to
//! a fixed template as a JSON virtual file.
#![forbid(unsafe_code)]

mod docx;
mod role;
mod title;

use serde::Serialize;

pub use docx::render_docx;
pub use role::FontRole;
pub use title::title_lines;

/// The port to a PDF typesetter. The platform asks it for the PDF of a document it also
/// writes as .docx; the `typeset` crate implements it with typst.
pub trait Typesetter: Send + Sync {
    /// The PDF of `doc`, laid out as GB/T 9704 asks.
    fn pdf(&self, doc: &OfficialDoc) -> Result<Vec<u8>, DocError>;
}

/// A platform started without typesetting (a tool that never issues documents): every PDF is
/// refused with [`DocError::NoTypesetter`], so nothing is issued without its PDF.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTypesetter;

impl Typesetter for NoTypesetter {
    fn pdf(&self, _doc: &OfficialDoc) -> Result<Vec<u8>, DocError> {
        Err(DocError::NoTypesetter)
    }
}

/// One official document (公文).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialDoc {
    /// 发文机关, e.g. "南阳市政务服务和大数据管理局"; printed as the signature above the date.
    pub issuer: String,
    /// 发文机关标志 (the red letterhead), e.g. "南阳市政务服务和大数据管理局文件". `None` for
    /// none: the document then opens with the document number and the red separator line.
    pub letterhead: Option<String>,
    /// 发文字号, e.g. "宛政数〔2026〕12号" (use the brackets 〔〕).
    pub doc_number: String,
    /// 标题.
    pub title: String,
    /// 主送机关, e.g. "南阳市数字城市建设运营有限公司：" (a missing trailing colon is added).
    pub recipient: String,
    /// 正文.
    pub body: Vec<Block>,
    /// 成文日期; also the fixed creation date of both files.
    pub date: chrono::NaiveDate,
    /// Platform record number, e.g. "RW-2027-0001". Every page's footer reads
    /// "本文件由统筹平台生成，记录编号 RW-2027-0001".
    pub record_number: String,
    /// 版记; `None` for a document without one.
    pub colophon: Option<Colophon>,
}

/// 版记 (GB/T 9704-2012, 7.4), closing the last page between rules: who else receives the
/// document and who printed it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colophon {
    /// 抄送机关, e.g. ["南阳市发展和改革委员会", "南阳市财政局"]; empty for none.
    pub copy_to: Vec<String>,
    /// 印发机关, e.g. "南阳市政务服务和大数据管理局办公室".
    pub printed_by: String,
    /// 印发日期.
    pub printed_on: chrono::NaiveDate,
}

impl Colophon {
    /// "抄送：甲，乙。" (the organs separated by commas, a full stop after the last), or
    /// `None` when nobody else receives it.
    pub fn copy_line(&self) -> Option<String> {
        let names: Vec<&str> = self
            .copy_to
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!names.is_empty()).then(|| format!("抄送：{}。", names.join("，")))
    }

    /// "2026年11月28日印发".
    pub fn printed_line(&self) -> String {
        format!("{}印发", date_written_out(self.printed_on))
    }
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Heading of level 1..=4, numbered automatically: 一、 / （一） / 1. / （1）.
    /// Give the text without the number (a text that already starts with the right number is
    /// left as it is).
    Heading(u8, String),
    /// A body paragraph (first-line indent of two characters).
    Para(String),
    /// A table spanning the text width.
    Table(Table),
}

/// A table. Columns holding only numbers with a decimal point or thousands separator (amounts)
/// are right-aligned, columns of plain integers (序号) centred, all others left-aligned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Printed last, in 黑体, e.g. `["合计", "", "", "1,234.00", ""]`.
    pub total_row: Option<Vec<String>>,
    /// Relative column widths, one per header; empty for equal widths.
    pub widths: Vec<u16>,
}

/// Errors while rendering.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The document itself is malformed (a table row of the wrong length, a heading level
    /// outside 1..=4, ...).
    #[error("invalid document: {0}")]
    Invalid(String),
    /// No CJK font at all is available for the PDF (install Debian's `fonts-noto-cjk`).
    #[error("no CJK font found for {0} (install fonts-noto-cjk)")]
    NoCjkFont(&'static str),
    /// Typst failed to compile the document.
    #[error("PDF typesetting failed: {0}")]
    Typst(String),
    /// Writing the .docx package failed.
    #[error("docx packaging failed: {0}")]
    Docx(String),
    /// The platform was started without a PDF typesetter.
    #[error("no PDF typesetter is configured")]
    NoTypesetter,
    /// Serialising the document for the PDF template failed.
    #[error("serialising the document failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Text alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A body block after validation and heading numbering, shared by both renderers.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Prepared {
    Heading {
        level: u8,
        text: String,
    },
    Para {
        text: String,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        total: Option<Vec<String>>,
        widths: Vec<u32>,
        align: Vec<Align>,
    },
}

/// Footer line naming the record number.
pub fn footer_text(doc: &OfficialDoc) -> String {
    format!(
        "本文件由统筹平台生成，记录编号 {}",
        doc.record_number.trim()
    )
}

/// The recipient line with its full-width colon.
pub fn recipient_line(doc: &OfficialDoc) -> String {
    let r = doc.recipient.trim();
    if r.is_empty() || r.ends_with('：') || r.ends_with(':') {
        r.to_owned()
    } else {
        format!("{r}：")
    }
}

/// 2026年11月28日 (no leading zeros, per GB/T 9704-2012 7.3.5.1).
pub fn date_written_out(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Chinese numeral for 1..=99 (一, 十, 十一, 二十三); other numbers as digits.
pub fn chinese_numeral(n: usize) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", D[n - 10]),
        20..=99 => {
            let (t, u) = (n / 10, n % 10);
            if u == 0 {
                format!("{}十", D[t])
            } else {
                format!("{}十{}", D[t], D[u])
            }
        }
        _ => n.to_string(),
    }
}

fn heading_prefix(level: u8, n: usize) -> String {
    match level {
        1 => format!("{}、", chinese_numeral(n)),
        2 => format!("（{}）", chinese_numeral(n)),
        3 => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

/// Width of a string in characters of the body font (ASCII counts half).
pub fn width_in_chars(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

fn is_number(s: &str) -> bool {
    let t = s.trim().replace([',', '，'], "");
    let t = t.strip_prefix('-').unwrap_or(&t);
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.chars().filter(|&c| c == '.').count() <= 1
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn column_alignment(t: &Table, col: usize) -> Align {
    let cells: Vec<&str> = t
        .rows
        .iter()
        .chain(t.total_row.iter())
        .filter_map(|r| r.get(col))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let body_cells = t
        .rows
        .iter()
        .filter_map(|r| r.get(col))
        .filter(|s| !s.trim().is_empty())
        .count();
    if body_cells == 0
        || !t
            .rows
            .iter()
            .filter_map(|r| r.get(col))
            .all(|s| s.trim().is_empty() || is_number(s))
    {
        return Align::Left;
    }
    if cells
        .iter()
        .any(|s| s.contains('.') || s.contains(',') || s.contains('，'))
    {
        Align::Right
    } else {
        Align::Center
    }
}

/// Validates the document and numbers its headings.
pub fn prepare(doc: &OfficialDoc) -> Result<Vec<Prepared>, DocError> {
    let mut counters = [0usize; 4];
    let mut out = Vec::with_capacity(doc.body.len());
    for block in &doc.body {
        match block {
            Block::Heading(level, text) => {
                if !(1..=4).contains(level) {
                    return Err(DocError::Invalid(format!(
                        "heading level {level} outside 1..=4: {text}"
                    )));
                }
                let i = usize::from(*level - 1);
                counters[i] += 1;
                for c in counters.iter_mut().skip(i + 1) {
                    *c = 0;
                }
                let prefix = heading_prefix(*level, counters[i]);
                let text = text.trim();
                let text = if text.starts_with(&prefix) {
                    text.to_owned()
                } else {
                    format!("{prefix}{text}")
                };
                out.push(Prepared::Heading {
                    level: *level,
                    text,
                });
            }
            Block::Para(text) => out.push(Prepared::Para {
                text: text.trim().to_owned(),
            }),
            Block::Table(t) => {
                let n = t.headers.len();
                if n == 0 {
                    return Err(DocError::Invalid("table without columns".into()));
                }
                for (i, row) in t.rows.iter().chain(t.total_row.iter()).enumerate() {
                    if row.len() != n {
                        return Err(DocError::Invalid(format!(
                            "table row {} has {} cells, the header has {n}",
                            i + 1,
                            row.len()
                        )));
                    }
                }
                let widths: Vec<u32> = if t.widths.is_empty() {
                    vec![1; n]
                } else if t.widths.len() != n || t.widths.iter().all(|&w| w == 0) {
                    return Err(DocError::Invalid(format!(
                        "table has {} widths for {n} columns (or all are zero)",
                        t.widths.len()
                    )));
                } else {
                    t.widths.iter().map(|&w| u32::from(w.max(1))).collect()
                };
                out.push(Prepared::Table {
                    headers: t.headers.clone(),
                    rows: t.rows.clone(),
                    total: t.total_row.clone(),
                    widths,
                    align: (0..n).map(|c| column_alignment(t, c)).collect(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(chinese_numeral(1), "一");
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(20), "二十");
        assert_eq!(chinese_numeral(47), "四十七");
        assert_eq!(chinese_numeral(100), "100");
    }

    #[test]
    fn date_has_no_leading_zeros() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(date_written_out(d), "2026年3月8日");
    }

    #[test]
    fn headings_are_numbered_per_level() {
        let doc = OfficialDoc {
            issuer: String::new(),
            letterhead: None,
            doc_number: String::new(),
            title: String::new(),
            recipient: String::new(),
            body: vec![
                Block::Heading(1, "总体要求".into()),
                Block::Heading(2, "目标".into()),
                Block::Heading(3, "甲".into()),
                Block::Heading(4, "乙".into()),
                Block::Heading(3, "丙".into()),
                Block::Heading(2, "（二）已有编号".into()),
                Block::Heading(1, "任务".into()),
                Block::Heading(2, "重置".into()),
            ],
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            record_number: String::new(),
            colophon: None,
        };
        let texts: Vec<String> = prepare(&doc)
            .unwrap()
            .into_iter()
            .map(|p| match p {
                Prepared::Heading { text, .. } => text,
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "一、总体要求",
                "（一）目标",
                "1.甲",
                "（1）乙",
                "2.丙",
                "（二）已有编号",
                "二、任务",
                "（一）重置"
            ]
        );
        let mut bad = doc.clone();
        bad.body = vec![Block::Heading(5, "x".into())];
        assert!(matches!(prepare(&bad), Err(DocError::Invalid(_))));
    }

    #[test]
    fn table_validation_and_alignment() {
        let t = Table {
            headers: vec!["序号".into(), "名称".into(), "预算（万元）".into()],
            rows: vec![
                vec!["1".into(), "甲".into(), "1,200.00".into()],
                vec!["2".into(), "乙".into(), "35.50".into()],
            ],
            total_row: Some(vec!["合计".into(), String::new(), "1,235.50".into()]),
            widths: vec![1, 4, 2],
        };
        assert_eq!(column_alignment(&t, 0), Align::Center);
        assert_eq!(column_alignment(&t, 1), Align::Left);
        assert_eq!(column_alignment(&t, 2), Align::Right);
        let mut doc = OfficialDoc {
            issuer: String::new(),
            letterhead: None,
            doc_number: String::new(),
            title: String::new(),
            recipient: String::new(),
            body: vec![Block::Table(t.clone())],
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            record_number: String::new(),
            colophon: None,
        };
        assert!(prepare(&doc).is_ok());
        let mut short = t;
        short.rows[1].pop();
        doc.body = vec![Block::Table(short)];
        assert!(matches!(prepare(&doc), Err(DocError::Invalid(_))));
    }
}
