//! Personal data (issue 10, finding 10; SECURITY.md: phone numbers SM4-encrypted at rest and
//! shown masked unless a permitted user asks with a reason, which is recorded).

use domain::Input;
use store::sqlx;
use testkit::each_backend;

fn demand(contact: &str) -> Input {
    [
        ("title", "个人信息加密的需求"),
        ("contact", contact),
        ("problem", "材料重复提交"),
        ("scope", "市市场监管局"),
        ("functions", "在线办理"),
        ("logic", "申请→受理"),
        ("budget", "100000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn cmd(action: &str, input: Input) -> app::items::Command {
    app::items::Command {
        action: action.into(),
        input,
        then: None,
        idempotency: None,
    }
}

#[tokio::test]
async fn rx2_f10_a_phone_number_is_kept_encrypted_shown_masked_and_opened_only_with_a_recorded_reason()
 {
    for p in each_backend("f10-personal").await {
        let clerk = demo::principal(&p, "scj.clerk").await.unwrap();
        let id = app::items::create(
            &p,
            &clerk,
            "demand",
            cmd("create", demand("张明 13812345678")),
        )
        .await
        .unwrap();
        // Neither the item row nor its record holds the number in the clear.
        let mut c = p.store.read().await.unwrap();
        let leaks: i64 = sqlx::query_as::<_, (i64,)>(
            "SELECT (SELECT COUNT(*) FROM items WHERE fields LIKE '%13812345678%') + (SELECT COUNT(*) FROM events WHERE payload LIKE '%13812345678%')",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .0;
        drop(c);
        assert_eq!(leaks, 0);
        let item = app::items::view(&p, &clerk, id).await.unwrap().row.item;
        assert_eq!(
            app::personal::masked(item.field("contact")),
            "张明 138****5678"
        );
        // An edit that sends the masked value back keeps the number; a new one replaces it.
        let mut edit = demand("张明 138****5678");
        edit.insert("title".into(), "改过标题的需求".into());
        app::items::perform(&p, &clerk, id, cmd("edit", edit))
            .await
            .unwrap();
        let reason = "核对联系方式以便电话回访";
        assert_eq!(
            app::personal::reveal(&p, &clerk, id, "contact", reason)
                .await
                .unwrap(),
            "张明 13812345678"
        );
        // Without a reason, nothing is opened; someone who may not see the item gets 404.
        assert!(matches!(
            app::personal::reveal(&p, &clerk, id, "contact", "看").await,
            Err(app::AppError::Invalid(_))
        ));
        let other = demo::principal(&p, "jtj.clerk").await.unwrap();
        assert!(matches!(
            app::personal::reveal(&p, &other, id, "contact", reason).await,
            Err(app::AppError::NotFound)
        ));
        let events = testkit::peek::security_events(&p).await;
        let reveals: Vec<_> = events.iter().filter(|(_, a, _)| a == "reveal").collect();
        assert_eq!(
            reveals.len(),
            1,
            "only the opening with a reason is recorded"
        );
        assert!(reveals[0].2.contains(reason));
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}
