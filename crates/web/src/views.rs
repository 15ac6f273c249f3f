//! View models: what templates show, already in the user's language and format
//! (money in 万元 in lists and exact yuan in details, dates as 2026-11-28).

use crate::i18n::Tr;
use app::items::{ItemRow, Summary};
use domain::policy::{FieldDef, FieldType, ItemKind, Transition};
use domain::{FieldError, Lang, Money};
use std::collections::BTreeMap;

use crate::grid::table_input;
pub use crate::grid::{Picks, TableInput, table_text};

pub struct Tag {
    pub name: String,
    pub color: String,
}

pub fn state_tag(kind: Option<&ItemKind>, state: &str, lang: Lang) -> Tag {
    match kind.and_then(|k| k.state(state)) {
        Some(s) => Tag {
            name: s.name.get(lang).to_string(),
            color: s.tag.clone(),
        },
        None => Tag {
            name: state.to_string(),
            color: "info".into(),
        },
    }
}

/// `2026-11-28 09:30` from a stored timestamp.
pub fn short_time(ts: &str) -> String {
    ts.get(..16)
        .map(|s| s.replace('T', " "))
        .unwrap_or_else(|| ts.to_string())
}

/// Working days left until `due`, as words, and whether it is overdue (shown red). Days in a
/// year the holiday table lacks are counted Monday to Friday, and the text says so (R13.1).
pub fn due_text(
    t: Tr,
    p: &app::Platform,
    due: Option<chrono::NaiveDate>,
) -> Option<(String, bool)> {
    let due = due?;
    let calendar = &p.settings.calendar;
    let today = p.today();
    let days = calendar.working_days_until(today, due);
    let (text, late) = match days.value {
        _ if today == due => (format!("{due} · {}", t.s("due_today")), false),
        d if d >= 0 && today < due => (format!("{due} · {}", t.n("days_left", d)), false),
        d => (format!("{due} · {}", t.n("overdue", d.abs().max(1))), true),
    };
    Some(match (days.note(), t.0) {
        (None, _) => (text, late),
        (Some(note), Lang::Zh) => (format!("{text}（{}）", note.zh), late),
        (Some(note), Lang::En) => (format!("{text} ({})", note.en), late),
    })
}

/// A field's value as a reader expects it.
pub fn display_value(def: &FieldDef, raw: &str, lang: Lang) -> String {
    if raw.is_empty() {
        return String::new();
    }
    if def.personal {
        return app::personal::masked(raw);
    }
    match &def.ty {
        FieldType::Money => raw
            .parse::<i64>()
            .map(|f| match lang {
                Lang::Zh => format!("{} 元", Money::from_fen(f).yuan_string()),
                Lang::En => format!("¥{}", Money::from_fen(f).yuan_string()),
            })
            .unwrap_or_else(|_| raw.to_string()),
        FieldType::Files => raw
            .lines()
            .filter_map(|l| l.split_once(' ').map(|(_, n)| n.to_string()))
            .collect::<Vec<_>>()
            .join("\n"),
        FieldType::Table(_) => {
            let n = domain::table::rows(raw).len();
            match lang {
                Lang::Zh => format!("共 {n} 行"),
                Lang::En => format!("{n} rows"),
            }
        }
        FieldType::Orgs => {
            let n = raw.split(',').count();
            match lang {
                Lang::Zh => format!("共 {n} 个单位"),
                Lang::En => format!("{n} units"),
            }
        }
        FieldType::Choice(options) => options
            .iter()
            .find(|(id, _)| id == raw)
            .map(|(_, l)| l.get(lang).to_string())
            .unwrap_or_else(|| raw.to_string()),
        // A time the platform filled (签署时间) reads as a date and a time, not RFC 3339.
        FieldType::Text { .. }
            if def.system && chrono::DateTime::parse_from_rfc3339(raw).is_ok() =>
        {
            short_time(raw)
        }
        _ => raw.to_string(),
    }
}

/// A value as it goes back into a form input (money back to yuan).
pub fn input_value(def: &FieldDef, raw: &str) -> String {
    // Sent back unchanged, the masked value keeps what is stored (`app::personal`).
    if def.personal && !raw.is_empty() {
        return app::personal::masked(raw);
    }
    if let FieldType::Table(columns) = &def.ty {
        return domain::table::typed(columns, raw);
    }
    match def.ty {
        FieldType::Money => raw
            .parse::<i64>()
            .map(|f| {
                let m = Money::from_fen(f);
                if f % 100 == 0 {
                    (m.fen() / 100).to_string()
                } else {
                    format!("{}.{:02}", f / 100, f % 100)
                }
            })
            .unwrap_or_else(|_| raw.to_string()),
        _ => raw.to_string(),
    }
}

pub struct Opt {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

pub struct FieldView {
    pub id: String,
    /// The element id: the field id, prefixed by the action when several forms share a page.
    pub dom: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    /// text, longtext, money, choice, ref, refs, orgs, table …
    pub kind: &'static str,
    pub value: String,
    pub error: String,
    pub options: Vec<Opt>,
    /// What a reference field's box says while empty (how to search, or a number's form).
    pub search_hint: String,
    /// Several references offered as ticks: what the box for numbers not listed says.
    pub more_hint: String,
    /// For a table: its grid of inputs.
    pub table: Option<TableInput>,
}

pub struct SectionView {
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// The fields a transition collects, grouped by section, with values and errors.
pub fn form_sections(
    kind: &ItemKind,
    t: &Transition,
    required: &[String],
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
    picks: &Picks,
    lang: Lang,
) -> Vec<SectionView> {
    let mut sections: Vec<SectionView> = Vec::new();
    let mut order: Vec<Option<String>> = kind
        .sections
        .iter()
        .map(|(id, _)| Some(id.clone()))
        .collect();
    order.push(None);
    for sec in order {
        let fields: Vec<FieldView> = kind
            .fields
            .iter()
            .filter(|f| t.inputs.contains(&f.id) && !f.system && f.section == sec)
            .map(|f| {
                let mut v = field_view(
                    "",
                    f,
                    required.contains(&f.id),
                    values.get(&f.id).map(String::as_str).unwrap_or(""),
                    errors,
                    lang,
                );
                if let (FieldType::Table(columns), false) = (&f.ty, picks.is_empty()) {
                    let typed = values.get(&f.id).map(String::as_str).unwrap_or("");
                    v.table = Some(table_input(&f.id, columns, typed, errors, picks, lang));
                }
                v
            })
            .collect();
        if fields.is_empty() {
            continue;
        }
        let title = sec
            .and_then(|s| {
                kind.sections
                    .iter()
                    .find(|(id, _)| *id == s)
                    .map(|(_, n)| n.get(lang).to_string())
            })
            .unwrap_or_default();
        sections.push(SectionView { title, fields });
    }
    sections
}

pub fn field_view(
    prefix: &str,
    f: &FieldDef,
    required: bool,
    value: &str,
    errors: &[FieldError],
    lang: Lang,
) -> FieldView {
    let (kind, options) = match &f.ty {
        FieldType::Text { .. } | FieldType::CreditCode | FieldType::DocNumber => {
            ("text", Vec::new())
        }
        FieldType::LongText { .. } => ("longtext", Vec::new()),
        FieldType::Money => ("money", Vec::new()),
        FieldType::ItemRef { .. } | FieldType::Records => ("ref", Vec::new()),
        // Several references: checkboxes when the page offers the choices, else typed.
        FieldType::ItemRefs { .. } => ("refs", Vec::new()),
        FieldType::Date => ("date", Vec::new()),
        FieldType::Integer { .. } => ("integer", Vec::new()),
        // The organisations are filled in by the page, which can read them.
        FieldType::Orgs => ("orgs", Vec::new()),
        FieldType::Files => ("files", Vec::new()),
        FieldType::Table(_) => ("table", Vec::new()),
        FieldType::Choice(opts) => (
            "choice",
            opts.iter()
                .map(|(id, l)| Opt {
                    id: id.clone(),
                    label: l.get(lang).to_string(),
                    selected: id == value,
                })
                .collect(),
        ),
    };
    FieldView {
        id: f.id.clone(),
        dom: format!("{prefix}{}", f.id),
        label: f.label.get(lang).to_string(),
        help: f.help.get(lang).to_string(),
        required,
        kind,
        value: value.to_string(),
        // A table's errors name their cells (`field.row.column`): the message is the field's.
        error: errors
            .iter()
            .find(|e| field_of(&e.field) == f.id)
            .map(|e| e.message.get(lang).to_string())
            .unwrap_or_default(),
        options,
        search_hint: String::new(),
        more_hint: String::new(),
        table: match &f.ty {
            FieldType::Table(columns) => Some(table_input(
                &f.id,
                columns,
                value,
                errors,
                &Picks::new(),
                lang,
            )),
            _ => None,
        },
    }
}

/// The field an error names: itself, or the table whose cell (`field.row.column`) it names.
pub fn field_of(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// A row of an item list.
pub struct RowView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub state: Tag,
    pub budget_wan: String,
    /// The kind's facet as it reads (a demand's 编制意见), empty if it has none.
    pub facet: String,
    pub updated: String,
    pub due: Option<(String, bool)>,
    /// The row can be ticked for the list's batch step (a draft to submit with others).
    pub pick: bool,
}

pub fn row_view(p: &app::Platform, r: &ItemRow, t: Tr) -> RowView {
    let kind = p.policy.kind(&r.item.kind);
    RowView {
        id: r.item.id.get(),
        number: r.number.clone(),
        title: r.title.clone(),
        unit: r.owner_name(t.0).to_string(),
        state: state_tag(kind, &r.item.state, t.0),
        budget_wan: r
            .item
            .fields
            .get("budget")
            .and_then(|b| b.parse::<i64>().ok())
            .map(|f| Money::from_fen(f).wan_string())
            .unwrap_or_default(),
        facet: kind
            .and_then(|k| k.facet_field.as_ref().and_then(|f| k.field(f)))
            .map(|f| display_value(f, r.item.field(&f.id), t.0))
            .unwrap_or_default(),
        updated: short_time(&r.updated_at),
        due: due_text(t, p, r.item.due),
        pick: false,
    }
}

/// A row of a list page from a summary (lists do not load fields).
pub fn summary_view(p: &app::Platform, r: &Summary, t: Tr) -> RowView {
    RowView {
        id: r.id.get(),
        number: r.number.clone(),
        title: r.title.clone(),
        unit: r.owner_name(t.0).to_string(),
        state: state_tag(p.policy.kind(&r.kind), &r.state, t.0),
        budget_wan: r
            .amount_fen
            .map(|f| Money::from_fen(f).wan_string())
            .unwrap_or_default(),
        facet: p
            .policy
            .kind(&r.kind)
            .and_then(|k| k.facet_field.as_ref().and_then(|f| k.field(f)))
            .zip(r.facet.as_deref())
            .map(|(f, v)| display_value(f, v, t.0))
            .unwrap_or_default(),
        updated: short_time(&r.updated_at),
        due: due_text(t, p, r.due),
        pick: false,
    }
}

/// Money in 万元 with two decimals and thousands separators, as lists show it.
pub fn wan(fen: Option<i64>) -> String {
    fen.map(|f| Money::from_fen(f).wan_string())
        .unwrap_or_default()
}
