//! Issue 11, point 17: 转办, 抄送 and 催办 on a demand, as the domain decides them (RX.3: the
//! inbox shows what awaits each person).

use crate::demand_lifecycle::{actor, analyst, clerk, complete, cx};
use chrono::NaiveDate;
use domain::handling::{self, HandlingAct};
use domain::{Actor, Input, Item, ItemId, Policy, apply, decide};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn colleague() -> Actor {
    actor(5, 2, "DataCenter", "datacenter_analyst")
}
fn planner() -> Actor {
    actor(7, 1, "Bureau", "bureau_planner")
}

fn step(p: &Policy, item: Option<&Item>, action: &str, who: &Actor) -> Item {
    let input = if item.is_none() {
        complete()
    } else {
        Input::new()
    };
    let ev = decide(p, "demand", item, action, who, &input, &cx()).unwrap();
    apply(item, ItemId::new(1), &ev)
}

fn submitted(p: &Policy) -> Item {
    let draft = step(p, None, "create", &clerk());
    step(p, Some(&draft), "submit", &clerk())
}

fn handed(item: &Item, from: &Actor, to: &Actor) -> Item {
    let mut next = item.clone();
    next.acts.push(handling::act(
        HandlingAct::HandOver,
        from,
        vec![to.user],
        Vec::new(),
        Some(day(2026, 10, 15)),
    ));
    next
}

fn task_ids(p: &Policy, item: &Item, who: &Actor) -> Vec<String> {
    handling::tasks(
        p,
        item,
        who,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
    )
    .iter()
    .map(|t| t.id.clone())
    .collect()
}

/// A hand-over (转办) makes the colleague the only one of the post who takes the next step,
/// until the demand moves on; then the post shares it again.
#[test]
fn rx3_a_demand_handed_to_a_colleague_is_theirs_alone_until_it_moves_on() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let item = submitted(&p);
    assert_eq!(task_ids(&p, &item, &analyst()), ["start_analysis"]);
    handling::may_hand_over(&p, kind, &item, &analyst(), &colleague()).unwrap();
    let item = handed(&item, &analyst(), &colleague());
    assert!(task_ids(&p, &item, &analyst()).is_empty());
    assert_eq!(task_ids(&p, &item, &colleague()), ["start_analysis"]);
    let denied = decide(
        &p,
        "demand",
        Some(&item),
        "start_analysis",
        &analyst(),
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    assert!(denied.reason.zh.contains("转办"), "{}", denied.reason.zh);
    // Whoever handed it over may hand it on again (the holder moved to other duties); a third
    // colleague, who holds nothing, may not.
    let third = actor(6, 2, "DataCenter", "datacenter_analyst");
    handling::may_hand_over(&p, kind, &item, &analyst(), &third).unwrap();
    assert!(handling::may_hand_over(&p, kind, &item, &third, &analyst()).is_err());
    // The clerk may still take back what nobody has decided on: a hand-over is no decision.
    assert!(
        decide(
            &p,
            "demand",
            Some(&item),
            "withdraw",
            &clerk(),
            &Input::new(),
            &cx()
        )
        .is_ok()
    );
    let analysed = step(&p, Some(&item), "start_analysis", &colleague());
    assert!(handling::hand_overs_in_force(kind, &analysed).is_empty());
    assert!(!task_ids(&p, &analysed, &analyst()).is_empty());
}

/// Only someone with the step to take hands it over, only to someone else of the same role and
/// unit, and never to someone separation of duties keeps out.
#[test]
fn rx3_a_hand_over_goes_only_to_a_colleague_of_the_same_post_who_may_take_the_step() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let item = submitted(&p);
    let refused = |from: &Actor, to: &Actor| {
        handling::may_hand_over(&p, kind, &item, from, to)
            .unwrap_err()
            .reason
            .zh
    };
    assert!(refused(&analyst(), &analyst()).contains("本人"));
    assert!(
        refused(&analyst(), &actor(6, 3, "DataCenter", "datacenter_analyst")).contains("同一岗位")
    );
    assert!(refused(&analyst(), &actor(6, 2, "DataCenter", "sys_admin")).contains("同一岗位"));
    assert!(
        refused(&clerk(), &actor(4, 10, "GovernmentDept", "demand_clerk")).contains("没有需要办理")
    );
    // A colleague who submitted the demand (as the author of a foundational one does) may not
    // analyse it, so it cannot be handed to them.
    let mut own = item.clone();
    own.acts[1].user = colleague().user;
    let why = handling::may_hand_over(&p, kind, &own, &analyst(), &colleague())
        .unwrap_err()
        .reason
        .zh;
    assert!(
        why.contains("所选同事不能办理") && why.contains("职责分离"),
        "{why}"
    );
}

/// 抄送: whoever took part copies; someone who never touched the demand cannot.
#[test]
fn rx3_only_someone_who_took_part_copies_a_demand() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let item = submitted(&p);
    handling::may_copy(&p, kind, &item, &clerk()).unwrap();
    handling::may_copy(&p, kind, &item, &analyst()).unwrap();
    let stranger = actor(4, 10, "GovernmentDept", "demand_clerk");
    assert!(
        handling::may_copy(&p, kind, &item, &stranger)
            .unwrap_err()
            .reason
            .zh
            .contains("办理过")
    );
}

/// 催办: the submitter or the Bureau, once the step is overdue, once a day each.
#[test]
fn rx3_the_submitter_or_the_bureau_urges_an_overdue_demand_once_a_day() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let mut item = submitted(&p);
    item.due = Some(day(2026, 11, 5));
    let urge = |item: &Item, who: &Actor, today| handling::may_urge(&p, kind, item, who, today);
    let early = urge(&item, &clerk(), day(2026, 11, 5)).unwrap_err();
    assert!(early.reason.zh.contains("尚未逾期"), "{}", early.reason.zh);
    urge(&item, &clerk(), day(2026, 11, 6)).unwrap();
    urge(&item, &planner(), day(2026, 11, 6)).unwrap();
    let not_theirs = urge(&item, &analyst(), day(2026, 11, 6)).unwrap_err();
    assert!(
        not_theirs.reason.zh.contains("发起单位"),
        "{}",
        not_theirs.reason.zh
    );
    item.acts.push(handling::act(
        HandlingAct::Urge,
        &clerk(),
        Vec::new(),
        Vec::new(),
        Some(day(2026, 11, 6)),
    ));
    let twice = urge(&item, &clerk(), day(2026, 11, 6)).unwrap_err();
    assert!(
        twice.reason.zh.contains("今天已催办"),
        "{}",
        twice.reason.zh
    );
    urge(&item, &clerk(), day(2026, 11, 9)).unwrap();
    assert_eq!(handling::urges(kind, &item).count(), 1);
    let analysed = step(&p, Some(&item), "start_analysis", &analyst());
    assert_eq!(handling::urges(kind, &analysed).count(), 0);
}

/// A change applied to the demand by the Bureau's approval keeps it where it is (a step with no
/// state of its own): the hand-over and the urges stand. Each post keeps its own hand-over.
#[test]
fn rx3_a_change_applied_in_place_keeps_the_hand_over_and_each_post_keeps_its_own() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let mut item = handed(&submitted(&p), &analyst(), &colleague());
    item.acts.push(domain::Act {
        action: "apply_change".into(),
        user: planner().user,
        role: planner().role,
        ..domain::Act::default()
    });
    let h = handling::hand_over_in_force(kind, &item, "datacenter_analyst").unwrap();
    assert_eq!(h.to, vec![colleague().user]);
    let other = actor(8, 1, "Bureau", "bureau_planner");
    let item = handed(&item, &planner(), &other);
    assert_eq!(handling::hand_overs_in_force(kind, &item).len(), 2);
    assert!(handling::hand_over_in_force(kind, &item, "datacenter_analyst").is_some());
}

/// The post that raised the demand urges it, not only the person: a colleague of the clerk in
/// the same unit may, a clerk of another unit may not.
#[test]
fn rx3_a_colleague_of_the_clerk_in_the_same_unit_urges_an_overdue_demand() {
    let p = crate::shipped();
    let kind = p.kind("demand").unwrap();
    let mut item = submitted(&p);
    item.due = Some(day(2026, 11, 5));
    let today = day(2026, 11, 9);
    let colleague_clerk = actor(4, 10, "GovernmentDept", "demand_clerk");
    handling::may_urge(&p, kind, &item, &colleague_clerk, today).unwrap();
    let elsewhere = actor(9, 11, "GovernmentDept", "demand_clerk");
    assert!(handling::may_urge(&p, kind, &item, &elsewhere, today).is_err());
}
