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

/// What awaits the principal (RX.3): items on which they may take a step now, earliest due first.
pub async fn inbox(p: &Platform, who: &Principal) -> Result<Vec<Task>, AppError> {
    let mut tasks = Vec::new();
    for kind in &p.policy.kinds {
        let states: Vec<String> = kind
            .states
            .iter()
            .filter(|s| {
                kind.transitions
                    .iter()
                    .any(|t| t.from.contains(&s.id) && t.roles.contains(&who.user.role))
            })
            .map(|s| s.id.clone())
            .collect();
        if states.is_empty() {
            continue;
        }
        let base = Filter {
            kind: kind.id.clone(),
            states,
            page: 1,
            per_page: 200,
            ..Filter::default()
        };
        let Some(f) = visible_filter(p, who, &kind.id, base) else {
            continue;
        };
        let mut c = p.store.read().await?;
        for row in store::items::list(&mut c, &f).await? {
            let actions: Vec<Transition> =
                domain::handling::tasks(&p.policy, &row.item, &who.actor)
                    .into_iter()
                    .cloned()
                    .collect();
            if actions.is_empty() {
                continue;
            }
            // The hand-over that made it theirs, not one within another post.
            let handed_over = domain::handling::hand_over_in_force(kind, &row.item, &who.user.role)
                .filter(|h| h.to.contains(&who.user.id))
                .cloned();
            let urges = domain::handling::urges(kind, &row.item).cloned().collect();
            tasks.push(Task {
                row,
                actions,
                handed_over,
                urges,
            });
        }
    }
    tasks.sort_by_key(|t| (t.row.item.due.is_none(), t.row.item.due, t.row.item.id));
    Ok(tasks)
}

/// Items the principal started (the first step on them was theirs).
pub async fn started_by(p: &Platform, who: &Principal) -> Result<Vec<ItemRow>, AppError> {
    recent_items(p, who, true, |r| {
        r.item.acts.first().is_some_and(|a| a.user == who.user.id)
    })
    .await
}

/// Items on which the principal took a step (已办), newest first.
pub async fn done_by(p: &Platform, who: &Principal) -> Result<Vec<ItemRow>, AppError> {
    recent_items(p, who, false, |r| {
        // A copy or an urge is no handling of the item; a hand-over is.
        r.item.acts.iter().any(|a| {
            a.user == who.user.id
                && (!domain::handling::is_handling(a)
                    || a.action == domain::handling::HandlingAct::HandOver.id())
        })
    })
    .await
}

/// The newest 200 items of each kind the principal may see that `keep` accepts.
pub(crate) async fn visible_recent(
    p: &Platform,
    who: &Principal,
    keep: impl Fn(&ItemRow) -> bool,
) -> Result<Vec<ItemRow>, AppError> {
    recent_items(p, who, false, keep).await
}

/// The newest 200 items of each kind the principal may see (or only their own unit's), that
/// `keep` accepts.
async fn recent_items(
    p: &Platform,
    who: &Principal,
    own_unit_only: bool,
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
        let filter = if own_unit_only {
            Some(Filter {
                only_owner: Some(who.org.id),
                ..base
            })
        } else {
            visible_filter(p, who, &kind.id, base)
        };
        let Some(f) = filter else { continue };
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
