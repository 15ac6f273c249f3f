//! The workbench: 待办 / 已办 / 我发起的 / 抄送我的, each with a count (RX.3).

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use crate::views::{RowView, row_view};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

pub struct Tab {
    pub id: &'static str,
    pub label: String,
    pub count: i64,
    pub active: bool,
}

pub struct InboxRow {
    pub row: RowView,
    pub kind: String,
    pub asked: String,
    /// Who handed it over, who urged it, who copied it.
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    frame: Frame,
    tabs: Vec<Tab>,
    rows: Vec<InboxRow>,
    todo: bool,
    admin: bool,
    /// Campaigns closing within three working days that the unit has not answered (R13.1).
    reminders: Vec<(String, String)>,
    alerts: Vec<(String, String)>,
    /// Next year's holidays are missing (administrators and the Bureau, from 1 November).
    calendar: Option<String>,
    /// The principal's delegation (委托) in force, and those to them.
    delegations: Vec<String>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// Rows a workbench page shows.
const PER_PAGE: i64 = 20;

#[derive(serde::Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    page: Option<i64>,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<TabQuery>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let err = |e| WebError::App(e, who.lang);
    let frame = Frame::new(p, &who, "home", frame_title(&who), "/");
    let t = frame.t;
    let tab = q.tab.as_deref().unwrap_or("todo");
    // The open tab reads its page; the others only their totals (a one-row page).
    let size = |id: &str| {
        if tab == id {
            (q.page.unwrap_or(1).max(1), PER_PAGE)
        } else {
            (1, 1)
        }
    };
    let (tp, tn) = size("todo");
    let todo = app::inbox::todo(p, &who, tp, tn).await.map_err(err)?;
    let reminders = app::cycle::reminders(p, &who)
        .await
        .map_err(err)?
        .into_iter()
        .map(|r| {
            let left = t.n("days_left", r.days_left.value);
            let left = match (r.days_left.note(), who.lang) {
                (None, _) => left,
                (Some(note), domain::Lang::Zh) => format!("{left}，{}", note.zh),
                (Some(note), domain::Lang::En) => format!("{left}; {}", note.en),
            };
            let text = match who.lang {
                domain::Lang::Zh => format!(
                    "「{}」将于 {}（{left}）截止，贵单位尚未上报需求。",
                    r.campaign.title, r.closes
                ),
                domain::Lang::En => format!(
                    "\"{}\" closes on {} ({left}); your unit has not submitted yet.",
                    r.campaign.title, r.closes
                ),
            };
            (text, format!("/items/{}", r.campaign.item.id.get()))
        })
        .collect();
    // R15.3: late milestones and open high risks, for the Company and the Data Center.
    let alerts = app::progress::alerts(p, &who)
        .await
        .map_err(err)?
        .into_iter()
        .map(|a| {
            (
                a.text.get(who.lang).to_string(),
                format!("/items/{}", a.item_id),
            )
        })
        .collect();
    let calendar = app::inbox::calendar_warning(p, &who).map(|t| t.get(who.lang).to_string());
    let (dp, dn) = size("done");
    let done = app::inbox::done_by(p, &who, dp, dn).await.map_err(err)?;
    let (mp, mn) = size("mine");
    let mine = app::inbox::started_by(p, &who, mp, mn).await.map_err(err)?;
    let copied = app::handling::copied_to(p, &who).await.map_err(err)?;
    let (mine_d, to_me) = app::handling::delegations(p, &who).await.map_err(err)?;
    // Names are read only when something on the page names someone (a hand-over, an urge, a
    // copy, a delegation): most workbenches name nobody.
    let names_someone = !copied.is_empty()
        || mine_d.is_some()
        || !to_me.is_empty()
        || todo
            .rows
            .iter()
            .any(|t| t.handed_over.is_some() || !t.urges.is_empty());
    let names = if names_someone {
        app::handling::names(p).await.map_err(err)?
    } else {
        Default::default()
    };
    let name = |u: &domain::UserId| names.get(u).cloned().unwrap_or_default();
    let delegations: Vec<String> = mine_d
        .iter()
        .map(|d| match who.lang {
            domain::Lang::Zh => format!("您已委托{}办理，至 {}。", name(&d.to_user), d.ends),
            domain::Lang::En => format!("You delegate to {} until {}.", name(&d.to_user), d.ends),
        })
        .chain(to_me.iter().map(|d| match who.lang {
            domain::Lang::Zh => {
                format!("{}已委托您办理其事项，至 {}。", name(&d.from_user), d.ends)
            }
            domain::Lang::En => {
                format!("{} delegates to you until {}.", name(&d.from_user), d.ends)
            }
        }))
        .collect();
    let day = |a: &domain::Act| a.on.map(|d| d.to_string()).unwrap_or_default();
    let kind_name = |k: &str| {
        p.policy
            .kind(k)
            .map(|k| k.name.get(who.lang).to_string())
            .unwrap_or_default()
    };
    let rows: Vec<InboxRow> = match tab {
        "done" => done
            .rows
            .iter()
            .map(|r| InboxRow {
                row: row_view(p, r, t),
                kind: kind_name(&r.item.kind),
                asked: String::new(),
                notes: Vec::new(),
            })
            .collect(),
        "mine" => mine
            .rows
            .iter()
            .map(|r| InboxRow {
                row: row_view(p, r, t),
                kind: kind_name(&r.item.kind),
                asked: String::new(),
                notes: Vec::new(),
            })
            .collect(),
        "cc" => copied
            .iter()
            .map(|(r, copy)| InboxRow {
                row: row_view(p, r, t),
                kind: kind_name(&r.item.kind),
                asked: String::new(),
                notes: vec![t.labelled(t.s("copied_by"), &name(&copy.user)) + &t.paren(&day(copy))],
            })
            .collect(),
        _ => todo
            .rows
            .iter()
            .map(|task| InboxRow {
                row: row_view(p, &task.row, t),
                kind: kind_name(&task.row.item.kind),
                asked: task
                    .actions
                    .iter()
                    .map(|a| a.label.get(who.lang))
                    .collect::<Vec<_>>()
                    .join(" / "),
                notes: task
                    .handed_over
                    .iter()
                    .map(|h| t.labelled(t.s("handed_over_by"), &name(&h.user)) + &t.paren(&day(h)))
                    .chain(
                        task.urges
                            .iter()
                            .map(|u| t.labelled(t.s("urged"), &name(&u.user)) + &t.paren(&day(u))),
                    )
                    .collect(),
            })
            .collect(),
    };
    let tab_of = |id: &'static str, key: &str, count: i64| Tab {
        id,
        label: t.s(key).to_string(),
        count,
        active: tab == id,
    };
    let tabs = vec![
        tab_of("todo", "todo", todo.total),
        tab_of("done", "done", done.total),
        tab_of("mine", "mine", mine.total),
        tab_of("cc", "cc", i64::try_from(copied.len()).unwrap_or(0)),
    ];
    // The pager of the open tab (抄送我的 is one page: the newest copies).
    let (total, page, pages) = match tab {
        "done" => (done.total, done.page, done.pages()),
        "mine" => (mine.total, mine.page, mine.pages()),
        "cc" => (i64::try_from(copied.len()).unwrap_or(0), 1, 1),
        _ => (todo.total, todo.page, todo.pages()),
    };
    let page = page.min(pages);
    let at = |n: i64| format!("/?tab={tab}&page={n}");
    let prev_url = (page > 1).then(|| at(page - 1));
    let next_url = (page < pages).then(|| at(page + 1));
    Ok(html(InboxPage {
        frame,
        tabs,
        rows,
        reminders,
        alerts,
        calendar,
        delegations,
        todo: tab == "todo",
        admin: who.is_admin(p),
        total,
        page,
        pages,
        prev_url,
        next_url,
    }))
}

fn frame_title(who: &app::Principal) -> &'static str {
    match who.lang {
        domain::Lang::Zh => "工作台",
        domain::Lang::En => "Workbench",
    }
}
