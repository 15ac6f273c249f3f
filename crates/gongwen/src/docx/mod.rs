//! Word (.docx) rendering with docx-rs.
//!
//! The official fonts are named in every run's font slots (East-Asian included), so Word or
//! WPS on an office PC with the fonts installed uses them; elsewhere the word processor
//! substitutes, which the document's description says.

use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Docx, FieldCharType, Footer,
    HeightRule, InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType,
    Tab, TabValueType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::role::FontRole;
use crate::{Align, DocError, OfficialDoc, Prepared};

mod package;
use package::*;

/// Twips per millimetre.
const TW_PER_MM: f64 = 1440.0 / 25.4;
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const TOP: i32 = 2098; // 37 mm
const LEFT: i32 = 1587; // 28 mm
const TEXT_W: i32 = 8844; // 156 mm
const TEXT_H: i32 = 12756; // 225 mm
const RIGHT: i32 = PAGE_W as i32 - LEFT - TEXT_W; // 26 mm
const BOTTOM: i32 = PAGE_H as i32 - TOP - TEXT_H; // 35 mm
/// 22 lines in 225 mm (28.95 pt).
const LINE_PITCH: i32 = 579;
/// 28 characters of 三号 in 156 mm (at most 15.79 pt each): body runs are condensed by
/// 0.25 pt (in twentieths of a point). A character grid (`linesAndChars`, charSpace −849)
/// would do the same in Word, but LibreOffice then spreads every character over two cells.
const BODY_CONDENSE: i32 = -5;
/// Width of one body character in twips (16 pt − 0.25 pt, for right indents).
const CHAR_TW: f64 = 315.0;
/// Header rows carry this minimum height; it marks them for `w:tblHeader` after packing.
const HEADER_ROW_HEIGHT: f32 = 397.0;
const RED: &str = "E60012";

/// Font sizes in half-points.
const SZ_TITLE: usize = 44; // 二号
const SZ_BODY: usize = 32; // 三号
const SZ_PAGE_NO: usize = 28; // 四号
const SZ_TABLE: usize = 24; // 小四
const SZ_FOOTER: usize = 21; // 五号

fn mm(v: f64) -> i32 {
    (v * TW_PER_MM).round() as i32
}

fn fonts(role: FontRole) -> RunFonts {
    let name = role.official_name();
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
        .hint("eastAsia")
}

fn run(text: &str, role: FontRole, size: usize) -> Run {
    let r = Run::new().add_text(text).fonts(fonts(role)).size(size);
    if size == SZ_BODY {
        r.character_spacing(BODY_CONDENSE)
    } else {
        r
    }
}

fn exact(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(line)
}

/// A paragraph on the body's line grid without indent.
fn plain(r: Run) -> Paragraph {
    Paragraph::new()
        .add_run(r)
        .line_spacing(exact(LINE_PITCH))
        .align(AlignmentType::Left)
}

/// A body paragraph with the two-character first-line indent.
fn indented(r: Run) -> Paragraph {
    Paragraph::new()
        .add_run(r)
        .line_spacing(exact(LINE_PITCH))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .first_line_chars(200)
}

fn blank() -> Paragraph {
    plain(Run::new().fonts(fonts(FontRole::Body)).size(SZ_BODY))
}

fn heading(level: u8, text: &str) -> Paragraph {
    let r = match level {
        1 => run(text, FontRole::Hei, SZ_BODY),
        2 => run(text, FontRole::Kai, SZ_BODY),
        3 => run(text, FontRole::Body, SZ_BODY).bold(),
        _ => run(text, FontRole::Body, SZ_BODY),
    };
    indented(r)
        .keep_next(true)
        .outline_lvl(usize::from(level.saturating_sub(1)))
}

fn cell_paragraph(text: &str, align: Align, role: FontRole) -> Paragraph {
    let a = match align {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    };
    Paragraph::new()
        .add_run(run(text, role, SZ_TABLE))
        .align(a)
        .snap_to_grid(false)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Auto)
                .line(240),
        )
}

fn table(
    headers: &[String],
    rows: &[Vec<String>],
    total: Option<&Vec<String>>,
    widths: &[u32],
    align: &[Align],
) -> Table {
    let sum: u32 = widths.iter().sum::<u32>().max(1);
    let mut grid: Vec<usize> = widths
        .iter()
        .map(|&w| (f64::from(w) * f64::from(TEXT_W) / f64::from(sum)).floor() as usize)
        .collect();
    // Give the rounding remainder to the widest column so the table is exactly 156 mm wide.
    let used: usize = grid.iter().sum();
    let text_w = TEXT_W as usize;
    if let Some(max) = grid.iter_mut().max() {
        *max += text_w.saturating_sub(used);
    }
    let cell = |text: &str, col: usize, a: Align, role: FontRole| {
        TableCell::new()
            .add_paragraph(cell_paragraph(text, a, role))
            .width(grid.get(col).copied().unwrap_or(0), WidthType::Dxa)
            .vertical_align(VAlignType::Center)
    };
    let mut out = Vec::with_capacity(rows.len() + 2);
    out.push(
        TableRow::new(
            headers
                .iter()
                .enumerate()
                .map(|(c, h)| cell(h, c, Align::Center, FontRole::Hei))
                .collect(),
        )
        .cant_split()
        .row_height(HEADER_ROW_HEIGHT)
        .height_rule(HeightRule::AtLeast),
    );
    for row in rows {
        out.push(
            TableRow::new(
                row.iter()
                    .enumerate()
                    .map(|(c, t)| {
                        let a = align.get(c).copied().unwrap_or(Align::Left);
                        cell(t, c, a, FontRole::Body)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    if let Some(total) = total {
        out.push(
            TableRow::new(
                total
                    .iter()
                    .enumerate()
                    .map(|(c, t)| {
                        let a = align.get(c).copied().unwrap_or(Align::Left);
                        cell(t, c, a, FontRole::Hei)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    let mut borders = TableBorders::new();
    for pos in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        borders = borders.set(
            TableBorder::new(pos)
                .border_type(BorderType::Single)
                .size(4)
                .color("000000"),
        );
    }
    Table::new(out)
        .set_grid(grid)
        .width(text_w, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(40, 80, 40, 80))
        .set_borders(borders)
}

/// The page number "— n —" as a PAGE field in 四号 宋体.
fn page_number(align: AlignmentType) -> Paragraph {
    let f = || Run::new().fonts(fonts(FontRole::Song)).size(SZ_PAGE_NO);
    let p = Paragraph::new()
        .add_run(f().add_text("— "))
        .add_run(f().add_field_char(FieldCharType::Begin, false))
        .add_run(f().add_instr_text(InstrText::PAGE(InstrPAGE::new())))
        .add_run(f().add_field_char(FieldCharType::Separate, false))
        .add_run(f().add_text("1"))
        .add_run(f().add_field_char(FieldCharType::End, false))
        .add_run(f().add_text(" —"))
        .align(align)
        .snap_to_grid(false)
        .line_spacing(exact(360));
    // 单页码居右空一字，双页码居左空一字 (one 四号 character = 280 twips).
    match align {
        AlignmentType::Right => p.indent(None, None, Some(280), None),
        _ => p.indent(Some(280), None, None, None),
    }
}

fn footer(doc: &OfficialDoc, align: AlignmentType) -> Footer {
    Footer::new()
        .add_paragraph(page_number(align))
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&crate::footer_text(doc), FontRole::Body, SZ_FOOTER))
                .align(AlignmentType::Center)
                .snap_to_grid(false)
                .line_spacing(exact(280)),
        )
}

/// Renders the document as .docx (A4, GB/T 9704-2012 margins and line grid, official fonts
/// named in the East-Asian slot, core properties set). Deterministic for the same input.
/// 版记: 抄送 and 印发 lines in 四号, one character in from each side, between a thick rule
/// above and below and a thin one between them (GB/T 9704-2012, 7.4).
fn colophon(mut d: Docx, c: &crate::Colophon) -> Docx {
    let rule = |pos, size| {
        ParagraphBorder::new(pos)
            .val(BorderType::Single)
            .size(size)
            .space(1)
            .color("000000")
    };
    let one = CHAR_TW.round() as i32;
    let line = |text: &str| run(text, FontRole::Body, SZ_PAGE_NO);
    d = d.add_paragraph(blank()).add_paragraph(blank());
    let mut printed = plain(line(&c.printed_by))
        .add_run(Run::new().add_tab())
        .add_run(line(&c.printed_line()))
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .pos(usize::try_from(TEXT_W - one).unwrap_or(0)),
        )
        .indent(Some(one), None, Some(one), None);
    let mut borders = ParagraphBorders::with_empty().set(rule(ParagraphBorderPosition::Bottom, 8));
    match c.copy_line() {
        Some(copy) => {
            let mut p = plain(line(&copy))
                .indent(Some(one), None, Some(one), None)
                .keep_next(true);
            p.property = p.property.set_borders(
                ParagraphBorders::with_empty()
                    .set(rule(ParagraphBorderPosition::Top, 8))
                    .set(rule(ParagraphBorderPosition::Bottom, 4)),
            );
            d = d.add_paragraph(p);
        }
        None => borders = borders.set(rule(ParagraphBorderPosition::Top, 8)),
    }
    printed.property = printed.property.set_borders(borders);
    d.add_paragraph(printed)
}

pub fn render_docx(doc: &OfficialDoc) -> Result<Vec<u8>, DocError> {
    let body = crate::prepare(doc)?;

    let mut d = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(TOP)
                .left(LEFT)
                .right(RIGHT)
                .bottom(BOTTOM)
                .header(mm(15.0))
                .footer(mm(16.0))
                .gutter(0),
        )
        .default_fonts(fonts(FontRole::Body))
        .default_size(SZ_BODY)
        .footer(footer(doc, AlignmentType::Right))
        .even_footer(footer(doc, AlignmentType::Left));
    d.document = std::mem::take(&mut d.document).doc_grid(
        DocGrid::new()
            .grid_type(DocGridType::Lines)
            .line_pitch(LINE_PITCH as usize),
    );

    // 版头: 发文机关标志 (optional), 发文字号, red separator line.
    if let Some(lh) = doc.letterhead.as_deref().filter(|s| !s.trim().is_empty()) {
        let n = lh.chars().count().max(1) as f64;
        let width_pt = 156.0 * 72.0 / 25.4;
        let size_pt = (width_pt / (n * 0.7)).min(42.0);
        let scale = (width_pt / (n * size_pt)).min(1.0);
        let r = Run::new()
            .add_text(lh)
            .fonts(fonts(FontRole::Title))
            .size((size_pt * 2.0).floor() as usize)
            .color(RED)
            .stretch((scale * 100.0).floor() as i32);
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(r)
                .align(AlignmentType::Center)
                .snap_to_grid(false)
                .line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Auto)
                        .line(240)
                        .before(mm(35.0).max(0) as u32)
                        .after(2 * LINE_PITCH as u32),
                ),
        );
    }
    let mut number =
        plain(run(&doc.doc_number, FontRole::Body, SZ_BODY)).align(AlignmentType::Center);
    number.property = number.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(8)
                .space(11)
                .color(RED),
        ),
    );
    d = d
        .add_paragraph(number)
        .add_paragraph(blank())
        .add_paragraph(blank());

    // 标题 (red line, two blank lines, title, one blank line).
    let mut title = Paragraph::new();
    for (i, line) in crate::title_lines(&doc.title).iter().enumerate() {
        let mut r = run(line, FontRole::Title, SZ_TITLE);
        if i > 0 {
            r = Run::new()
                .fonts(fonts(FontRole::Title))
                .size(SZ_TITLE)
                .add_break(BreakType::TextWrapping)
                .add_text(line);
        }
        title = title.add_run(r);
    }
    d = d.add_paragraph(
        title
            .align(AlignmentType::Center)
            .line_spacing(exact(LINE_PITCH * 13 / 10)),
    );
    d = d.add_paragraph(blank());
    d = d.add_paragraph(plain(run(
        &crate::recipient_line(doc),
        FontRole::Body,
        SZ_BODY,
    )));

    for block in &body {
        match block {
            Prepared::Heading { level, text } => d = d.add_paragraph(heading(*level, text)),
            Prepared::Para { text } => {
                d = d.add_paragraph(indented(run(text, FontRole::Body, SZ_BODY)));
            }
            Prepared::Table {
                headers,
                rows,
                total,
                widths,
                align,
            } => {
                d = d.add_table(table(headers, rows, total.as_ref(), widths, align));
            }
        }
    }

    // 署名、成文日期: date four characters from the right, issuer centred over the date.
    let date = crate::date_written_out(doc.date);
    let date_w = crate::width_in_chars(&date);
    let issuer_w = crate::width_in_chars(&doc.issuer);
    let issuer_right = ((4.0 + (date_w - issuer_w) / 2.0) * CHAR_TW)
        .max(0.0)
        .round() as i32;
    let date_right = (4.0 * CHAR_TW).round() as i32;
    d = d
        .add_paragraph(blank())
        .add_paragraph(blank())
        .add_paragraph(
            plain(run(&doc.issuer, FontRole::Body, SZ_BODY))
                .align(AlignmentType::Right)
                .indent(None, None, Some(issuer_right), None)
                .keep_next(true),
        )
        .add_paragraph(
            plain(run(&date, FontRole::Body, SZ_BODY))
                .align(AlignmentType::Right)
                .indent(None, None, Some(date_right), None),
        );

    if let Some(c) = &doc.colophon {
        d = colophon(d, c);
    }

    let mut xml = d.build();
    xml.doc_props.core = core_xml(doc).into_bytes();
    // docx-rs writes custom properties in HashMap order; write them in a fixed order.
    xml.doc_props.custom = custom_xml(&[
        ("RecordNumber", doc.record_number.trim()),
        ("DocNumber", &doc.doc_number),
        ("Fonts", &font_note()),
    ])
    .into_bytes();
    // Repeat table header rows on every page (docx-rs has no setter for w:tblHeader).
    let marker = format!(r#"<w:trHeight w:val="{HEADER_ROW_HEIGHT}" w:hRule="atLeast" />"#);
    let document = String::from_utf8(std::mem::take(&mut xml.document))
        .map_err(|e| DocError::Docx(e.to_string()))?;
    xml.document = document
        .replace(&marker, &format!("{marker}<w:tblHeader />"))
        .into_bytes();

    // docx-rs numbers paragraphs from a thread-local counter that runs on across documents:
    // renumber them so that the same input always gives the same bytes.
    let mut next_id = 1u32;
    let document = renumber_para_ids(std::mem::take(&mut xml.document), &mut next_id)?;
    xml.document = document;
    for footer in &mut xml.footers {
        *footer = renumber_para_ids(std::mem::take(footer), &mut next_id)?;
    }

    let mut buf = std::io::Cursor::new(Vec::new());
    xml.pack(&mut buf)
        .map_err(|e| DocError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}
