//! Issue 13, point 3 (art. 15-16): the design, development and supervision vendors log in with
//! accounts of their own unit, coded by their registry number. They see the projects they work
//! on and what is addressed to them, answer it, upload deliverables; nothing else. Their steps
//! are recorded like anyone's. Stories on SQLite and PostgreSQL.

use super::acceptance_stories::{number_of, project_on_trial, state};
use super::project_stories::{cmd, field_error, input};
use app::admin::grants;
use app::items::{ListQuery, create, list, perform, view};
use demo::{DEMO_PASSWORD, VENDOR_LOGIN, principal};
use domain::{Input, ItemId};
use testkit::each_backend;

const PDF: &[u8] = b"%PDF-1.7\n% design document\n%%EOF\n";

/// How many items of `kind` the principal's list holds.
async fn listed(p: &app::Platform, who: &app::Principal, kind: &str) -> Vec<String> {
    let q = ListQuery {
        kind: kind.into(),
        page: 1,
        per_page: 100,
        ..ListQuery::default()
    };
    list(p, who, &q)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.number)
        .collect()
}

/// A second vendor's unit and one of its staff (the registry's fourth vendor).
async fn other_vendor(p: &app::Platform) -> app::Principal {
    let pm = principal(p, "company.pm").await.unwrap();
    let fourth = listed(p, &pm, "vendor").await[0].clone();
    let sec = principal(p, "admin.sec").await.unwrap();
    let unit = grants::NewOrg {
        code: &fourth,
        name_zh: "卧龙软件股份有限公司",
        name_en: "",
        kind: "Vendor",
        county: "",
    };
    grants::add_org(p, &sec, &unit).await.unwrap();
    let account = app::accounts::NewAccount {
        username: "vendor.other",
        display_name: "周工",
        org_code: &fourth,
        role: "vendor_staff",
        password: DEMO_PASSWORD,
    };
    app::accounts::add(p, "test", &account).await.unwrap();
    principal(p, "vendor.other").await.unwrap()
}

/// A trial defect the project's user unit logged.
async fn logged_defect(p: &app::Platform, project: &str) -> ItemId {
    let clerk = principal(p, "zrzy.clerk").await.unwrap();
    let logged = input(&[
        ("project", project),
        ("summary", "统计报表导出为空"),
        ("severity", "major"),
        ("description", "在「运行统计」页点导出，文件没有数据。"),
    ]);
    create(p, &clerk, "defect", cmd("create", logged))
        .await
        .unwrap()
}

/// Art. 15-16: a vendor sees nothing of a project until the Company names it on a defect;
/// then it sees that defect and its project (no other project, no demand), finds the defect
/// among its tasks, reports the fix with its own login (recorded with its name and unit), and
/// the unit closes it. Another vendor sees none of it; a defect passed on to another vendor
/// leaves the first one's sight.
#[tokio::test]
async fn r16_2_a_vendor_named_on_a_defect_answers_it_with_its_own_login_and_sees_nothing_else() {
    for p in each_backend("vendor-defect").await {
        let (project, number) = project_on_trial(&p).await;
        let d = logged_defect(&p, &number).await;
        let vendor = principal(&p, VENDOR_LOGIN).await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        // The demo's own trial defect is already addressed to this vendor.
        let before = listed(&p, &vendor, "project").await;
        assert!(view(&p, &vendor, d).await.is_err());
        assert!(!before.contains(&number), "{before:?}");

        let named = input(&[("vendor", &vendor.org.code)]);
        perform(&p, &pm, d, cmd("assign", named)).await.unwrap();
        let d_no = number_of(&p, d).await;
        assert!(view(&p, &vendor, d).await.is_ok());
        assert!(view(&p, &vendor, project).await.is_ok());
        let projects = listed(&p, &vendor, "project").await;
        assert!(projects.contains(&number), "{projects:?}");
        assert_eq!(projects.len(), before.len() + 1, "{projects:?}");
        assert!(listed(&p, &vendor, "defect").await.contains(&d_no));
        assert!(listed(&p, &vendor, "demand").await.is_empty());
        // Its own entry in the registry, and no other vendor's.
        assert_eq!(
            listed(&p, &vendor, "vendor").await,
            vec![vendor.org.code.clone()]
        );
        assert!(listed(&p, &vendor, "plan").await.is_empty());
        let tasks = app::inbox::inbox(&p, &vendor).await.unwrap();
        assert!(
            tasks.iter().any(|t| t.row.item.id == d),
            "the defect awaits the vendor"
        );

        let other = other_vendor(&p).await;
        assert!(view(&p, &other, d).await.is_err());
        assert!(listed(&p, &other, "defect").await.is_empty());
        let fixed = input(&[("fix_note", "修复导出查询条件")]);
        assert!(
            perform(&p, &other, d, cmd("fix", fixed.clone()))
                .await
                .is_err()
        );

        perform(&p, &vendor, d, cmd("fix", fixed)).await.unwrap();
        assert_eq!(state(&p, d).await, "fixed");
        let history = view(&p, &pm, d).await.unwrap().history;
        let step = &history
            .iter()
            .find(|e| e.event.action == "fix")
            .unwrap()
            .event;
        assert_eq!(step.actor_name, "李工");
        assert_eq!(step.org_name, "南阳智慧城市科技有限公司");
        assert_eq!(step.role, "vendor_staff");
        let ok = input(&[("confirm_note", "已复核，导出正常")]);
        assert!(
            perform(&p, &vendor, d, cmd("close", ok.clone()))
                .await
                .is_err()
        );
        perform(&p, &clerk, d, cmd("close", ok)).await.unwrap();

        // Passed on to the other vendor: the first one no longer sees it.
        let d2 = logged_defect(&p, &number).await;
        let first = input(&[("vendor", &vendor.org.code)]);
        perform(&p, &pm, d2, cmd("assign", first)).await.unwrap();
        assert!(view(&p, &vendor, d2).await.is_ok());
        let second = input(&[("vendor", &other.org.code)]);
        perform(&p, &pm, d2, cmd("assign", second)).await.unwrap();
        assert!(view(&p, &vendor, d2).await.is_err());
        assert!(view(&p, &other, d2).await.is_ok());
        assert!(view(&p, &other, project).await.is_ok());
    }
}

/// Art. 15: a vendor's unit is coded by its registry number, which links its staff to it; a
/// code that is no vendor's number is refused at the field, saying what to do.
#[tokio::test]
async fn r15_4_a_vendor_unit_is_coded_by_its_registry_number() {
    for p in each_backend("vendor-unit").await {
        let sec = principal(&p, "admin.sec").await.unwrap();
        let planner = principal(&p, "bureau.planner").await.unwrap();
        // Not a number, a number nobody has, an expert's number.
        for code in [
            "wolong",
            "GS-1999-0001",
            &listed(&p, &planner, "expert").await[0],
        ] {
            let unit = grants::NewOrg {
                code,
                name_zh: "卧龙软件股份有限公司",
                name_en: "",
                kind: "Vendor",
                county: "",
            };
            let e = grants::add_org(&p, &sec, &unit).await.unwrap_err();
            let message = field_error(&e, "code");
            assert!(message.contains("请先登记该参建单位"), "{message}");
        }
        // A vendor's number under another name: the registry's name is asked for.
        let pm = principal(&p, "company.pm").await.unwrap();
        let fourth = listed(&p, &pm, "vendor").await[0].clone();
        let misnamed = grants::NewOrg {
            code: &fourth,
            name_zh: "卧龙软件公司",
            name_en: "",
            kind: "Vendor",
            county: "",
        };
        let e = grants::add_org(&p, &sec, &misnamed).await.unwrap_err();
        assert!(field_error(&e, "name_zh").contains("卧龙软件股份有限公司"));
    }
}

/// Art. 15: the vendor uploads a deliverable for the project it works on (not for another);
/// the Company signs for it only once its files are there, and each file keeps its SM3 digest.
#[tokio::test]
async fn r15_4_a_vendor_uploads_a_deliverable_the_company_signs_for() {
    for p in each_backend("vendor-deliverable").await {
        let (_, number) = project_on_trial(&p).await;
        let vendor = principal(&p, VENDOR_LOGIN).await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let d = logged_defect(&p, &number).await;
        let named = input(&[("vendor", &vendor.org.code)]);
        perform(&p, &pm, d, cmd("assign", named)).await.unwrap();
        let delivered = |project: &str| {
            input(&[
                ("project", project),
                ("category", "design"),
                ("title", "详细设计说明书"),
                ("version", "V1.2"),
            ])
        };
        // A project on trial too, that names another vendor or none: refused as one it
        // cannot see, not for its state.
        let (_, elsewhere) = project_on_trial(&p).await;
        // Refused as a project it cannot see: nothing of it is told, nothing is kept.
        let e = create(
            &p,
            &vendor,
            "deliverable",
            cmd("create", delivered(&elsewhere)),
        )
        .await
        .unwrap_err();
        assert!(
            super::duty_stories::refusal(&e).contains("上级事项"),
            "{}",
            super::duty_stories::refusal(&e)
        );
        assert!(listed(&p, &vendor, "deliverable").await.is_empty());
        let id = create(
            &p,
            &vendor,
            "deliverable",
            cmd("create", delivered(&number)),
        )
        .await
        .unwrap();
        assert!(
            perform(&p, &pm, id, cmd("receive", Input::new()))
                .await
                .is_err(),
            "nothing to sign for before the files"
        );
        app::files::attach(&p, &vendor, id, "详细设计说明书.pdf", PDF.to_vec())
            .await
            .unwrap();
        perform(&p, &pm, id, cmd("receive", Input::new()))
            .await
            .unwrap();
        assert_eq!(state(&p, id).await, "received");
        let files = view(&p, &vendor, id).await.unwrap().row.item.fields["files"].clone();
        assert!(files.contains(&crypto::sm3_hex(PDF)), "{files}");
    }
}

/// Items written before the store kept their parties (an earlier version's database, an older
/// backup) are filled when the platform opens: the vendor's list and its pages agree again.
#[tokio::test]
async fn r16_2_parties_written_before_they_were_kept_are_filled_at_start() {
    for p in each_backend("vendor-fill").await {
        let (_, number) = project_on_trial(&p).await;
        let d = logged_defect(&p, &number).await;
        let vendor = principal(&p, VENDOR_LOGIN).await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let named = input(&[("vendor", &vendor.org.code)]);
        perform(&p, &pm, d, cmd("assign", named)).await.unwrap();
        let d_no = number_of(&p, d).await;
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("UPDATE items SET parties = '', reach = ''")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        assert!(!listed(&p, &vendor, "defect").await.contains(&d_no));
        app::steps::parties::fill_missing(&p).await.unwrap();
        assert!(listed(&p, &vendor, "defect").await.contains(&d_no));
        assert!(listed(&p, &vendor, "project").await.contains(&number));
        assert_eq!(
            listed(&p, &vendor, "vendor").await,
            vec![vendor.org.code.clone()]
        );
    }
}

/// A vendor given sight behind the platform's back (its number added to an item's reach in
/// the database) is named by `audit verify`; the reach the writer keeps verifies intact.
#[tokio::test]
async fn r16_2_a_reach_altered_in_the_database_is_named_by_audit_verify() {
    for p in each_backend("vendor-reach-tamper").await {
        let (_, number) = project_on_trial(&p).await;
        let d = logged_defect(&p, &number).await;
        let vendor = principal(&p, VENDOR_LOGIN).await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let named = input(&[("vendor", &vendor.org.code)]);
        perform(&p, &pm, d, cmd("assign", named)).await.unwrap();
        let verify = || async {
            app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
                .await
                .unwrap()
        };
        assert!(verify().await.is_intact(), "{}", verify().await);
        // Another project, which names no vendor: given to this one in the database.
        let (other, _) = project_on_trial(&p).await;
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("UPDATE items SET reach = $1 WHERE id = $2")
                .bind(format!(" {} ", vendor.org.code))
                .bind(other.get())
                .execute(&mut *c)
                .await
                .unwrap();
        }
        assert!(
            app::items::view(&p, &vendor, other).await.is_ok(),
            "the tamper grants sight"
        );
        let r = verify().await;
        assert!(!r.is_intact());
        assert!(r.to_string().contains("behind the platform's back"), "{r}");
    }
}
