//! Issue 13, point 5 (art. 9, 16): a handed-over project's assets become the Company's asset
//! cards, valued at the contracts that bought them; assets built before the platform, or by a
//! unit itself, come to the Company only by a transfer Finance approves. Stories on SQLite and
//! PostgreSQL.

use super::acceptance_stories::{article_of, handed_over_project, project_on_trial, state};
use super::project_stories::{cmd, input};
use app::items::{create, perform};
use demo::principal;
use domain::Input;
use testkit::each_backend;

const EVIDENCE: &[u8] = b"%PDF-1.7\n% asset register extract\n%%EOF\n";

fn card(project: &str) -> app::items::Command {
    cmd(
        "create",
        input(&[
            ("project", project),
            ("name", "城市运行一网统管平台软件"),
            ("category", "software"),
            ("value", "1200000"),
            ("location", "市政务云"),
        ]),
    )
}

/// R16.3 (art. 16): the assets of an accepted, handed-over project are registered as the
/// Company's; a project still on trial has none yet (refused citing art. 16).
#[tokio::test]
async fn r16_3_a_handed_over_projects_assets_are_registered_as_the_companys() {
    for p in each_backend("assets-project").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let (_, on_trial) = project_on_trial(&p).await;
        let e = create(&p, &pm, "asset", card(&on_trial)).await.unwrap_err();
        assert_eq!(article_of(&e), "16");
        let (_, number) = handed_over_project(&p).await;
        let id = create(&p, &pm, "asset", card(&number)).await.unwrap();
        assert_eq!(state(&p, id).await, "in_service");
        let row = app::items::view(&p, &pm, id).await.unwrap().row;
        assert_eq!(row.item.owner_org, pm.org.id, "the Company's");
        assert_eq!(row.item.field("value"), "120000000", "in fen");
    }
}

/// R28.1 (art. 9): an asset already built comes to the Company by a transfer that Finance
/// approves; until then it cannot be registered, and the Company cannot approve its own.
#[tokio::test]
async fn r28_1_assets_built_before_come_by_a_transfer_finance_approves() {
    for p in each_backend("assets-transfer").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let finance = principal(&p, "finance.officer").await.unwrap();
        let unit = principal(&p, "zrzy.clerk").await.unwrap();
        let applied = input(&[
            ("title", "不动产登记系统资产划转"),
            ("from_unit", &unit.org.id.get().to_string()),
            ("origin", "built_before"),
            (
                "asset_list",
                "不动产登记系统软件 1 套，原值 80 万元，部署于市政务云",
            ),
            ("total_value", "800000"),
        ]);
        let t = create(&p, &pm, "asset_transfer", cmd("create", applied))
            .await
            .unwrap();
        let t_no = super::acceptance_stories::number_of(&p, t).await;
        let transferred = |t: &str| {
            cmd(
                "create_transferred",
                input(&[
                    ("transfer", t),
                    ("name", "不动产登记系统软件"),
                    ("category", "software"),
                    ("value", "800000"),
                    ("location", "市政务云"),
                ]),
            )
        };
        let e = create(&p, &pm, "asset", transferred(&t_no))
            .await
            .unwrap_err();
        assert_eq!(article_of(&e), "9");
        // Nothing goes to Finance without its evidence.
        assert!(
            perform(&p, &pm, t, cmd("submit", Input::new()))
                .await
                .is_err()
        );
        app::files::attach(&p, &pm, t, "资产清单.pdf", EVIDENCE.to_vec())
            .await
            .unwrap();
        perform(&p, &pm, t, cmd("submit", Input::new()))
            .await
            .unwrap();
        let approval = input(&[
            ("approval_no", "宛财资〔2027〕12号"),
            ("finance_opinion", "权属清晰，同意划转至市属国有专业公司"),
        ]);
        assert!(
            perform(&p, &pm, t, cmd("approve", approval.clone()))
                .await
                .is_err(),
            "only Finance approves"
        );
        perform(&p, &finance, t, cmd("approve", approval))
            .await
            .unwrap();
        assert_eq!(state(&p, t).await, "approved");
        let id = create(&p, &pm, "asset", transferred(&t_no)).await.unwrap();
        assert_eq!(state(&p, id).await, "in_service");
    }
}
