//! Issue 11, point 17: 转办, 抄送 and 催办 on a real store. Each is kept in the item's record
//! with who and when, changes nothing else (not even the version a colleague's open form holds),
//! and the record still replays to the item as stored; a refused one is in the security record.

use super::admin_stories::records;
use super::duty_stories::refusal;
use app::handling::{Request, copied_to, handle};
use app::inbox::inbox;
use demo::principal;
use testkit::each_backend;

fn hand_over(to: domain::UserId, reason: &str) -> Request {
    Request::HandOver {
        to,
        reason: reason.into(),
    }
}

/// RX.3: the analyst hands a submitted demand to a colleague, who then alone has it in their
/// 待办; the colleague copies it to the Bureau's planner, who finds it under 抄送我的; once it
/// is overdue the submitting clerk urges it, and the holder's 待办 says so.
#[tokio::test]
async fn rx3_a_demand_is_handed_over_copied_and_urged_and_its_record_keeps_each() {
    for p in each_backend("handling").await {
        let row = testkit::peek::first(&p, "demand", "智慧校园").await;
        let id = row.item.id;
        let wang = principal(&p, "dc.analyst").await.unwrap();
        let zhao = principal(&p, "dc.analyst2").await.unwrap();
        let clerk = principal(&p, "jyj.clerk").await.unwrap();
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let outsider = principal(&p, "gaj.clerk").await.unwrap();

        let to_self = handle(&p, &wang, id, hand_over(wang.user.id, "自己办")).await;
        assert!(refusal(&to_self.unwrap_err()).contains("本人"));
        let no_reason = handle(&p, &wang, id, hand_over(zhao.user.id, "\u{200b} ")).await;
        assert!(refusal(&no_reason.unwrap_err()).contains("转办理由"));
        handle(
            &p,
            &wang,
            id,
            hand_over(zhao.user.id, "休假一周，请赵静办理"),
        )
        .await
        .unwrap();
        let has = |tasks: &[app::inbox::Task]| tasks.iter().any(|t| t.row.item.id == id);
        assert!(!has(&inbox(&p, &wang).await.unwrap()));
        let theirs = inbox(&p, &zhao).await.unwrap();
        let task = theirs.iter().find(|t| t.row.item.id == id).unwrap();
        assert_eq!(task.handed_over.as_ref().unwrap().user, wang.user.id);
        let after = testkit::peek::item(&p, id.get()).await;
        assert_eq!(
            after.version, row.version,
            "a hand-over does not make forms stale"
        );
        assert_eq!(after.item.state, row.item.state);

        let stranger = handle(
            &p,
            &zhao,
            id,
            Request::Copy {
                users: vec![outsider.user.id],
                orgs: Vec::new(),
                note: String::new(),
            },
        )
        .await;
        assert!(refusal(&stranger.unwrap_err()).contains("无权查看"));
        handle(
            &p,
            &zhao,
            id,
            Request::Copy {
                users: vec![planner.user.id],
                orgs: Vec::new(),
                note: "请规划科知悉".into(),
            },
        )
        .await
        .unwrap();
        let copied = copied_to(&p, &planner).await.unwrap();
        assert!(
            copied
                .iter()
                .any(|(r, c)| r.item.id == id && c.user == zhao.user.id)
        );
        assert!(copied_to(&p, &clerk).await.unwrap().is_empty());

        let early = handle(
            &p,
            &clerk,
            id,
            Request::Urge {
                note: String::new(),
            },
        )
        .await;
        assert!(refusal(&early.unwrap_err()).contains("尚未逾期"));
        let due = after.item.due.unwrap();
        p.settings.clock.set_day(due + chrono::Duration::days(3));
        handle(
            &p,
            &clerk,
            id,
            Request::Urge {
                note: "请尽快分析".into(),
            },
        )
        .await
        .unwrap();
        let theirs = inbox(&p, &zhao).await.unwrap();
        let task = theirs.iter().find(|t| t.row.item.id == id).unwrap();
        assert_eq!(task.urges.len(), 1);
        assert_eq!(task.urges[0].user, clerk.user.id);
        assert_eq!(task.urges[0].to, vec![zhao.user.id]);

        let view = app::items::view(&p, &planner, id).await.unwrap();
        let said: Vec<(String, String)> = view
            .history
            .iter()
            .map(|e| (e.event.action.clone(), e.event.actor_name.clone()))
            .collect();
        for (action, who) in [("hand_over", "王磊"), ("copy", "赵静"), ("urge", "吴桂芳")] {
            assert!(
                said.contains(&(action.to_string(), who.to_string())),
                "{said:?}"
            );
        }
        let refused = records(&p, app::items::STEP_ACTION, "refused").await;
        let handled = refused
            .iter()
            .filter(|(_, payload)| {
                ["hand_over", "copy", "urge"]
                    .iter()
                    .any(|a| payload.contains(&format!("\"action\":\"{a}\"")))
            })
            .count();
        assert_eq!(
            handled, 4,
            "every refused hand-over, copy and urge: {refused:?}"
        );

        // The colleague takes the step: the hand-over ends with it, and the record replays.
        app::items::perform(
            &p,
            &zhao,
            id,
            super::project_stories::cmd("start_analysis", domain::Input::new()),
        )
        .await
        .unwrap();
        let audit = principal(&p, "admin.audit").await.unwrap();
        let report = app::admin::trail::verify(&p, &audit).await.unwrap();
        assert!(report.is_intact(), "{report}");
    }
}
