//! The calendar's counting, its fallback for years the table lacks, and the file it writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use super::*;
use crate::decide::{Actor, Context, Input, RefFact, Window, decide};
use crate::ids::{OrgId, UserId};
use crate::{ItemId, Policy, apply};
use chrono::DateTime;

const SHIPPED: &str = include_str!("../../../../calendar/cn-holidays.toml");

fn shipped() -> Calendar {
    Calendar::from_toml("cn-holidays.toml", SHIPPED).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn years(ys: &[i32]) -> BTreeSet<i32> {
    ys.iter().copied().collect()
}

#[test]
fn r13_1_a_deadline_crossing_into_a_year_the_table_lacks_is_counted_monday_to_friday_and_marked() {
    let c = shipped();
    // Thursday 2026-12-24 + 10 working days: 25, 28-31 December (5), then 1 and 4-7 January
    // 2027 counted Monday to Friday, 1 January included since 2027 is not imported.
    let due = c.working_days_after(day("2026-12-24"), 10);
    assert_eq!(due.value, day("2027-01-07"));
    assert_eq!(due.assumed, years(&[2027]));
    assert!(due.is_assumed());
    assert_eq!(
        due.note().unwrap(),
        Text::new(
            "2027年放假安排未导入，按周一至周五计算",
            "The 2027 holiday arrangement has not been imported; counted Monday to Friday"
        )
    );
    assert_eq!(due.note(), Some(Calendar::assumption_note(2027)));
    // The strict form still says which year it lacks.
    assert_eq!(
        c.add_working_days(day("2026-12-24"), 10),
        Err(UnknownYear(2027))
    );
}

#[test]
fn r13_1_a_count_within_known_years_assumes_nothing() {
    let c = shipped();
    // National Day 2026: 1-7 October off, Saturday 10 October a make-up working day.
    let due = c.working_days_after(day("2026-09-30"), 3);
    assert_eq!(due.value, day("2026-10-10"));
    assert!(!due.is_assumed() && due.note().is_none());
    assert_eq!(
        c.working_days_until(day("2026-10-16"), day("2026-10-20")),
        Counted {
            value: 2,
            assumed: BTreeSet::new()
        }
    );
    assert_eq!(
        c.working_days_before(day("2026-10-12"), 1).value,
        day("2026-10-10")
    );
}

#[test]
fn r13_1_days_left_and_reminders_through_an_unknown_year_are_counted_and_marked() {
    let c = shipped();
    let left = c.working_days_until(day("2026-12-30"), day("2027-01-05"));
    assert_eq!(left.value, 4); // 31 Dec, 1, 4, 5 Jan
    assert_eq!(left.assumed, years(&[2027]));
    let overdue = c.working_days_until(day("2027-01-05"), day("2026-12-31"));
    assert_eq!(overdue.value, -3);
    let from = c.working_days_before(day("2027-01-04"), 3);
    assert_eq!(
        (from.value, from.assumed),
        (day("2026-12-30"), years(&[2027]))
    );
    assert!(c.working_day(day("2027-03-01")).value);
    assert!(!c.working_day(day("2027-03-06")).value);
    let two = c.working_days_after(day("2026-12-31"), 300).note().unwrap();
    assert_eq!(two.zh, "2027、2028年放假安排未导入，按周一至周五计算");
}

#[test]
fn r13_1_the_next_year_is_missing_from_1_november_not_before() {
    let c = shipped();
    assert_eq!(c.missing_next_year(day("2026-10-31")), None);
    assert_eq!(c.missing_next_year(day("2026-11-01")), Some(2027));
    assert_eq!(c.missing_next_year(day("2026-12-31")), Some(2027));
    assert_eq!(c.missing_next_year(day("2025-11-01")), None);
    // A current year the table lacks is missing at any time.
    assert_eq!(c.missing_next_year(day("2027-03-01")), Some(2027));
    let mut with_2027 = c.clone();
    with_2027.insert(
        2027,
        YearTable {
            source: "test".into(),
            off: BTreeSet::new(),
            work: BTreeSet::new(),
        },
    );
    assert_eq!(with_2027.missing_next_year(day("2026-11-01")), None);
    assert_eq!(with_2027.missing_next_year(day("2027-11-01")), Some(2028));
}

fn demand_step_on(today: &str, calendar: &Calendar) -> Result<crate::decide::Event, crate::Denied> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/nanyang-2025");
    let p = Policy::from_folder(std::path::Path::new(folder)).unwrap();
    let now = DateTime::parse_from_rfc3339(&format!("{today}T09:30:00+08:00")).unwrap();
    let windows = [Window {
        kind: "campaign".into(),
        number: "ZJ-2026-0002".into(),
        state: "open".into(),
        opens: day("2026-12-01"),
        closes: day("2026-12-31"),
        title: "2027年度需求征集（补充）".into(),
        invited: None,
    }];
    let refs: std::collections::BTreeMap<String, RefFact> = Default::default();
    let cx = Context {
        now,
        calendar,
        windows: &windows,
        refs: &refs,
        as_effect: false,
        budget: &[],
        blocking: &[],
    };
    let clerk = Actor {
        user: UserId::new(1),
        org: OrgId::new(10),
        org_kind: "GovernmentDept".into(),
        role: "demand_clerk".into(),
        party: None,
    };
    let input: Input = [
        ("title", "不动产登记一网通办升级"),
        ("problem", "跨部门材料重复提交"),
        ("scope", "市自然资源和规划局"),
        ("functions", "在线申请、电子证照调用"),
        ("logic", "申请-受理-审核-登簿-发证"),
        ("budget", "1,280,000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let created = decide(&p, "demand", None, "create", &clerk, &input, &cx)?;
    let draft = apply(None, ItemId::new(1), &created);
    decide(
        &p,
        "demand",
        Some(&draft),
        "submit",
        &clerk,
        &Input::new(),
        &cx,
    )
}

#[test]
fn r13_1_decide_always_gives_the_due_date_and_marks_a_year_counted_monday_to_friday() {
    let submitted = demand_step_on("2026-12-24", &shipped()).unwrap();
    assert_eq!(submitted.due(), Some(day("2027-01-07")));
    assert_eq!(submitted.due_assumed(), &years(&[2027]));
    // Within the table: no mark.
    let known = demand_step_on("2026-12-01", &shipped()).unwrap();
    assert_eq!(known.due(), Some(day("2026-12-15")));
    assert!(known.due_assumed().is_empty());
}

#[test]
fn r13_1_a_year_is_written_into_an_operators_file_keeping_its_other_years_and_comments() {
    let table = YearTable {
        source: "国务院办公厅 2026年11月5日".into(),
        off: [day("2027-01-01")].into(),
        work: [day("2027-01-03")].into(),
    };
    let added = file::with_year("# ops\n\n[y2024]\nsource = \"x\"\n", 2027, &table);
    assert_eq!(
        added,
        "# ops\n\n[y2024]\nsource = \"x\"\n\n[y2027]\nsource = \"国务院办公厅 2026年11月5日\"\noff = [\"2027-01-01\"]\nwork = [\"2027-01-03\"]\n"
    );
    let old =
        "# ops\n[y2027]\nsource = \"old\"\noff = []\n\n# the next year\n[y2028]\nsource = \"y\"\n";
    let replaced = file::with_year(old, 2027, &table);
    assert_eq!(
        replaced,
        "# ops\n[y2027]\nsource = \"国务院办公厅 2026年11月5日\"\noff = [\"2027-01-01\"]\nwork = [\"2027-01-03\"]\n\n# the next year\n[y2028]\nsource = \"y\"\n"
    );
    let back = Calendar::from_toml("ops.toml", &replaced).unwrap();
    assert_eq!(back.year(2027), Some(&table));
    assert_eq!(
        file::with_year("", 2027, &table),
        file::section(2027, &table)
    );
}
