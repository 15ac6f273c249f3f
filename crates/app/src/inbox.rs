//! The workbench (RX.3): what awaits the principal (待办), what they did (已办) and what they
//! started (我发起的).

use crate::contract::ids;
use crate::items::visible_filter;
use crate::{AppError, Platform, Principal};
use domain::policy::Transition;
use store::items::{Filter, ItemRow};

/// A row of the inbox: an item and the steps awaiting the principal.
#[derive(Debug, Clone)]
pub struct Task {
    pub row: ItemRow,
    pub actions: Vec<Transition>,
    /// The hand-over (转办) that made it the principal's, if one did.
    pub handed_over: Option<domain::Act>,
    /// Who urged it (催办) since it came to this step, oldest first.
    pub urges: Vec<domain::Act>,
}

/// For the administrators and the Bureau, from 1 November: the next year's holiday
/// arrangement is missing from the working-day calendar, so its deadlines are counted Monday
/// to Friday until someone imports the State Council's notice.
pub fn calendar_warning(p: &Platform, who: &Principal) -> Option<domain::Text> {
    let keeps_calendar = who.is_admin(p) || who.org.kind == ids::ORG_BUREAU;
    let year = p
        .settings
        .calendar
        .missing_next_year(p.today())
        .filter(|_| keeps_calendar)?;
    let note = domain::Calendar::assumption_note(year);
    Some(domain::Text::new(
        format!(
            "{}。请在国务院办公厅发布{year}年部分节假日安排的通知后，由系统管理员运行 tongchou calendar import 导入。",
            note.zh
        ),
        format!(
            "{}. Once the State Council publishes its {year} holiday notice, a system administrator imports it with tongchou calendar import.",
            note.en
        ),
    ))
}

/// One page of a workbench tab and the tab's total.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// How many pages the total fills (one at least, so the pager never says 第 1 / 0 页).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

/// Pages up to this one are read from the first task, so what the domain's check leaves out
/// (an item a colleague holds, a step separation of duties keeps from this person) never
/// shifts a task between pages; deeper pages start at their place among the candidates.
const EXACT_PAGES: i64 = 20;

/// The queues of the principal: per kind, the states from which their role has a step the
/// policy marks as a task, narrowed to what they may see.
/// One filter per (kind, state): a state only its owner sees (a draft) is a queue of the
/// principal's own unit's items, which `items_queue_own` hands over directly.
fn queues(p: &Platform, who: &Principal) -> Vec<Filter> {
    let mut out = Vec::new();
    for kind in &p.policy.kinds {
        for s in &kind.states {
            let steps: Vec<&Transition> = kind
                .transitions
                .iter()
                .filter(|t| domain::handling::is_task_from(t, &s.id, &who.user.role))
                .collect();
            if steps.is_empty() {
                continue;
            }
            // Where every task from the state is a recurring duty, only the items due within
            // its window are candidates (read by the due-date index, counted apart).
            let within = steps
                .iter()
                .map(|t| t.task_within_days)
                .collect::<Option<Vec<u32>>>()
                .and_then(|days| days.into_iter().max());
            let base = Filter {
                kind: kind.id.clone(),
                states: vec![s.id.clone()],
                due_until: within
                    .map(|days| (p.today() + chrono::Days::new(u64::from(days))).to_string()),
                ..Filter::default()
            };
            let Some(mut f) = visible_filter(p, who, &kind.id, base) else {
                continue;
            };
            if f.private_states.contains(&s.id) {
                f.only_owner = f.viewer_org.take();
                f.private_states.clear();
            }
            out.push(f);
        }
    }
    out
}

/// The item as a task of the principal, if the domain has a task step on it for them now.
fn task_of(p: &Platform, who: &Principal, row: ItemRow) -> Option<Task> {
    let kind = p.policy.kind(&row.item.kind)?;
    let actions: Vec<Transition> =
        domain::handling::tasks(&p.policy, &row.item, &who.actor, p.today())
            .into_iter()
            .cloned()
            .collect();
    if actions.is_empty() {
        return None;
    }
    // The hand-over that made it theirs, not one within another post.
    let handed_over = domain::handling::hand_over_in_force(kind, &row.item, &who.user.role)
        .filter(|h| h.to.contains(&who.user.id))
        .cloned();
    let urges = domain::handling::urges(kind, &row.item).cloned().collect();
    Some(Task {
        row,
        actions,
        handed_over,
        urges,
    })
}

/// What awaits the principal (RX.3), earliest due first: one page of it and its total. The
/// candidates (items in a state where the role has a task, that the principal may see) are
/// read from an index in that order and each is checked by the domain; the total is the
/// candidates' count, less those the check left out (exact once every candidate was read).
pub async fn todo(
    p: &Platform,
    who: &Principal,
    page: i64,
    per_page: i64,
) -> Result<Page<Task>, AppError> {
    let (page, per_page) = (page.clamp(1, 1_000_000), per_page.clamp(1, 200));
    let queues = queues(p, who);
    let mut c = p.store.read().await?;
    let candidates = store::queue::count(&mut c, &queues).await?;
    let (mut offset, mut skip) = if page <= EXACT_PAGES {
        (0, (page - 1) * per_page)
    } else {
        ((page - 1) * per_page, 0)
    };
    // What this page needs, and a few more for the check to leave out; then more as needed.
    let mut chunk = (skip + per_page + 5).min(store::queue::MAX_BATCH);
    let (mut rows, mut left_out, mut read_all) = (Vec::new(), 0, false);
    while rows.len() < usize::try_from(per_page).unwrap_or(0) {
        let batch = store::queue::by_due(&mut c, &queues, offset, chunk).await?;
        let n = i64::try_from(batch.len()).unwrap_or(0);
        offset += n;
        for row in batch {
            match task_of(p, who, row) {
                None => left_out += 1,
                Some(_) if skip > 0 => skip -= 1,
                Some(t) if rows.len() < usize::try_from(per_page).unwrap_or(0) => rows.push(t),
                Some(_) => {}
            }
        }
        if n < chunk {
            read_all = true;
            break;
        }
        chunk = per_page * 2;
    }
    let total = if read_all && page <= EXACT_PAGES {
        offset - left_out
    } else {
        candidates - left_out
    };
    Ok(Page {
        rows,
        total: total.max(0),
        page,
        per_page,
    })
}

/// What the bell in the top bar says: how many tasks await the principal, how many of them
/// are past their deadline, and the nearest few.
#[derive(Debug, Clone)]
pub struct Bell {
    pub total: i64,
    /// Tasks past their deadline, counted exactly up to `BELL_OVERDUE` (`overdue_more` past it).
    pub overdue: i64,
    pub overdue_more: bool,
    /// The tasks due first.
    pub nearest: Vec<Task>,
}

/// How many tasks the bell lists.
pub const BELL_ROWS: i64 = 5;
/// How far the bell counts overdue tasks one by one.
pub const BELL_OVERDUE: i64 = 99;

/// The bell (issue 12, point 11): read like 待办 (the same queues and checks), the overdue
/// ones from the same index up to yesterday's date. Every page asks for it after it is shown.
pub async fn bell(p: &Platform, who: &Principal) -> Result<Bell, AppError> {
    let first = todo(p, who, 1, BELL_ROWS).await?;
    let yesterday = (p.today() - chrono::Days::new(1)).to_string();
    let late: Vec<Filter> = queues(p, who)
        .into_iter()
        .map(|mut f| {
            let until = f
                .due_until
                .take()
                .filter(|d| *d < yesterday)
                .unwrap_or_else(|| yesterday.clone());
            f.due_until = Some(until);
            f
        })
        .collect();
    let mut c = p.store.read().await?;
    let rows = store::queue::by_due(&mut c, &late, 0, BELL_OVERDUE + 1).await?;
    drop(c);
    // Every candidate read: the count is exact; the limit reached, there may be more than it
    // says, and the bell says so (99+).
    let read_all = i64::try_from(rows.len()).unwrap_or(i64::MAX) <= BELL_OVERDUE;
    let overdue = rows
        .into_iter()
        .filter_map(|row| task_of(p, who, row))
        .count();
    let overdue = i64::try_from(overdue).unwrap_or(i64::MAX);
    Ok(Bell {
        total: first.total,
        overdue: overdue.min(BELL_OVERDUE),
        overdue_more: !read_all,
        nearest: first.rows,
    })
}

/// The first 200 tasks of the principal (for the API and the stories).
pub async fn inbox(p: &Platform, who: &Principal) -> Result<Vec<Task>, AppError> {
    Ok(todo(p, who, 1, 200).await?.rows)
}

/// Items the principal started (the first step on them was theirs), newest first.
pub async fn started_by(
    p: &Platform,
    who: &Principal,
    page: i64,
    per_page: i64,
) -> Result<Page<ItemRow>, AppError> {
    own_record(p, who, Own::Started, page, per_page).await
}

/// Which part of the person's own record a workbench tab reads.
enum Own {
    Started,
    Done,
}

/// One page of the items the person started or acted on, as their record has them.
async fn own_record(
    p: &Platform,
    who: &Principal,
    which: Own,
    page: i64,
    per_page: i64,
) -> Result<Page<ItemRow>, AppError> {
    let (page, per_page) = (page.clamp(1, 1_000_000), per_page.clamp(1, 200));
    let (user, offset) = (who.user.id.get(), (page - 1) * per_page);
    let mut c = p.store.read().await?;
    let (rows, total) = match which {
        Own::Started => store::queue::started_by(&mut c, user, offset, per_page).await?,
        Own::Done => store::queue::acted_on(&mut c, user, offset, per_page).await?,
    };
    Ok(readable(p, who, rows, total, page, per_page))
}

/// What the person's own record names, kept to what they may see now (someone who moved to
/// another unit no longer reads its drafts) and out of hidden states (a deleted draft); what
/// is left out is taken off the total.
fn readable(
    p: &Platform,
    who: &Principal,
    rows: Vec<ItemRow>,
    total: i64,
    page: i64,
    per_page: i64,
) -> Page<ItemRow> {
    let shown = |r: &ItemRow| {
        domain::permissions::can_see(&p.policy, &who.actor, &r.item)
            && !p
                .policy
                .kind(&r.item.kind)
                .and_then(|k| k.state(&r.item.state))
                .is_some_and(|s| s.hidden)
    };
    let before = rows.len();
    let rows: Vec<ItemRow> = rows.into_iter().filter(shown).collect();
    let dropped = i64::try_from(before - rows.len()).unwrap_or(0);
    Page {
        rows,
        total: (total - dropped).max(0),
        page,
        per_page,
    }
}

/// Items on which the principal took a step (已办), the most recently handled first. A copy
/// or an urge is no handling of the item; a hand-over is.
pub async fn done_by(
    p: &Platform,
    who: &Principal,
    page: i64,
    per_page: i64,
) -> Result<Page<ItemRow>, AppError> {
    own_record(p, who, Own::Done, page, per_page).await
}

/// The newest 200 items of each kind the principal may see that `keep` accepts.
pub(crate) async fn visible_recent(
    p: &Platform,
    who: &Principal,
    keep: impl Fn(&ItemRow) -> bool,
) -> Result<Vec<ItemRow>, AppError> {
    let mut out = Vec::new();
    for kind in &p.policy.kinds {
        let base = Filter {
            kind: kind.id.clone(),
            page: 1,
            per_page: 200,
            ..Filter::default()
        };
        let Some(f) = visible_filter(p, who, &kind.id, base) else {
            continue;
        };
        let mut c = p.store.read().await?;
        out.extend(
            store::items::list(&mut c, &f)
                .await?
                .into_iter()
                .filter(|r| keep(r)),
        );
    }
    Ok(out)
}
