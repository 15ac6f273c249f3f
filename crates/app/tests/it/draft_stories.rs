//! What a clerk does with drafts besides writing them (issue 12, point 11): deletes one nobody
//! else has seen, and submits the imported ones together. Both are steps of the policy, so
//! the same rules hold as one at a time, and the record keeps each.

use app::items::{Command, ListQuery, create, list, perform, view};
use demo::principal;
use domain::Input;
use testkit::each_backend;

fn cmd(action: &str, pairs: &[(&str, &str)]) -> Command {
    Command {
        action: action.into(),
        input: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Input>(),
        then: None,
        idempotency: None,
    }
}

async fn demands_of(p: &app::Platform, who: &app::Principal, state: Option<&str>) -> i64 {
    list(
        p,
        who,
        &ListQuery {
            kind: "demand".into(),
            state: state.map(str::to_string),
            page: 1,
            per_page: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .total
}

/// R13.2: a unit deletes its own draft: it leaves the lists and their totals, its record says
/// who deleted it and when, and it can still be found by asking for deleted drafts. Nobody
/// else deletes it, and a submitted demand is not deleted.
#[tokio::test]
async fn r13_2_a_unit_deletes_its_own_draft_and_the_record_keeps_it() {
    for p in each_backend("discard").await {
        let clerk = principal(&p, "mzj.clerk").await.unwrap();
        let before = demands_of(&p, &clerk, None).await;
        let id = create(
            &p,
            &clerk,
            "demand",
            cmd("create", &[("title", "重复录入的草稿")]),
        )
        .await
        .unwrap();
        assert_eq!(demands_of(&p, &clerk, None).await, before + 1);
        let other = principal(&p, "scj.clerk").await.unwrap();
        assert!(
            perform(&p, &other, id, cmd("discard", &[])).await.is_err(),
            "another unit's draft is not its to delete"
        );
        perform(&p, &clerk, id, cmd("discard", &[])).await.unwrap();
        assert_eq!(demands_of(&p, &clerk, None).await, before);
        assert_eq!(demands_of(&p, &clerk, Some("discarded")).await, 1);
        let v = view(&p, &clerk, id).await.unwrap();
        assert_eq!(v.row.item.state, "discarded");
        let last = v.history.last().unwrap();
        assert_eq!(last.event.action, "discard");
        assert_eq!(last.event.actor_name, clerk.user.display_name);
        assert!(v.actions.is_empty(), "nothing more is done with it");

        let sent = testkit::peek::first(&p, "demand", "社会保障卡").await;
        let owner = principal(&p, "rsj.clerk").await.unwrap();
        assert!(
            perform(&p, &owner, sent.item.id, cmd("discard", &[]))
                .await
                .is_err(),
            "a submitted demand stays"
        );
    }
}

/// R13.2: the drafts an import made are submitted together from the list; a draft missing a
/// required part is refused on its own with the reason, the others are submitted, and each
/// submission is in its record like one made alone.
#[tokio::test]
async fn r13_2_drafts_are_submitted_together_and_an_incomplete_one_is_refused_alone() {
    for p in each_backend("batch-submit").await {
        let clerk = principal(&p, "jyj.clerk").await.unwrap();
        let full = |title: &'static str| {
            cmd(
                "create",
                &[
                    ("title", title),
                    ("problem", "各校系统分散，数据重复采集"),
                    ("scope", "全市中小学"),
                    ("functions", "统一数据采集与共享"),
                    ("logic", "采集→校验→共享"),
                    ("budget", "800,000"),
                ],
            )
        };
        let a = create(&p, &clerk, "demand", full("教育数据采集平台"))
            .await
            .unwrap();
        let b = create(&p, &clerk, "demand", full("校园安全视频联网"))
            .await
            .unwrap();
        let thin = create(
            &p,
            &clerk,
            "demand",
            cmd("create", &[("title", "只写了名称")]),
        )
        .await
        .unwrap();
        let done = app::batch::perform_many(&p, &clerk, "demand", "submit", &[a, thin, b], None)
            .await
            .unwrap();
        let ok: Vec<bool> = done.iter().map(|o| o.result.is_ok()).collect();
        assert_eq!(ok, [true, false, true]);
        match &done[1].result {
            Err(app::AppError::Denied(d)) => {
                assert!(d.fields.iter().any(|f| f.field == "problem"), "{d:?}")
            }
            other => panic!("expected a refusal naming the part, got {other:?}"),
        }
        for id in [a, b] {
            let v = view(&p, &clerk, id).await.unwrap();
            assert_eq!(v.row.item.state, "submitted");
            assert_eq!(v.history.last().unwrap().event.action, "submit");
        }
        assert_eq!(
            view(&p, &clerk, thin).await.unwrap().row.item.state,
            "draft"
        );
        // Only a step the policy lets be batched is taken so.
        assert!(
            app::batch::perform_many(&p, &clerk, "demand", "discard", &[thin], None)
                .await
                .is_err()
        );
    }
}

/// R13.2: a batch holding another unit's draft or an id the clerk may not read leaves it
/// alone and says so; the clerk's own draft in the same batch is submitted once, however
/// often it is ticked.
#[tokio::test]
async fn r13_2_a_batch_never_acts_on_another_units_draft() {
    for p in each_backend("batch-others").await {
        let clerk = principal(&p, "jyj.clerk").await.unwrap();
        let other = principal(&p, "scj.clerk").await.unwrap();
        let theirs = create(
            &p,
            &other,
            "demand",
            cmd("create", &[("title", "他人的草稿")]),
        )
        .await
        .unwrap();
        let mine = create(
            &p,
            &clerk,
            "demand",
            cmd(
                "create",
                &[
                    ("title", "教育专网升级"),
                    ("problem", "带宽不足"),
                    ("scope", "全市中小学"),
                    ("functions", "千兆到校"),
                    ("logic", "汇聚→接入"),
                ],
            ),
        )
        .await
        .unwrap();
        let done = app::batch::perform_many(
            &p,
            &clerk,
            "demand",
            "submit",
            &[theirs, mine, domain::ItemId::new(999_999)],
            None,
        )
        .await
        .unwrap();
        assert!(matches!(done[0].result, Err(app::AppError::NotFound)));
        assert!(done[1].result.is_ok());
        assert!(done[2].result.is_err());
        assert_eq!(
            view(&p, &other, theirs).await.unwrap().row.item.state,
            "draft"
        );
        // A deleted draft is no answer to the campaign: the unit is still to be reminded.
        let campaign = testkit::peek::first(&p, "campaign", "需求征集").await;
        let gone = create(&p, &other, "demand", cmd("create", &[("title", "作废")]))
            .await
            .unwrap();
        perform(&p, &other, gone, cmd("discard", &[]))
            .await
            .unwrap();
        let answers = app::cycle::campaign_answers(&p, &other, &campaign)
            .await
            .unwrap();
        let unit = answers.iter().find(|a| a.org.id == other.org.id);
        assert!(
            unit.is_none_or(|a| a
                .submitted
                .iter()
                .all(|d| d.item.state != "discarded" && d.item.state != "draft")),
            "drafts are not answers"
        );
    }
}
