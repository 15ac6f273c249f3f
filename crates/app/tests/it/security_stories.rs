//! Issue 13, art. 21-23: the Company's assessments on their cycle, the Data Center's rules for
//! the eight stages of data, and each unit's attestation, as stories on SQLite and PostgreSQL.

use super::acceptance_stories::state;
use super::duty_stories::refusal;
use super::project_stories::{cmd, input};
use app::items::{create, perform, view};
use demo::principal;
use domain::ItemId;
use testkit::each_backend;

/// A registered system at this MLPS level, maintained by the Data Center; its number.
async fn system_at(p: &app::Platform, level: &str) -> String {
    super::operations_stories::registered_system(p, "datacenter", level).await
}

/// The Company records an MLPS assessment of the system held `days_ago` with this result.
async fn assessed(
    p: &app::Platform,
    system: &str,
    level: &str,
    days_ago: i64,
    result: &str,
) -> Result<ItemId, app::AppError> {
    let pm = principal(p, "company.pm").await.unwrap();
    let on = (p.today() - chrono::Duration::days(days_ago)).to_string();
    create(
        p,
        &pm,
        "assessment",
        cmd(
            "create",
            input(&[
                ("system", system),
                ("subject", "不动产登记系统等级保护测评"),
                ("assessment_kind", "mlps"),
                ("mlps_level", level),
                ("assessed_on", &on),
                ("assessor", "河南省信息安全测评中心"),
                ("result", result),
            ]),
        ),
    )
    .await
}

/// Whether the item is in the Company's 待办, and its due date.
async fn in_company_todo(p: &app::Platform, id: ItemId) -> bool {
    let pm = principal(p, "company.pm").await.unwrap();
    let page = app::inbox::todo(p, &pm, 1, 200).await.unwrap();
    page.rows.iter().any(|t| t.row.item.id == id)
}

async fn due(p: &app::Platform, id: ItemId) -> chrono::NaiveDate {
    let pm = principal(p, "company.pm").await.unwrap();
    view(p, &pm, id).await.unwrap().row.item.due.unwrap()
}

/// R21.1 (art. 21): a level-3 system is assessed yearly. One last assessed 400 days ago is
/// overdue in the Company's 待办; recording this year's assessment moves the date a year on and
/// it leaves the 待办 until 60 days before then. A level-2 system assessed 400 days ago is due
/// in two years and is not a task yet; a failed one is due again in three months (so one
/// failed 40 days ago is a task: due within 60 days).
#[tokio::test]
async fn r21_1_a_level_3_assessment_older_than_a_year_is_overdue_until_a_new_one_is_recorded() {
    for p in each_backend("assessments").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let level3 = system_at(&p, "3").await;
        // The level is the system's: an assessment cannot claim a lower one.
        let e = assessed(&p, &level3, "2", 400, "pass").await.unwrap_err();
        assert!(refusal(&e).contains("等级保护级别"), "{}", refusal(&e));
        let a = assessed(&p, &level3, "3", 400, "pass").await.unwrap();
        let last = p.today() - chrono::Duration::days(400);
        assert_eq!(due(&p, a).await, last + chrono::Months::new(12));
        assert!(due(&p, a).await < p.today(), "overdue");
        assert!(
            in_company_todo(&p, a).await,
            "an overdue assessment is a task"
        );

        let this_year = input(&[
            ("assessed_on", &p.today().to_string()),
            ("assessor", "河南省信息安全测评中心"),
            ("result", "basic"),
            ("score", "82"),
        ]);
        perform(&p, &pm, a, cmd("record", this_year)).await.unwrap();
        assert_eq!(due(&p, a).await, p.today() + chrono::Months::new(12));
        assert!(!in_company_todo(&p, a).await, "not due for a year");
        assert_eq!(state(&p, a).await, "scheduled");
        // The record keeps both assessments.
        let history = view(&p, &pm, a).await.unwrap().history;
        assert_eq!(
            history
                .iter()
                .filter(|h| h.event.action == "create" || h.event.action == "record")
                .count(),
            2
        );

        let level2 = system_at(&p, "2").await;
        let b = assessed(&p, &level2, "2", 400, "pass").await.unwrap();
        assert_eq!(due(&p, b).await, last + chrono::Months::new(24));
        assert!(!in_company_todo(&p, b).await);
        let failed = assessed(&p, &level2, "2", 40, "fail").await.unwrap();
        let on = p.today() - chrono::Duration::days(40);
        assert_eq!(due(&p, failed).await, on + chrono::Months::new(3));
        assert!(in_company_todo(&p, failed).await, "due within 60 days");
    }
}

/// R22.1, R23.1 (art. 22-23): the Data Center issues a rule for a stage of the data's life;
/// a unit attests yearly to the duties it keeps for a system it uses, the Data Center
/// acknowledges it, and another unit does not read it.
#[tokio::test]
async fn r22_1_r23_1_a_unit_attests_to_its_duties_and_the_data_center_acknowledges_it() {
    for p in each_backend("attestation").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let other = principal(&p, "jtj.clerk").await.unwrap();
        let rule = create(
            &p,
            &om,
            "data_rule",
            cmd(
                "create",
                input(&[
                    ("stage", "destroy"),
                    ("title", "政务数据销毁管理规定"),
                    (
                        "content",
                        "存储介质报废前须经两人以上消磁或物理销毁并登记。",
                    ),
                    ("effective", "2027-01-01"),
                ]),
            ),
        )
        .await
        .unwrap();
        assert!(view(&p, &clerk, rule).await.is_ok(), "units read the rules");
        let e = create(
            &p,
            &clerk,
            "data_rule",
            cmd("create", input(&[("stage", "collect"), ("title", "x")])),
        )
        .await
        .unwrap_err();
        assert!(refusal(&e).contains("运维工程师"), "{}", refusal(&e));

        let system = system_at(&p, "3").await;
        let attestation = create(
            &p,
            &clerk,
            "attestation",
            cmd(
                "create",
                input(&[
                    ("system", &system),
                    ("subject", "不动产登记系统数据安全责任落实情况"),
                    ("year", &chrono::Datelike::year(&p.today()).to_string()),
                    (
                        "duties",
                        "收集：仅收集办件所需信息；存储：政务云加密存储；销毁：按规定登记销毁。",
                    ),
                ]),
            ),
        )
        .await
        .unwrap();
        assert!(
            view(&p, &other, attestation).await.is_err(),
            "another unit's"
        );
        perform(
            &p,
            &om,
            attestation,
            cmd("acknowledge", input(&[("ack_note", "已核对，落实到位")])),
        )
        .await
        .unwrap();
        assert_eq!(state(&p, attestation).await, "acknowledged");
    }
}

/// R21.1: an assessment is recorded on the day it was held, not a day to come, which would
/// push the next date out and take the overdue task away without an assessment.
#[tokio::test]
async fn r21_1_an_assessment_dated_in_the_future_is_refused_at_its_field() {
    for p in each_backend("assessment-future").await {
        let system = system_at(&p, "3").await;
        let a = assessed(&p, &system, "3", 400, "pass").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let later = (p.today() + chrono::Duration::days(30)).to_string();
        let e = perform(
            &p,
            &pm,
            a,
            cmd(
                "record",
                input(&[
                    ("mlps_level", "3"),
                    ("assessed_on", &later),
                    ("assessor", "河南省信息安全测评中心"),
                    ("result", "pass"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(super::project_stories::field_error(&e, "assessed_on").contains("不能晚于今天"));
        assert!(in_company_todo(&p, a).await, "still overdue");
    }
}
