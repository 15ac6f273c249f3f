//! Issue 13, art. 19-20: the systems under unified O&M, the custody of their source code and
//! accounts, the hardware list and the tickets, as stories on SQLite and PostgreSQL.

use super::acceptance_stories::{
    article_of, handed_over_project, number_of, project_on_trial, state,
};
use super::duty_stories::refusal;
use super::project_stories::{cmd, field_error, input};
use app::import::Imported;
use app::items::{create, perform, view};
use demo::principal;
use domain::Input;
use testkit::each_backend;

/// The O&M registration of a handed-over project, as the Data Center enters it.
fn register(number: &str, owner: &str) -> app::items::Command {
    cmd(
        "register_handed_over",
        input(&[
            ("project", number),
            ("name", "城市运行一网统管平台"),
            ("unit", "南阳市自然资源和规划局"),
            ("description", "城市运行监测、事件处置和指挥调度"),
            ("om_owner", owner),
            ("mlps_level", "3"),
            ("golive", "2028-01-15"),
            ("addresses", "https://yiwangtongguan.nanyang.gov.cn"),
        ]),
    )
}

/// R19.1 (art. 16, 19): a project is registered for O&M once it is handed over, not while it
/// is on trial; the registry names who maintains it and lists it under its project.
#[tokio::test]
async fn r19_1_a_handed_over_project_is_registered_for_om_with_its_owner() {
    for p in each_backend("om-register").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let (_, on_trial) = project_on_trial(&p).await;
        let e = create(&p, &om, "system", register(&on_trial, "datacenter"))
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("交付后"), "{}", refusal(&e));
        assert_eq!(article_of(&e), "19");

        let (_, number) = handed_over_project(&p).await;
        let system = create(&p, &om, "system", register(&number, "datacenter"))
            .await
            .unwrap();
        let row = view(&p, &om, system).await.unwrap().row;
        assert_eq!(row.item.field("om_owner"), "datacenter");
        assert_eq!(row.item.field("mlps_level"), "3");
        let under = app::cycle::children(&p, &om, "system", &number)
            .await
            .unwrap();
        assert_eq!(under.len(), 1);
        assert_eq!(under[0].item.id, system);
    }
}

/// A system the Data Center registers, maintained by `owner` at this MLPS level; its number.
pub(crate) async fn registered_system(p: &app::Platform, owner: &str, level: &str) -> String {
    let om = principal(p, "dc.om").await.unwrap();
    let id = create(
        p,
        &om,
        "system",
        cmd(
            "create",
            input(&[
                ("name", "智慧停车平台"),
                ("unit", "南阳市交通运输局"),
                ("description", "路内泊位管理和停车缴费"),
                ("om_owner", owner),
                ("mlps_level", level),
            ]),
        ),
    )
    .await
    .unwrap();
    number_of(p, id).await
}

/// R19.2 (art. 19): the Data Center holds the source code (repository, version, delivery
/// date, the archive with its SM3 digest, checked again by `audit verify`) and the accounts of
/// each system; the Company, which built it, does not read the accounts' custody.
#[tokio::test]
async fn r19_2_source_code_and_accounts_are_held_by_the_data_center() {
    for p in each_backend("om-custody").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let system = registered_system(&p, "datacenter", "2").await;
        let code = create(
            &p,
            &om,
            "code_custody",
            cmd(
                "create",
                input(&[
                    ("system", &system),
                    ("repository", "https://git.nanyang.gov.cn/parking/platform"),
                    ("version", "v2.3.1 (a41c9e0)"),
                    ("delivered_on", "2027-12-28"),
                ]),
            ),
        )
        .await
        .unwrap();
        let archive = b"PK\x03\x04 not really a zip: a tar.gz of the sources".to_vec();
        let e = app::files::attach(&p, &om, code, "src.txt", archive).await;
        // Only recognised file types are kept; a zip archive is one.
        assert!(e.is_err());
        app::files::attach(
            &p,
            &om,
            code,
            "platform-v2.3.1.zip",
            zip_of("parking sources"),
        )
        .await
        .unwrap();
        let row = view(&p, &om, code).await.unwrap().row;
        assert!(!row.item.field("archive").is_empty());
        let account = create(
            &p,
            &om,
            "account_custody",
            cmd(
                "create",
                input(&[
                    ("system", &system),
                    ("account", "admin"),
                    ("account_role", "admin"),
                    ("holder", "孙伟"),
                    ("holder_unit", "南阳市政务大数据中心"),
                ]),
            ),
        )
        .await
        .unwrap();
        assert!(
            view(&p, &pm, account).await.is_err(),
            "the Company reads no accounts"
        );
        perform(
            &p,
            &om,
            account,
            cmd("revoke", input(&[("revoke_reason", "持有人调岗")])),
        )
        .await
        .unwrap();
        assert_eq!(
            view(&p, &om, account).await.unwrap().row.item.state,
            "revoked"
        );
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}

fn ticket(system: &str, category: &str, equipment: &str, priority: &str) -> app::items::Command {
    cmd(
        "create",
        input(&[
            ("system", system),
            ("om_owner", "datacenter"),
            ("summary", "缴费页面打不开"),
            ("category", category),
            ("equipment", equipment),
            ("priority", priority),
            ("description", "早高峰时缴费页面超时"),
        ]),
    )
}

/// R20.1 (art. 20): a hardware ticket must name equipment on the list transferred when the
/// Data Center was formed; without it the ticket is refused at the field, citing art. 20 and
/// saying what to do. The list is imported from Excel, every row checked first.
#[tokio::test]
async fn r20_1_a_hardware_ticket_for_equipment_off_the_transferred_list_is_refused() {
    for p in each_backend("om-hardware").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let system = registered_system(&p, "datacenter", "2").await;
        let e = create(&p, &clerk, "ticket", ticket(&system, "hardware", "", "p2"))
            .await
            .unwrap_err();
        let msg = field_error(&e, "equipment");
        assert!(
            msg.contains("划转的设备清单") && msg.contains("第二十条"),
            "{msg}"
        );

        // The list, from Excel: a row without its asset tag refuses the whole file.
        let sheet = |rows: &[[&str; 5]]| {
            use sheets::{Cell, Column, ColumnKind, Sheet};
            let headers = ["资产编号", "设备名称", "品牌型号", "存放位置", "划转单位"];
            let columns = headers
                .iter()
                .map(|h| Column::new(*h, ColumnKind::Text))
                .collect();
            let sheet = Sheet::new("划转设备清单", columns);
            let rows = rows
                .iter()
                .map(|r| r.iter().map(|v| Cell::from(*v)).collect())
                .collect();
            sheets::write(&[Sheet { rows, ..sheet }]).unwrap()
        };
        let core = [
            "NY-DC-0002",
            "核心交换机",
            "华三 S12508X-AF",
            "机房A区",
            "原市信息中心",
        ];
        let bad = ["", "存储阵列", "浪潮 AS5600G5", "机房B区", "原市电子政务办"];
        let Imported::Refused(errors) =
            app::import::import(&p, &om, "equipment", sheet(&[core, bad]))
                .await
                .unwrap()
        else {
            panic!("a row without its asset tag refuses the file");
        };
        assert_eq!(
            (errors[0].row, errors[0].column.contains("A 列")),
            (3, true)
        );
        let Imported::Done(ids) = app::import::import(&p, &om, "equipment", sheet(&[core]))
            .await
            .unwrap()
        else {
            panic!("the corrected file imports");
        };
        let listed = number_of(&p, ids[0]).await;
        let t = create(
            &p,
            &clerk,
            "ticket",
            ticket(&system, "hardware", &listed, "p2"),
        )
        .await
        .unwrap();
        assert_eq!(state(&p, t).await, "open");
    }
}

/// R19.3 (art. 19): a ticket is due in working days by its priority, counted with the holiday
/// table; whoever maintains the system answers it (the Company for an operating-type project,
/// which the Data Center cannot answer), and the unit that raised it closes it.
#[tokio::test]
async fn r19_3_a_ticket_is_due_by_its_priority_and_answered_by_whoever_maintains_the_system() {
    for p in testkit::each_backend_on(
        "om-tickets",
        chrono::NaiveDate::from_ymd_opt(2027, 9, 30).unwrap(),
    )
    .await
    {
        let om = principal(&p, "dc.om").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let ours = registered_system(&p, "datacenter", "2").await;
        // Thursday 30 September 2027; the National Day holiday follows (counted Monday to
        // Friday where the table lacks 2027).
        let urgent = create(&p, &clerk, "ticket", ticket(&ours, "software", "", "p1"))
            .await
            .unwrap();
        let low = create(&p, &clerk, "ticket", ticket(&ours, "software", "", "p4"))
            .await
            .unwrap();
        let (urgent_due, low_due) = (
            view(&p, &om, urgent).await.unwrap().row.item.due,
            view(&p, &om, low).await.unwrap().row.item.due,
        );
        let expect = |days| {
            Some(
                p.settings
                    .calendar
                    .working_days_after(p.today(), days)
                    .value,
            )
        };
        assert_eq!(urgent_due, expect(1));
        assert_eq!(low_due, expect(10));
        assert!(low_due > urgent_due);

        let operated = registered_system(&p, "company", "2").await;
        let mut theirs = ticket(&operated, "software", "", "p3");
        theirs.input.insert("om_owner".into(), "company".into());
        let t = create(&p, &clerk, "ticket", theirs).await.unwrap();
        let answer = || cmd("resolve", input(&[("resolution", "已扩容数据库连接池")]));
        let e = perform(&p, &om, t, answer()).await.unwrap_err();
        assert!(refusal(&e).contains("市属国有专业公司"), "{}", refusal(&e));
        // A ticket that says another maintainer than its system's is refused.
        let mut wrong = ticket(&operated, "software", "", "p3");
        wrong.input.insert("om_owner".into(), "datacenter".into());
        assert!(create(&p, &clerk, "ticket", wrong).await.is_err());
        perform(
            &p,
            &pm,
            t,
            cmd(
                "resolve_operated",
                input(&[("resolution", "已扩容数据库连接池")]),
            ),
        )
        .await
        .unwrap();
        // The unit that raised it confirms it, not another.
        let other = principal(&p, "zrzy.clerk").await.unwrap();
        assert!(
            perform(&p, &other, t, cmd("close", Input::new()))
                .await
                .is_err()
        );
        perform(&p, &clerk, t, cmd("close", Input::new()))
            .await
            .unwrap();
        assert_eq!(state(&p, t).await, "closed");
    }
}

/// R16.4 (art. 16): after handover the user unit records the system's use month by month
/// (typed, or imported from Excel with every row checked), listed under the system.
#[tokio::test]
async fn r16_4_a_systems_use_is_recorded_month_by_month_and_imported_from_excel() {
    for p in each_backend("usage").await {
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let system = registered_system(&p, "datacenter", "2").await;
        let typed = input(&[
            ("system", &system),
            ("period", "2027-10"),
            ("visits", "182340"),
            ("users", "41200"),
        ]);
        create(&p, &clerk, "usage", cmd("create", typed))
            .await
            .unwrap();
        let sheet = |rows: &[[&str; 6]]| {
            use sheets::{Cell, Column, ColumnKind, Sheet};
            let headers = [
                "信息系统",
                "月份",
                "访问量（次）",
                "活跃用户数",
                "办件量（件）",
                "推广情况",
            ];
            let columns = headers
                .iter()
                .map(|h| Column::new(*h, ColumnKind::Text))
                .collect();
            let rows = rows
                .iter()
                .map(|r| r.iter().map(|v| Cell::from(*v)).collect())
                .collect();
            sheets::write(&[Sheet {
                rows,
                ..Sheet::new("使用情况", columns)
            }])
            .unwrap()
        };
        let bad = [system.as_str(), "2027-11", "很多", "", "", ""];
        let Imported::Refused(errors) = app::import::import(&p, &clerk, "usage", sheet(&[bad]))
            .await
            .unwrap()
        else {
            panic!("a visit count in words refuses the file");
        };
        assert!(errors[0].column.contains("C 列"), "{errors:?}");
        let good = [
            system.as_str(),
            "2027-11",
            "201553",
            "45890",
            "10422",
            "政务服务网首页推广",
        ];
        let Imported::Done(ids) = app::import::import(&p, &clerk, "usage", sheet(&[good]))
            .await
            .unwrap()
        else {
            panic!("the corrected file imports");
        };
        assert_eq!(ids.len(), 1);
        let months: Vec<String> = app::cycle::children(&p, &clerk, "usage", &system)
            .await
            .unwrap()
            .iter()
            .map(|r| r.item.field("period").to_string())
            .collect();
        assert_eq!(months.len(), 2, "{months:?}");
        assert!(months.contains(&"2027-11".to_string()));
    }
}

/// A zip archive of sources, as a vendor delivers them.
fn zip_of(text: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    w.start_file("README.md", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
    w.finish().unwrap();
    buf.into_inner()
}

/// An account of `system` the Data Center holds.
async fn held_account(p: &app::Platform, system: &str, role: &str) -> domain::ItemId {
    let om = principal(p, "dc.om").await.unwrap();
    let fields = input(&[
        ("system", system),
        (
            "account",
            if role == "admin" {
                "sysadmin"
            } else {
                "operator01"
            },
        ),
        ("account_role", role),
        ("holder", "王强"),
        ("holder_unit", "南阳市自然资源和规划局"),
    ]);
    create(p, &om, "account_custody", cmd("create", fields))
        .await
        .unwrap()
}

/// R19.2 (art. 19, 《运维管理办法》第三条): a system handed over awaits custody, flagged in the
/// Data Center's 待办, until its source code and an administrator account are held; confirming
/// it before then is refused saying which is missing. The step cites the Data Center's own
/// measures by their title.
#[tokio::test]
async fn r19_2_a_system_handed_over_without_its_code_or_admin_account_is_flagged() {
    for p in each_backend("om-custody-flag").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let (_, project) = handed_over_project(&p).await;
        let system = create(&p, &om, "system", register(&project, "datacenter"))
            .await
            .unwrap();
        assert_eq!(state(&p, system).await, "awaiting_custody");
        let tasks = app::inbox::inbox(&p, &om).await.unwrap();
        let task = tasks
            .iter()
            .find(|t| t.row.item.id == system)
            .expect("flagged");
        assert_eq!(task.actions[0].id, "confirm_custody");
        assert_eq!(
            task.actions[0].article.cite(domain::Lang::Zh),
            "《运维管理办法》第三条"
        );
        assert!(task.row.item.due.is_some(), "with its ten working days");

        let confirm = || cmd("confirm_custody", Input::new());
        let e = perform(&p, &om, system, confirm()).await.unwrap_err();
        assert!(refusal(&e).contains("源代码"), "{}", refusal(&e));
        let number = number_of(&p, system).await;
        let code = input(&[
            ("system", &number),
            ("repository", "https://git.nanyang.gov.cn/ywtg/platform"),
            ("version", "v1.0.0"),
            ("delivered_on", "2028-01-15"),
        ]);
        let code = create(&p, &om, "code_custody", cmd("create", code))
            .await
            .unwrap();
        // Recorded is not held: its archive is not there yet.
        let e = perform(&p, &om, system, confirm()).await.unwrap_err();
        assert!(refusal(&e).contains("源代码"), "{}", refusal(&e));
        app::files::attach(&p, &om, code, "ywtg-v1.0.0.zip", zip_of("platform sources"))
            .await
            .unwrap();
        // A user account is not an administrator's.
        held_account(&p, &number, "user").await;
        let e = perform(&p, &om, system, confirm()).await.unwrap_err();
        assert!(refusal(&e).contains("管理员账号"), "{}", refusal(&e));
        held_account(&p, &number, "admin").await;
        perform(&p, &om, system, confirm()).await.unwrap();
        assert_eq!(state(&p, system).await, "registered");
        let tasks = app::inbox::inbox(&p, &om).await.unwrap();
        assert!(!tasks.iter().any(|t| t.row.item.id == system));
    }
}

/// R19.2 (《运维管理办法》第五条): an account whose holder left is flagged in the Data Center's
/// 待办, due in three working days, until it is withdrawn or handed to a new holder.
#[tokio::test]
async fn r19_2_an_account_whose_holder_left_is_flagged_until_withdrawn_or_handed_on() {
    for p in each_backend("om-holder-left").await {
        let om = principal(&p, "dc.om").await.unwrap();
        let system = registered_system(&p, "datacenter", "2").await;
        let account = held_account(&p, &system, "admin").await;
        let left = input(&[("left_note", "王强已于本月调离市自然资源和规划局")]);
        perform(&p, &om, account, cmd("report_holder_left", left))
            .await
            .unwrap();
        let held = view(&p, &om, account).await.unwrap().row.item;
        assert_eq!(held.state, "holder_left");
        let tasks = app::inbox::inbox(&p, &om).await.unwrap();
        let task = tasks
            .iter()
            .find(|t| t.row.item.id == account)
            .expect("flagged to the Data Center");
        let due = task.row.item.due.expect("due");
        assert_eq!(
            due,
            p.settings.calendar.working_days_after(p.today(), 3).value
        );
        assert!(task.actions.iter().any(|a| a.id == "reassign"));
        let on = input(&[
            ("holder", "刘静"),
            ("holder_unit", "南阳市自然资源和规划局"),
        ]);
        perform(&p, &om, account, cmd("reassign", on))
            .await
            .unwrap();
        let row = view(&p, &om, account).await.unwrap().row;
        assert_eq!(row.item.state, "active");
        assert_eq!(row.item.field("holder"), "刘静");
    }
}
