//! Construction progress (R15.3): each milestone of the baseline with its actual date and its
//! schedule variance, and the alerts the Company and the Data Center see in their inbox: late
//! milestones and open high risks.

use crate::contract::ids;
use crate::{AppError, Platform, Principal};
use chrono::NaiveDate;
use domain::{Item, Text};
use store::items::{Filter, ItemRow};

/// A risk of this level (likelihood x impact) or more is high.
pub const HIGH_RISK: i64 = 15;

/// One milestone as planned and as reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub name: String,
    pub planned: NaiveDate,
    pub actual: Option<NaiveDate>,
    /// Days late (positive) or early (negative): against the actual date when reached,
    /// otherwise against today once the planned date has passed.
    pub variance_days: i64,
    pub late: bool,
}

/// The project's milestones: the baseline's planned dates and the actual dates recorded.
pub fn milestones(project: &Item, today: NaiveDate) -> Vec<Milestone> {
    let mut out = reached(project, today);
    out.sort_by_key(|m| m.planned);
    out
}

fn reached(project: &Item, today: NaiveDate) -> Vec<Milestone> {
    let actuals = domain::table::rows(project.field("actuals"));
    domain::table::rows(project.field("milestones"))
        .iter()
        .filter_map(|m| {
            let name = m.get("name")?.clone();
            let planned = domain::decide::parse_date(m.get("planned")?)?;
            let actual = actuals
                .iter()
                .find(|a| a.get("milestone") == Some(&name))
                .and_then(|a| a.get("actual"))
                .and_then(|d| domain::decide::parse_date(d));
            let variance_days = match actual {
                Some(a) => (a - planned).num_days(),
                None if today > planned => (today - planned).num_days(),
                None => 0,
            };
            Some(Milestone {
                late: variance_days > 0,
                name,
                planned,
                actual,
                variance_days,
            })
        })
        .collect()
}

/// Something the inbox raises, with the item it is about.
#[derive(Debug, Clone)]
pub struct Alert {
    pub item_id: i64,
    pub text: Text,
}

/// Whether the principal's role keeps the risk register (the Company, the Data Center).
fn watches(p: &Platform, who: &Principal) -> bool {
    p.policy
        .kind(ids::RISK)
        .is_some_and(|k| k.creations().any(|t| t.roles.contains(&who.user.role)))
}

async fn rows(
    p: &Platform,
    who: &Principal,
    kind: &str,
    states: &[&str],
) -> Result<Vec<ItemRow>, AppError> {
    let f = Filter {
        kind: kind.into(),
        states: states.iter().map(|s| s.to_string()).collect(),
        page: 1,
        per_page: 1_000,
        ..Filter::default()
    };
    let Some(f) = crate::items::visible_filter(p, who, kind, f) else {
        return Ok(Vec::new());
    };
    let mut c = p.store.read().await?;
    Ok(store::items::list(&mut c, &f).await?)
}

/// Late milestones of projects under construction and open high risks (R15.3).
pub async fn alerts(p: &Platform, who: &Principal) -> Result<Vec<Alert>, AppError> {
    if !watches(p, who) {
        return Ok(Vec::new());
    }
    let today = p.now().date_naive();
    let mut out = Vec::new();
    for project in rows(p, who, ids::PROJECT, &[ids::PROJECT_UNDER_CONSTRUCTION]).await? {
        for m in milestones(&project.item, today)
            .into_iter()
            .filter(|m| m.late && m.actual.is_none())
        {
            out.push(Alert {
                item_id: project.item.id.get(),
                text: Text::new(
                    format!(
                        "{}「{}」的里程碑「{}」计划 {} 完成，已逾期 {} 天。",
                        project.number, project.title, m.name, m.planned, m.variance_days
                    ),
                    format!(
                        "{} ({}): milestone \"{}\" was due on {}; {} days late.",
                        project.number, project.title, m.name, m.planned, m.variance_days
                    ),
                ),
            });
        }
    }
    for risk in rows(p, who, ids::RISK, &[ids::RISK_OPEN]).await? {
        let level: i64 = risk.item.field("level").parse().unwrap_or(0);
        if level >= HIGH_RISK {
            out.push(Alert {
                item_id: risk.item.id.get(),
                text: Text::new(
                    format!(
                        "{} 的高风险「{}」（风险值 {level}）尚未关闭，责任人：{}。",
                        risk.item.field("project"),
                        risk.title,
                        risk.item.field("owner")
                    ),
                    format!(
                        "High risk \"{}\" of {} (level {level}) is open; owner: {}.",
                        risk.title,
                        risk.item.field("project"),
                        risk.item.field("owner")
                    ),
                ),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn r15_3_schedule_variance_counts_days_late_or_early() {
        let mut item = Item {
            id: domain::ItemId::new(1),
            kind: ids::PROJECT.into(),
            owner_org: domain::OrgId::new(1),
            state: ids::PROJECT_UNDER_CONSTRUCTION.into(),
            fields: Default::default(),
            acts: Vec::new(),
            policy_version: "x".into(),
            due: None,
            parties: Vec::new(),
        };
        item.fields.insert(
            "milestones".into(),
            r#"[{"name":"招标","planned":"2027-04-30"},{"name":"上线","planned":"2027-10-31"},{"name":"验收","planned":"2027-12-31"}]"#.into(),
        );
        item.fields.insert(
            "actuals".into(),
            r#"[{"milestone":"招标","actual":"2027-05-06"}]"#.into(),
        );
        let today = NaiveDate::from_ymd_opt(2027, 11, 10).unwrap();
        let m = milestones(&item, today);
        assert_eq!((m[0].variance_days, m[0].late), (6, true));
        assert_eq!(
            (m[1].variance_days, m[1].late, m[1].actual),
            (10, true, None)
        );
        assert_eq!((m[2].variance_days, m[2].late), (0, false));
    }
}
