//! From task book to construction as the domain decides it: the to-build entry and its signed
//! confirmation, construction modes with the NDRC filing and the case-by-case path of emergency
//! projects, the cybersecurity review record, and the FSR's review with per-line cuts.

use chrono::{DateTime, FixedOffset};
use domain::{
    Actor, Calendar, Context, Input, Item, ItemId, OrgId, Policy, RefFact, Text, UserId, apply,
    decide,
};
use std::collections::BTreeMap;

const COMPANY: i64 = 3;
const UNIT: i64 = 10;
const OTHER_UNIT: i64 = 11;

fn policy() -> Policy {
    crate::shipped()
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

fn pm() -> Actor {
    actor(1, COMPANY, "Company", "company_pm")
}
fn clerk(org: i64) -> Actor {
    actor(20 + org, org, "GovernmentDept", "demand_clerk")
}
fn planner() -> Actor {
    actor(5, 1, "Bureau", "bureau_planner")
}
fn bureau_leader() -> Actor {
    actor(6, 1, "Bureau", "bureau_leader")
}
/// A second planner: whoever draws the experts does not record their opinions.
fn planner2() -> Actor {
    actor(8, 1, "Bureau", "bureau_planner")
}
fn analyst() -> Actor {
    actor(7, 2, "DataCenter", "datacenter_analyst")
}

fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fact(number: &str, state: &str, parent: Option<(&str, &str)>) -> RefFact {
    RefFact {
        number: number.into(),
        state: state.into(),
        state_name: Text::new(state, state),
        owner: OrgId::new(1),
        facet: String::new(),
        facet_name: Text::default(),
        parent: parent.map(|(n, s)| (n.to_string(), s.to_string(), Text::new(s, s))),
        named_by: None,
        fields: Default::default(),
    }
}

struct World {
    calendar: Calendar,
    refs: BTreeMap<String, RefFact>,
    as_effect: bool,
    budget: Vec<domain::BudgetLine>,
}

impl World {
    fn new() -> World {
        World {
            calendar: Calendar::from_toml(
                "h.toml",
                include_str!("../../../../calendar/cn-holidays.toml"),
            )
            .unwrap(),
            refs: BTreeMap::new(),
            as_effect: false,
            budget: Vec::new(),
        }
    }

    fn with(mut self, field: &str, f: RefFact) -> World {
        self.refs.insert(field.into(), f);
        self
    }

    fn step(
        &self,
        kind: &str,
        item: Option<&Item>,
        action: &str,
        who: &Actor,
        input: &Input,
    ) -> Result<Item, domain::Denied> {
        let now: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339("2026-12-01T10:00:00+08:00").unwrap();
        let cx = Context {
            now,
            calendar: &self.calendar,
            windows: &[],
            refs: &self.refs,
            as_effect: self.as_effect,
            budget: &self.budget,
            blocking: &[],
        };
        decide(&policy(), kind, item, action, who, input, &cx)
            .map(|ev| apply(item, ItemId::new(9), &ev))
    }
}

fn entry(mode: &str) -> Input {
    input(&[
        ("plan_item", "JX-2026-0001"),
        ("title", "城市运行管理平台"),
        ("content", "建设城市运行一网统管平台"),
        ("budget", "3,000,000"),
        ("planned_start", "2027-03-01"),
        ("planned_end", "2027-12-31"),
        ("units", &UNIT.to_string()),
        ("mode", mode),
        ("mode_reason", "属市级基础性项目"),
    ])
}

/// A line of an issued task book whose construction mode the Bureau fixed (art. 5).
fn issued_in(mode: &str) -> World {
    let mut line = fact("JX-2026-0001", "listed", Some(("JH-2026-0001", "issued")));
    line.fields.insert("mode".into(), mode.into());
    World::new().with("plan_item", line)
}

fn issued() -> World {
    issued_in("special_fund")
}

/// Art. 5: the Bureau fixes the construction mode on the plan line; the Company's entry follows
/// it, and the refusal names the line and its mode.
#[test]
fn r17_1_the_project_takes_the_construction_mode_the_bureau_fixed_on_its_plan_line() {
    let w = issued_in("special_fund");
    let e = w
        .step(
            "project",
            None,
            "create",
            &pm(),
            &entry("company_self_funded"),
        )
        .unwrap_err();
    let mode = e.fields.iter().find(|f| f.field == "mode").unwrap();
    assert!(
        mode.message.zh.contains("JX-2026-0001") && mode.message.zh.contains("专项资金保障"),
        "{}",
        mode.message.zh
    );
    assert!(mode.message.zh.contains("第五条"), "{}", mode.message.zh);
    let p = w
        .step("project", None, "create", &pm(), &entry("special_fund"))
        .unwrap();
    // Editing the entry does not reach the mode.
    let e = w
        .step(
            "project",
            Some(&p),
            "edit",
            &pm(),
            &entry("company_self_funded"),
        )
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "mode"), "{e:?}");
    let mut rest = entry("special_fund");
    rest.remove("mode");
    rest.remove("plan_item");
    let edited = w.step("project", Some(&p), "edit", &pm(), &rest).unwrap();
    assert_eq!(edited.field("mode"), "special_fund");
    // A line without a mode (never, once the plan requires one) gives no mode to take.
    let bare = World::new().with(
        "plan_item",
        fact("JX-2026-0001", "listed", Some(("JH-2026-0001", "issued"))),
    );
    let e = bare
        .step("project", None, "create", &pm(), &entry("special_fund"))
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "mode"), "{e:?}");
}

fn signed() -> Input {
    input(&[
        ("signature", "ab".repeat(64).as_str()),
        ("signer_key", "04cd"),
        ("signed_at", "2026-12-01T10:00:00+08:00"),
    ])
}

/// A project confirmed by its unit, in the given mode.
fn confirmed(mode: &str) -> Item {
    let w = issued_in(mode);
    let p = w
        .step("project", None, "create", &pm(), &entry(mode))
        .unwrap();
    let p = w
        .step(
            "project",
            Some(&p),
            "request_confirmation",
            &pm(),
            &Input::new(),
        )
        .unwrap();
    w.step("project", Some(&p), "confirm", &clerk(UNIT), &signed())
        .unwrap()
}

/// Two approved lines: servers at 1,000,000 and development at 1,800,000 yuan.
const BASELINE: &str = r#"[{"line":"1","item":"服务器","approved":"1,000,000"},{"line":"2","item":"平台开发","approved":"1,800,000"}]"#;

fn fsr_approved(mode: &str) -> Item {
    let mut w = World::new();
    w.as_effect = true;
    w.step(
        "project",
        Some(&confirmed(mode)),
        "record_fsr_approval",
        &bureau_leader(),
        &input(&[("approved_total", "2,800,000"), ("baseline", BASELINE)]),
    )
    .unwrap()
}

#[test]
fn r14_1_a_to_build_entry_comes_only_from_an_item_of_an_issued_task_book() {
    let not_issued = World::new().with(
        "plan_item",
        fact("JX-2026-0001", "listed", Some(("JH-2026-0001", "approved"))),
    );
    let e = not_issued
        .step("project", None, "create", &pm(), &entry("special_fund"))
        .unwrap_err();
    assert!(e.reason.zh.contains("JH-2026-0001"), "{}", e.reason.zh);
    assert!(
        issued()
            .step("project", None, "create", &pm(), &entry("special_fund"))
            .is_ok()
    );
}

#[test]
fn r14_1_only_the_listed_demand_unit_confirms_and_only_with_a_signature() {
    let w = issued();
    let p = w
        .step("project", None, "create", &pm(), &entry("special_fund"))
        .unwrap();
    let p = w
        .step(
            "project",
            Some(&p),
            "request_confirmation",
            &pm(),
            &Input::new(),
        )
        .unwrap();
    let e = w
        .step(
            "project",
            Some(&p),
            "confirm",
            &clerk(OTHER_UNIT),
            &signed(),
        )
        .unwrap_err();
    assert!(e.reason.zh.contains("需求（使用）单位"), "{}", e.reason.zh);
    let e = w
        .step("project", Some(&p), "confirm", &clerk(UNIT), &Input::new())
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "signature"));
    let done = w
        .step("project", Some(&p), "confirm", &clerk(UNIT), &signed())
        .unwrap();
    assert_eq!(done.state, "confirmed");
    // Once signed, nobody edits the entry.
    assert!(
        w.step(
            "project",
            Some(&done),
            "edit",
            &pm(),
            &entry("special_fund")
        )
        .is_err()
    );
}

/// R17.1, R2.1: the Company builds by default; the exceptions of art. 17 (a Bureau-organised
/// special-fund project, a fund-using unit) are recorded as the project's mode, with its reason.
#[test]
fn r17_1_the_mode_is_recorded_with_its_reason_and_case_by_case_is_for_emergencies_only() {
    let w = issued();
    let mut no_reason = entry("special_fund");
    no_reason.insert("mode_reason".into(), String::new());
    let e = w
        .step("project", None, "create", &pm(), &no_reason)
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "mode_reason"));
    let e = w
        .step("project", None, "create", &pm(), &entry("case_by_case"))
        .unwrap_err();
    assert!(
        e.fields
            .iter()
            .any(|f| f.field == "mode" && f.message.zh.contains("第十八条"))
    );
    // A special-fund project organised by the Bureau starts once its FSR is approved.
    let started = World::new()
        .step(
            "project",
            Some(&fsr_approved("special_fund")),
            "start_construction",
            &planner(),
            &Input::new(),
        )
        .unwrap();
    assert_eq!(started.state, "under_construction");
}

fn ndrc() -> Actor {
    actor(9, 9, "Ndrc", "ndrc_officer")
}

#[test]
fn r14_3_a_self_funded_project_is_filed_with_the_ndrc_before_it_starts() {
    let w = World::new();
    let p = fsr_approved("company_self_funded");
    // Art. 14(2): the refusal says what is missing and what to do.
    let e = w
        .step(
            "project",
            Some(&p),
            "start_construction",
            &pm(),
            &Input::new(),
        )
        .unwrap_err();
    assert!(e.reason.zh.contains("报送发改备案"), "{}", e.reason.zh);
    assert_eq!(e.article.unwrap().as_str(), "14.2");
    let e = w
        .step("project", Some(&p), "submit_filing", &pm(), &Input::new())
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "filing_note"));
    let applied = w
        .step(
            "project",
            Some(&p),
            "submit_filing",
            &pm(),
            &input(&[("filing_note", "公司自筹资金建设")]),
        )
        .unwrap();
    assert_eq!(applied.state, "filing_submitted");
    let filing = input(&[
        ("ndrc_filing_no", "2612-411300-04-01-123456"),
        ("ndrc_filing_date", "2026-12-05"),
    ]);
    // Art. 8: the NDRC records the filing, not the Company.
    assert!(
        w.step("project", Some(&applied), "record_filing", &pm(), &filing)
            .is_err()
    );
    let filed = w
        .step("project", Some(&applied), "record_filing", &ndrc(), &filing)
        .unwrap();
    assert_eq!(filed.state, "filed");
    let started = w
        .step(
            "project",
            Some(&filed),
            "start_after_filing",
            &pm(),
            &Input::new(),
        )
        .unwrap();
    assert_eq!(started.state, "under_construction");
    // A project of another mode has no filing step.
    assert!(
        w.step(
            "project",
            Some(&fsr_approved("special_fund")),
            "submit_filing",
            &pm(),
            &input(&[("filing_note", "x")]),
        )
        .is_err()
    );
}

#[test]
fn r18_1_an_emergency_project_starts_only_after_both_leaders_consent() {
    let w = World::new().with("emergency", fact("YJ-2026-0001", "in_plan", None));
    let proposal = input(&[
        ("emergency", "YJ-2026-0001"),
        ("title", "防汛应急指挥系统"),
        ("content", "汛期前上线的应急指挥调度"),
        ("budget", "1,200,000"),
        ("units", &UNIT.to_string()),
        ("mode_proposal", "由公司采用单一来源方式紧急采购"),
        ("mode_reason", "汛期临近，时间节点明确"),
    ]);
    let p = w
        .step("project", None, "create_emergency", &planner(), &proposal)
        .unwrap();
    assert_eq!(p.field("mode"), "case_by_case");
    let leader = actor(30, 4, "CityLeadership", "leader_in_charge");
    let mayor = actor(31, 4, "CityLeadership", "executive_vice_mayor");
    let one = w
        .step("project", Some(&p), "consent_mode", &leader, &Input::new())
        .unwrap();
    assert_eq!(one.state, "mode_proposed");
    let e = w
        .step(
            "project",
            Some(&one),
            "start_emergency",
            &pm(),
            &Input::new(),
        )
        .unwrap_err();
    assert!(
        e.reason.zh.contains("建设方式待领导同意"),
        "{}",
        e.reason.zh
    );
    let both = w
        .step("project", Some(&one), "consent_mode", &mayor, &Input::new())
        .unwrap();
    assert_eq!(both.state, "mode_agreed");
    let started = w
        .step(
            "project",
            Some(&both),
            "start_emergency",
            &pm(),
            &Input::new(),
        )
        .unwrap();
    assert_eq!(started.state, "under_construction");
}

/// R11.1: Cyberspace records its review (conclusion, opinion, date) on a project flagged as
/// needing one; later issues gate going live on it.
#[test]
fn r11_1_the_cybersecurity_review_is_recorded_only_for_projects_flagged_for_it() {
    let w = World::new();
    let cyber = actor(40, 8, "Cyberspace", "cyber_reviewer");
    let review = input(&[
        ("cyber_conclusion", "pass"),
        ("cyber_opinion", "符合等保三级要求"),
        ("cyber_date", "2026-12-10"),
    ]);
    let p = confirmed("special_fund");
    let done = w
        .step("project", Some(&p), "record_cyber_review", &cyber, &review)
        .unwrap();
    assert_eq!(done.field("cyber_conclusion"), "pass");
    let mut unflagged = p.clone();
    unflagged
        .fields
        .insert("needs_cyber_review".into(), "no".into());
    assert!(
        w.step(
            "project",
            Some(&unflagged),
            "record_cyber_review",
            &cyber,
            &review
        )
        .is_err()
    );
}

fn lines() -> &'static str {
    r#"[{"category":"硬件","item":"服务器","quantity":"4","unit_price":"250,000"},
        {"category":"软件","item":"平台开发","quantity":"1","unit_price":"1,800,000"}]"#
}

fn fsr_in_review() -> Item {
    let w = World::new().with("project", fact("XM-2026-0001", "confirmed", None));
    let f = w
        .step(
            "fsr",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "城市运行管理平台可行性研究报告"),
                ("summary", "建设内容"),
                ("security_plan", "等保三级，商用密码应用"),
                ("budget_lines", lines()),
                (
                    "milestones",
                    r#"[{"name":"上线试运行","planned":"2027-09-30"}]"#,
                ),
            ]),
        )
        .unwrap();
    assert_eq!(f.field("requested_total"), "280000000");
    let f = w
        .step("fsr", Some(&f), "submit", &pm(), &Input::new())
        .unwrap();
    let f = w
        .step(
            "fsr",
            Some(&f),
            "dc_pass",
            &analyst(),
            &input(&[("dc_opinion", "同意报请评审")]),
        )
        .unwrap();
    // The platform draws the experts and fills the system fields.
    w.step(
        "fsr",
        Some(&f),
        "draw_experts",
        &planner(),
        &input(&[
            ("expert_count", "3"),
            ("drawn_experts", "ZK-2026-0001,ZK-2026-0002,ZK-2026-0004"),
        ]),
    )
    .unwrap()
}

#[test]
fn r14_2_budget_lines_are_checked_row_by_row_and_summed() {
    let w = World::new().with("project", fact("XM-2026-0001", "confirmed", None));
    let e = w
        .step(
            "fsr",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "t"),
                ("summary", "s"),
                (
                    "budget_lines",
                    r#"[{"category":"硬件","item":"服务器","quantity":"四","unit_price":"1"}]"#,
                ),
                ("milestones", r#"[{"name":"上线","planned":"2027-09-30"}]"#),
            ]),
        )
        .unwrap_err();
    // The refusal names the cell (row from 0, column), so the form marks only that one.
    let f = e
        .fields
        .iter()
        .find(|f| f.field == "budget_lines.0.quantity")
        .unwrap();
    assert!(f.message.zh.contains("第 1 行「数量」"), "{}", f.message.zh);
    assert_eq!(fsr_in_review().field("requested_total"), "280000000");
}

#[test]
fn r14_2_only_drawn_experts_give_opinions_and_approval_applies_cuts_with_reasons() {
    let w = World::new();
    let f = fsr_in_review();
    let e = w
        .step(
            "fsr",
            Some(&f),
            "record_opinions",
            &planner2(),
            &input(&[(
                "expert_opinions",
                r#"[{"expert":"ZK-2026-0003","opinion":"同意","score":"85"}]"#,
            )]),
        )
        .unwrap_err();
    assert!(
        e.fields[0].message.zh.contains("ZK-2026-0003"),
        "{:?}",
        e.fields
    );
    let f = w
        .step(
            "fsr",
            Some(&f),
            "record_opinions",
            &planner2(),
            &input(&[(
                "expert_opinions",
                r#"[{"expert":"ZK-2026-0001","opinion":"同意，硬件单价偏高","score":"82"},
                    {"expert":"ZK-2026-0002","opinion":"同意","score":"88"},
                    {"expert":"ZK-2026-0004","opinion":"同意","score":"90"}]"#,
            )]),
        )
        .unwrap();
    let approval = |cuts: &str| {
        input(&[
            ("cuts", cuts),
            ("approval_no", "宛数政〔2026〕12号"),
            ("approval_docx_sm3", &"a".repeat(64)),
            ("approval_pdf_sm3", &"b".repeat(64)),
        ])
    };
    let e = w
        .step(
            "fsr",
            Some(&f),
            "approve",
            &bureau_leader(),
            &approval(r#"[{"line":"1","approved":"800,000","reason":""}]"#),
        )
        .unwrap_err();
    assert!(
        e.fields
            .iter()
            .any(|f| f.field == "cuts" || f.field == "cuts.0.reason"),
        "{:?}",
        e
    );
    let e = w
        .step(
            "fsr",
            Some(&f),
            "approve",
            &bureau_leader(),
            &approval(r#"[{"line":"1","approved":"1,200,000","reason":"超出"}]"#),
        )
        .unwrap_err();
    assert!(
        e.fields[0].message.zh.contains("不能超过申报金额"),
        "{:?}",
        e.fields
    );
    let approved = w
        .step(
            "fsr",
            Some(&f),
            "approve",
            &bureau_leader(),
            &approval(r#"[{"line":"1","approved":"800,000","reason":"服务器单价按市场价核减"}]"#),
        )
        .unwrap();
    assert_eq!(approved.state, "approved");
    assert_eq!(approved.field("approved_total"), "260000000");
    // The approved version is locked.
    assert!(
        w.step(
            "fsr",
            Some(&approved),
            "edit",
            &pm(),
            &input(&[("title", "x")])
        )
        .is_err()
    );
}

fn procurement(allocation: &str) -> Item {
    let w = World::new().with("project", fact("XM-2026-0001", "under_construction", None));
    w.step(
        "procurement",
        None,
        "create",
        &pm(),
        &input(&[
            ("project", "XM-2026-0001"),
            ("title", "平台开发"),
            ("method", "public_tender"),
            ("opened", "2027-04-20"),
            ("bidders", "GS-2026-0002,GS-2026-0004"),
            ("winner", "GS-2026-0002"),
            ("allocation", allocation),
        ]),
    )
    .unwrap()
}

fn budget(committed_on_2: i64) -> World {
    let mut w = World::new().with("winner", fact("GS-2026-0002", "registered", None));
    w.budget = vec![
        domain::BudgetLine {
            line: 1,
            item: "服务器".into(),
            approved_fen: 100_000_000,
            committed_fen: 0,
        },
        domain::BudgetLine {
            line: 2,
            item: "平台开发".into(),
            approved_fen: 180_000_000,
            committed_fen: committed_on_2,
        },
    ];
    w
}

fn contract() -> Input {
    input(&[
        ("contract_no", "NYSZ-2027-015"),
        ("contract_date", "2027-05-08"),
    ])
}

#[test]
fn r15_2_a_contract_within_what_is_left_of_its_lines_is_recorded() {
    let p = procurement(r#"[{"line":"2","amount":"1,200,000"}]"#);
    assert_eq!(p.field("contract_amount"), "120000000");
    let signed = budget(50_000_000)
        .step("procurement", Some(&p), "sign_contract", &pm(), &contract())
        .unwrap();
    assert_eq!(signed.state, "contracted");
}

#[test]
fn r15_1_a_contract_beyond_what_is_left_is_refused_naming_the_line_and_the_excess() {
    let p = procurement(r#"[{"line":"2","amount":"1,200,000"}]"#);
    let e = budget(100_000_000)
        .step("procurement", Some(&p), "sign_contract", &pm(), &contract())
        .unwrap_err();
    let f = e.fields.iter().find(|f| f.field == "allocation").unwrap();
    assert!(f.message.zh.contains("平台开发"), "{}", f.message.zh);
    assert!(
        f.message.zh.contains("剩余 800,000.00 元"),
        "{}",
        f.message.zh
    );
    assert!(
        f.message.zh.contains("超出 400,000.00 元"),
        "{}",
        f.message.zh
    );
    assert!(f.message.zh.contains("变更"), "{}", f.message.zh);
    let e = budget(0)
        .step(
            "procurement",
            Some(&procurement(r#"[{"line":"3","amount":"1"}]"#)),
            "sign_contract",
            &pm(),
            &contract(),
        )
        .unwrap_err();
    assert!(
        e.fields[0].message.zh.contains("没有这一行"),
        "{:?}",
        e.fields
    );
}

#[test]
fn r15_1_an_approved_change_takes_validation_and_approval_and_raises_the_baseline() {
    let w = World::new().with("project", fact("XM-2026-0001", "under_construction", None));
    let raised = r#"[{"line":"1","item":"服务器","approved":"1,000,000"},{"line":"2","item":"平台开发","approved":"2,100,000"}]"#;
    let c = w
        .step(
            "project_change",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "增加移动端"),
                ("reason", "省里要求接入移动端"),
                ("baseline", raised),
            ]),
        )
        .unwrap();
    let c = w
        .step("project_change", Some(&c), "submit", &pm(), &Input::new())
        .unwrap();
    // The Bureau cannot approve before the Data Center validates.
    let decision = input(&[("decision", "同意")]);
    assert!(
        w.step(
            "project_change",
            Some(&c),
            "approve",
            &bureau_leader(),
            &decision
        )
        .is_err()
    );
    let c = w
        .step(
            "project_change",
            Some(&c),
            "validate",
            &analyst(),
            &input(&[("dc_opinion", "必要")]),
        )
        .unwrap();
    let c = w
        .step(
            "project_change",
            Some(&c),
            "approve",
            &bureau_leader(),
            &decision,
        )
        .unwrap();
    assert_eq!(c.state, "approved");
    // Its effect: the project's baseline now allows 2,100,000 on line 2.
    let mut effect = World::new();
    effect.as_effect = true;
    let project = effect
        .step(
            "project",
            Some(&fsr_approved("special_fund")),
            "apply_change",
            &bureau_leader(),
            &input(&[("baseline", raised)]),
        )
        .unwrap();
    assert_eq!(
        domain::table::sum(project.field("baseline"), "approved"),
        310_000_000
    );
    assert!(
        World::new()
            .step(
                "project",
                Some(&project),
                "apply_change",
                &bureau_leader(),
                &input(&[("baseline", raised)])
            )
            .is_err(),
        "only as the effect of an approved request"
    );
}

fn under_construction() -> Item {
    let mut p = fsr_approved("special_fund");
    p.state = "under_construction".into();
    p.fields.insert(
        "milestones".into(),
        r#"[{"name":"完成招标","planned":"2027-04-30"},{"name":"上线试运行","planned":"2027-10-31"}]"#.into(),
    );
    p
}

#[test]
fn r15_3_milestones_reached_name_a_milestone_of_the_baseline() {
    let w = World::new();
    let p = under_construction();
    let e = w
        .step(
            "project",
            Some(&p),
            "record_progress",
            &pm(),
            &input(&[(
                "actuals",
                r#"[{"milestone":"完成设计","actual":"2027-05-02"}]"#,
            )]),
        )
        .unwrap_err();
    assert!(
        e.fields[0].message.zh.contains("完成设计"),
        "{:?}",
        e.fields
    );
    let done = w
        .step(
            "project",
            Some(&p),
            "record_progress",
            &pm(),
            &input(&[(
                "actuals",
                r#"[{"milestone":"完成招标","actual":"2027-05-06"}]"#,
            )]),
        )
        .unwrap();
    assert_eq!(domain::table::rows(done.field("actuals")).len(), 1);
}

#[test]
fn r15_3_a_risk_level_is_likelihood_times_impact_never_typed() {
    let w = World::new().with("project", fact("XM-2026-0001", "under_construction", None));
    let r = w
        .step(
            "risk",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "数据接口延期"),
                ("likelihood", "4"),
                ("impact", "4"),
                ("owner", "陈刚"),
                ("mitigation", "每周协调"),
                ("level", "1"),
            ]),
        )
        .unwrap_err();
    assert!(
        r.fields.iter().any(|f| f.field == "level"),
        "a typed level is refused"
    );
    let r = w
        .step(
            "risk",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "数据接口延期"),
                ("likelihood", "4"),
                ("impact", "4"),
                ("owner", "陈刚"),
                ("mitigation", "每周协调"),
            ]),
        )
        .unwrap();
    assert_eq!(r.field("level"), "16");
}

#[test]
fn r15_4_a_finding_closes_only_with_evidence_and_the_data_centers_acceptance() {
    let w = World::new().with("inspection", fact("JC-2026-0001", "recorded", None));
    let r = w
        .step(
            "rectification",
            None,
            "create",
            &analyst(),
            &input(&[
                ("inspection", "JC-2026-0001"),
                ("finding", "未按要求进行代码安全审计"),
                ("assignee", "vendor"),
                ("vendor", "GS-2026-0002"),
                ("due", "2027-06-30"),
            ]),
        )
        .unwrap();
    let answer = input(&[("response", "已完成代码审计并修复高危漏洞")]);
    let e = w
        .step("rectification", Some(&r), "answer", &pm(), &answer)
        .unwrap_err();
    assert!(e.fields.iter().any(|f| f.field == "evidence"));
    let r = w
        .step(
            "rectification",
            Some(&r),
            "attach",
            &pm(),
            &input(&[("evidence", &format!("{} 代码审计报告.pdf", "c".repeat(64)))]),
        )
        .unwrap();
    let r = w
        .step("rectification", Some(&r), "answer", &pm(), &answer)
        .unwrap();
    assert!(
        w.step(
            "rectification",
            Some(&r),
            "accept",
            &pm(),
            &input(&[("verdict", "同意")])
        )
        .is_err(),
        "the Company does not close its own finding"
    );
    let r = w
        .step(
            "rectification",
            Some(&r),
            "accept",
            &analyst(),
            &input(&[("verdict", "已核查，同意销号")]),
        )
        .unwrap();
    assert_eq!(r.state, "closed");
}

#[test]
fn r15_1_a_line_allocated_twice_in_one_contract_is_refused() {
    let p = procurement(r#"[{"line":"2","amount":"600,000"},{"line":"2","amount":"600,000"}]"#);
    let e = budget(100_000_000)
        .step("procurement", Some(&p), "sign_contract", &pm(), &contract())
        .unwrap_err();
    assert!(
        e.fields[0].message.zh.contains("已在前面分配"),
        "{:?}",
        e.fields
    );
}

#[test]
fn r14_2_a_negative_amount_reads_with_its_sign_first() {
    assert_eq!(
        domain::Money::from_fen(-12_345_050).yuan_string(),
        "-123,450.50"
    );
    assert_eq!(domain::Money::from_fen(-45).yuan_string(), "-0.45");
}

/// R21.1 (art. 21): the Company answers for security from the design stage: a feasibility
/// study without its security plan is refused at submission, citing art. 21.
#[test]
fn r21_1_a_feasibility_study_goes_to_review_only_with_its_security_plan() {
    let w = World::new().with("project", fact("XM-2026-0001", "confirmed", None));
    let draft = |plan: &str| {
        w.step(
            "fsr",
            None,
            "create",
            &pm(),
            &input(&[
                ("project", "XM-2026-0001"),
                ("title", "城市运行管理平台可行性研究报告"),
                ("summary", "建设内容"),
                ("security_plan", plan),
                ("budget_lines", lines()),
                (
                    "milestones",
                    r#"[{"name":"上线试运行","planned":"2027-09-30"}]"#,
                ),
            ]),
        )
        .unwrap()
    };
    let e = w
        .step("fsr", Some(&draft("")), "submit", &pm(), &Input::new())
        .unwrap_err();
    assert_eq!(e.article.unwrap().as_str(), "21");
    assert!(e.reason.zh.contains("安全保障方案"), "{}", e.reason.zh);
    w.step(
        "fsr",
        Some(&draft("等保三级，商用密码应用")),
        "submit",
        &pm(),
        &Input::new(),
    )
    .unwrap();
}
