//! Faults and races (issue 10): what parallel requests, a full disk or a dead connection must
//! not do to the record.

use domain::Input;
use testkit::each_backend;

fn demand(title: &str) -> Input {
    [
        ("title", title),
        ("problem", "材料重复提交"),
        ("scope", "市交通运输局"),
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
        idempotency_key: None,
    }
}

/// Finding 4: four parallel uploads were all stored but the item listed one.
#[tokio::test]
async fn rx2_f4_parallel_uploads_to_one_item_record_every_file() {
    for p in each_backend("f4-uploads").await {
        let clerk = demo::principal(&p, "jtj.clerk").await.unwrap();
        let id = app::items::create(&p, &clerk, "demand", cmd("create", demand("并行上传")))
            .await
            .unwrap();
        let uploads = (0..4).map(|i| {
            let (p, clerk) = (p.clone(), clerk.clone());
            tokio::spawn(async move {
                let pdf = format!("%PDF-1.7\n% file {i}\n%%EOF\n").into_bytes();
                app::files::attach(&p, &clerk, id, &format!("材料{i}.pdf"), pdf).await
            })
        });
        for u in uploads.collect::<Vec<_>>() {
            u.await.unwrap().unwrap();
        }
        let item = app::items::view(&p, &clerk, id).await.unwrap();
        let listed = item.row.item.field("attachments").lines().count();
        assert_eq!(listed, 4, "{}", item.row.item.field("attachments"));
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}
