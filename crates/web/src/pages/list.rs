//! Item lists with filters in the URL (bookmarkable), pagination and the total (RX.4).

use crate::AppState;
use crate::auth::WebUser;
use crate::contract::ids;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{Opt, RowView, summary_view};
use app::items::{ListQuery, Order};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    frame: Frame,
    kind: String,
    q: String,
    states: Vec<Opt>,
    units: Vec<Opt>,
    facet_label: String,
    facets: Vec<Opt>,
    /// The kind has an amount (budget) and a facet (opinion) column to show.
    has_amount: bool,
    has_facet: bool,
    export_url: String,
    years: Vec<Opt>,
    creations: Vec<(String, String)>,
    /// The kind's list offers an import and the person may create it.
    importable: bool,
    rows: Vec<RowView>,
    /// "1000+" when a search counted up to its cap.
    total: String,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    /// The page sizes offered: (rows, the list's address with it, in use).
    sizes: Vec<(i64, String, bool)>,
    /// The sortable headers' addresses and which sort is in use: (number's, budget's, current).
    sorts: (String, String, String),
    /// A step the policy lets be taken for many of these items at once (批量提交), when this
    /// person may take it: (action, label, its confirmation).
    batch: Option<(String, String, String)>,
}

/// The page sizes a list offers (20 is the default).
const SIZES: [i64; 3] = [20, 50, 100];

#[derive(serde::Deserialize, Default, Clone)]
pub struct Filters {
    kind: Option<String>,
    state: Option<String>,
    year: Option<String>,
    q: Option<String>,
    unit: Option<String>,
    facet: Option<String>,
    page: Option<i64>,
    /// Rows a page (20, 50 or 100).
    per: Option<i64>,
    /// `old` (oldest first) or `budget` (largest first); newest first otherwise.
    sort: Option<String>,
}

impl Filters {
    fn per_page(&self) -> i64 {
        self.per.filter(|n| SIZES.contains(n)).unwrap_or(SIZES[0])
    }

    fn order(&self) -> Order {
        match self.sort.as_deref() {
            Some("old") => Order::Oldest,
            Some("budget") => Order::Amount,
            _ => Order::Newest,
        }
    }

    /// The list's address sorted by `sort` (from the first page).
    fn sorted(&self, kind: &str, sort: &str) -> String {
        let with = Filters {
            sort: Some(sort.to_string()),
            ..self.clone()
        };
        url(kind, &with, 1)
    }
}

fn url(kind: &str, f: &Filters, page: i64) -> String {
    format!("/items?{}&page={page}", query_string(kind, f))
}

fn query_string(kind: &str, f: &Filters) -> String {
    let enc = |s: &Option<String>| {
        s.as_deref()
            .map(crate::routes::urlencode)
            .unwrap_or_default()
    };
    format!(
        "kind={kind}&state={}&year={}&q={}&unit={}&facet={}&per={}&sort={}",
        enc(&f.state),
        enc(&f.year),
        enc(&f.q),
        enc(&f.unit),
        enc(&f.facet),
        f.per_page(),
        enc(&f.sort)
    )
}

fn list_query(kind: &str, f: &Filters, per_page: i64) -> ListQuery {
    ListQuery {
        kind: kind.to_string(),
        state: f.state.clone().filter(|s| !s.is_empty()),
        year: f.year.as_deref().and_then(|y| y.parse().ok()),
        text: f.q.clone(),
        owner: f.unit.as_deref().and_then(|u| u.parse().ok()),
        facet: f.facet.clone().filter(|s| !s.is_empty()),
        order: f.order(),
        page: f.page.unwrap_or(1),
        per_page,
    }
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Filters>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let kind_id = f.kind.clone().unwrap_or_else(|| ids::DEMAND.into());
    let kind = p
        .policy
        .kind(&kind_id)
        .ok_or(WebError::App(app::AppError::NotFound, who.lang))?;
    let lang = who.lang;
    let query = list_query(&kind_id, &f, f.per_page());
    let result = app::items::list(p, &who, &query)
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let here = url(&kind_id, &f, result.page);
    let title = kind.name.get(lang).to_string();
    let frame = Frame::new(p, &who, &kind_id, &title, &here);
    let t = frame.t;
    let pages = ((result.total + result.per_page - 1) / result.per_page).max(1);
    let this_year = chrono::Datelike::year(&p.today());
    let units = app::accounts::orgs(p)
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let facet_def = kind.facet_field.as_ref().and_then(|f| kind.field(f));
    let mut rows: Vec<RowView> = result.rows.iter().map(|r| summary_view(p, r, t)).collect();
    let batch = kind
        .transitions
        .iter()
        .find(|b| b.batch && b.roles.contains(&who.user.role) && !who.is_admin(p));
    if let Some(b) = batch {
        for (row, r) in rows.iter_mut().zip(&result.rows) {
            row.pick = b.from.contains(&r.state);
        }
    }
    let batch = batch.filter(|_| rows.iter().any(|r| r.pick)).map(|b| {
        (
            b.id.clone(),
            b.label.get(lang).to_string(),
            b.confirm
                .as_ref()
                .map(|c| c.get(lang).to_string())
                .unwrap_or_default(),
        )
    });
    // A kind whose unit is one of its fields (an expert's employer) reads it from the items.
    if let Some(unit) = &kind.unit_field {
        let ids: Vec<i64> = result.rows.iter().map(|r| r.id.get()).collect();
        let full = app::items::by_ids(p, &who, &ids)
            .await
            .map_err(|e| WebError::App(e, lang))?;
        for row in &mut rows {
            if let Some(r) = full.iter().find(|r| r.item.id.get() == row.id) {
                row.unit = r.item.field(unit).to_string();
            }
        }
    }
    Ok(html(ListPage {
        units: units
            .iter()
            .map(|o| Opt {
                id: o.id.get().to_string(),
                label: if lang == domain::Lang::En {
                    o.name_en.clone()
                } else {
                    o.name_zh.clone()
                },
                selected: query.owner == Some(o.id.get()),
            })
            .collect(),
        facet_label: facet_def
            .map(|f| f.label.get(lang).to_string())
            .unwrap_or_default(),
        has_amount: kind.amount_field.is_some(),
        has_facet: facet_def.is_some(),
        facets: match facet_def.map(|f| &f.ty) {
            Some(domain::policy::FieldType::Choice(opts)) => opts
                .iter()
                .map(|(id, l)| Opt {
                    id: id.clone(),
                    label: l.get(lang).to_string(),
                    selected: query.facet.as_deref() == Some(id.as_str()),
                })
                .collect(),
            _ => Vec::new(),
        },
        export_url: format!("/items/export.xlsx?{}", query_string(&kind_id, &f)),
        kind: kind_id.clone(),
        q: f.q.clone().unwrap_or_default(),
        states: kind
            .states
            .iter()
            .map(|st| Opt {
                id: st.id.clone(),
                label: st.name.get(lang).to_string(),
                selected: query.state.as_deref() == Some(st.id.as_str()),
            })
            .collect(),
        years: (this_year - 3..=this_year + 1)
            .rev()
            .map(|y| Opt {
                id: y.to_string(),
                label: y.to_string(),
                selected: query.year == Some(i64::from(y)),
            })
            .collect(),
        importable: kind.import
            && app::items::creations(p, &who, &kind_id)
                .iter()
                .any(|t| t.id == ids::CREATE),
        creations: app::items::creations(p, &who, &kind_id)
            .iter()
            .map(|c| (c.id.clone(), c.label.get(lang).to_string()))
            .collect(),
        rows,
        total: if result.more {
            format!("{}+", result.total)
        } else {
            result.total.to_string()
        },
        // A page past the end (an old link, a filter that narrowed) says where the end is and
        // leads back to it, never "第 2 / 1 页".
        page: result.page.min(pages),
        pages,
        prev_url: (result.page > 1).then(|| url(&kind_id, &f, (result.page - 1).min(pages))),
        next_url: (result.page < pages).then(|| url(&kind_id, &f, result.page + 1)),
        sizes: SIZES
            .iter()
            .map(|n| {
                let with = Filters {
                    per: Some(*n),
                    ..f.clone()
                };
                (*n, url(&kind_id, &with, 1), *n == f.per_page())
            })
            .collect(),
        sorts: (
            f.sorted(
                &kind_id,
                if f.order() == Order::Newest {
                    "old"
                } else {
                    "new"
                },
            ),
            f.sorted(&kind_id, "budget"),
            match f.order() {
                Order::Newest => "new",
                Order::Oldest => "old",
                Order::Amount => "budget",
            }
            .to_string(),
        ),
        batch,
        frame,
    }))
}

/// The list as an Excel file with the same filters and columns (RX.4), up to 5,000 rows.
pub async fn export(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(f): Query<Filters>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let err = |e| WebError::App(e, lang);
    let kind_id = f.kind.clone().unwrap_or_else(|| ids::DEMAND.into());
    let kind = p
        .policy
        .kind(&kind_id)
        .ok_or(err(app::AppError::NotFound))?;
    let mut rows = Vec::new();
    for page in 1..=50 {
        let q = ListQuery {
            page,
            ..list_query(&kind_id, &f, 100)
        };
        let result = app::items::list(p, &who, &q).await.map_err(err)?;
        let done = result.rows.len() < 100;
        rows.extend(result.rows);
        if done {
            break;
        }
    }
    let t = crate::i18n::Tr(lang);
    let today = p.today();
    let amount_label = kind
        .amount_field
        .as_ref()
        .and_then(|a| kind.field(a))
        .map(|f| {
            f.label
                .get(lang)
                .replace("（元）", "（万元）")
                .replace("(yuan)", "(10k yuan)")
        })
        .unwrap_or_else(|| t.s("budget_wan").to_string());
    use sheets::{Cell, Column, ColumnKind, Sheet};
    let columns = vec![
        Column::new(t.s("number"), ColumnKind::Text),
        Column::new(t.s("title"), ColumnKind::Text).width(40.0),
        Column::new(t.s("unit"), ColumnKind::Text).width(28.0),
        Column::new(&amount_label, ColumnKind::MoneyWan),
        Column::new(t.s("state"), ColumnKind::Text),
        Column::new(t.s("updated"), ColumnKind::Text),
        Column::new(t.s("due"), ColumnKind::Date),
    ];
    let data = rows
        .iter()
        .map(|r| {
            let v = summary_view(p, r, t);
            vec![
                Cell::from(r.number.as_str()),
                Cell::from(r.title.as_str()),
                Cell::from(v.unit.as_str()),
                r.amount_fen.map_or(Cell::Empty, Cell::Money),
                Cell::from(v.state.name.as_str()),
                Cell::from(v.updated.as_str()),
                r.due.map_or(Cell::Empty, Cell::Date),
            ]
        })
        .collect();
    let name = kind.name.get(lang).to_string();
    let sheet = Sheet::new(&name, columns).title(format!(
        "{name}{}",
        t.paren(&format!("{} {today}", t.s("export")))
    ));
    let sheet = Sheet {
        rows: data,
        ..sheet
    };
    let count = rows.len();
    let bytes = tokio::task::spawn_blocking(move || sheets::write(&[sheet]))
        .await
        .map_err(|_| err(app::AppError::Conflict))?
        .map_err(|e| err(app::AppError::Invalid(domain::Text::new(e.zh(), e.en()))))?;
    let access = app::access::Access::Export {
        kind: &kind_id,
        filters: serde_json::json!({ "state": f.state, "year": f.year, "text": f.q, "unit": f.unit, "facet": f.facet }),
        rows: count,
    };
    app::access::record(p, &who, access, &bytes)
        .await
        .map_err(err)?;
    Ok(crate::pages::download(
        &format!("{}-{today}.xlsx", kind.name.get(lang)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
