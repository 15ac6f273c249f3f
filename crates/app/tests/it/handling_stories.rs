//! Issue 11, point 17: 转办, 抄送 and 催办 on a real store. Each is kept in the item's record
//! with who and when, changes nothing else (its state and fields stay; its version moves like
//! a step's), and the record still replays to the item as stored; a refused one is in the
//! security record.

use super::admin_stories::records;
use super::duty_stories::refusal;
use app::handling::{Request, copied_to, handle};
use app::inbox::inbox;
use demo::principal;
use store::sqlx;
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
        // Like a step's, so a step read before it cannot write over it.
        assert_eq!(after.version, row.version + 1);
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

        // The holder changed behind the platform's back is found by the verification.
        let (from, to) = (
            format!("\"to\":[{}]", zhao.user.id.get()),
            format!("\"to\":[{}]", wang.user.id.get()),
        );
        p.store
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE items SET acts = REPLACE(acts, $1, $2) WHERE id = $3")
                        .bind(from)
                        .bind(to)
                        .bind(id.get())
                        .execute(&mut *c)
                        .await
                        .map_err(store::StoreError::from)?;
                    Ok::<_, app::AppError>(())
                })
            })
            .await
            .unwrap();
        let report = app::admin::trail::verify(&p, &audit).await.unwrap();
        assert!(!report.is_intact(), "a changed holder must be found");
    }
}

/// A third analyst of the Data Center, for a story that needs three in one post.
async fn third_analyst(p: &app::Platform) -> app::Principal {
    let org = principal(p, "dc.analyst").await.unwrap().org.id;
    p.store
        .write(move |c| {
            Box::pin(async move {
                store::users::insert(
                    c,
                    &store::users::NewUser {
                        username: "dc.analyst3",
                        display_name: "孙丽",
                        org,
                        role: "datacenter_analyst",
                        password_hash: "-",
                        at: "2026-01-01T00:00:00+08:00",
                        one_time: false,
                    },
                )
                .await?;
                Ok::<_, app::AppError>(())
            })
        })
        .await
        .unwrap();
    principal(p, "dc.analyst3").await.unwrap()
}

/// RX.3 (委托): an analyst going on leave delegates to a colleague until a day. What is handed
/// to them meanwhile goes on to the colleague, named so in the record; a second delegation,
/// one outside the post, one longer than three months and one to someone away themselves are
/// refused; ended early, what is handed to them is theirs again. Each is in the security
/// record.
#[tokio::test]
async fn rx3_an_analyst_on_leave_delegates_what_is_handed_to_them_until_a_day() {
    for p in each_backend("delegation").await {
        let wang = principal(&p, "dc.analyst").await.unwrap();
        let zhao = principal(&p, "dc.analyst2").await.unwrap();
        let sun = third_analyst(&p).await;
        let clerk = principal(&p, "jyj.clerk").await.unwrap();
        let a = testkit::peek::first(&p, "demand", "智慧校园").await.item.id;
        let b = testkit::peek::first(&p, "demand", "食品安全").await.item.id;
        let today = p.today();
        let week = today + chrono::Duration::days(7);

        assert_eq!(
            app::handling::delegate(&p, &wang, zhao.user.id, week, "年休假")
                .await
                .unwrap(),
            0
        );
        handle(&p, &sun, a, hand_over(wang.user.id, "请王磊分析"))
            .await
            .unwrap();
        let theirs = inbox(&p, &zhao).await.unwrap();
        assert!(theirs.iter().any(|t| t.row.item.id == a));
        assert!(
            !inbox(&p, &wang)
                .await
                .unwrap()
                .iter()
                .any(|t| t.row.item.id == a)
        );
        let view = app::items::view(&p, &wang, a).await.unwrap();
        let last = view.history.last().unwrap();
        assert!(
            last.event.payload.contains("赵静（王磊委托）"),
            "{}",
            last.event.payload
        );

        let again = app::handling::delegate(&p, &wang, zhao.user.id, week, "再次").await;
        assert!(refusal(&again.unwrap_err()).contains("已有委托"));
        let other_post = app::handling::delegate(&p, &sun, clerk.user.id, week, "休假").await;
        assert!(refusal(&other_post.unwrap_err()).contains("同一岗位"));
        let too_long = app::handling::delegate(
            &p,
            &sun,
            zhao.user.id,
            today + chrono::Duration::days(100),
            "长期",
        )
        .await;
        assert!(refusal(&too_long.unwrap_err()).contains("天之内"));
        let away = app::handling::delegate(&p, &sun, wang.user.id, week, "休假").await;
        assert!(refusal(&away.unwrap_err()).contains("已委托他人"));

        // What someone holds when they delegate goes to the colleague at once.
        let handed = app::handling::delegate(&p, &zhao, sun.user.id, week, "外出学习")
            .await
            .unwrap();
        assert_eq!(handed, 1);
        assert!(
            inbox(&p, &sun)
                .await
                .unwrap()
                .iter()
                .any(|t| t.row.item.id == a)
        );

        let (mine, _) = app::handling::delegations(&p, &wang).await.unwrap();
        app::handling::end_delegation(&p, &wang, mine.unwrap().id)
            .await
            .unwrap();
        handle(&p, &sun, b, hand_over(wang.user.id, "王磊已回岗"))
            .await
            .unwrap();
        assert!(
            inbox(&p, &wang)
                .await
                .unwrap()
                .iter()
                .any(|t| t.row.item.id == b)
        );
        assert_eq!(
            records(&p, app::handling::DELEGATE_ACTION, "ok")
                .await
                .len(),
            2
        );
        assert_eq!(
            records(&p, app::handling::DELEGATE_ACTION, "refused")
                .await
                .len(),
            4
        );
        assert_eq!(
            records(&p, app::handling::DELEGATE_END_ACTION, "ok")
                .await
                .len(),
            1
        );
    }
}

/// Issue 12, point 2 (RX.3): 待办 holds what is expected of the person, not every action they
/// could take: the planner may take an expert out of the pool or a line out of the plan, and the
/// project manager may suspend a vendor, but none of these is in their 待办.
#[tokio::test]
async fn rx3_an_action_the_policy_marks_as_no_task_stays_out_of_the_inbox() {
    for p in each_backend("no-task").await {
        demo::projects::seed(&p).await.unwrap();
        for (user, kinds) in [
            ("bureau.planner", ["expert", "plan_item"]),
            ("company.pm", ["vendor", "procurement"]),
        ] {
            let who = principal(&p, user).await.unwrap();
            let tasks = inbox(&p, &who).await.unwrap();
            for t in &tasks {
                assert!(
                    !kinds.contains(&t.row.item.kind.as_str()) || t.actions.iter().all(|a| a.task),
                    "{user}: {} {:?}",
                    t.row.number,
                    t.actions.iter().map(|a| &a.id).collect::<Vec<_>>()
                );
            }
            let no_task: Vec<&app::inbox::Task> = tasks
                .iter()
                .filter(|t| ["expert", "plan_item", "vendor"].contains(&t.row.item.kind.as_str()))
                .collect();
            assert!(no_task.is_empty(), "{user} has {} such rows", no_task.len());
        }
        // The action is still offered on the page.
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let expert = testkit::peek::first(&p, "expert", "").await;
        let view = app::items::view(&p, &planner, expert.item.id)
            .await
            .unwrap();
        assert!(
            view.actions.iter().any(|a| a.id == "retire"),
            "{:?}",
            view.actions.iter().map(|a| &a.id).collect::<Vec<_>>()
        );
    }
}
