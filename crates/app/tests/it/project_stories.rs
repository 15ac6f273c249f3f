//! From task book to construction as stories on SQLite and (when TEST_DATABASE_URL is set)
//! PostgreSQL: the signed confirmation and its check, the FSR's review with the expert draw and
//! the approval document, and two people acting on one item at once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use app::AppError;
use app::items::{Command, create, perform, view};
use app::signing::SignatureCheck;
use demo::{DEMO_PASSWORD, principal};
use domain::{Input, ItemId};
use testkit::each_backend;

pub(crate) fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn cmd(action: &str, input: Input) -> Command {
    Command {
        action: action.into(),
        input,
        then: None,
        idempotency: None,
    }
}

pub(crate) async fn org_id(p: &app::Platform, code: &str) -> i64 {
    let mut c = p.store.read().await.unwrap();
    store::orgs::all(&mut c)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.code == code)
        .unwrap()
        .id
        .get()
}

/// The number of the demo's n-th registered vendor (1: the design institute).
pub(crate) async fn vendor(p: &app::Platform, n: usize) -> String {
    let mut c = p.store.read().await.unwrap();
    let f = store::items::Filter {
        kind: "vendor".into(),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let mut all = store::items::list(&mut c, &f).await.unwrap();
    all.sort_by_key(|r| r.item.id);
    all[n - 1].number.clone()
}

/// An issued plan with one line; returns the line's number.
pub(crate) async fn issued_plan_item(p: &app::Platform, mode: &str) -> String {
    let line = [
        ("title", "城市运行一网统管平台"),
        ("budget", "3,000,000"),
        ("content", "建设城市运行一网统管平台"),
        ("mode", mode),
    ];
    let (_, line) = plan_through_meeting(p, &line, true).await;
    let planner = principal(p, "bureau.planner").await.unwrap();
    view(p, &planner, line).await.unwrap().row.number
}

/// A 2027 plan with one line of these fields, drafted by one planner, through the executive
/// meeting (its approval recorded by a second planner) and issued when `issue`; returns the
/// plan and the line.
pub(crate) async fn plan_through_meeting(
    p: &app::Platform,
    line: &[(&str, &str)],
    issue: bool,
) -> (ItemId, ItemId) {
    let planner = principal(p, "bureau.planner").await.unwrap();
    let head = principal(p, "bureau.head").await.unwrap();
    let plan = create(
        p,
        &planner,
        "plan",
        cmd(
            "create",
            input(&[("title", "2027年度建设任务"), ("year", "2027")]),
        ),
    )
    .await
    .unwrap();
    let number = view(p, &planner, plan).await.unwrap().row.number;
    // Art. 5: the Bureau fixes each line's construction mode (special fund unless given).
    let mut fields = input(&[("plan", &number), ("seq", "1"), ("mode", "special_fund")]);
    fields.extend(input(line));
    let line = create(p, &planner, "plan_item", cmd("create", fields))
        .await
        .unwrap();
    super::supervision_stories::review_and_fund(p, plan, "9,000,000").await;
    perform(p, &head, plan, cmd("to_meeting", Input::new()))
        .await
        .unwrap();
    perform(
        p,
        &principal(p, "bureau.planner2").await.unwrap(),
        plan,
        cmd(
            "record_approval",
            input(&[
                ("meeting_no", "市政府第23次常务会议"),
                ("meeting_date", "2026-11-20"),
                ("minutes", "原则同意"),
            ]),
        ),
    )
    .await
    .unwrap();
    if issue {
        perform(
            p,
            &head,
            plan,
            cmd(
                "issue_taskbook",
                input(&[("taskbook_no", "宛政数〔2026〕12号")]),
            ),
        )
        .await
        .unwrap();
    }
    (plan, line)
}

/// A project of the plan line, sent to the natural resources bureau for confirmation.
pub(crate) async fn project_awaiting(p: &app::Platform, mode: &str) -> ItemId {
    let line = issued_plan_item(p, mode).await;
    let pm = principal(p, "company.pm").await.unwrap();
    let unit = org_id(p, "zrzy").await.to_string();
    let id = create(
        p,
        &pm,
        "project",
        cmd(
            "create",
            input(&[
                ("plan_item", &line),
                ("title", "城市运行一网统管平台"),
                ("content", "建设城市运行一网统管平台，接入12个部门的数据"),
                ("budget", "3,000,000"),
                ("planned_start", "2027-03-01"),
                ("planned_end", "2027-12-31"),
                ("units", &unit),
                ("mode", mode),
                ("mode_reason", "市级基础性、公益性项目，专项资金保障"),
            ]),
        ),
    )
    .await
    .unwrap();
    perform(p, &pm, id, cmd("request_confirmation", Input::new()))
        .await
        .unwrap();
    id
}

/// The confirm step as the page sends it: the password and the version that was read.
pub(crate) async fn sign(p: &app::Platform, id: ItemId, password: &str) -> Command {
    let clerk = principal(p, "zrzy.clerk").await.unwrap();
    let version = view(p, &clerk, id).await.unwrap().row.version.to_string();
    cmd(
        "confirm",
        input(&[("_password", password), ("_version", &version)]),
    )
}

pub(crate) fn field_error(e: &AppError, field: &str) -> String {
    match e {
        AppError::Denied(d) => d
            .fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.zh.clone())
            .unwrap_or_else(|| panic!("no error on {field}: {d:?}")),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// RX.2: a signing request retried with the same Idempotency-Key (the network failed after
/// the first) has one effect: the retry answers with the same item, signs nothing again and is
/// not refused as stale. Finding 9: the same key reused on another item is refused (422) and
/// changes nothing there.
#[tokio::test]
async fn rx2_f9_a_retried_signature_has_one_effect_and_a_key_reused_on_another_item_is_refused() {
    for p in each_backend("sign-retry").await {
        let id = project_awaiting(&p, "special_fund").await;
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let keyed = |id: domain::ItemId| {
            let path = format!("/api/v1/items/{}/actions/confirm", id.get());
            Some(app::items::Idempotency::new("sign-1", "POST", &path, b"{}"))
        };
        let mut once = sign(&p, id, DEMO_PASSWORD).await;
        once.idempotency = keyed(id);
        perform(&p, &clerk, id, once.clone()).await.unwrap();
        let signed = view(&p, &clerk, id).await.unwrap();
        assert_eq!(perform(&p, &clerk, id, once.clone()).await.unwrap(), id);
        let again = view(&p, &clerk, id).await.unwrap();
        assert_eq!(again.row.version, signed.row.version);
        assert_eq!(again.history.len(), signed.history.len());
        // The same key on another entry is refused and leaves it as it was.
        let other = project_awaiting(&p, "special_fund").await;
        let mut reused = sign(&p, other, DEMO_PASSWORD).await;
        reused.idempotency = keyed(other);
        let e = perform(&p, &clerk, other, reused).await.unwrap_err();
        assert!(matches!(e, app::AppError::KeyReused), "{e:?}");
        let untouched = view(&p, &clerk, other).await.unwrap().row;
        assert_eq!(untouched.item.state, "awaiting_confirmation");
        assert!(untouched.item.field("signature").is_empty());
    }
}

/// R14.1: the unit signs with its password; the check shows the signature valid, and after
/// the signed content is changed in the database both the page's check and `audit verify`
/// name the entry.
#[tokio::test]
async fn r14_1_a_signed_confirmation_verifies_until_its_content_is_changed_behind_the_platform() {
    for p in each_backend("signature").await {
        let id = project_awaiting(&p, "special_fund").await;
        let other = principal(&p, "gaj.clerk").await.unwrap();
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let e = perform(&p, &other, id, sign(&p, id, DEMO_PASSWORD).await)
            .await
            .unwrap_err();
        assert!(format!("{e:?}").contains("需求（使用）单位"), "{e:?}");
        let e = perform(&p, &clerk, id, sign(&p, id, "").await)
            .await
            .unwrap_err();
        assert!(field_error(&e, "_password").contains("密码"));
        let e = perform(&p, &clerk, id, sign(&p, id, "Wrong@Password1").await)
            .await
            .unwrap_err();
        assert!(field_error(&e, "_password").contains("密码不正确"));
        assert_eq!(
            view(&p, &clerk, id).await.unwrap().row.item.state,
            "awaiting_confirmation"
        );
        perform(&p, &clerk, id, sign(&p, id, DEMO_PASSWORD).await)
            .await
            .unwrap();
        let row = view(&p, &clerk, id).await.unwrap().row;
        assert_eq!(row.item.state, "confirmed");
        assert!(matches!(
            app::signing::status(&p, &row).await.unwrap(),
            Some((SignatureCheck::Valid { .. }, ref name)) if name == "刘静"
        ));
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
        // Someone with database access raises the budget of the signed entry.
        let row = tamper_with_signed(&p, &clerk, id, "300000000", "390000000").await;
        assert_eq!(row.item.field("budget"), "390000000");
    }
}

/// Rewrites `from` as `to` in a signed item's fields behind the platform, then expects the
/// signature shown as invalid and `audit verify` to name the item for its signature; returns
/// the item as it now reads.
pub(crate) async fn tamper_with_signed(
    p: &app::Platform,
    reader: &app::Principal,
    id: ItemId,
    from: &str,
    to: &str,
) -> store::items::ItemRow {
    {
        let mut c = p.store.read().await.unwrap();
        store::sqlx::query("UPDATE items SET fields = REPLACE(fields, $1, $2) WHERE id = $3")
            .bind(from)
            .bind(to)
            .bind(id.get())
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let row = view(p, reader, id).await.unwrap().row;
    assert!(matches!(
        app::signing::status(p, &row).await.unwrap(),
        Some((SignatureCheck::Invalid { .. }, _))
    ));
    let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
        .await
        .unwrap();
    let b = r
        .breaches
        .first()
        .cloned()
        .expect("a changed signed item must be reported");
    assert_eq!(b.stream, row.number);
    assert!(b.what.contains("signature"), "{}", b.what);
    row
}

pub(crate) fn lines(v2: bool) -> String {
    let servers = if v2 { "3" } else { "4" };
    format!(
        r#"[{{"category":"硬件","item":"服务器","quantity":"{servers}","unit_price":"250,000"}},
            {{"category":"软件","item":"平台开发","quantity":"1","unit_price":"1,800,000"}}]"#
    )
}

/// R14.2: versions with budget lines, the Data Center's opinion, a draw that excludes the
/// Company's and the design vendor's experts, opinions from drawn experts only, and the
/// approval with a cut, its document and the project's baseline.
#[tokio::test]
async fn r14_2_the_review_draws_experts_without_conflicts_and_the_approval_cuts_a_line() {
    for p in each_backend("fsr").await {
        let project = project_awaiting(&p, "company_self_funded").await;
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        perform(&p, &clerk, project, sign(&p, project, DEMO_PASSWORD).await)
            .await
            .unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let project_no = view(&p, &pm, project).await.unwrap().row.number;
        let design = {
            let mut c = p.store.read().await.unwrap();
            let f = store::items::Filter {
                kind: "vendor".into(),
                text: Some("设计研究".into()),
                page: 1,
                per_page: 5,
                ..Default::default()
            };
            store::items::list(&mut c, &f).await.unwrap()[0]
                .number
                .clone()
        };
        let fsr = create(
            &p,
            &pm,
            "fsr",
            cmd(
                "create",
                input(&[
                    ("project", &project_no),
                    ("title", "城市运行一网统管平台可行性研究报告"),
                    ("summary", "建设城市运行监测、事件处置和指挥调度三大模块"),
                    ("security_plan", "等保三级；国密 SM2/SM3/SM4；数据分级分类和脱敏"),
                    ("compiled_by", &design),
                    ("budget_lines", &lines(false)),
                    ("milestones", r#"[{"name":"完成招标","planned":"2027-04-30"},{"name":"上线试运行","planned":"2027-10-31"}]"#),
                ]),
            ),
        )
        .await
        .unwrap();
        perform(&p, &pm, fsr, cmd("submit", Input::new()))
            .await
            .unwrap();
        perform(
            &p,
            &analyst,
            fsr,
            cmd(
                "dc_return",
                input(&[("dc_opinion", "服务器数量偏多，请按实际负载测算")]),
            ),
        )
        .await
        .unwrap();
        perform(
            &p,
            &pm,
            fsr,
            cmd("edit", input(&[("budget_lines", &lines(true))])),
        )
        .await
        .unwrap();
        perform(&p, &pm, fsr, cmd("submit", Input::new()))
            .await
            .unwrap();
        let versions = app::cycle::versions(&p, &pm, fsr).await.unwrap();
        assert_eq!(versions.len(), 2);
        let kind = p.policy.kind("fsr").unwrap();
        let diff = app::cycle::compare(
            kind,
            &app::cycle::content_fields(kind),
            &versions[0].fields,
            &versions[1].fields,
        );
        let changed: Vec<&str> = diff
            .iter()
            .filter(|d| d.changed)
            .map(|d| d.label.zh.as_str())
            .collect();
        assert_eq!(changed, ["预算明细 第 1 行"]);
        perform(
            &p,
            &analyst,
            fsr,
            cmd("dc_pass", input(&[("dc_opinion", "同意报请评审")])),
        )
        .await
        .unwrap();
        // Eight experts in the registry: one works for the Company, one for the design vendor.
        let e = perform(
            &p,
            &planner,
            fsr,
            cmd("draw_experts", input(&[("expert_count", "7")])),
        )
        .await
        .unwrap_err();
        assert!(field_error(&e, "expert_count").contains("只有 6 名"));
        perform(
            &p,
            &planner,
            fsr,
            cmd("draw_experts", input(&[("expert_count", "5")])),
        )
        .await
        .unwrap();
        let item = view(&p, &planner, fsr).await.unwrap().row.item;
        let drawn: Vec<&str> = item.field("drawn_experts").split(',').collect();
        assert_eq!(drawn.len(), 5);
        let excluded = item.field("excluded_experts");
        // The record names the excluded by number only (the Company reads it).
        let number_of = |name: &'static str| {
            let p = p.clone();
            async move {
                let mut c = p.store.read().await.unwrap();
                let f = store::items::Filter {
                    kind: "expert".into(),
                    text: Some(name.into()),
                    page: 1,
                    per_page: 5,
                    ..Default::default()
                };
                store::items::list(&mut c, &f).await.unwrap()[0]
                    .number
                    .clone()
            }
        };
        for name in ["赵敏", "黄海涛"] {
            assert!(excluded.contains(&number_of(name).await), "{excluded}");
            assert!(!excluded.contains(name), "{excluded}");
        }
        for number in &drawn {
            let expert = app::items::by_number(&p, &planner, number).await.unwrap();
            assert!(!["赵敏", "黄海涛"].contains(&expert.item.field("name")));
        }
        // The Company may not see who may review its report.
        assert!(app::items::by_number(&p, &pm, drawn[0]).await.is_err());
        let opinions = drawn
            .iter()
            .map(|n| format!(r#"{{"expert":"{n}","opinion":"同意","score":"85"}}"#))
            .collect::<Vec<_>>()
            .join(",");
        perform(
            &p,
            &principal(&p, "bureau.planner2").await.unwrap(),
            fsr,
            cmd(
                "record_opinions",
                input(&[("expert_opinions", &format!("[{opinions}]"))]),
            ),
        )
        .await
        .unwrap();
        perform(
            &p,
            &head,
            fsr,
            cmd(
                "approve",
                input(&[
                    ("cuts", r#"[{"line":"2","approved":"1,500,000","reason":"开发工作量按评审意见核减"}]"#),
                    ("approval_no", "宛数政〔2027〕3号"),
                ]),
            ),
        )
        .await
        .unwrap();
        let item = view(&p, &head, fsr).await.unwrap().row.item;
        assert_eq!(item.state, "approved");
        assert_eq!(item.field("approved_total"), "225000000");
        let pdf = app::taskbook::file(&p, &head, fsr, app::approval::PDF)
            .await
            .unwrap();
        assert_eq!(
            crypto::sm3_hex(&pdf.content),
            item.field("approval_pdf_sm3")
        );
        let docx = app::taskbook::file(&p, &head, fsr, app::approval::DOCX)
            .await
            .unwrap();
        assert_eq!(
            crypto::sm3_hex(&docx.content),
            item.field("approval_docx_sm3")
        );
        let project = view(&p, &pm, project).await.unwrap().row.item;
        assert_eq!(project.state, "fsr_approved");
        assert_eq!(project.field("approved_total"), "225000000");
        // The approved version is locked.
        assert!(
            perform(&p, &pm, fsr, cmd("edit", input(&[("title", "改")])))
                .await
                .is_err()
        );
    }
}

/// Issue 4, concurrency: two people editing the same entry from the same version; the second
/// is refused (nothing of the first is lost) and may try again on the new version.
#[tokio::test]
async fn two_edits_from_the_same_version_never_both_succeed() {
    for p in each_backend("race").await {
        let line = issued_plan_item(&p, "special_fund").await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let unit = org_id(&p, "zrzy").await.to_string();
        let base = [
            ("plan_item", line.as_str()),
            ("title", "城市运行一网统管平台"),
            ("content", "初稿"),
            ("budget", "3,000,000"),
            ("units", unit.as_str()),
            ("mode", "special_fund"),
            ("mode_reason", "专项资金"),
        ];
        let id = create(&p, &pm, "project", cmd("create", input(&base)))
            .await
            .unwrap();
        let read = view(&p, &pm, id).await.unwrap().row.version.to_string();
        let edit = |content: &str| {
            // The mode is the plan line's; an edit does not send it (art. 5).
            let mut i = input(&base[1..]);
            i.remove("mode");
            i.insert("content".into(), content.into());
            i.insert("_version".into(), read.clone());
            cmd("edit", i)
        };
        perform(&p, &pm, id, edit("公司修改的内容")).await.unwrap();
        let e = perform(&p, &analyst, id, edit("数据中心同时修改的内容"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict), "{e:?}");
        let item = view(&p, &pm, id).await.unwrap().row.item;
        assert_eq!(item.field("content"), "公司修改的内容");
    }
}

/// A confirmed, approved project (FSR lines: servers 3 x 250,000; development 1,800,000,
/// approved at 1,500,000); returns its id and number.
pub(crate) async fn approved_project(p: &app::Platform) -> (ItemId, String) {
    approved_project_of(p, "special_fund").await
}

/// A project in this construction mode, signed, its FSR approved with a cut on line 2.
pub(crate) async fn approved_project_of(p: &app::Platform, mode: &str) -> (ItemId, String) {
    let project = project_awaiting(p, mode).await;
    let clerk = principal(p, "zrzy.clerk").await.unwrap();
    perform(p, &clerk, project, sign(p, project, DEMO_PASSWORD).await)
        .await
        .unwrap();
    let pm = principal(p, "company.pm").await.unwrap();
    let analyst = principal(p, "dc.analyst").await.unwrap();
    let planner = principal(p, "bureau.planner").await.unwrap();
    let head = principal(p, "bureau.head").await.unwrap();
    let number = view(p, &pm, project).await.unwrap().row.number;
    // The tender was due ten days ago; going live is next year.
    let tender_due = p.today() - chrono::Duration::days(10);
    let live = p.today() + chrono::Duration::days(330);
    let milestones = format!(
        r#"[{{"name":"完成招标","planned":"{tender_due}"}},{{"name":"上线试运行","planned":"{live}"}}]"#
    );
    let fsr = create(
        p,
        &pm,
        "fsr",
        cmd(
            "create",
            input(&[
                ("project", &number),
                ("title", "可行性研究报告"),
                ("summary", "三大模块"),
                ("security_plan", "等保三级，商用密码应用"),
                ("budget_lines", &lines(true)),
                ("milestones", &milestones),
            ]),
        ),
    )
    .await
    .unwrap();
    perform(p, &pm, fsr, cmd("submit", Input::new()))
        .await
        .unwrap();
    perform(
        p,
        &analyst,
        fsr,
        cmd("dc_pass", input(&[("dc_opinion", "同意")])),
    )
    .await
    .unwrap();
    perform(
        p,
        &planner,
        fsr,
        cmd("draw_experts", input(&[("expert_count", "3")])),
    )
    .await
    .unwrap();
    let drawn = view(p, &planner, fsr)
        .await
        .unwrap()
        .row
        .item
        .field("drawn_experts")
        .to_string();
    let opinions = drawn
        .split(',')
        .map(|n| format!(r#"{{"expert":"{n}","opinion":"同意","score":"80"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    perform(
        p,
        &principal(p, "bureau.planner2").await.unwrap(),
        fsr,
        cmd(
            "record_opinions",
            input(&[("expert_opinions", &format!("[{opinions}]"))]),
        ),
    )
    .await
    .unwrap();
    perform(
        p,
        &head,
        fsr,
        cmd(
            "approve",
            input(&[
                (
                    "cuts",
                    r#"[{"line":"2","approved":"1,500,000","reason":"核减"}]"#,
                ),
                ("approval_no", "宛数政〔2027〕3号"),
            ]),
        ),
    )
    .await
    .unwrap();
    (project, number)
}

/// R15.1, R15.2: contracts are held to what is left of their budget lines; an approved change
/// request (validated by the Data Center, approved by the Bureau) raises a line, after which
/// the contract that was refused goes through.
#[tokio::test]
async fn r15_1_contracts_are_held_to_the_baseline_until_an_approved_change_raises_it() {
    for p in each_backend("procure").await {
        let (project, number) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let baseline = view(&p, &pm, project)
            .await
            .unwrap()
            .row
            .item
            .field("baseline")
            .to_string();
        assert_eq!(domain::table::sum(&baseline, "approved"), 225_000_000);
        let (dev, other) = (vendor(&p, 2).await, vendor(&p, 4).await);
        let bidders = format!("{dev},{other}");
        let buy = |title: &str, line: &str, amount: &str| {
            cmd(
                "create",
                input(&[
                    ("project", &number),
                    ("title", title),
                    ("method", "public_tender"),
                    ("opened", "2027-04-20"),
                    ("bidders", &bidders),
                    ("winner", &dev),
                    (
                        "allocation",
                        &format!(r#"[{{"line":"{line}","amount":"{amount}"}}]"#),
                    ),
                ]),
            )
        };
        let sign = || {
            cmd(
                "sign_contract",
                input(&[("contract_no", "HT-1"), ("contract_date", "2027-05-08")]),
            )
        };
        let first = create(
            &p,
            &pm,
            "procurement",
            buy("平台开发一期", "2", "1,000,000"),
        )
        .await
        .unwrap();
        perform(&p, &pm, first, sign()).await.unwrap();
        let second = create(&p, &pm, "procurement", buy("平台开发二期", "2", "700,000"))
            .await
            .unwrap();
        let e = perform(&p, &pm, second, sign()).await.unwrap_err();
        let msg = field_error(&e, "allocation");
        assert!(
            msg.contains("剩余 500,000.00 元")
                && msg.contains("超出 200,000.00 元")
                && msg.contains("第十五条、第二十五条"),
            "{msg}"
        );
        assert_eq!(
            view(&p, &pm, second).await.unwrap().row.item.state,
            "preparing"
        );

        // The change request raises line 2 to 1,800,000 and is validated, then approved.
        let raised = r#"[{"line":"1","category":"硬件","item":"服务器","approved":"750,000"},{"line":"2","category":"软件","item":"平台开发","approved":"1,800,000"}]"#;
        let change = create(
            &p,
            &pm,
            "project_change",
            cmd(
                "create",
                input(&[
                    ("project", &number),
                    ("title", "增加移动端"),
                    ("reason", "省里要求接入移动端"),
                    ("baseline", raised),
                ]),
            ),
        )
        .await
        .unwrap();
        perform(&p, &pm, change, cmd("submit", Input::new()))
            .await
            .unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        perform(
            &p,
            &analyst,
            change,
            cmd("validate", input(&[("dc_opinion", "确有必要")])),
        )
        .await
        .unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        perform(
            &p,
            &head,
            change,
            cmd("approve", input(&[("decision", "同意调增")])),
        )
        .await
        .unwrap();
        let baseline = view(&p, &pm, project)
            .await
            .unwrap()
            .row
            .item
            .field("baseline")
            .to_string();
        assert_eq!(domain::table::sum(&baseline, "approved"), 255_000_000);
        perform(&p, &pm, second, sign()).await.unwrap();
        assert_eq!(
            view(&p, &pm, second).await.unwrap().row.item.state,
            "contracted"
        );
    }
}

/// R15.3, R15.4: a late milestone and an open high risk are raised in the inbox of the Company
/// and the Data Center until dealt with; an inspection's finding is closed only with evidence
/// and the Data Center's acceptance.
#[tokio::test]
async fn r15_3_late_milestones_and_high_risks_are_raised_and_r15_4_findings_close_with_evidence() {
    for p in each_backend("progress").await {
        let (project, number) = approved_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        perform(&p, &pm, project, cmd("start_construction", Input::new()))
            .await
            .unwrap();
        let alerts = |who: app::Principal| {
            let p = p.clone();
            async move {
                app::progress::alerts(&p, &who)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|a| a.text.zh)
                    .collect::<Vec<_>>()
            }
        };
        let late = alerts(pm.clone()).await;
        assert!(
            late.iter()
                .any(|a| a.contains("完成招标") && a.contains("已逾期 10 天")),
            "{late:?}"
        );
        assert_eq!(alerts(analyst.clone()).await.len(), 1);
        assert!(alerts(clerk.clone()).await.is_empty());
        let reached = |milestone: &str| {
            cmd(
                "record_progress",
                input(&[(
                    "actuals",
                    &format!(
                        r#"[{{"milestone":"{milestone}","actual":"{}"}}]"#,
                        p.today() - chrono::Duration::days(1)
                    ),
                )]),
            )
        };
        let e = perform(&p, &pm, project, reached("完成设计"))
            .await
            .unwrap_err();
        // The refusal names the cell (R15.3): row 1's milestone.
        assert!(field_error(&e, "actuals.0.milestone").contains("完成设计"));
        perform(&p, &pm, project, reached("完成招标"))
            .await
            .unwrap();
        assert!(alerts(pm.clone()).await.is_empty());

        let risk = create(
            &p,
            &pm,
            "risk",
            cmd(
                "create",
                input(&[
                    ("project", &number),
                    ("title", "部门数据接口迟迟未开放"),
                    ("likelihood", "4"),
                    ("impact", "4"),
                    ("owner", "陈刚"),
                    ("mitigation", "提请市政务服务和大数据管理局协调"),
                ]),
            ),
        )
        .await
        .unwrap();
        let high = alerts(analyst.clone()).await;
        assert!(high.iter().any(|a| a.contains("风险值 16")), "{high:?}");
        perform(
            &p,
            &pm,
            risk,
            cmd("close", input(&[("closing_note", "接口已开放")])),
        )
        .await
        .unwrap();
        assert!(alerts(analyst.clone()).await.is_empty());

        let developer = vendor(&p, 2).await;
        let inspection = create(
            &p,
            &analyst,
            "inspection",
            cmd(
                "create",
                input(&[
                    ("project", &number),
                    ("title", "开发过程检查"),
                    ("vendor", &developer),
                    ("inspected_on", "2026-11-26"),
                    ("findings", "未按要求开展代码安全审计"),
                ]),
            ),
        )
        .await
        .unwrap();
        let inspection_no = view(&p, &analyst, inspection).await.unwrap().row.number;
        let finding = create(
            &p,
            &analyst,
            "rectification",
            cmd(
                "create",
                input(&[
                    ("inspection", &inspection_no),
                    ("finding", "未按要求开展代码安全审计"),
                    ("assignee", "vendor"),
                    ("vendor", &developer),
                    ("due", "2026-12-15"),
                ]),
            ),
        )
        .await
        .unwrap();
        let answer = || {
            cmd(
                "answer",
                input(&[("response", "已完成代码审计并修复两处高危漏洞")]),
            )
        };
        let e = perform(&p, &pm, finding, answer()).await.unwrap_err();
        assert!(field_error(&e, "evidence").contains("整改佐证材料"));
        let report = b"%PDF-1.7\n% code audit report\n%%EOF\n".to_vec();
        app::files::attach(&p, &pm, finding, "代码审计报告.pdf", report)
            .await
            .unwrap();
        perform(&p, &pm, finding, answer()).await.unwrap();
        let verdict = |text: &str| cmd("accept", input(&[("verdict", text)]));
        assert!(perform(&p, &pm, finding, verdict("同意")).await.is_err());
        perform(&p, &analyst, finding, verdict("已现场核查，同意销号"))
            .await
            .unwrap();
        let state = view(&p, &analyst, finding).await.unwrap().row.item.state;
        assert_eq!(state, "closed");
    }
}

/// R14.1 with SECURITY.md: guessing the signing password counts like failed logins; at the
/// limit the account is locked and even the right password signs nothing.
#[tokio::test]
async fn r14_1_repeated_wrong_signing_passwords_lock_the_account() {
    for p in each_backend("step-up").await {
        let id = project_awaiting(&p, "special_fund").await;
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        for _ in 0..p.settings.lockout_attempts {
            let e = perform(&p, &clerk, id, sign(&p, id, "Wrong@Password1").await)
                .await
                .unwrap_err();
            assert!(field_error(&e, "_password").contains("密码不正确"));
        }
        let e = perform(&p, &clerk, id, sign(&p, id, DEMO_PASSWORD).await)
            .await
            .unwrap_err();
        assert!(format!("{e:?}").contains("已临时锁定"), "{e:?}");
        let row = view(&p, &clerk, id).await.unwrap().row;
        assert_eq!(row.item.state, "awaiting_confirmation");
        assert!(row.item.field("signature").is_empty());
        let mut c = p.store.read().await.unwrap();
        let attempts = store::events::stream(&mut c, "security")
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == "sign_step_up")
            .count();
        assert_eq!(attempts, 6);
    }
}

/// Issue 12, point 10: an expert's recorded reason for staying out (kept in Chinese, the
/// record's language) reads in English for an English reader; an unknown one stays as kept.
#[test]
fn r14_2_a_recusal_reason_reads_in_the_readers_language() {
    for (zh, _) in app::experts::REASONS {
        let t = app::experts::reason(zh);
        assert_eq!(t.zh, zh);
        assert!(t.en.contains("excluded"), "{}", t.en);
    }
    assert_eq!(app::experts::reason("另有原因").en, "另有原因");
}
