//! The demand of art. 13 as a table: every state x action x role, and the stories behind it.

use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::{
    Actor, Calendar, Context, Input, Item, ItemId, OrgId, Policy, RefFact, UserId, Window, apply,
    available_actions, decide,
};
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn policy() -> Policy {
    crate::shipped()
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-10-15T09:30:00+08:00").unwrap()
}

static CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::from_toml(
        "h.toml",
        include_str!("../../../../calendar/cn-holidays.toml"),
    )
    .unwrap()
});
/// The 2027 campaign, open from 2026-10-11 to 2026-10-20 (R13.1).
static WINDOWS: LazyLock<Vec<Window>> = LazyLock::new(|| {
    vec![Window {
        kind: "campaign".into(),
        number: "ZJ-2026-0001".into(),
        state: "open".into(),
        opens: NaiveDate::from_ymd_opt(2026, 10, 11).unwrap(),
        closes: NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(),
        title: "2027年度需求征集".into(),
        invited: None,
    }]
});
static REFS: LazyLock<BTreeMap<String, RefFact>> = LazyLock::new(BTreeMap::new);

pub(crate) fn cx() -> Context<'static> {
    Context {
        now: now(),
        calendar: &CALENDAR,
        windows: &WINDOWS,
        refs: &REFS,
        as_effect: false,
        budget: &[],
        blocking: &[],
    }
}

pub(crate) fn actor(user: i64, org: i64, org_kind: &str, role: &str) -> Actor {
    Actor {
        user: UserId::new(user),
        org: OrgId::new(org),
        org_kind: org_kind.into(),
        role: role.into(),
        party: None,
    }
}

pub(crate) fn clerk() -> Actor {
    actor(1, 10, "GovernmentDept", "demand_clerk")
}
fn other_clerk() -> Actor {
    actor(2, 11, "GovernmentDept", "demand_clerk")
}
pub(crate) fn analyst() -> Actor {
    actor(3, 2, "DataCenter", "datacenter_analyst")
}

pub(crate) fn complete() -> Input {
    [
        ("title", "不动产登记一网通办升级"),
        ("problem", "跨部门材料重复提交"),
        ("scope", "市自然资源和规划局及13个县区登记中心"),
        ("functions", "在线申请、电子证照调用，峰值并发500"),
        ("logic", "申请-受理-审核-登簿-发证"),
        ("budget", "1,280,000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn step(p: &Policy, item: Option<&Item>, action: &str, who: &Actor, input: &Input) -> Item {
    let ev = decide(p, "demand", item, action, who, input, &cx()).unwrap();
    apply(item, ItemId::new(1), &ev)
}

/// R13.2
#[test]
fn r13_2_a_demand_missing_a_required_part_is_refused_field_by_field() {
    let p = policy();
    let draft = step(
        &p,
        None,
        "create",
        &clerk(),
        &[("title".to_string(), "标题".to_string())].into(),
    );
    let denied = decide(
        &p,
        "demand",
        Some(&draft),
        "submit",
        &clerk(),
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    let fields: Vec<&str> = denied.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["problem", "scope", "functions", "logic"]);
    assert_eq!(denied.article.unwrap().as_str(), "13.2");
    assert!(denied.fields[0].message.zh.contains("解决的问题"));
}

/// R13.2 (issue 11, point 11): a part made only of invisible characters (zero-width spaces,
/// a byte-order mark, an ideographic space) is missing, and it is refused at its field.
#[test]
fn r13_2_a_part_of_only_invisible_characters_is_missing() {
    let p = policy();
    let mut input = complete();
    input.insert("logic".into(), "\u{200B}\u{200B}".into());
    input.insert("scope".into(), "\u{FEFF}\u{3000}\u{2060} \t".into());
    let draft = step(&p, None, "create", &clerk(), &input);
    assert_eq!(
        draft.field("logic"),
        "",
        "nothing visible is kept as nothing"
    );
    let denied = decide(
        &p,
        "demand",
        Some(&draft),
        "submit",
        &clerk(),
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    let fields: Vec<&str> = denied.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["scope", "logic"]);
    let mut visible = complete();
    visible.insert("title".into(), "\u{200B}不动产登记\u{200B}".into());
    let kept = step(&p, None, "create", &clerk(), &visible);
    assert_eq!(
        kept.field("title"),
        "不动产登记",
        "invisible edges are trimmed"
    );
}

#[test]
fn r13_2_a_complete_demand_is_submitted_and_its_budget_kept_in_fen() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    assert_eq!(submitted.state, "submitted");
    assert_eq!(submitted.field("budget"), "128000000");
    // Ten working days after Thursday 2026-10-15, weekends skipped (RX.3).
    assert_eq!(submitted.due.unwrap().to_string(), "2026-10-29");
    // The submission records the campaign whose window allowed it (R13.1).
    assert_eq!(submitted.field("campaign"), "ZJ-2026-0001");
}

/// R13.3
#[test]
fn r13_3_a_submitted_demand_cannot_be_edited_and_the_refusal_cites_the_article() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    let denied = decide(
        &p,
        "demand",
        Some(&submitted),
        "edit",
        &clerk(),
        &complete(),
        &cx(),
    )
    .unwrap_err();
    assert_eq!(denied.article.unwrap().as_str(), "13.2");
    assert!(
        denied.reason.zh.contains("不得修改"),
        "{}",
        denied.reason.zh
    );
}

#[test]
fn r4_1_only_an_organisation_of_an_article_4_kind_may_raise_a_demand() {
    let p = policy();
    let ndrc = actor(9, 20, "Ndrc", "demand_clerk");
    let denied = decide(&p, "demand", None, "create", &ndrc, &complete(), &cx()).unwrap_err();
    assert!(denied.reason.zh.contains("第四条"));
}

/// R13.4
#[test]
fn r13_4_the_data_center_gives_an_opinion_with_a_reason() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    let analysing = step(
        &p,
        Some(&submitted),
        "start_analysis",
        &analyst(),
        &Input::new(),
    );
    let no_reason = decide(
        &p,
        "demand",
        Some(&analysing),
        "reject",
        &analyst(),
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    assert_eq!(no_reason.fields[0].field, "reason");
    let done = step(
        &p,
        Some(&analysing),
        "merge",
        &analyst(),
        &[
            ("merge_into".into(), "xq-2026-0003".into()),
            ("reason".into(), "与XQ-2026-0003重复".into()),
        ]
        .into(),
    );
    assert_eq!(done.state, "opinion_given");
    assert_eq!(done.field("opinion"), "merge");
    assert_eq!(done.field("merge_into"), "XQ-2026-0003");
}

/// Issue 11, point 8: the Data Center's own foundational demand is analysed by a colleague;
/// its author may neither start the analysis nor give the opinion (separation of duties).
#[test]
fn r13_4_a_foundational_demand_is_analysed_by_a_colleague_and_never_by_its_author() {
    let p = policy();
    let own = step(&p, None, "create_foundational", &analyst(), &complete());
    let submitted = step(
        &p,
        Some(&own),
        "submit_foundational",
        &analyst(),
        &Input::new(),
    );
    let denied = decide(
        &p,
        "demand",
        Some(&submitted),
        "start_analysis",
        &analyst(),
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    assert!(denied.reason.zh.contains("职责分离"), "{denied:?}");
    let colleague = actor(4, 2, "DataCenter", "datacenter_analyst");
    let started = step(
        &p,
        Some(&submitted),
        "start_analysis",
        &colleague,
        &Input::new(),
    );
    let mut reason = Input::new();
    reason.insert("reason".into(), "基础支撑，确有必要".into());
    let done = step(&p, Some(&started), "accept", &colleague, &reason);
    assert_eq!(done.state, "opinion_given");
}

#[test]
fn r13_2_a_department_cannot_act_on_or_see_another_departments_draft() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    assert!(
        decide(
            &p,
            "demand",
            Some(&draft),
            "submit",
            &other_clerk(),
            &Input::new(),
            &cx()
        )
        .is_err()
    );
    assert!(!domain::permissions::can_see(&p, &other_clerk(), &draft));
    assert!(!domain::permissions::can_see(&p, &analyst(), &draft));
}

#[test]
fn r13_2_fields_that_do_not_belong_to_a_step_are_refused_by_name() {
    let p = policy();
    let mut input = complete();
    input.insert("opinion".into(), "accept".into());
    let denied = decide(&p, "demand", None, "create", &clerk(), &input, &cx()).unwrap_err();
    assert_eq!(denied.fields[0].field, "opinion");
}

/// The whole matrix of who may take which step in which state, as a snapshot: a change to
/// the policy shows up here for review.
#[test]
fn r5_12_the_state_action_role_matrix_of_the_demand() {
    let p = policy();
    let kind = p.kind("demand").unwrap();
    let mut lines = Vec::new();
    for state in &kind.states {
        let item = Item {
            id: ItemId::new(1),
            kind: "demand".into(),
            owner_org: OrgId::new(10),
            state: state.id.clone(),
            fields: Default::default(),
            acts: vec![],
            policy_version: p.version.clone(),
            due: None,
            parties: Vec::new(),
        };
        for role in &p.roles {
            let org_kind = role.org_kinds[0].clone();
            let outsider = actor(100, 99, &org_kind, &role.id);
            let insider = actor(101, 10, &org_kind, &role.id);
            let names = |a: &Actor| {
                available_actions(&p, &item, a)
                    .iter()
                    .map(|t| t.id.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            lines.push(format!(
                "{:15} {:21} own:[{}] other:[{}]",
                state.id,
                role.id,
                names(&insider),
                names(&outsider)
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn r13_4_a_blank_field_of_another_step_is_ignored_but_a_filled_one_is_refused() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    let analysing = step(
        &p,
        Some(&submitted),
        "start_analysis",
        &analyst(),
        &Input::new(),
    );
    let blank: Input = [
        ("reason".into(), "符合规划".into()),
        ("merge_into".into(), " ".into()),
    ]
    .into();
    assert!(
        decide(
            &p,
            "demand",
            Some(&analysing),
            "accept",
            &analyst(),
            &blank,
            &cx()
        )
        .is_ok()
    );
    let filled: Input = [
        ("reason".into(), "符合规划".into()),
        ("merge_into".into(), "XQ-2026-0001".into()),
    ]
    .into();
    let denied = decide(
        &p,
        "demand",
        Some(&analysing),
        "accept",
        &analyst(),
        &filled,
        &cx(),
    )
    .unwrap_err();
    assert_eq!(denied.fields[0].field, "merge_into");
    let unknown: Input = [("reason".into(), "x".into()), ("colour".into(), "".into())].into();
    assert!(
        decide(
            &p,
            "demand",
            Some(&analysing),
            "accept",
            &analyst(),
            &unknown,
            &cx()
        )
        .is_err()
    );
}

/// Issue 11, point 17 (撤回): the clerk withdraws a submission nobody has acted on, back to
/// draft; a colleague cannot withdraw it for them, and once the Data Center has acted there is
/// nothing left to withdraw.
#[test]
fn r13_2_the_submitter_withdraws_a_demand_nobody_has_acted_on() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    let colleague = actor(4, 10, "GovernmentDept", "demand_clerk");
    let denied = decide(
        &p,
        "demand",
        Some(&submitted),
        "withdraw",
        &colleague,
        &Input::new(),
        &cx(),
    )
    .unwrap_err();
    assert!(denied.reason.zh.contains("您本人"), "{}", denied.reason.zh);
    let back = step(&p, Some(&submitted), "withdraw", &clerk(), &Input::new());
    assert_eq!(back.state, "draft");
    assert_eq!(back.acts.last().unwrap().action, "withdraw");
    let again = step(&p, Some(&back), "submit", &clerk(), &Input::new());
    let analysed = step(
        &p,
        Some(&again),
        "start_analysis",
        &analyst(),
        &Input::new(),
    );
    assert!(
        decide(
            &p,
            "demand",
            Some(&analysed),
            "withdraw",
            &clerk(),
            &Input::new(),
            &cx()
        )
        .is_err()
    );
}

/// Issue 11, point 13 (R13.1): only the units the campaign invites submit in it; another unit
/// is told it is not invited and whom to ask.
#[test]
fn r13_1_only_a_unit_the_campaign_invites_submits_in_it() {
    let p = policy();
    let windows = vec![Window {
        invited: Some(vec![other_clerk().org]),
        ..WINDOWS[0].clone()
    }];
    let invited = Context {
        windows: &windows,
        ..cx()
    };
    let draft = step(&p, None, "create", &clerk(), &complete());
    let denied = decide(
        &p,
        "demand",
        Some(&draft),
        "submit",
        &clerk(),
        &Input::new(),
        &invited,
    )
    .unwrap_err();
    assert!(
        denied.reason.zh.contains("征集范围"),
        "{}",
        denied.reason.zh
    );
    assert!(denied.article.is_some());
    let theirs = step(&p, None, "create", &other_clerk(), &complete());
    assert!(
        decide(
            &p,
            "demand",
            Some(&theirs),
            "submit",
            &other_clerk(),
            &Input::new(),
            &invited
        )
        .is_ok()
    );
}

/// Review finding (issue 11, art. 8, 9): the NDRC and Finance read the plan's lines and what is
/// published, not the units' demands: `reads` narrows `sees = "submitted"` to some kinds.
#[test]
fn r8_r9_the_ndrc_and_finance_read_the_plans_lines_but_not_the_units_demands() {
    let p = policy();
    let draft = step(&p, None, "create", &clerk(), &complete());
    let submitted = step(&p, Some(&draft), "submit", &clerk(), &Input::new());
    let line = Item {
        kind: "plan_item".into(),
        state: "listed".into(),
        ..submitted.clone()
    };
    for who in [
        actor(20, 30, "Ndrc", "ndrc_officer"),
        actor(21, 31, "Finance", "finance_officer"),
    ] {
        assert!(
            !domain::permissions::can_see(&p, &who, &submitted),
            "{}",
            who.role
        );
        assert!(
            domain::permissions::can_see(&p, &who, &line),
            "{}",
            who.role
        );
    }
    assert!(domain::permissions::can_see(&p, &analyst(), &submitted));
}
