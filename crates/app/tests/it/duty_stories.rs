//! Issue 11: the holes a real year hits, each a rule of the measures the engine now keeps —
//! contracts follow the procurement, a change keeps what is contracted, a demand in an issued
//! task book changes through its project, the Data Center's own demands are analysed, and the
//! separation of duties on every deciding step.

use super::project_stories::{
    approved_project, cmd, field_error, input, plan_through_meeting, vendor,
};
use app::AppError;
use app::items::{Command, create, perform, view};
use demo::principal;
use domain::{Input, ItemId};
use testkit::each_backend;

/// A refusal's reason and the fields it names (panics on anything else).
pub(crate) fn refusal(e: &AppError) -> String {
    match e {
        AppError::Denied(d) => format!("{} {:?}", d.reason.zh, d.fields),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A procurement of the project with these bidders and this winner, on budget line 2.
fn buy(project: &str, bidders: &str, winner: &str) -> Command {
    cmd(
        "create",
        input(&[
            ("project", project),
            ("title", "平台开发"),
            ("method", "public_tender"),
            ("opened", "2027-04-20"),
            ("bidders", bidders),
            ("winner", winner),
            ("allocation", r#"[{"line":"2","amount":"1,000,000"}]"#),
        ]),
    )
}

fn sign_contract() -> Command {
    cmd(
        "sign_contract",
        input(&[("contract_no", "HT-7"), ("contract_date", "2027-05-08")]),
    )
}

/// R15.2 (art. 7, 15): the contract goes to one of the vendors that bid, and not to a vendor
/// the registry has suspended; both are refused at the field that is wrong, citing the article.
#[tokio::test]
async fn r15_2_a_contract_goes_only_to_a_bidder_in_good_standing() {
    for p in each_backend("winner").await {
        let (_, number) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let (a, b, outsider) = (
            vendor(&p, 2).await,
            vendor(&p, 4).await,
            vendor(&p, 3).await,
        );
        let bidders = format!("{a},{b}");
        let e = create(&p, &pm, "procurement", buy(&number, &bidders, &outsider))
            .await
            .unwrap_err();
        let msg = field_error(&e, "winner");
        assert!(
            msg.contains(&outsider) && msg.contains("投标") && msg.contains("第七条"),
            "{msg}"
        );

        let id = create(&p, &pm, "procurement", buy(&number, &bidders, &a))
            .await
            .unwrap();
        let winner = app::items::by_number(&p, &pm, &a).await.unwrap();
        perform(&p, &pm, winner.item.id, cmd("suspend", Input::new()))
            .await
            .unwrap();
        let e = perform(&p, &pm, id, sign_contract()).await.unwrap_err();
        let msg = refusal(&e);
        assert!(msg.contains(&a) && msg.contains("暂停"), "{msg}");
        assert_eq!(view(&p, &pm, id).await.unwrap().row.item.state, "preparing");
    }
}

/// R15.1: a change may not cut a budget line below what contracts already took: line 2 has
/// 1,000,000.00 contracted, so a baseline of 500,000.00 for it is refused at submission and at
/// the approval, naming the line and both amounts; keeping the line at the contract passes.
#[tokio::test]
async fn r15_1_a_change_cannot_cut_a_line_below_what_is_contracted() {
    for p in each_backend("cut").await {
        let (_, number) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let (a, b) = (vendor(&p, 2).await, vendor(&p, 4).await);
        let id = create(
            &p,
            &pm,
            "procurement",
            buy(&number, &format!("{a},{b}"), &a),
        )
        .await
        .unwrap();
        perform(&p, &pm, id, sign_contract()).await.unwrap();

        let cut = r#"[{"line":"1","category":"硬件","item":"服务器","approved":"750,000"},{"line":"2","category":"软件","item":"平台开发","approved":"500,000"}]"#;
        let change = create(
            &p,
            &pm,
            "project_change",
            cmd(
                "create",
                input(&[
                    ("project", &number),
                    ("title", "压减开发费用"),
                    ("reason", "部分功能改由省平台提供"),
                    ("baseline", cut),
                ]),
            ),
        )
        .await
        .unwrap();
        let e = perform(&p, &pm, change, cmd("submit", Input::new()))
            .await
            .unwrap_err();
        let msg = field_error(&e, "baseline");
        assert!(
            msg.contains("第 2 行")
                && msg.contains("已签约 1,000,000.00 元")
                && msg.contains("500,000.00 元")
                && msg.contains("第十五条"),
            "{msg}"
        );
        let kept = r#"[{"line":"1","category":"硬件","item":"服务器","approved":"750,000"},{"line":"2","category":"软件","item":"平台开发","approved":"1,000,000"}]"#;
        perform(&p, &pm, change, cmd("edit", input(&[("baseline", kept)])))
            .await
            .unwrap();
        perform(&p, &pm, change, cmd("submit", Input::new()))
            .await
            .unwrap();
        assert_eq!(
            view(&p, &pm, change).await.unwrap().row.item.state,
            "validating"
        );
    }
}

/// A submitted demand of the transport bureau that the Data Center accepted.
async fn accepted_demand(p: &app::Platform) -> (ItemId, String) {
    let clerk = principal(p, "jtj.clerk").await.unwrap();
    let analyst = principal(p, "dc.analyst").await.unwrap();
    let id = create(
        p,
        &clerk,
        "demand",
        Command {
            then: Some("submit".into()),
            ..cmd(
                "create",
                input(&[
                    ("title", "智慧停车综合管理平台"),
                    ("problem", "中心城区停车难"),
                    ("scope", "中心城区路内泊位"),
                    ("functions", "泊位查询、预约、无感支付"),
                    ("logic", "查询→预约→入场→离场→支付"),
                    ("budget", "3,200,000"),
                ]),
            )
        },
    )
    .await
    .unwrap();
    perform(p, &analyst, id, cmd("start_analysis", Input::new()))
        .await
        .unwrap();
    perform(
        p,
        &analyst,
        id,
        cmd("accept", input(&[("reason", "确有必要")])),
    )
    .await
    .unwrap();
    let number = view(p, &clerk, id).await.unwrap().row.number;
    (id, number)
}

/// A plan listing the demand, through the meeting; issued when `issue`.
async fn plan_with(p: &app::Platform, demand: &str, issue: bool) -> ItemId {
    let line = [
        ("title", "智慧停车综合管理平台"),
        ("budget", "3,000,000"),
        ("demands", demand),
    ];
    plan_through_meeting(p, &line, issue).await.0
}

fn change_of(demand: &str) -> Command {
    Command {
        then: Some("submit".into()),
        ..cmd(
            "create",
            input(&[
                ("demand", demand),
                ("change_reason", "增加充电桩管理"),
                ("title", "智慧停车综合管理平台"),
                ("problem", "中心城区停车难"),
                ("scope", "中心城区路内泊位"),
                ("functions", "泊位查询、预约、无感支付、充电桩管理"),
                ("logic", "查询→预约→入场→离场→支付"),
                ("budget", "3,600,000"),
            ]),
        )
    }
}

/// R13.3, R15.1: once the demand is in an issued task book, a change request for it is
/// refused, and the refusal says the project's change (art. 15) is the way; a request made
/// before the issue is refused at the approval, and the demand keeps its content.
#[tokio::test]
async fn r13_3_a_demand_in_an_issued_task_book_changes_through_its_project() {
    for p in each_backend("late-change").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let (demand, number) = accepted_demand(&p).await;
        // A request made while the plan is only approved goes ahead to validation...
        plan_with(&p, &number, false).await;
        let early = create(&p, &clerk, "demand_change", change_of(&number))
            .await
            .unwrap();
        let analyst = principal(&p, "dc.analyst2").await.unwrap();
        perform(
            &p,
            &analyst,
            early,
            cmd("validate", input(&[("validation", "合理")])),
        )
        .await
        .unwrap();
        // ... but once a plan listing the demand is issued, nothing changes the demand.
        let (other, other_no) = accepted_demand(&p).await;
        plan_with(&p, &other_no, true).await;
        let e = create(&p, &clerk, "demand_change", change_of(&other_no))
            .await
            .unwrap_err();
        let msg = refusal(&e);
        assert!(
            msg.contains(&other_no) && msg.contains("任务书已下达") && msg.contains("项目变更申请"),
            "{msg}"
        );
        let before = view(&p, &clerk, other).await.unwrap().row.item;
        assert_eq!(before.field("budget"), "320000000");
        // The early request is refused at the approval once its demand's plan is issued.
        let plan = plan_of(&p, &number).await;
        let head = principal(&p, "bureau.head").await.unwrap();
        perform(
            &p,
            &head,
            plan,
            cmd(
                "issue_taskbook",
                input(&[("taskbook_no", "宛政数〔2026〕13号")]),
            ),
        )
        .await
        .unwrap();
        let e = perform(
            &p,
            &head,
            early,
            cmd("approve", input(&[("decision", "同意")])),
        )
        .await
        .unwrap_err();
        assert!(refusal(&e).contains("任务书已下达"), "{}", refusal(&e));
        let kept = view(&p, &clerk, demand).await.unwrap().row.item;
        assert_eq!(kept.field("budget"), "320000000");
    }
}

/// The id of the plan whose line lists the demand.
async fn plan_of(p: &app::Platform, demand: &str) -> ItemId {
    let mut c = p.store.read().await.unwrap();
    let f = store::items::Filter {
        kind: "plan_item".into(),
        page: 1,
        per_page: 100,
        ..Default::default()
    };
    let line = store::items::list(&mut c, &f)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.item.field("demands") == demand)
        .unwrap();
    store::items::get_by_number(&mut c, line.item.field("plan"))
        .await
        .unwrap()
        .unwrap()
        .item
        .id
}

/// R13.4: the Data Center's own foundational demand is analysed by another analyst of the
/// Data Center; its author may neither start the analysis nor give the opinion.
#[tokio::test]
async fn r13_4_a_foundational_demand_is_analysed_by_an_analyst_who_did_not_write_it() {
    for p in each_backend("foundational").await {
        let author = principal(&p, "dc.analyst").await.unwrap();
        let other = principal(&p, "dc.analyst2").await.unwrap();
        let id = create(
            &p,
            &author,
            "demand",
            Command {
                then: Some("submit_foundational".into()),
                ..cmd(
                    "create_foundational",
                    input(&[
                        ("title", "全市统一身份认证平台"),
                        ("problem", "各系统账号不互通"),
                        ("scope", "全市政务系统"),
                        ("functions", "统一登录、单点登录"),
                        ("logic", "认证→授权→访问"),
                    ]),
                )
            },
        )
        .await
        .unwrap();
        let e = perform(&p, &author, id, cmd("start_analysis", Input::new()))
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("职责分离"), "{}", refusal(&e));
        perform(&p, &other, id, cmd("start_analysis", Input::new()))
            .await
            .unwrap();
        perform(
            &p,
            &other,
            id,
            cmd("accept", input(&[("reason", "基础支撑，确有必要")])),
        )
        .await
        .unwrap();
        let row = view(&p, &other, id).await.unwrap().row;
        assert_eq!(row.item.state, "opinion_given");
        assert_eq!(row.item.field("opinion"), "accept");
    }
}

/// Separation of duties (R5-12, R13.5, R14.2): whoever drafts the plan does not record the
/// meeting's approval of it; whoever draws the experts does not record their opinions; and
/// nobody decides at two levels of one item.
#[tokio::test]
async fn r13_5_whoever_drafts_the_plan_does_not_record_its_approval() {
    for p in each_backend("four-eyes").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let plan = create(
            &p,
            &planner,
            "plan",
            cmd(
                "create",
                input(&[("title", "2027年度建设任务"), ("year", "2027")]),
            ),
        )
        .await
        .unwrap();
        super::supervision_stories::review_and_fund(&p, plan, "9,000,000").await;
        perform(&p, &head, plan, cmd("to_meeting", Input::new()))
            .await
            .unwrap();
        let approval = || {
            cmd(
                "record_approval",
                input(&[
                    ("meeting_no", "市政府第23次常务会议"),
                    ("meeting_date", "2026-11-20"),
                    ("minutes", "原则同意"),
                ]),
            )
        };
        let e = perform(&p, &planner, plan, approval()).await.unwrap_err();
        let msg = refusal(&e);
        assert!(msg.contains("新建") || msg.contains("职责分离"), "{msg}");
        assert!(msg.contains("职责分离"), "{msg}");
        assert_eq!(
            view(&p, &planner, plan).await.unwrap().row.item.state,
            "at_meeting"
        );
        let recorder = principal(&p, "bureau.planner2").await.unwrap();
        perform(&p, &recorder, plan, approval()).await.unwrap();
        assert_eq!(
            view(&p, &planner, plan).await.unwrap().row.item.state,
            "approved"
        );
    }
}

fn review(conclusion: &str) -> Command {
    cmd(
        "record_cyber_review",
        input(&[
            ("cyber_conclusion", conclusion),
            ("cyber_opinion", "等保测评报告齐全"),
            ("cyber_date", "2027-09-01"),
        ]),
    )
}

/// R11.1 (art. 11): the cybersecurity review is a gate. Every project needs it until the
/// Bureau decides otherwise (the Company cannot); a project that needs it cannot ask for
/// initial acceptance before it has passed; a failed review is rectified and reviewed again.
#[tokio::test]
async fn r11_1_a_project_that_needs_the_review_reaches_acceptance_only_after_passing_it() {
    for p in each_backend("cyber-gate").await {
        let (project, _) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let cyber = principal(&p, "cyber.reviewer").await.unwrap();
        let row = view(&p, &pm, project).await.unwrap().row;
        assert_eq!(row.item.field("needs_cyber_review"), "yes");
        // Only the Bureau decides that a project needs no review, and says why.
        let e = perform(
            &p,
            &pm,
            project,
            cmd(
                "decide_cyber_review",
                input(&[("needs_cyber_review", "no")]),
            ),
        )
        .await
        .unwrap_err();
        assert!(refusal(&e).contains("主管部门"), "{}", refusal(&e));
        perform(&p, &pm, project, cmd("start_construction", Input::new()))
            .await
            .unwrap();
        let e = perform(&p, &pm, project, cmd("complete_construction", Input::new()))
            .await
            .unwrap_err();
        let msg = refusal(&e);
        assert!(
            msg.contains("网络安全审查") && msg.contains("第十一条"),
            "{msg}"
        );

        perform(&p, &cyber, project, review("fail")).await.unwrap();
        let e = perform(&p, &pm, project, cmd("complete_construction", Input::new()))
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("整改"), "{}", refusal(&e));
        // A failed review is not escaped by an exemption, by a planner or by the head.
        let exempt = || {
            cmd(
                "decide_cyber_review",
                input(&[
                    ("needs_cyber_review", "no"),
                    ("cyber_scope_reason", "仅内部使用"),
                ]),
            )
        };
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        assert!(perform(&p, &planner, project, exempt()).await.is_err());
        let e = perform(&p, &head, project, exempt()).await.unwrap_err();
        assert!(refusal(&e).contains("复审"), "{e:?}");
        perform(
            &p,
            &pm,
            project,
            cmd(
                "rectify_cyber",
                input(&[("cyber_rectification", "已补充日志审计和数据库加密")]),
            ),
        )
        .await
        .unwrap();
        perform(&p, &cyber, project, review("pass")).await.unwrap();
        perform(&p, &pm, project, cmd("complete_construction", Input::new()))
            .await
            .unwrap();
        assert_eq!(
            view(&p, &pm, project).await.unwrap().row.item.state,
            "completed"
        );
    }
}

/// R11.1: a project the Bureau decided needs no review (with its reason) reaches initial
/// acceptance without one.
#[tokio::test]
async fn r11_1_a_project_the_bureau_exempts_needs_no_review() {
    for p in each_backend("cyber-exempt").await {
        let (project, _) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        perform(
            &p,
            &head,
            project,
            cmd(
                "decide_cyber_review",
                input(&[
                    ("needs_cyber_review", "no"),
                    (
                        "cyber_scope_reason",
                        "仅内部办公使用，不涉及关键信息基础设施",
                    ),
                ]),
            ),
        )
        .await
        .unwrap();
        perform(&p, &pm, project, cmd("start_construction", Input::new()))
            .await
            .unwrap();
        perform(&p, &pm, project, cmd("complete_construction", Input::new()))
            .await
            .unwrap();
        assert_eq!(
            view(&p, &pm, project).await.unwrap().row.item.state,
            "completed"
        );
    }
}

/// R12.1, RX.2 (issue 11, point 6): auditors read everything and change nothing; each of their
/// refused write attempts — creating, editing, deciding, on items of every module — is in the
/// security record with who, which step on what, and why it was refused.
#[tokio::test]
async fn r12_every_refused_write_attempt_of_an_auditor_is_in_the_security_record() {
    for p in each_backend("audit-refused").await {
        let (project, _) = approved_project(&p).await;
        let (demand, _) = accepted_demand(&p).await;
        let auditor = principal(&p, "audit.auditor").await.unwrap();
        let before = super::admin_stories::records(&p, "step", "refused")
            .await
            .len();
        let attempts: Vec<Result<ItemId, AppError>> = vec![
            create(
                &p,
                &auditor,
                "demand",
                cmd("create", input(&[("title", "审计自建需求")])),
            )
            .await,
            create(
                &p,
                &auditor,
                "plan",
                cmd("create", input(&[("title", "计划")])),
            )
            .await,
            perform(
                &p,
                &auditor,
                demand,
                cmd("reject", input(&[("reason", "审计认为不必要")])),
            )
            .await,
            perform(
                &p,
                &auditor,
                demand,
                cmd("edit", input(&[("title", "改名")])),
            )
            .await,
            perform(
                &p,
                &auditor,
                project,
                cmd("start_construction", Input::new()),
            )
            .await,
            perform(&p, &auditor, project, review("pass")).await,
            perform(
                &p,
                &auditor,
                project,
                cmd(
                    "decide_cyber_review",
                    input(&[("needs_cyber_review", "no")]),
                ),
            )
            .await,
        ];
        assert!(attempts.iter().all(Result::is_err), "{attempts:?}");
        let after = super::admin_stories::records(&p, "step", "refused").await;
        assert_eq!(after.len() - before, 7, "{after:?}");
        for (who, payload) in &after[before..] {
            assert_eq!(who, "audit.auditor");
            assert!(payload.contains("\"reason\":"), "{payload}");
            assert!(payload.contains("\"action\":"), "{payload}");
        }
        assert!(
            after
                .iter()
                .any(|(_, d)| d.contains("\"action\":\"reject\""))
        );
    }
}
