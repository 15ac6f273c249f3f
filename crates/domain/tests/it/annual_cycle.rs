//! The annual cycle's rules as the domain decides them: the working-day calendar, the
//! campaign window, countersigning by both leaders, and a county plan gating its items.

use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::{
    Actor, Calendar, Context, Input, Item, ItemId, OrgId, Policy, RefFact, Text, UserId, Window,
    apply, decide,
};
use std::collections::BTreeMap;

fn policy() -> Policy {
    crate::shipped()
}

fn calendar() -> Calendar {
    Calendar::from_toml(
        "h.toml",
        include_str!("../../../../calendar/cn-holidays.toml"),
    )
    .unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{s}T10:00:00+08:00")).unwrap()
}

fn actor(user: i64, org: i64, org_kind: &str, role: &str) -> Actor {
    Actor {
        user: UserId::new(user),
        org: OrgId::new(org),
        org_kind: org_kind.into(),
        role: role.into(),
        party: None,
    }
}

fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct World {
    calendar: Calendar,
    windows: Vec<Window>,
    refs: BTreeMap<String, RefFact>,
}

impl World {
    fn new() -> World {
        World {
            calendar: calendar(),
            windows: vec![Window {
                kind: "campaign".into(),
                number: "ZJ-2026-0001".into(),
                state: "open".into(),
                opens: day("2026-10-11"),
                closes: day("2026-10-20"),
                title: "2027年度需求征集".into(),
                invited: None,
            }],
            refs: BTreeMap::new(),
        }
    }

    fn cx(&self, today: &str) -> Context<'_> {
        Context {
            now: at(today),
            calendar: &self.calendar,
            windows: &self.windows,
            refs: &self.refs,
            as_effect: false,
            budget: &[],
            blocking: &[],
        }
    }

    fn step(
        &self,
        today: &str,
        kind: &str,
        item: Option<&Item>,
        action: &str,
        who: &Actor,
        input: &Input,
    ) -> Result<Item, domain::Denied> {
        let p = policy();
        decide(&p, kind, item, action, who, input, &self.cx(today))
            .map(|ev| apply(item, ItemId::new(7), &ev))
    }
}

#[test]
fn r13_1_working_days_follow_the_state_councils_table_with_make_up_days() {
    let c = calendar();
    // National Day 2026: 1-7 October off, Saturday 10 October a make-up working day.
    assert!(!c.is_working_day(day("2026-10-05")).unwrap());
    assert!(c.is_working_day(day("2026-10-10")).unwrap());
    assert!(!c.is_working_day(day("2026-10-11")).unwrap());
    assert_eq!(
        c.add_working_days(day("2026-09-30"), 3).unwrap(),
        day("2026-10-10")
    );
    assert_eq!(
        c.working_days_left(day("2026-10-16"), day("2026-10-20"))
            .unwrap(),
        2
    );
    assert_eq!(
        c.working_days_left(day("2026-10-22"), day("2026-10-20"))
            .unwrap(),
        -2
    );
}

#[test]
fn r13_1_a_year_the_table_lacks_is_reported_unknown_never_guessed() {
    let c = calendar();
    assert_eq!(
        c.is_working_day(day("2027-03-01")),
        Err(domain::UnknownYear(2027))
    );
    assert!(c.add_working_days(day("2026-12-28"), 10).is_err());
}

#[test]
fn r13_1_an_operator_adds_a_year_without_a_release_and_bad_tables_are_refused() {
    let mut c = calendar();
    let extra = Calendar::from_toml(
        "ops.toml",
        "[y2027]\nsource = \"notice\"\noff = [\"2027-01-01\"]\nwork = []\n",
    )
    .unwrap();
    c.merge(extra);
    assert!(!c.is_working_day(day("2027-01-01")).unwrap());
    assert!(c.is_working_day(day("2027-01-04")).unwrap());
    let wrong = Calendar::from_toml(
        "ops.toml",
        "[y2027]\nsource = \"x\"\noff = []\nwork = [\"2027-01-05\"]\n",
    )
    .unwrap_err();
    assert!(wrong.to_string().contains("not a weekend day"), "{wrong}");
}

fn clerk() -> Actor {
    actor(1, 10, "GovernmentDept", "demand_clerk")
}

fn complete_demand() -> Input {
    input(&[
        ("title", "智慧停车平台"),
        ("problem", "停车难"),
        ("scope", "中心城区"),
        ("functions", "车位查询、预约"),
        ("logic", "查询-预约-支付"),
    ])
}

#[test]
fn r13_1_an_ordinary_demand_is_refused_outside_the_window_with_the_dates() {
    let w = World::new();
    let draft = w
        .step(
            "2026-10-21",
            "demand",
            None,
            "create",
            &clerk(),
            &complete_demand(),
        )
        .unwrap();
    let denied = w
        .step(
            "2026-10-21",
            "demand",
            Some(&draft),
            "submit",
            &clerk(),
            &Input::new(),
        )
        .unwrap_err();
    assert!(
        denied.reason.zh.contains("2026-10-11 至 2026-10-20"),
        "{}",
        denied.reason.zh
    );
    assert_eq!(denied.article.unwrap().as_str(), "13.2");
    let inside = w
        .step(
            "2026-10-20",
            "demand",
            Some(&draft),
            "submit",
            &clerk(),
            &Input::new(),
        )
        .unwrap();
    assert_eq!(inside.state, "submitted");
}

#[test]
fn r13_4_the_data_centers_foundational_demand_is_not_bound_to_the_window() {
    let w = World::new();
    let analyst = actor(3, 2, "DataCenter", "datacenter_analyst");
    let draft = w
        .step(
            "2026-11-28",
            "demand",
            None,
            "create_foundational",
            &analyst,
            &complete_demand(),
        )
        .unwrap();
    let sent = w
        .step(
            "2026-11-28",
            "demand",
            Some(&draft),
            "submit_foundational",
            &analyst,
            &Input::new(),
        )
        .unwrap();
    assert_eq!(sent.state, "submitted");
}

fn pending_emergency(w: &World) -> Item {
    let planner = actor(5, 1, "Bureau", "bureau_planner");
    let mut w2 = World::new();
    w2.refs.insert(
        "plan".into(),
        RefFact {
            number: "JH-2026-0001".into(),
            state: "issued".into(),
            state_name: Text::new("任务书已下达", "task book issued"),
            owner: OrgId::new(1),
            facet: String::new(),
            facet_name: Text::default(),
            parent: None,
            named_by: None,
            fields: Default::default(),
        },
    );
    let fields = input(&[
        ("plan", "JH-2026-0001"),
        ("title", "防汛应急指挥系统"),
        ("ground", "emergency"),
        ("deadline", "2027-06-01"),
        ("content", "汛期前建成"),
    ]);
    let draft = w
        .step("2026-11-28", "emergency", None, "create", &planner, &fields)
        .unwrap();
    w2.step(
        "2026-11-28",
        "emergency",
        Some(&draft),
        "propose",
        &planner,
        &Input::new(),
    )
    .unwrap()
}

/// R13.6, R18.1
#[test]
fn r13_6_an_emergency_item_enters_the_plan_only_with_both_leaders_consent_in_any_order() {
    let w = World::new();
    let leader = actor(8, 20, "CityLeadership", "leader_in_charge");
    let mayor = actor(9, 20, "CityLeadership", "executive_vice_mayor");
    for (first, second) in [(&leader, &mayor), (&mayor, &leader)] {
        let pending = pending_emergency(&w);
        assert_eq!(pending.state, "pending");
        let one = w
            .step(
                "2026-11-29",
                "emergency",
                Some(&pending),
                "consent",
                first,
                &Input::new(),
            )
            .unwrap();
        assert_eq!(one.state, "pending", "one consent alone is not enough");
        let again = w
            .step(
                "2026-11-29",
                "emergency",
                Some(&one),
                "consent",
                first,
                &Input::new(),
            )
            .unwrap_err();
        assert!(again.reason.zh.contains("等待其他会签人"));
        let both = w
            .step(
                "2026-11-30",
                "emergency",
                Some(&one),
                "consent",
                second,
                &Input::new(),
            )
            .unwrap();
        assert_eq!(both.state, "in_plan");
    }
}

/// R18.1, R13.6
#[test]
fn r18_1_either_leader_can_refuse_with_a_reason() {
    let w = World::new();
    let mayor = actor(9, 20, "CityLeadership", "executive_vice_mayor");
    let pending = pending_emergency(&w);
    let no_reason = w
        .step(
            "2026-11-29",
            "emergency",
            Some(&pending),
            "refuse",
            &mayor,
            &Input::new(),
        )
        .unwrap_err();
    assert_eq!(no_reason.fields[0].field, "opinion");
    let refused = w
        .step(
            "2026-11-29",
            "emergency",
            Some(&pending),
            "refuse",
            &mayor,
            &input(&[("opinion", "纳入明年计划统筹考虑")]),
        )
        .unwrap();
    assert_eq!(refused.state, "refused");
}

/// R3.3
#[test]
fn r3_3_a_county_item_cannot_start_until_its_county_plan_is_approved() {
    let county = actor(11, 30, "County", "county_clerk");
    let mut w = World::new();
    let item = w
        .step(
            "2026-11-28",
            "county_item",
            None,
            "create",
            &county,
            &input(&[("county_plan", "XJ-2026-0001"), ("title", "县级政务云扩容")]),
        )
        .unwrap();
    w.refs.insert(
        "county_plan".into(),
        RefFact {
            number: "XJ-2026-0001".into(),
            state: "submitted".into(),
            state_name: Text::new("待审核", "under review"),
            owner: OrgId::new(30),
            facet: String::new(),
            facet_name: Text::default(),
            parent: None,
            named_by: None,
            fields: Default::default(),
        },
    );
    let denied = w
        .step(
            "2026-11-28",
            "county_item",
            Some(&item),
            "start",
            &county,
            &Input::new(),
        )
        .unwrap_err();
    assert_eq!(
        denied.article.unwrap().cite(domain::Lang::Zh),
        "第三条第二款"
    );
    assert!(denied.reason.zh.contains("XJ-2026-0001"));
    w.refs.get_mut("county_plan").unwrap().state = "approved".into();
    let started = w
        .step(
            "2026-11-28",
            "county_item",
            Some(&item),
            "start",
            &county,
            &Input::new(),
        )
        .unwrap();
    assert_eq!(started.state, "started");
}

#[test]
fn r13_3_an_internal_step_is_never_offered_or_taken_directly() {
    let w = World::new();
    let draft = w
        .step(
            "2026-10-15",
            "demand",
            None,
            "create",
            &clerk(),
            &complete_demand(),
        )
        .unwrap();
    let sent = w
        .step(
            "2026-10-15",
            "demand",
            Some(&draft),
            "submit",
            &clerk(),
            &Input::new(),
        )
        .unwrap();
    let leader = actor(6, 1, "Bureau", "bureau_leader");
    let denied = w
        .step(
            "2026-10-16",
            "demand",
            Some(&sent),
            "apply_change",
            &leader,
            &complete_demand(),
        )
        .unwrap_err();
    assert!(denied.reason.zh.contains("自动完成"));
}

/// R3.1
#[test]
fn r3_1_classified_work_is_refused_with_a_clear_message_citing_art_3() {
    let w = World::new();
    let mut classified = complete_demand();
    classified.insert("secrecy".into(), "classified".into());
    let denied = w
        .step(
            "2026-10-15",
            "demand",
            None,
            "create",
            &clerk(),
            &classified,
        )
        .unwrap_err();
    assert_eq!(denied.fields[0].field, "secrecy");
    assert!(
        denied.fields[0]
            .message
            .zh
            .contains("涉密信息化项目不属于本办法的管理范围")
    );
    assert!(denied.fields[0].message.zh.contains("第三条第一款"));
    classified.insert("secrecy".into(), "non_classified".into());
    assert!(
        w.step(
            "2026-10-15",
            "demand",
            None,
            "create",
            &clerk(),
            &classified
        )
        .is_ok()
    );
}

/// R3.2: a department raises demands and their changes, logs the defects it finds while a
/// project of its own is on trial (R16.2), records how it uses its systems (R16.4), opens O&M
/// tickets (R19.3) and attests yearly to its security duties (R23.1); it creates nothing else.
#[test]
fn r3_2_departments_raise_demands_but_cannot_create_projects_of_their_own() {
    let p = policy();
    for kind in &p.kinds {
        for t in kind.creations() {
            let allowed = domain::decide::may_create(&p, &kind.id, &t.id, &clerk());
            let expected = matches!(
                kind.id.as_str(),
                "demand" | "demand_change" | "defect" | "ticket" | "attestation" | "usage"
            ) && t.id == "create";
            assert_eq!(allowed, expected, "{}:{}", kind.id, t.id);
        }
    }
}

/// R13.5
#[test]
fn r13_5_a_plan_line_is_made_only_from_accepted_or_merged_demands() {
    let planner = actor(5, 1, "Bureau", "bureau_planner");
    let mut w = World::new();
    w.refs.insert(
        "plan".into(),
        RefFact {
            number: "JH-2026-0001".into(),
            state: "drafting".into(),
            state_name: Text::new("编制中", "drafting"),
            owner: OrgId::new(1),
            facet: String::new(),
            facet_name: Text::default(),
            parent: None,
            named_by: None,
            fields: Default::default(),
        },
    );
    let deferred = RefFact {
        number: "XQ-2026-0004".into(),
        state: "opinion_given".into(),
        state_name: Text::new("已出具意见", "opinion given"),
        owner: OrgId::new(10),
        facet: "defer".into(),
        facet_name: Text::new("暂缓", "Defer"),
        parent: None,
        named_by: None,
        fields: Default::default(),
    };
    w.refs.insert("demands".into(), deferred.clone());
    let line = input(&[
        ("plan", "JH-2026-0001"),
        ("seq", "1"),
        ("title", "项目"),
        ("budget", "100"),
        ("demands", "XQ-2026-0004"),
        ("mode", "special_fund"),
    ]);
    let denied = w
        .step("2026-11-28", "plan_item", None, "create", &planner, &line)
        .unwrap_err();
    assert!(denied.reason.zh.contains("暂缓"), "{}", denied.reason.zh);
    w.refs.insert(
        "demands".into(),
        RefFact {
            facet: "accept".into(),
            facet_name: Text::new("采纳", "Accept"),
            parent: None,
            named_by: None,
            fields: Default::default(),
            ..deferred
        },
    );
    assert!(
        w.step("2026-11-28", "plan_item", None, "create", &planner, &line)
            .is_ok()
    );
}
