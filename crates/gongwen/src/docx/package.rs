//! The package parts docx-rs does not write for us: the document properties (core and
//! custom XML, with the record number and the font note), and paragraph ids renumbered so
//! that parts merged into one package stay unique.

use super::*;

pub(super) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Description for the core properties: which fonts the document names.
pub(crate) fn font_note() -> String {
    let names: Vec<String> = FontRole::ALL
        .iter()
        .map(|r| format!("{}{}", r.label(), r.official_name()))
        .collect();
    format!(
        "字体：{}（GB/T 9704-2012 规定字体；未安装时由 Word/WPS 以其他字体替代）",
        names.join("，")
    )
}

pub(super) fn custom_xml(props: &[(&str, &str)]) -> String {
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" "#,
        r#"xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#
    ));
    for (i, (name, value)) in props.iter().enumerate() {
        out.push_str(&format!(
            r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{}" name="{}"><vt:lpwstr>{}</vt:lpwstr></property>"#,
            i + 2,
            xml_escape(name),
            xml_escape(value)
        ));
    }
    out.push_str("</Properties>");
    out
}

pub(super) fn core_xml(doc: &OfficialDoc) -> String {
    let when = format!("{}T00:00:00Z", doc.date.format("%Y-%m-%d"));
    let description = format!(
        "{}。{}。{}",
        doc.doc_number,
        font_note(),
        crate::footer_text(doc)
    );
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title>",
            "<dc:subject>{subject}</dc:subject>",
            "<dc:creator>{creator}</dc:creator>",
            "<cp:keywords>{keywords}</cp:keywords>",
            "<dc:description>{description}</dc:description>",
            "<dc:language>zh-CN</dc:language>",
            "<cp:lastModifiedBy>统筹平台</cp:lastModifiedBy>",
            "<cp:revision>1</cp:revision>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        title = xml_escape(&doc.title),
        subject = xml_escape(&doc.doc_number),
        creator = xml_escape(&doc.issuer),
        keywords = xml_escape(&format!(
            "公文；GB/T 9704-2012；记录编号 {}",
            doc.record_number.trim()
        )),
        description = xml_escape(&description),
        when = when,
    )
}

pub(super) fn renumber_para_ids(part: Vec<u8>, next: &mut u32) -> Result<Vec<u8>, DocError> {
    const KEY: &str = "w14:paraId=\"";
    let part = String::from_utf8(part).map_err(|e| DocError::Docx(e.to_string()))?;
    let mut out = String::with_capacity(part.len());
    let mut rest = part.as_str();
    while let Some(pos) = rest.find(KEY) {
        let start = pos + KEY.len();
        let end = rest[start..]
            .find('"')
            .map(|e| start + e)
            .ok_or_else(|| DocError::Docx("unterminated paraId".into()))?;
        out.push_str(&rest[..start]);
        out.push_str(&format!("{:08X}", *next));
        *next += 1;
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out.into_bytes())
}
