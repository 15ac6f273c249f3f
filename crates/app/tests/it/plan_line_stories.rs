//! The plan's lines from the accepted demands (art. 13(1)-(2), issue 12 point 3): the Bureau
//! picks an accepted demand, with those merged into it, and the line is filled from them.

use app::items::{Command, create, perform};
use demo::principal;
use domain::Input;
use std::collections::BTreeMap;
use testkit::each_backend;

fn cmd(action: &str, pairs: &[(&str, &str)]) -> Command {
    Command {
        action: action.into(),
        input: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        then: None,
        idempotency: None,
    }
}

/// R13.5: the accepted demands of the plan's year are offered to the plan, each with the
/// demands merged into it; a line made from one is filled with its title, the units, the
/// budgets together and the next 序号, and the demand is then no longer offered.
#[tokio::test]
async fn r13_5_a_plan_line_is_filled_from_an_accepted_demand_and_those_merged_into_it() {
    for p in each_backend("plan-lines").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let campaign = testkit::peek::first(&p, "campaign", "需求征集").await;
        let year = campaign.item.field("year").to_string();
        let land = testkit::peek::first(&p, "demand", "不动产登记").await;
        let lifeline = testkit::peek::first(&p, "demand", "城市生命线").await;
        // The emergency-dispatch demand, still under analysis, is merged into the land one.
        let dispatch = testkit::peek::first(&p, "demand", "智慧急救").await;
        perform(
            &p,
            &analyst,
            dispatch.item.id,
            cmd(
                "merge",
                &[
                    ("merge_into", &land.number),
                    ("reason", "与不动产登记系统共用电子证照能力，合并建设。"),
                ],
            ),
        )
        .await
        .unwrap();
        let plan = create(
            &p,
            &planner,
            "plan",
            cmd("create", &[("title", "下一年度建设任务"), ("year", &year)]),
        )
        .await
        .unwrap();
        let plan = testkit::peek::item(&p, plan.get()).await;

        let offered = app::cycle::lines::plan_candidates(&p, &planner, &plan)
            .await
            .unwrap();
        let numbers: Vec<Vec<String>> = offered.iter().map(|c| c.numbers()).collect();
        assert_eq!(
            numbers,
            [
                vec![land.number.clone(), dispatch.number.clone()],
                vec![lifeline.number.clone()]
            ],
            "accepted demands, oldest first, each with those merged into it"
        );

        let given = BTreeMap::from([
            ("plan".to_string(), plan.number.clone()),
            ("demands".to_string(), offered[0].numbers().join(",")),
        ]);
        let kind = p.policy.kind("plan_item").unwrap();
        let values = app::cycle::prefill(&p, &planner, kind, &given)
            .await
            .unwrap();
        assert_eq!(values["title"], land.title);
        assert_eq!(
            values["unit"],
            "南阳市自然资源和规划局、南阳市卫生健康委员会"
        );
        assert_eq!(values["budget"], (386_000_000i64 + 520_000_000).to_string());
        assert_eq!(values["seq"], "1");
        assert_eq!(
            values["demands"],
            format!("{},{}", land.number, dispatch.number)
        );

        let mut input: Input = values.clone().into_iter().collect();
        input.insert("mode".into(), "special_fund".into());
        input.insert("budget".into(), "9,060,000".into());
        create(
            &p,
            &planner,
            "plan_item",
            Command {
                action: "create".into(),
                input,
                then: None,
                idempotency: None,
            },
        )
        .await
        .unwrap();
        let left = app::cycle::lines::plan_candidates(&p, &planner, &plan)
            .await
            .unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].demand.number, lifeline.number);
        let next =
            app::cycle::lines::line_from_demands(&p, &planner, Some(&plan), &lifeline.number)
                .await
                .unwrap();
        assert_eq!(next["seq"], "2", "the 序号 after the plan's last");
    }
}
