//! Excel import of items (R13.2, RX.4): every row is checked first; if any row is wrong
//! nothing is imported and each problem is named by row and column. Also the template.

use crate::contract::ids;
use crate::{AppError, Platform, Principal};
use domain::policy::{FieldType, ItemKind};
use domain::{ItemId, Text};

/// A row of an import that cannot become a draft, by Excel row and column (RX.4).
#[derive(Debug, Clone)]
pub struct ImportError {
    pub row: u32,
    pub column: String,
    pub label: String,
    pub message: Text,
}

/// How an import ended: every row became a draft, or nothing was imported.
#[derive(Debug)]
pub enum Imported {
    Done(Vec<ItemId>),
    Refused(Vec<ImportError>),
    /// The file itself is unusable (not xlsx, missing columns ...).
    Unreadable(Text),
    /// As many imports as the server reads at once are under way: nothing was read; the same
    /// file may be sent again shortly.
    Busy(Text),
}

/// The columns of the import template of `kind`: the inputs of its ordinary creation, with
/// the fields its submission requires marked required.
pub fn import_columns(kind: &ItemKind) -> Vec<(String, Text, bool, Text)> {
    let Some(create) = kind.transitions.iter().find(|t| t.id == ids::CREATE) else {
        return Vec::new();
    };
    let required: Vec<&String> = kind
        .transitions
        .iter()
        .find(|t| t.id == ids::SUBMIT)
        .map(|t| t.required.iter().collect())
        .unwrap_or_default();
    create
        .inputs
        .iter()
        .filter_map(|f| kind.field(f))
        .map(|f| {
            (
                f.id.clone(),
                f.label.clone(),
                required.contains(&&f.id),
                f.help.clone(),
            )
        })
        .collect()
}

/// Imports a filled template as drafts of `kind`: every row is checked first; if any row is
/// wrong nothing is imported and each problem is named by row and column. A refused import is
/// in the security record like any refused step (the rows and columns refused, not the cells).
pub async fn import(
    p: &Platform,
    who: &Principal,
    kind_id: &str,
    bytes: Vec<u8>,
) -> Result<Imported, AppError> {
    let mut detail = serde_json::json!({ "kind": kind_id, "action": "import" });
    let r = import_unrecorded(p, who, kind_id, bytes).await;
    let reason = match &r {
        Ok(Imported::Refused(errors)) => {
            let mut columns: Vec<&str> = errors.iter().map(|e| e.label.as_str()).collect();
            columns.dedup();
            detail["fields"] = columns.into();
            Some(format!("{} problems in the rows", errors.len()))
        }
        Ok(Imported::Unreadable(t)) => Some(t.en.clone()),
        _ => None,
    };
    if let Some(reason) = reason {
        detail["reason"] = reason.into();
        let event =
            crate::admin::Acting::of(p, who).event(crate::items::STEP_ACTION, "refused", detail);
        crate::admin::append(p, event).await?;
        return r;
    }
    crate::admin::recording_refusal(p, who, crate::items::STEP_ACTION, detail, r).await
}

async fn import_unrecorded(
    p: &Platform,
    who: &Principal,
    kind_id: &str,
    bytes: Vec<u8>,
) -> Result<Imported, AppError> {
    let kind = p.policy.kind(kind_id).ok_or(AppError::NotFound)?;
    let columns = import_columns(kind);
    // The template comes in the reader's language: a sheet headed in either is read.
    let headers: Vec<String> = columns.iter().map(|c| c.1.zh.clone()).collect();
    let english: Vec<String> = columns.iter().map(|c| c.1.en.clone()).collect();
    let table = {
        let headers = headers.clone();
        // At most sheets::IMPORTS_AT_ONCE uploads are read at once (issue 10, finding 6); the
        // slot moves into the read, so it is held until the read ends even if the request
        // is dropped meanwhile.
        let slot = match sheets::ImportSlots::global().try_acquire() {
            Ok(slot) => slot,
            Err(e) => return Ok(Imported::Busy(Text::new(e.zh(), e.en()))),
        };
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            sheets::read(&bytes, &h).or_else(|zh| {
                let en: Vec<&str> = english.iter().map(String::as_str).collect();
                sheets::read(&bytes, &en).map_err(|_| zh)
            })
        })
        .await
        .map_err(|_| AppError::Conflict)?
    };
    let table = match table {
        Ok(t) => t,
        Err(e) => return Ok(Imported::Unreadable(Text::new(e.zh(), e.en()))),
    };
    let now = p.now();
    let create = kind.transition(ids::CREATE).ok_or(AppError::NotFound)?;
    let mut c = p.store.read().await?;
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for row in &table.rows {
        let input: domain::Input = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.0.clone(), cell_value(kind, &c.0, row.get(i))))
            .collect();
        // A draft needs only what creation requires; the submission later checks the rest.
        // What the row refers to is read for it (a usage row's system must be in use).
        let facts = crate::facts::gather(&mut c, p, &who.actor, kind, create, None, &input).await?;
        let cx = facts.context(p, now, false);
        let mut problems = Vec::new();
        match domain::decide(
            &p.policy,
            kind_id,
            None,
            ids::CREATE,
            &who.actor,
            &input,
            &cx,
        ) {
            Ok(_) => {}
            // A reason about what the row names is the row's problem, at that column.
            Err(d) if d.fields.is_empty() && !create.requires.is_empty() => {
                problems.push(domain::FieldError {
                    field: create.requires[0].field.clone(),
                    message: d.reason,
                });
            }
            Err(d) if d.fields.is_empty() => return Err(AppError::Denied(d)),
            Err(d) => problems = d.fields,
        }
        for (i, c) in columns.iter().enumerate() {
            if c.2 && row.get(i).trim().is_empty() && !problems.iter().any(|f| f.field == c.0) {
                problems.push(domain::FieldError {
                    field: c.0.clone(),
                    message: Text::new("此项为必填项。", "This column is required."),
                });
            }
        }
        for f in problems {
            let i = columns.iter().position(|c| c.0 == f.field).unwrap_or(0);
            errors.push(ImportError {
                row: row.number,
                column: table.place(row, i),
                label: columns
                    .get(i)
                    .map(|c| c.1.get(who.lang).to_string())
                    .unwrap_or_default(),
                message: f.message,
            });
        }
        inputs.push(input);
    }
    drop(c);
    if !errors.is_empty() {
        return Ok(Imported::Refused(errors));
    }
    let (p2, who2, kind2) = (p.clone(), who.clone(), kind_id.to_string());
    let ids = p
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut ids = Vec::new();
                for input in inputs {
                    let cmd = crate::items::Command {
                        action: ids::CREATE.into(),
                        input,
                        then: None,
                        idempotency: None,
                    };
                    ids.push(crate::items::create_in(c, &p2, &who2, &kind2, cmd).await?);
                }
                Ok::<_, AppError>(ids)
            })
        })
        .await?;
    Ok(Imported::Done(ids))
}

/// A cell as the field takes it: a choice by its label (涉密 -> classified), an empty cell as
/// the field's default.
fn cell_value(kind: &ItemKind, field: &str, cell: &str) -> String {
    let Some(def) = kind.field(field) else {
        return cell.to_string();
    };
    let cell = cell.trim();
    if cell.is_empty() {
        return def
            .default
            .clone()
            .filter(|d| !d.contains('{') && d != "*")
            .unwrap_or_default();
    }
    match &def.ty {
        FieldType::Choice(options) => options
            .iter()
            .find(|(id, l)| id == cell || l.zh == cell || l.en.eq_ignore_ascii_case(cell))
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| cell.to_string()),
        _ => cell.to_string(),
    }
}

/// The import template of `kind` (.xlsx) in `lang`, with the instructions sheet.
pub fn import_template(kind: &ItemKind, lang: domain::Lang) -> Result<Vec<u8>, AppError> {
    use sheets::{Column, ColumnKind, Sheet};
    let columns = import_columns(kind)
        .into_iter()
        .map(|(id, label, required, help)| {
            let ty = match kind.field(&id).map(|f| &f.ty) {
                Some(FieldType::Money) => ColumnKind::Money,
                Some(FieldType::LongText { .. }) => ColumnKind::LongText,
                _ => ColumnKind::Text,
            };
            let c = Column::new(label.get(lang), ty).help(help.get(lang));
            let c = match kind.field(&id).map(|f| &f.ty) {
                Some(FieldType::Choice(options)) => {
                    c.choices(options.iter().map(|(_, l)| l.get(lang).to_string()))
                }
                _ => c,
            };
            if required { c.required() } else { c }
        })
        .collect();
    let name = kind.name.get(lang);
    let (sheet, instructions) = match lang {
        domain::Lang::Zh => (
            Sheet::new(name, columns).title(format!("{name}导入模板")),
            vec![
                format!("每行填写一项{name}，导入后成为本单位的草稿，需逐项核对后提交。"),
                "标 * 的列为提交时必填项（《暂行办法》第十三条第二款）。".to_string(),
                "金额以元为单位，可带两位小数。".to_string(),
                "任何一行有误时整批不导入，系统会按行、列指出问题。".to_string(),
            ],
        ),
        domain::Lang::En => (
            Sheet::new(name, columns).title(format!("{name}: import template")),
            vec![
                format!(
                    "One {} a row; each becomes a draft of your unit, to be checked and submitted one by one.",
                    name.to_lowercase()
                ),
                "Columns marked * are required to submit (art. 13(2) of the measures).".to_string(),
                "Amounts in yuan, with up to two decimals.".to_string(),
                "If any row is wrong nothing is imported; the platform names each row and column."
                    .to_string(),
            ],
        ),
    };
    sheets::template(&sheet, &instructions)
        .map_err(|e| AppError::Invalid(Text::new(e.zh(), e.en())))
}
