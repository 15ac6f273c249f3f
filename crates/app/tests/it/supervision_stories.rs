//! Issue 11, points 2, 3, 4 and 6: the supervising bodies do their own duty. The NDRC reviews
//! the plan before the meeting and records (or returns) a self-funded project's filing; Finance
//! proposes the fund budget the plan is checked against; the Financial Affairs Office's
//! guidance and the Audit Bureau's findings are answered by the Company and closed by whoever
//! raised them.

use super::duty_stories::refusal;
use super::project_stories::{approved_project, approved_project_of, cmd, input};
use app::AppError;
use app::items::{create, perform, view};
use demo::principal;
use domain::{Input, ItemId};
use testkit::each_backend;

/// Sends a drafted plan to the NDRC (its opinion) and Finance (this fund budget), as art. 8
/// and 9 ask before the executive meeting.
pub(crate) async fn review_and_fund(p: &app::Platform, plan: ItemId, ceiling: &str) {
    let planner = principal(p, "bureau.planner").await.unwrap();
    perform(p, &planner, plan, cmd("consult", Input::new()))
        .await
        .unwrap();
    perform(
        p,
        &principal(p, "ndrc.officer").await.unwrap(),
        plan,
        cmd(
            "give_ndrc_opinion",
            input(&[("ndrc_opinion", "同意提请审定")]),
        ),
    )
    .await
    .unwrap();
    perform(
        p,
        &principal(p, "finance.officer").await.unwrap(),
        plan,
        cmd(
            "propose_fund_budget",
            input(&[
                ("ceiling", ceiling),
                ("fund_proposal", "按计划安排专项资金"),
            ]),
        ),
    )
    .await
    .unwrap();
}

async fn draft_plan(p: &app::Platform) -> ItemId {
    let planner = principal(p, "bureau.planner").await.unwrap();
    create(
        p,
        &planner,
        "plan",
        cmd(
            "create",
            input(&[("title", "2027年度建设任务"), ("year", "2027")]),
        ),
    )
    .await
    .unwrap()
}

/// R13.5, art. 8, 9: the plan goes to the meeting only with the NDRC's review opinion and
/// Finance's fund budget; the Bureau no longer types the ceiling, and neither body can act
/// out of turn.
#[tokio::test]
async fn r13_5_the_plan_reaches_the_meeting_only_after_the_ndrc_review_and_the_finance_budget() {
    for p in each_backend("consult").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let ndrc = principal(&p, "ndrc.officer").await.unwrap();
        let finance = principal(&p, "finance.officer").await.unwrap();
        let typed = create(
            &p,
            &planner,
            "plan",
            cmd(
                "create",
                input(&[
                    ("title", "2027年度建设任务"),
                    ("year", "2027"),
                    ("ceiling", "9,000,000"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(refusal(&typed).contains("ceiling"), "{typed:?}");
        let plan = draft_plan(&p).await;
        let early = perform(&p, &head, plan, cmd("to_meeting", Input::new()))
            .await
            .unwrap_err();
        assert!(format!("{early:?}").contains("编制中"), "{early:?}");
        let budget = cmd(
            "propose_fund_budget",
            input(&[("ceiling", "9,000,000"), ("fund_proposal", "安排")]),
        );
        perform(&p, &planner, plan, cmd("consult", Input::new()))
            .await
            .unwrap();
        let out_of_turn = perform(&p, &finance, plan, budget.clone())
            .await
            .unwrap_err();
        assert!(
            format!("{out_of_turn:?}").contains("待发改部门论证"),
            "{out_of_turn:?}"
        );
        perform(
            &p,
            &ndrc,
            plan,
            cmd("give_ndrc_opinion", input(&[("ndrc_opinion", "同意")])),
        )
        .await
        .unwrap();
        perform(&p, &finance, plan, budget).await.unwrap();
        let row = view(&p, &head, plan).await.unwrap().row;
        assert_eq!(row.item.field("ceiling"), "900000000");
        assert_eq!(row.item.state, "consulted");
        let acts: Vec<(String, String)> = row
            .item
            .acts
            .iter()
            .map(|a| (a.action.clone(), a.role.clone()))
            .collect();
        assert!(acts.contains(&("give_ndrc_opinion".into(), "ndrc_officer".into())));
        assert!(acts.contains(&("propose_fund_budget".into(), "finance_officer".into())));
        perform(&p, &head, plan, cmd("to_meeting", Input::new()))
            .await
            .unwrap();
    }
}

/// R13.5: the planner takes the draft back to change it, with a reason; it goes round again.
#[tokio::test]
async fn r13_5_a_draft_taken_back_goes_to_the_ndrc_again() {
    for p in each_backend("reopen").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let plan = draft_plan(&p).await;
        review_and_fund(&p, plan, "9,000,000").await;
        let bare = perform(&p, &planner, plan, cmd("reopen", Input::new()))
            .await
            .unwrap_err();
        assert!(refusal(&bare).contains("reopen_reason"), "{bare:?}");
        perform(
            &p,
            &planner,
            plan,
            cmd("reopen", input(&[("reopen_reason", "增补一个项目")])),
        )
        .await
        .unwrap();
        // Last round's opinion and budget do not carry into the new round.
        let row = view(&p, &planner, plan).await.unwrap().row;
        assert_eq!(row.item.field("ndrc_opinion"), "");
        assert_eq!(row.item.field("ceiling"), "");
        perform(&p, &planner, plan, cmd("consult", Input::new()))
            .await
            .unwrap();
        let row = view(&p, &planner, plan).await.unwrap().row;
        assert_eq!(row.item.state, "ndrc_review");
        assert_eq!(row.item.field("reopen_reason"), "");
        // While the NDRC has it, the lines are fixed.
        let number = row.number;
        let line = create(
            &p,
            &planner,
            "plan_item",
            cmd(
                "create",
                input(&[
                    ("plan", &number),
                    ("seq", "2"),
                    ("title", "增补项目"),
                    ("budget", "100,000"),
                    ("mode", "special_fund"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(refusal(&line).contains("收回修改"), "{line:?}");
    }
}

/// R14.3, art. 8, 14(2): the Company applies for the filing, the NDRC returns it or records it
/// with its number; a self-funded project cannot start before, and the refusal says the filing
/// is what is missing.
#[tokio::test]
async fn r14_3_the_ndrc_records_the_filing_the_company_applies_for() {
    for p in each_backend("filing").await {
        let (project, _) = approved_project_of(&p, "company_self_funded").await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let ndrc = principal(&p, "ndrc.officer").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let start = perform(&p, &pm, project, cmd("start_construction", Input::new()))
            .await
            .unwrap_err();
        assert!(refusal(&start).contains("报送发改备案"), "{start:?}");
        let typed = perform(
            &p,
            &pm,
            project,
            cmd(
                "submit_filing",
                input(&[("filing_note", "自筹"), ("ndrc_filing_no", "2704-1")]),
            ),
        )
        .await
        .unwrap_err();
        assert!(refusal(&typed).contains("ndrc_filing_no"), "{typed:?}");
        perform(
            &p,
            &pm,
            project,
            cmd("submit_filing", input(&[("filing_note", "公司自筹资金")])),
        )
        .await
        .unwrap();
        let by_company = perform(
            &p,
            &pm,
            project,
            cmd(
                "record_filing",
                input(&[
                    ("ndrc_filing_no", "2704-411300-04-01-000123"),
                    ("ndrc_filing_date", "2027-02-20"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(matches!(by_company, AppError::Denied(_)), "{by_company:?}");
        perform(
            &p,
            &ndrc,
            project,
            cmd(
                "return_filing",
                input(&[("filing_return_reason", "缺少资金来源说明")]),
            ),
        )
        .await
        .unwrap();
        perform(
            &p,
            &pm,
            project,
            cmd(
                "submit_filing",
                input(&[("filing_note", "公司自筹资金，附资金来源说明")]),
            ),
        )
        .await
        .unwrap();
        perform(
            &p,
            &ndrc,
            project,
            cmd(
                "record_filing",
                input(&[
                    ("ndrc_filing_no", "2704-411300-04-01-000123"),
                    ("ndrc_filing_date", "2027-02-20"),
                ]),
            ),
        )
        .await
        .unwrap();
        let row = view(&p, &head, project).await.unwrap().row;
        assert_eq!(row.item.state, "filed");
        assert_eq!(row.item.field("ndrc_filing_no"), "2704-411300-04-01-000123");
        perform(&p, &pm, project, cmd("start_after_filing", Input::new()))
            .await
            .unwrap();
    }
}

/// Art. 10: the Financial Affairs Office's guidance is answered by the Company and closed by
/// the Office; sent back when not done; the Bureau reads it and cannot act on it.
#[tokio::test]
async fn art10_guidance_is_answered_by_the_company_and_closed_by_the_office() {
    for p in each_backend("guidance").await {
        let office = principal(&p, "finaff.officer").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let id = create(
            &p,
            &office,
            "guidance",
            cmd(
                "create",
                input(&[
                    ("subject", "listing"),
                    ("title", "制定上市培育规划时间表"),
                    ("content", "请报送上市时间表"),
                    ("due", "2027-03-31"),
                ]),
            ),
        )
        .await
        .unwrap();
        let by_pm = create(
            &p,
            &pm,
            "guidance",
            cmd(
                "create",
                input(&[
                    ("subject", "listing"),
                    ("title", "自拟"),
                    ("content", "自拟"),
                    ("due", "2027-03-31"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(matches!(by_pm, AppError::Denied(_)), "{by_pm:?}");
        let answer = |text: &str| cmd("answer", input(&[("response", text)]));
        perform(&p, &pm, id, answer("已起草时间表")).await.unwrap();
        perform(
            &p,
            &office,
            id,
            cmd("reject", input(&[("verdict", "缺少申报辅导节点")])),
        )
        .await
        .unwrap();
        perform(&p, &pm, id, answer("已补充申报辅导节点"))
            .await
            .unwrap();
        let seen = view(&p, &planner, id).await.unwrap();
        assert_eq!(seen.row.item.state, "answered");
        let by_bureau = perform(
            &p,
            &planner,
            id,
            cmd("accept", input(&[("verdict", "同意")])),
        )
        .await
        .unwrap_err();
        assert!(matches!(by_bureau, AppError::Denied(_)), "{by_bureau:?}");
        perform(
            &p,
            &office,
            id,
            cmd("accept", input(&[("verdict", "同意办结")])),
        )
        .await
        .unwrap();
        let row = view(&p, &office, id).await.unwrap().row;
        assert_eq!(row.item.state, "closed");
    }
}

/// R12.1, art. 12: the auditor records a finding on a project citing the records it rests on;
/// the Company answers and the auditor closes it; a finding needs a project whose money is
/// committed.
#[tokio::test]
async fn r12_1_an_audit_finding_cites_its_records_and_is_answered_by_the_company() {
    for p in each_backend("finding").await {
        let auditor = principal(&p, "audit.auditor").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let (_, number) = approved_project(&p).await;
        let finding = |project: &str| {
            cmd(
                "create",
                input(&[
                    ("project", project),
                    ("finding", "等保测评费用列支科目不符"),
                    ("aspect", "legality"),
                    ("detail", "可研批复列入其他费用，合同中一并支付"),
                    ("cites", project),
                    ("due", "2027-06-30"),
                ]),
            )
        };
        // A project not yet approved has no money to audit.
        let early = super::project_stories::project_awaiting(&p, "special_fund").await;
        let early_no = view(&p, &auditor, early).await.unwrap().row.number;
        let wrong = create(&p, &auditor, "audit_finding", finding(&early_no))
            .await
            .unwrap_err();
        assert!(refusal(&wrong).contains("已批复可研"), "{wrong:?}");
        // Every record it cites must exist (issue 11, point 6).
        let mut unknown = finding(&number);
        unknown
            .input
            .insert("cites".into(), format!("{number}, XM-2099-0999"));
        let e = create(&p, &auditor, "audit_finding", unknown)
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("XM-2099-0999"), "{e:?}");
        let id = create(&p, &auditor, "audit_finding", finding(&number))
            .await
            .unwrap();
        perform(
            &p,
            &pm,
            id,
            cmd("answer", input(&[("response", "已调整合同支付科目")])),
        )
        .await
        .unwrap();
        perform(
            &p,
            &auditor,
            id,
            cmd("accept", input(&[("verdict", "整改到位")])),
        )
        .await
        .unwrap();
        let row = view(&p, &pm, id).await.unwrap().row;
        assert_eq!(row.item.state, "closed");
        assert_eq!(row.item.field("project"), number);
        // Findings are not for every clerk in the city.
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        assert!(matches!(
            view(&p, &clerk, id).await,
            Err(AppError::NotFound)
        ));
    }
}
