//! Issue 13, art. 16: from the work done to the system handed over, as stories on SQLite and
//! PostgreSQL. The Data Center's initial acceptance on four criteria (a failed one rectified
//! and checked again), the trial at the user unit with its defects, and the final acceptance
//! the demand unit signs off with its SM2 key.

use super::duty_stories::refusal;
use super::project_stories::{approved_project, cmd, field_error, input, tamper_with_signed};
use app::items::{Command, create, perform, view};
use app::signing::SignatureCheck;
use demo::{DEMO_PASSWORD, principal};
use domain::{Input, ItemId};
use testkit::each_backend;

const PDF: &[u8] = b"%PDF-1.7\n% acceptance papers\n%%EOF\n";

/// The article a refusal cites.
pub(crate) fn article_of(e: &app::AppError) -> String {
    match e {
        app::AppError::Denied(d) => d
            .article
            .as_ref()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The four criteria of art. 16 with a result each ("pass" or "fail") and what was checked.
fn criteria(results: [&str; 4]) -> Input {
    let ids = ["consistency", "data_conformity", "intensive", "security"];
    let mut i = Input::new();
    for (id, r) in ids.iter().zip(results) {
        i.insert(id.to_string(), r.to_string());
        i.insert(format!("{id}_note"), format!("逐项核对：{r}"));
    }
    i.insert("conclusion_note".into(), "按第十六条四项内容检查".into());
    i
}

/// A project whose construction is reported complete (its cybersecurity review passed).
async fn completed_project(p: &app::Platform) -> (ItemId, String) {
    let (project, number) = approved_project(p).await;
    let pm = principal(p, "company.pm").await.unwrap();
    let cyber = principal(p, "cyber.reviewer").await.unwrap();
    perform(p, &pm, project, cmd("start_construction", Input::new()))
        .await
        .unwrap();
    let review = input(&[
        ("cyber_conclusion", "pass"),
        ("cyber_opinion", "等保测评报告齐全"),
        ("cyber_date", "2027-09-01"),
    ]);
    perform(p, &cyber, project, cmd("record_cyber_review", review))
        .await
        .unwrap();
    perform(p, &pm, project, cmd("complete_construction", Input::new()))
        .await
        .unwrap();
    (project, number)
}

/// The Data Center opens the initial acceptance of the project.
async fn open_initial(p: &app::Platform, number: &str) -> ItemId {
    let analyst = principal(p, "dc.analyst").await.unwrap();
    create(
        p,
        &analyst,
        "inspection",
        cmd(
            "create_initial",
            input(&[
                ("project", number),
                ("title", "城市运行一网统管平台初验"),
                ("inspected_on", "2027-12-01"),
            ]),
        ),
    )
    .await
    .unwrap()
}

pub(crate) async fn state(p: &app::Platform, id: ItemId) -> String {
    let pm = principal(p, "company.pm").await.unwrap();
    view(p, &pm, id).await.unwrap().row.item.state
}

pub(crate) async fn number_of(p: &app::Platform, id: ItemId) -> String {
    let pm = principal(p, "company.pm").await.unwrap();
    view(p, &pm, id).await.unwrap().row.number
}

/// A project on trial: its initial acceptance passed at the first check.
pub(crate) async fn project_on_trial(p: &app::Platform) -> (ItemId, String) {
    let (project, number) = completed_project(p).await;
    let analyst = principal(p, "dc.analyst").await.unwrap();
    let check = open_initial(p, &number).await;
    perform(
        p,
        &analyst,
        check,
        cmd("pass_initial", criteria(["pass"; 4])),
    )
    .await
    .unwrap();
    (project, number)
}

/// R16.1 (art. 16): all four criteria must pass. A failed one is recorded with what was found,
/// gets a rectification item, and the check is held again only once it is closed; then the
/// project goes on trial. Nobody passes a round with a failed criterion.
#[tokio::test]
async fn r16_1_initial_acceptance_passes_only_on_all_four_criteria_after_rectification() {
    for p in each_backend("initial-acceptance").await {
        let (project, number) = completed_project(&p).await;
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let check = open_initial(&p, &number).await;

        let failing = criteria(["pass", "pass", "pass", "fail"]);
        let e = perform(&p, &analyst, check, cmd("pass_initial", failing.clone()))
            .await
            .unwrap_err();
        assert!(
            field_error(&e, "security").contains("四项初验内容须全部合格"),
            "{e:?}"
        );
        assert!(field_error(&e, "security").contains("第十六条"), "{e:?}");
        // Four passes are not a failure either.
        let e = perform(
            &p,
            &analyst,
            check,
            cmd("fail_initial", criteria(["pass"; 4])),
        )
        .await
        .unwrap_err();
        assert!(field_error(&e, "security").contains("初验合格"), "{e:?}");
        perform(&p, &analyst, check, cmd("fail_initial", failing))
            .await
            .unwrap();
        assert_eq!(state(&p, check).await, "initial_failed");
        assert_eq!(state(&p, project).await, "completed");
        // A failed round is rectified and checked again, not replaced by a fresh one.
        let fresh = create(
            &p,
            &analyst,
            "inspection",
            cmd(
                "create_initial",
                input(&[
                    ("project", &number),
                    ("title", "重新初验"),
                    ("inspected_on", "2027-12-05"),
                ]),
            ),
        )
        .await
        .unwrap_err();
        assert!(
            refusal(&fresh).contains(&number_of(&p, check).await),
            "{}",
            refusal(&fresh)
        );

        let check_no = number_of(&p, check).await;
        let rect = create(
            &p,
            &analyst,
            "rectification",
            cmd(
                "create",
                input(&[
                    ("inspection", &check_no),
                    ("finding", "未落实数据库加密"),
                    ("assignee", "company"),
                    ("due", "2027-12-20"),
                ]),
            ),
        )
        .await
        .unwrap();
        let rect_no = number_of(&p, rect).await;
        // Not checked again while the rectification is open: the refusal names it.
        let e = perform(&p, &analyst, check, cmd("reinspect", Input::new()))
            .await
            .unwrap_err();
        assert!(refusal(&e).contains(&rect_no), "{}", refusal(&e));
        assert_eq!(article_of(&e), "16");

        app::files::attach(&p, &pm, rect, "整改报告.pdf", PDF.to_vec())
            .await
            .unwrap();
        let answer = input(&[("response", "已启用数据库透明加密")]);
        perform(&p, &pm, rect, cmd("answer", answer)).await.unwrap();
        let verdict = input(&[("verdict", "已核实")]);
        perform(&p, &analyst, rect, cmd("accept", verdict))
            .await
            .unwrap();
        perform(&p, &analyst, check, cmd("reinspect", Input::new()))
            .await
            .unwrap();
        perform(
            &p,
            &analyst,
            check,
            cmd("pass_initial", criteria(["pass"; 4])),
        )
        .await
        .unwrap();
        assert_eq!(state(&p, check).await, "initial_passed");
        assert_eq!(state(&p, project).await, "trial_operation");
    }
}

/// R16.1, R11.1: a project whose cybersecurity review was recorded as failed after it reported
/// the work done cannot pass its initial acceptance: the step is refused citing art. 11, and
/// nothing of the round changes.
#[tokio::test]
async fn r16_1_r11_1_initial_acceptance_needs_a_passed_cybersecurity_review() {
    for p in each_backend("initial-cyber").await {
        let (project, number) = completed_project(&p).await;
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let cyber = principal(&p, "cyber.reviewer").await.unwrap();
        let review = input(&[
            ("cyber_conclusion", "fail"),
            ("cyber_opinion", "渗透测试发现高危漏洞"),
            ("cyber_date", "2027-12-02"),
        ]);
        perform(&p, &cyber, project, cmd("record_cyber_review", review))
            .await
            .unwrap();
        let check = open_initial(&p, &number).await;
        let e = perform(
            &p,
            &analyst,
            check,
            cmd("pass_initial", criteria(["pass"; 4])),
        )
        .await
        .unwrap_err();
        let msg = refusal(&e);
        assert!(
            msg.contains("网络安全审查") && msg.contains("第十一条"),
            "{msg}"
        );
        assert_eq!(state(&p, check).await, "initial_open");
        assert_eq!(state(&p, project).await, "completed");
    }
}

fn defect() -> Command {
    cmd(
        "create",
        input(&[
            ("summary", "统计报表导出为空"),
            ("severity", "major"),
            (
                "description",
                "在「运行统计」页点导出，文件没有数据；应有本月全部记录。",
            ),
        ]),
    )
}

/// A final acceptance of the project, organised by the Company (meeting held, accepted).
pub(crate) fn organise(number: &str) -> Command {
    cmd(
        "create",
        input(&[
            ("project", number),
            ("title", "城市运行一网统管平台"),
            ("units", ""),
            ("meeting_date", "2028-01-10"),
            (
                "participants",
                "市属国有专业公司、市政务服务和大数据管理局、市自然资源局、承建单位",
            ),
            ("conclusion", "pass"),
            ("opinion", "系统功能满足批复要求，同意通过竣工验收"),
            ("handover_date", "2028-01-15"),
            (
                "handover_note",
                "源代码及管理员账号移交市政务大数据中心，资产归公司",
            ),
        ]),
    )
}

/// R16.2 (art. 16): only the project's user unit logs trial defects; the Company fixes them
/// and the unit closes them. While any is open, the final acceptance cannot be organised: the
/// refusal cites art. 16 and lists the open defects by number.
#[tokio::test]
async fn r16_2_an_open_trial_defect_blocks_the_final_acceptance_until_the_unit_closes_it() {
    for p in each_backend("trial-defects").await {
        let (_, number) = project_on_trial(&p).await;
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let stranger = principal(&p, "jtj.clerk").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        let mut logged = defect();
        logged.input.insert("project".into(), number.clone());

        let e = create(&p, &stranger, "defect", logged.clone())
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("使用单位"), "{}", refusal(&e));
        let d = create(&p, &clerk, "defect", logged).await.unwrap();
        let d_no = number_of(&p, d).await;

        let mut acceptance = organise(&number);
        acceptance
            .input
            .insert("units".into(), unit_of(&p, &number).await);
        let e = create(&p, &pm, "final_acceptance", acceptance.clone())
            .await
            .unwrap_err();
        assert!(refusal(&e).contains(&d_no), "{}", refusal(&e));
        assert_eq!(article_of(&e), "16");

        let fixed = input(&[("fix_note", "修复导出查询条件")]);
        perform(&p, &pm, d, cmd("fix", fixed)).await.unwrap();
        // Fixed is not closed: the unit has not checked it.
        let e = create(&p, &pm, "final_acceptance", acceptance.clone())
            .await
            .unwrap_err();
        assert!(refusal(&e).contains(&d_no), "{}", refusal(&e));
        let again = input(&[("reopen_reason", "导出仍缺上月数据")]);
        perform(&p, &clerk, d, cmd("reopen", again)).await.unwrap();
        let fixed = input(&[("fix_note", "按自然月导出")]);
        perform(&p, &pm, d, cmd("fix", fixed)).await.unwrap();
        let ok = input(&[("confirm_note", "已复核，导出正常")]);
        // Only the unit that logged it says it is fixed.
        assert!(
            perform(&p, &stranger, d, cmd("close", ok.clone()))
                .await
                .is_err()
        );
        perform(&p, &clerk, d, cmd("close", ok)).await.unwrap();
        assert_eq!(state(&p, d).await, "closed");
        create(&p, &pm, "final_acceptance", acceptance)
            .await
            .unwrap();
    }
}

/// The project's units as its form holds them (unit ids).
pub(crate) async fn unit_of(p: &app::Platform, number: &str) -> String {
    let pm = principal(p, "company.pm").await.unwrap();
    let mut c = p.store.read().await.unwrap();
    let row = store::items::get_by_number(&mut c, number)
        .await
        .unwrap()
        .unwrap();
    drop(c);
    view(p, &pm, row.item.id)
        .await
        .unwrap()
        .row
        .item
        .field("units")
        .to_string()
}

/// The sign-off as the page sends it: the password and the version that was read.
pub(crate) async fn sign_off(p: &app::Platform, id: ItemId, password: &str) -> Command {
    let clerk = principal(p, "zrzy.clerk").await.unwrap();
    let version = view(p, &clerk, id).await.unwrap().row.version.to_string();
    cmd(
        "sign_off",
        input(&[("_password", password), ("_version", &version)]),
    )
}

/// R16.3 (art. 16): the Company organises the final acceptance with its minutes, the Bureau
/// confirms it, and the demand unit signs it off with its SM2 key after re-entering its
/// password; the project is then handed over. The signature verifies until the signed content
/// is changed behind the platform, when both the page's check and `audit verify` name it.
#[tokio::test]
async fn r16_3_the_demand_unit_signs_off_the_final_acceptance_and_the_project_is_handed_over() {
    for p in each_backend("final-acceptance").await {
        let (project, number) = project_on_trial(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let stranger = principal(&p, "jtj.clerk").await.unwrap();
        let mut organised = organise(&number);
        organised
            .input
            .insert("units".into(), unit_of(&p, &number).await);
        // The units that sign are the project's, whatever the form says.
        let mut other = organised.clone();
        other.input.insert("units".into(), "1".into());
        let e = create(&p, &pm, "final_acceptance", other)
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("需求（使用）单位"), "{}", refusal(&e));
        let fa = create(&p, &pm, "final_acceptance", organised)
            .await
            .unwrap();
        // The units that sign stay the project's: the edit does not take them.
        let moved = input(&[("units", "1")]);
        let e = perform(&p, &pm, fa, cmd("edit", moved)).await.unwrap_err();
        assert!(
            field_error(&e, "units").contains("不能在本步骤填写"),
            "{e:?}"
        );

        // The minutes are part of what is sent to the Bureau.
        let e = perform(&p, &pm, fa, cmd("submit", Input::new()))
            .await
            .unwrap_err();
        assert!(field_error(&e, "minutes").contains("请填写"), "{e:?}");
        // A defect logged after the acceptance was organised still blocks it.
        let mut late = defect();
        late.input.insert("project".into(), number.clone());
        let d = create(&p, &clerk, "defect", late).await.unwrap();
        app::files::attach(&p, &pm, fa, "竣工验收纪要.pdf", PDF.to_vec())
            .await
            .unwrap();
        let e = perform(&p, &pm, fa, cmd("submit", Input::new()))
            .await
            .unwrap_err();
        assert!(
            refusal(&e).contains(&number_of(&p, d).await),
            "{}",
            refusal(&e)
        );
        let fixed = input(&[("fix_note", "已修复")]);
        perform(&p, &pm, d, cmd("fix", fixed)).await.unwrap();
        let ok = input(&[("confirm_note", "已复核")]);
        perform(&p, &clerk, d, cmd("close", ok)).await.unwrap();
        perform(&p, &pm, fa, cmd("submit", Input::new()))
            .await
            .unwrap();
        perform(&p, &planner, fa, cmd("confirm", Input::new()))
            .await
            .unwrap();
        assert_eq!(state(&p, fa).await, "awaiting_signoff");

        let e = perform(&p, &stranger, fa, sign_off(&p, fa, DEMO_PASSWORD).await)
            .await
            .unwrap_err();
        assert!(refusal(&e).contains("单位"), "{}", refusal(&e));
        let e = perform(&p, &clerk, fa, sign_off(&p, fa, "Wrong@Password1").await)
            .await
            .unwrap_err();
        assert!(field_error(&e, "_password").contains("密码不正确"));
        perform(&p, &clerk, fa, sign_off(&p, fa, DEMO_PASSWORD).await)
            .await
            .unwrap();
        assert_eq!(state(&p, fa).await, "signed");
        assert_eq!(state(&p, project).await, "handed_over");

        let row = view(&p, &clerk, fa).await.unwrap().row;
        assert!(matches!(
            app::signing::status(&p, &row).await.unwrap(),
            Some((SignatureCheck::Valid { .. }, _))
        ));
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
        // Someone with database access rewrites the signed conclusion.
        tamper_with_signed(&p, &clerk, fa, "同意通过竣工验收", "有条件通过验收").await;
    }
}

/// A project accepted and handed over: on trial with nothing open, its final acceptance
/// organised, confirmed and signed off by the natural resources bureau.
pub(crate) async fn handed_over_project(p: &app::Platform) -> (ItemId, String) {
    let (project, number) = project_on_trial(p).await;
    let pm = principal(p, "company.pm").await.unwrap();
    let mut organised = organise(&number);
    organised
        .input
        .insert("units".into(), unit_of(p, &number).await);
    let fa = create(p, &pm, "final_acceptance", organised).await.unwrap();
    app::files::attach(p, &pm, fa, "竣工验收纪要.pdf", PDF.to_vec())
        .await
        .unwrap();
    perform(p, &pm, fa, cmd("submit", Input::new()))
        .await
        .unwrap();
    let planner = principal(p, "bureau.planner").await.unwrap();
    perform(p, &planner, fa, cmd("confirm", Input::new()))
        .await
        .unwrap();
    let clerk = principal(p, "zrzy.clerk").await.unwrap();
    perform(p, &clerk, fa, sign_off(p, fa, DEMO_PASSWORD).await)
        .await
        .unwrap();
    (project, number)
}

/// R16.3 (art. 16): once signed off, the Company compiles the acceptance dossier: a Word file
/// and a PDF listing every document of the project with its SM3 digest, their own digests in
/// the record. Each listed document verifies against the record; one whose bytes are altered
/// in the database no longer does.
#[tokio::test]
async fn r16_3_the_acceptance_dossier_lists_every_document_with_its_digest_and_verifies() {
    for p in each_backend("dossier").await {
        let (project, _) = handed_over_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let fa = app::cycle::children(&p, &pm, "final_acceptance", &number_of(&p, project).await)
            .await
            .unwrap()[0]
            .item
            .id;
        let e = perform(&p, &pm, fa, cmd("compile_dossier", Input::new()))
            .await
            .unwrap_err();
        assert!(super::project_stories::field_error(&e, "dossier_no").contains("填写"));
        let numbered = input(&[("dossier_no", "宛数建〔2028〕8号")]);
        perform(&p, &pm, fa, cmd("compile_dossier", numbered))
            .await
            .unwrap();
        let item = view(&p, &pm, fa).await.unwrap().row.item;
        let pdf = app::taskbook::file(&p, &pm, fa, app::dossier::PDF)
            .await
            .unwrap();
        assert_eq!(crypto::sm3_hex(&pdf.content), item.field("dossier_pdf_sm3"));
        let docx = app::taskbook::file(&p, &pm, fa, app::dossier::DOCX)
            .await
            .unwrap();
        assert_eq!(
            crypto::sm3_hex(&docx.content),
            item.field("dossier_docx_sm3")
        );
        let listed = app::dossier::check(&p, &pm, fa).await.unwrap();
        let minutes = listed
            .iter()
            .find(|e| e.name == "竣工验收纪要.pdf")
            .expect("the minutes are listed");
        assert_eq!(minutes.sm3, crypto::sm3_hex(PDF));
        assert!(
            listed.iter().any(|e| e.name == "可行性研究报告批复（PDF）"),
            "the 批复, by its name"
        );
        assert!(listed.iter().all(|e| e.verified), "{listed:?}");
        let text = String::from_utf8_lossy(&unzip_document(&docx.content)).into_owned();
        assert!(
            text.contains(&minutes.sm3[..16]),
            "the digest is in the dossier"
        );

        // One byte of the minutes changed in the database: that document no longer verifies.
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("UPDATE files SET content = $1 WHERE name = $2")
                .bind(b"%PDF-1.7\n% acceptance paperS\n%%EOF\n".to_vec())
                .bind("竣工验收纪要.pdf")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        let again = app::dossier::check(&p, &pm, fa).await.unwrap();
        let bad: Vec<&str> = again
            .iter()
            .filter(|e| !e.verified)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(bad, ["竣工验收纪要.pdf"]);

        // Bytes and digest both replaced: the record still names the old digest.
        let forged = b"%PDF-1.7\n% other minutes\n%%EOF\n".to_vec();
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("UPDATE files SET content = $1, sm3 = $2 WHERE name = $3")
                .bind(forged.clone())
                .bind(crypto::sm3_hex(&forged))
                .bind("竣工验收纪要.pdf")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        let again = app::dossier::check(&p, &pm, fa).await.unwrap();
        let minutes = again.iter().find(|e| e.name == "竣工验收纪要.pdf").unwrap();
        assert!(!minutes.verified, "a forged file is not the recorded one");
        assert_eq!(
            minutes.sm3,
            crypto::sm3_hex(PDF),
            "the record's digest is listed"
        );
        // The file row gone: still listed, as not matching.
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("DELETE FROM files WHERE name = $1")
                .bind("竣工验收纪要.pdf")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        let again = app::dossier::check(&p, &pm, fa).await.unwrap();
        assert!(
            again
                .iter()
                .any(|e| e.name == "竣工验收纪要.pdf" && !e.verified)
        );
    }
}

/// The text of a .docx's main part.
fn unzip_document(docx: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut part = zip.by_name("word/document.xml").unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut part, &mut out).unwrap();
    out
}
