//! The year's demands ranked by the Data Center's scores (issue 11, point 16): a sortable table
//! from the campaign's page, and the same ranking exported (the export recorded like a list's).

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::display_value;
use app::cycle::ranking::Ranking;
use app::{AppError, Platform, Principal};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::{ItemId, Lang};

pub struct RankRow {
    pub rank: String,
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub opinion: String,
    pub scores: Vec<String>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    frame: Frame,
    id: i64,
    heading: String,
    hint: String,
    opinion_label: String,
    /// (field id, label, sorted by it).
    columns: Vec<(String, String, bool)>,
    total_sorted: bool,
    by_query: String,
    rows: Vec<RankRow>,
}

#[derive(serde::Deserialize)]
pub struct ByQuery {
    by: Option<String>,
}

const DEMAND: &str = crate::contract::ids::DEMAND;

/// The campaign and its ranking, or not found when the item is not a campaign of demands.
async fn ranked(
    p: &Platform,
    who: &Principal,
    id: i64,
    by: Option<&str>,
) -> Result<(app::items::ItemView, Ranking), AppError> {
    let v = app::items::view(p, who, ItemId::new(id)).await?;
    if v.row.item.kind != crate::contract::ids::CAMPAIGN {
        return Err(AppError::NotFound);
    }
    let r = app::cycle::ranking::ranking(p, who, DEMAND, &v.row, by).await?;
    Ok((v, r))
}

fn rows(p: &Platform, r: &Ranking, lang: Lang) -> Vec<RankRow> {
    let kind = p.policy.kind(DEMAND);
    let facet = kind.and_then(|k| k.facet_field.as_ref().and_then(|f| k.field(f)));
    let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    r.rows
        .iter()
        .enumerate()
        .map(|(i, x)| RankRow {
            rank: (i + 1).to_string(),
            id: x.row.item.id.get(),
            number: x.row.number.clone(),
            title: x.row.title.clone(),
            unit: x.row.owner_name(lang).to_string(),
            opinion: facet
                .map(|f| display_value(f, x.row.item.field(&f.id), lang))
                .unwrap_or_default(),
            scores: x.scores.iter().map(|s| show(*s)).collect(),
            total: show(x.total),
        })
        .collect()
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<ByQuery>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let (v, r) = ranked(p, &who, id, q.by.as_deref())
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let t = crate::i18n::Tr(lang);
    let heading = format!("{} · {}", v.row.title, t.s("ranking"));
    let frame = Frame::new(p, &who, "demand", &heading, &format!("/items/{id}/ranking"))
        .crumb(&v.row.title, &format!("/items/{id}"));
    let opinion_label = p
        .policy
        .kind(DEMAND)
        .and_then(|k| k.facet_field.as_ref().and_then(|f| k.field(f)))
        .map(|f| f.label.get(lang).to_string())
        .unwrap_or_default();
    Ok(html(RankingPage {
        id,
        hint: t.s("ranking_hint").to_string(),
        opinion_label,
        columns: r
            .fields
            .iter()
            .map(|(f, l)| (f.clone(), l.get(lang).to_string(), r.by.as_ref() == Some(f)))
            .collect(),
        total_sorted: r.by.is_none(),
        by_query: r
            .by
            .as_ref()
            .map(|b| format!("?by={b}"))
            .unwrap_or_default(),
        rows: rows(p, &r, lang),
        heading,
        frame,
    }))
}

pub async fn export(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<ByQuery>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let err = |e| WebError::App(e, lang);
    let (v, r) = ranked(p, &who, id, q.by.as_deref()).await.map_err(err)?;
    let t = crate::i18n::Tr(lang);
    use sheets::{Cell, Column, ColumnKind, Sheet};
    let mut columns = vec![
        Column::new(t.s("rank"), ColumnKind::Int),
        Column::new(t.s("number"), ColumnKind::Text),
        Column::new(t.s("title"), ColumnKind::Text).width(40.0),
        Column::new(t.s("unit"), ColumnKind::Text).width(28.0),
        Column::new(t.s("opinion"), ColumnKind::Text),
    ];
    for (_, label) in &r.fields {
        columns.push(Column::new(label.get(lang), ColumnKind::Int));
    }
    columns.push(Column::new(t.s("total_score"), ColumnKind::Int));
    let shown = rows(p, &r, lang);
    let data = r
        .rows
        .iter()
        .zip(&shown)
        .enumerate()
        .map(|(i, (x, s))| {
            let mut cells = vec![
                Cell::Int(i64::try_from(i + 1).unwrap_or(i64::MAX)),
                Cell::from(s.number.as_str()),
                Cell::from(s.title.as_str()),
                Cell::from(s.unit.as_str()),
                Cell::from(s.opinion.as_str()),
            ];
            cells.extend(x.scores.iter().map(|v| v.map_or(Cell::Empty, Cell::Int)));
            cells.push(x.total.map_or(Cell::Empty, Cell::Int));
            cells
        })
        .collect();
    let today = p.today();
    let name = t.s("ranking").to_string();
    let sheet =
        Sheet::new(&name, columns).title(format!("{}{}", v.row.title, t.paren(&today.to_string())));
    let sheet = Sheet {
        rows: data,
        ..sheet
    };
    let count = r.rows.len();
    let bytes = tokio::task::spawn_blocking(move || sheets::write(&[sheet]))
        .await
        .map_err(|_| err(AppError::Conflict))?
        .map_err(|e| err(AppError::Invalid(domain::Text::new(e.zh(), e.en()))))?;
    let access = app::access::Access::Export {
        kind: DEMAND,
        filters: serde_json::json!({ "campaign": v.row.number, "ranking": r.by }),
        rows: count,
    };
    app::access::record(p, &who, access, &bytes)
        .await
        .map_err(err)?;
    Ok(crate::pages::download(
        &format!("{}-{}-{today}.xlsx", t.s("ranking"), v.row.number),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
