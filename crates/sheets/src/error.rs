//! Errors, each with a message in Chinese for the user and in English.

/// Why a workbook could not be read or written.
///
/// [`SheetError::zh`] is meant for the person who uploaded the file,
/// [`SheetError::en`] for the English UI and logs; `Display` shows both.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", self.zh(), self.en())]
pub enum SheetError {
    /// The upload is empty (0 bytes).
    EmptyFile,
    /// The file is larger than [`crate::MAX_FILE_BYTES`].
    FileTooLarge {
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// The unpacked content is larger than [`crate::MAX_UNZIPPED_BYTES`] or
    /// has too many parts (a "zip bomb" or a huge sheet).
    ContentTooLarge {
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// One part of the zip unpacks to more than its limit:
    /// [`crate::MAX_SHARED_STRINGS_BYTES`] for the shared strings, [`crate::MAX_PART_BYTES`]
    /// for any other part.
    PartTooLarge {
        /// The part's name in the zip, e.g. "xl/sharedStrings.xml".
        part: String,
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// A part is compressed more than [`crate::MAX_COMPRESSION_RATIO`] to 1, as a zip bomb
    /// is and a real workbook never is.
    CompressionTooHigh {
        /// The part's name in the zip.
        part: String,
        /// The largest ratio accepted (unpacked : packed).
        limit: u64,
    },
    /// More shared strings (distinct texts) than [`crate::MAX_SHARED_STRINGS`], declared
    /// (`<sst uniqueCount>`) or counted.
    TooManySharedStrings {
        /// The limit.
        limit: u64,
    },
    /// More cell formats (`<xf>` in the styles) than the reader can hold.
    TooManyFormats {
        /// The limit for this workbook (fewer when its format names are long).
        limit: u64,
    },
    /// A part has more entries of one kind (worksheets, defined names, relationships) than
    /// a real workbook has.
    TooManyEntries {
        /// The part's name in the zip.
        part: String,
        /// The XML element, e.g. "definedName".
        element: &'static str,
        /// The limit.
        limit: u64,
    },
    /// The cells hold more than [`crate::MAX_TEXT_BYTES`] of text (e.g. one long shared
    /// string used by many cells).
    TooMuchText {
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// All import slots are taken ([`crate::ImportSlots`]): the caller can answer
    /// "try again later" (HTTP 503 or 429 with `Retry-After`).
    Busy,
    /// An Excel 97–2003 `.xls` (or WPS `.et`) workbook.
    LegacyFormat,
    /// A password-protected workbook.
    Encrypted,
    /// Text: a CSV, a `.txt`, or an HTML table saved as `.xls`.
    TextFile,
    /// Some other kind of file (an image, a PDF, a `.docx`, an `.ods`, …).
    NotXlsx,
    /// An `.xlsx` that cannot be read (damaged or cut off).
    Corrupt {
        /// What the reader said (English, technical).
        detail: String,
    },
    /// No visible worksheet.
    NoWorksheet,
    /// The worksheets hold no values at all.
    EmptyWorkbook,
    /// More than [`crate::MAX_ROWS`] data rows.
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// A value beyond column [`crate::MAX_COLUMNS`].
    TooManyColumns {
        /// The limit.
        limit: usize,
    },
    /// No row in the first rows carries any of the expected headers.
    HeaderNotFound {
        /// The expected headers.
        expected: Vec<String>,
    },
    /// The header row lacks some expected columns.
    MissingColumns {
        /// The Excel row number of the header row.
        header_row: u32,
        /// The missing headers, as the caller named them.
        missing: Vec<String>,
    },
    /// A header appears twice in the header row.
    DuplicateColumn {
        /// The Excel row number of the header row.
        header_row: u32,
        /// The header.
        header: String,
        /// The column letters where it appears.
        columns: Vec<String>,
    },
    /// The caller passed a sheet that cannot be written (a programming error).
    InvalidSheet {
        /// What is wrong (English).
        detail: String,
    },
    /// The writer failed.
    Write {
        /// What the writer said (English, technical).
        detail: String,
    },
}

impl SheetError {
    /// The message in Chinese, for the person who uploaded or downloaded.
    pub fn zh(&self) -> String {
        match self {
            SheetError::EmptyFile => "文件为空，请重新选择文件。".to_owned(),
            SheetError::FileTooLarge { limit_mib } => {
                format!("文件太大，超过 {limit_mib} MB 的上限，请拆分后分批导入。")
            }
            SheetError::ContentTooLarge { limit_mib } => format!(
                "文件解压后内容超过 {limit_mib} MB 的上限（表格过大或文件异常），请拆分后分批导入。"
            ),
            SheetError::PartTooLarge { part, limit_mib } if is_shared_strings(part) => format!(
                "表格中的文字内容过多：共享字符串（{part}）解压后超过 {limit_mib} MB 的上限。请删除多余内容或拆分为多个文件后再导入。"
            ),
            SheetError::PartTooLarge { part, limit_mib } => format!(
                "文件中的“{part}”解压后超过 {limit_mib} MB 的上限（内容过多，或含有大量空行、格式）。请删除多余的行、列和格式，或拆分为多个文件后再导入。"
            ),
            SheetError::CompressionTooHigh { part, limit } => format!(
                "文件中的“{part}”压缩比异常（超过 {limit}:1），正常的 Excel 文件不会这样。请用 Excel/WPS 打开后另存为新的 .xlsx，或使用导入模板重新填写后再导入。"
            ),
            SheetError::TooManySharedStrings { limit } => format!(
                "共享字符串过多（超过 {limit} 个）：表格中不同的文字内容太多。请删除多余内容或拆分为多个文件后再导入。"
            ),
            SheetError::TooManyFormats { limit } => format!(
                "单元格格式过多（超过 {limit} 种）：请在 Excel/WPS 中清除多余的格式，或把内容“只粘贴值”到新的导入模板后再导入。"
            ),
            SheetError::TooManyEntries {
                part,
                element,
                limit,
            } => format!(
                "文件结构异常：“{part}”中的{}超过 {limit} 个，正常的 Excel 工作簿不会这样。请使用导入模板重新填写后再导入。",
                match *element {
                    "sheet" => "工作表",
                    "definedName" => "定义的名称",
                    "Relationship" => "关联（超链接、对象等）",
                    other => other,
                }
            ),
            SheetError::TooMuchText { limit_mib } => format!(
                "表格中的文字内容过多（超过 {limit_mib} MB）：请删除多余内容或拆分为多个文件后再导入。"
            ),
            SheetError::Busy => "正在处理的导入较多，请稍后再试。".to_owned(),
            SheetError::LegacyFormat => "这是旧版 Excel（.xls）或 WPS（.et）格式，请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再导入。".to_owned(),
            SheetError::Encrypted => {
                "文件设置了打开密码，请取消密码后另存为 .xlsx 再导入。".to_owned()
            }
            SheetError::TextFile => "这是文本文件（如 CSV、TXT 或网页表格），不是 Excel 工作簿，请用 Excel/WPS 打开后“另存为”.xlsx 再导入。".to_owned(),
            SheetError::NotXlsx => {
                "这不是 Excel 工作簿（.xlsx），请下载导入模板填写后再导入。".to_owned()
            }
            SheetError::Corrupt { .. } => {
                "文件已损坏或不完整，无法读取，请用 Excel/WPS 打开确认后重新保存为 .xlsx 再导入。"
                    .to_owned()
            }
            SheetError::NoWorksheet => "工作簿中没有可见的工作表。".to_owned(),
            SheetError::EmptyWorkbook => "工作表是空的，没有任何内容。".to_owned(),
            SheetError::TooManyRows { limit } => {
                format!("数据超过 {limit} 行的上限，请拆分为多个文件分批导入。")
            }
            SheetError::TooManyColumns { limit } => format!(
                "表格超过 {limit} 列的上限（第 {} 列之后仍有内容），请删除多余的列后再导入。",
                crate::column_letter(limit.saturating_sub(1))
            ),
            SheetError::HeaderNotFound { expected } => format!(
                "找不到表头行，请使用导入模板，表头应包含：{}。",
                expected.join("、")
            ),
            SheetError::MissingColumns {
                header_row,
                missing,
            } => format!(
                "第 {header_row} 行的表头缺少以下列：{}。请使用最新的导入模板。",
                missing.join("、")
            ),
            SheetError::DuplicateColumn {
                header_row,
                header,
                columns,
            } => format!(
                "第 {header_row} 行的表头中“{header}”出现了多次（{} 列），请只保留一列。",
                columns.join("、")
            ),
            SheetError::InvalidSheet { .. } => "导出的表格定义有误（程序错误）。".to_owned(),
            SheetError::Write { .. } => "生成 Excel 文件失败。".to_owned(),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            SheetError::EmptyFile => "The file is empty; please choose the file again.".to_owned(),
            SheetError::FileTooLarge { limit_mib } => format!(
                "The file is larger than the {limit_mib} MB limit; please split it and import in parts."
            ),
            SheetError::ContentTooLarge { limit_mib } => format!(
                "The workbook unpacks to more than {limit_mib} MB (a huge or abnormal file); please split it and import in parts."
            ),
            SheetError::PartTooLarge { part, limit_mib } => format!(
                "The part {part} of the workbook unpacks to more than {limit_mib} MB, the limit (too much content, or many blank formatted rows); please delete what is not needed or split it into several files."
            ),
            SheetError::CompressionTooHigh { part, limit } => format!(
                "The part {part} of the workbook is compressed more than {limit}:1, which a normal workbook never is; please open it in Excel/WPS and save it as a new .xlsx, or fill in the import template again."
            ),
            SheetError::TooManySharedStrings { limit } => format!(
                "The workbook has more than {limit} shared strings (distinct texts), the limit; please delete what is not needed or split it into several files."
            ),
            SheetError::TooManyFormats { limit } => format!(
                "The workbook has more than {limit} cell formats, the limit; please clear the formats not needed, or paste the values only into a new import template."
            ),
            SheetError::TooManyEntries {
                part,
                element,
                limit,
            } => format!(
                "The part {part} of the workbook has more than {limit} <{element}> entries, which a normal workbook never has; please fill in the import template again."
            ),
            SheetError::TooMuchText { limit_mib } => format!(
                "The cells hold more than {limit_mib} MB of text, the limit; please delete what is not needed or split it into several files."
            ),
            SheetError::Busy => "The server is busy with other imports; please try again in a minute.".to_owned(),
            SheetError::LegacyFormat => "This is an old Excel 97-2003 (.xls) or WPS (.et) workbook; please use \"Save As\" Excel Workbook (.xlsx) and import that.".to_owned(),
            SheetError::Encrypted => "The workbook is password-protected; please remove the password, save as .xlsx and import again.".to_owned(),
            SheetError::TextFile => "This is a text file (CSV, TXT or a web page table), not an Excel workbook; please open it in Excel/WPS and \"Save As\" .xlsx.".to_owned(),
            SheetError::NotXlsx => "This is not an Excel workbook (.xlsx); please fill in the import template and import that.".to_owned(),
            SheetError::Corrupt { detail } => format!(
                "The file is damaged or incomplete and cannot be read ({detail}); please open it in Excel/WPS and save it again as .xlsx."
            ),
            SheetError::NoWorksheet => "The workbook has no visible worksheet.".to_owned(),
            SheetError::EmptyWorkbook => "The worksheet is empty.".to_owned(),
            SheetError::TooManyRows { limit } => format!(
                "The data has more than {limit} rows, the limit; please split it into several files."
            ),
            SheetError::TooManyColumns { limit } => format!(
                "The sheet has content beyond column {} ({limit} columns, the limit); please delete the extra columns.",
                crate::column_letter(limit.saturating_sub(1))
            ),
            SheetError::HeaderNotFound { expected } => format!(
                "No header row found; please use the import template. The headers are: {}.",
                expected.join(", ")
            ),
            SheetError::MissingColumns {
                header_row,
                missing,
            } => format!(
                "The header in row {header_row} lacks these columns: {}. Please use the latest import template.",
                missing.join(", ")
            ),
            SheetError::DuplicateColumn {
                header_row,
                header,
                columns,
            } => format!(
                "The header in row {header_row} has \"{header}\" more than once (columns {}); please keep only one.",
                columns.join(", ")
            ),
            SheetError::InvalidSheet { detail } => {
                format!("The sheet to export is invalid (a program error): {detail}.")
            }
            SheetError::Write { detail } => format!("Writing the Excel file failed: {detail}."),
        }
    }
}

/// A workbook that cannot be read, with what the reader said.
pub(crate) fn corrupt(error: impl std::fmt::Display) -> SheetError {
    SheetError::Corrupt {
        detail: error.to_string(),
    }
}

/// The part calamine reads the shared strings from (`{xl}/sharedStrings.xml`, found
/// whatever the case of the name).
pub(crate) fn is_shared_strings(part: &str) -> bool {
    part.to_ascii_lowercase().ends_with("sharedstrings.xml")
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(error: rust_xlsxwriter::XlsxError) -> Self {
        SheetError::Write {
            detail: error.to_string(),
        }
    }
}
