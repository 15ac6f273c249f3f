//! Issue 13 in real headless Chromium: the Data Center's initial acceptance fails on one
//! criterion and passes after the rectification; a trial defect blocks the final acceptance
//! until the user unit closes it; the unit signs the final acceptance off with its password;
//! the vendor's own login answers the defect; the dossier lists every document with its
//! digest and downloads as the record names it; the system is registered for O&M with its
//! owner; a hardware ticket for equipment off the
//! transferred list is refused citing art. 20; an overdue assessment is red in the Company's
//! 待办.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use app::items::Command;
use common::chrome::*;
use fantoccini::{Client, Locator};

async fn act(app: &common::TestApp, user: &str, id: i64, action: &str, fields: &[(&str, &str)]) {
    let who = demo::principal(&app.platform, user).await.unwrap();
    let cmd = Command {
        action: action.into(),
        input: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        then: None,
        idempotency: None,
    };
    app::items::perform(&app.platform, &who, domain::ItemId::new(id), cmd)
        .await
        .unwrap_or_else(|e| panic!("{user} {action}: {e:?}"));
}

/// A zip of the delivered sources, as a vendor hands it over.
fn source_archive() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    w.start_file("README.md", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, b"12345 hotline analysis sources").unwrap();
    w.finish().unwrap();
    buf.into_inner()
}

async fn id_in_url(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    url.path().trim_start_matches("/items/").to_string()
}

/// Fills the four criteria of art. 16 in the open form, each with what was checked.
async fn criteria(c: &Client, results: [&str; 4]) {
    for (id, r) in ["consistency", "data_conformity", "intensive", "security"]
        .iter()
        .zip(results)
    {
        choose_name(c, id, r).await;
        fill_name(c, &format!("{id}_note"), "逐项核对").await;
    }
    fill_name(c, "conclusion_note", "按第十六条四项内容检查").await;
}

/// The Company's final acceptance form, filled from the project's page (not yet saved).
async fn organise_final_acceptance(c: &Client) {
    click(c, "new-final_acceptance").await;
    set_value(c, "f-meeting_date", "2026-11-20").await;
    fill(
        c,
        "f-participants",
        "市属国有专业公司、市政务服务和大数据管理局、市自然资源和规划局",
    )
    .await;
    set_value(c, "f-conclusion", "pass").await;
    fill(c, "f-opinion", "同意通过竣工验收").await;
    set_value(c, "f-handover_date", "2026-11-25").await;
    fill(
        c,
        "f-handover_note",
        "源代码和管理员账号移交市政务大数据中心",
    )
    .await;
}

/// Issue 13's "must show" in Chromium (R16.1, R16.2, R16.3, R19.1, R20.1, R21.1).
#[tokio::test]
async fn r16_r19_r20_r21_from_initial_acceptance_to_om_in_chromium() {
    let app = common::spawn_city_app("accept").await;
    demo::projects::seed(&app.platform).await.unwrap();
    let base = app.base.clone();
    // The demo's self-funded project whose filing is with the NDRC, taken through
    // construction behind the pages: filed, built, its cybersecurity review passed.
    let built = testkit::peek::first(&app.platform, "project", "共享交换").await;
    let project = built.item.id.get();
    act(
        &app,
        "ndrc.officer",
        project,
        "record_filing",
        &[
            ("ndrc_filing_no", "宛发改备〔2026〕40号"),
            ("ndrc_filing_date", "2026-05-10"),
        ],
    )
    .await;
    act(&app, "company.pm", project, "start_after_filing", &[]).await;
    let review = [
        ("cyber_conclusion", "pass"),
        ("cyber_opinion", "测评报告齐全"),
        ("cyber_date", "2026-10-08"),
    ];
    act(
        &app,
        "cyber.reviewer",
        project,
        "record_cyber_review",
        &review,
    )
    .await;
    act(&app, "company.pm", project, "complete_construction", &[]).await;

    let b = start_browser().await;
    let c = &b.client;

    // R16.1: the Data Center opens the initial acceptance from the project's page and fails
    // it on security; a round with a failed criterion cannot pass.
    login(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    click(c, "new-inspection-create_initial").await;
    fill(c, "f-title", "政务数据共享交换平台扩容初验").await;
    set_value(c, "f-inspected_on", "2026-11-10").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "初验检查中").await;
    let check = id_in_url(c).await;
    c.goto(&format!("{base}/items/{check}/step/pass_initial"))
        .await
        .unwrap();
    criteria(c, ["pass", "pass", "pass", "fail"]).await;
    click_confirmed(c, "step-submit").await;
    wait_text(c, "form-errors", "第十六条").await;
    assert!(page_text(c).await.contains("四项初验内容须全部合格"));
    shot(c, "a01-initial-refused").await;
    c.goto(&format!("{base}/items/{check}/step/fail_initial"))
        .await
        .unwrap();
    criteria(c, ["pass", "pass", "pass", "fail"]).await;
    click(c, "step-submit").await;
    wait_text(c, "item-state", "初验不合格").await;
    click(c, "new-rectification").await;
    fill(c, "f-finding", "未落实数据库加密").await;
    set_value(c, "f-assignee", "company").await;
    set_value(c, "f-due", "2026-11-30").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "待整改").await;
    let rect = id_in_url(c).await;

    // The Company answers with its evidence; the Data Center closes it and checks again.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{rect}")).await.unwrap();
    upload(
        c,
        "加密整改报告.pdf",
        b"%PDF-1.7
% encryption
%%EOF
",
    )
    .await;
    fill(c, "f-answer-response", "已启用数据库透明加密。").await;
    click(c, "action-answer").await;
    wait_text(c, "item-state", "已整改待核查").await;
    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{rect}")).await.unwrap();
    fill(c, "f-accept-verdict", "已核实").await;
    click(c, "action-accept").await;
    wait_text(c, "item-state", "已销号").await;
    c.goto(&format!("{base}/items/{check}")).await.unwrap();
    click(c, "action-reinspect").await;
    wait_text(c, "item-state", "初验检查中").await;
    c.goto(&format!("{base}/items/{check}/step/pass_initial"))
        .await
        .unwrap();
    criteria(c, ["pass", "pass", "pass", "pass"]).await;
    click_confirmed(c, "step-submit").await;
    wait_text(c, "item-state", "初验合格").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    wait_text(c, "item-state", "试运行").await;

    // R16.2: the demo's project on trial has an open defect: the final acceptance is refused
    // naming it, until the Company fixes it and the unit closes it.
    let trial = testkit::peek::first(&app.platform, "project", "热线").await;
    let defect = testkit::peek::first(&app.platform, "defect", "导出").await;
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{}", trial.item.id.get()))
        .await
        .unwrap();
    organise_final_acceptance(c).await;
    click(c, "save-draft").await;
    wait_text(c, "form-errors", &defect.number).await;
    assert_eq!(
        value_of_name(c, "opinion").await,
        "同意通过竣工验收",
        "kept"
    );
    shot(c, "a02-final-blocked").await;
    // Art. 15-16: the Company named its development vendor, whose own login finds the defect
    // in its 待办, sees that project and no other, and reports the fix.
    switch_user(c, &base, demo::VENDOR_LOGIN, "李工").await;
    wait_text(c, "inbox", &defect.number).await;
    c.goto(&format!("{base}/items?kind=project")).await.unwrap();
    wait_text(c, "list-table", &trial.number).await;
    let listed = c
        .find(Locator::Id("list-table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        listed.matches("XM-").count(),
        1,
        "only its own project: {listed}"
    );
    c.goto(&format!("{base}/items/{}", defect.item.id.get()))
        .await
        .unwrap();
    fill(c, "f-fix-fix_note", "修复导出查询条件").await;
    shot(c, "a02b-vendor-fixes").await;
    click(c, "action-fix").await;
    wait_text(c, "item-state", "已整改待确认").await;
    wait_text(c, "history", "李工").await;
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    c.goto(&format!("{base}/items/{}", defect.item.id.get()))
        .await
        .unwrap();
    fill(c, "f-close-confirm_note", "已复核，导出正常").await;
    click(c, "action-close").await;
    wait_text(c, "item-state", "已确认关闭").await;

    // R16.3: organised, confirmed by the Bureau, signed off by the unit with its password.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{}", trial.item.id.get()))
        .await
        .unwrap();
    organise_final_acceptance(c).await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "验收材料整理中").await;
    let fa = id_in_url(c).await;
    upload(
        c,
        "竣工验收纪要.pdf",
        b"%PDF-1.7
% minutes
%%EOF
",
    )
    .await;
    click(c, "action-submit").await;
    wait_text(c, "item-state", "待主管部门确认").await;
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!("{base}/items/{fa}")).await.unwrap();
    click(c, "action-confirm").await;
    wait_text(c, "item-state", "待需求部门签字确认").await;
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    c.goto(&format!("{base}/items/{fa}")).await.unwrap();
    fill(c, "f-sign_off-password", demo::DEMO_PASSWORD).await;
    click_confirmed(c, "action-sign_off").await;
    wait_text(c, "item-state", "已签字确认").await;
    c.goto(&format!("{base}/items/{fa}")).await.unwrap();
    wait_text(c, "panel-signature", "签名有效").await;
    shot(c, "a03-signed-off").await;
    // R16.3: the Company compiles the dossier; every document it lists matches the record,
    // and the downloaded files are the ones whose digests the record holds.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{fa}")).await.unwrap();
    fill(c, "f-compile_dossier-dossier_no", "宛数建〔2026〕8号").await;
    click_confirmed(c, "action-compile_dossier").await;
    wait_text(c, "done", "生成验收档案").await;
    c.goto(&format!("{base}/items/{fa}")).await.unwrap();
    wait_text(c, "panel-dossier", "竣工验收纪要.pdf").await;
    let panel = c
        .find(Locator::Id("panel-dossier"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!panel.contains("不一致"), "{panel}");
    assert!(
        panel.contains(&crypto::sm3_hex(b"%PDF-1.7\n% minutes\n%%EOF\n")),
        "{panel}"
    );
    c.execute(
        "document.getElementById('panel-dossier').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    shot(c, "a03b-dossier").await;
    let fa_row = testkit::peek::first(&app.platform, "final_acceptance", "热线").await;
    let cookie = session_cookie(c).await;
    for (fmt, field) in [("pdf", "dossier_pdf_sm3"), ("docx", "dossier_docx_sm3")] {
        let path = format!("/items/{fa}/files/acceptance-dossier.{fmt}");
        let (bytes, sm3) = fetch(&base, &cookie, &path).await;
        keep(&format!("a03c-dossier.{fmt}"), &bytes);
        assert_eq!(crypto::sm3_hex(&bytes), sm3);
        assert_eq!(sm3, fa_row.item.field(field), "{fmt}");
    }
    c.goto(&format!("{base}/items/{}", trial.item.id.get()))
        .await
        .unwrap();
    wait_text(c, "item-state", "已交付").await;

    // R19.1: the Data Center registers it for O&M from the project's page.
    switch_user(c, &base, "dc.om", "孙伟").await;
    c.goto(&format!("{base}/items/{}", trial.item.id.get()))
        .await
        .unwrap();
    click(c, "new-system-register_handed_over").await;
    fill(c, "f-name", "12345热线智能分析系统").await;
    fill(c, "f-description", "工单智能分类、热点发现和办理质量分析").await;
    set_value(c, "f-om_owner", "company").await;
    set_value(c, "f-mlps_level", "3").await;
    set_value(c, "f-golive", "2026-11-25").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "待托管交接").await;
    let system = id_in_url(c).await;
    assert!(
        page_text(c)
            .await
            .contains("市属国有专业公司（运营性质项目）")
    );
    // R19.2 (《运维管理办法》第三条): its source code and an administrator account come into
    // the Data Center's custody before the handover is complete.
    wait_text(c, "actions", "《运维管理办法》第三条").await;
    click(c, "action-confirm_custody").await;
    wait_text(c, "refused-reason", "尚未托管该系统的源代码").await;
    wait_text(c, "refused-article", "第十九条").await;
    c.goto(&format!("{base}/items/{system}")).await.unwrap();
    click(c, "new-code_custody").await;
    fill(
        c,
        "f-repository",
        "https://git.nanyang.gov.cn/12345/analysis",
    )
    .await;
    fill(c, "f-version", "v1.0.0 (9f3c2ab)").await;
    set_value(c, "f-delivered_on", "2026-11-25").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "待上传归档包").await;
    upload(c, "analysis-v1.0.0.zip", &source_archive()).await;
    c.goto(&format!("{base}/items/{}", id_in_url(c).await))
        .await
        .unwrap();
    wait_text(c, "item-state", "已托管").await;
    c.goto(&format!("{base}/items/{system}")).await.unwrap();
    click(c, "new-account_custody").await;
    fill(c, "f-account", "sysadmin").await;
    set_value(c, "f-account_role", "admin").await;
    fill(c, "f-holder", "孙伟").await;
    fill(c, "f-holder_unit", "南阳市政务大数据中心").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "在用").await;
    c.goto(&format!("{base}/items/{system}")).await.unwrap();
    wait_text(c, "panel-children-code_custody", "v1.0.0").await;
    wait_text(c, "panel-children-account_custody", "sysadmin").await;
    click(c, "action-confirm_custody").await;
    wait_text(c, "done", "确认托管交接完成").await;
    let state = c
        .find(Locator::Id("item-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!state.contains("待托管"), "{state}");
    shot(c, "a03d-custody").await;

    // R20.1: a hardware ticket without listed equipment is refused, citing art. 20.
    let number = testkit::peek::item(&app.platform, system.parse().unwrap())
        .await
        .number;
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    c.goto(&format!("{base}/items/new?kind=ticket&system={number}"))
        .await
        .unwrap();
    fill(c, "f-summary", "机房服务器硬盘告警").await;
    set_value(c, "f-category", "hardware").await;
    set_value(c, "f-priority", "p2").await;
    fill(c, "f-description", "分析服务器硬盘亮黄灯").await;
    click(c, "save-draft").await;
    wait_text(c, "form-errors", "有必填项").await;
    let text = page_text(c).await;
    assert!(
        text.contains("划转的设备清单") && text.contains("第二十条"),
        "{text}"
    );
    shot(c, "a04-hardware-refused").await;

    // R16.4: the demo portal's use, month by month, drawn on its page.
    let portal = testkit::peek::first(&app.platform, "system", "政务服务网").await;
    c.goto(&format!("{base}/items/{}", portal.item.id.get()))
        .await
        .unwrap();
    let usage = text_of(c, "panel-chart-usage").await;
    assert!(
        usage.contains("226871") && usage.contains("访问量"),
        "{usage}"
    );
    shot(c, "a05-usage-chart").await;

    // R21.1: the demo's overdue assessment is in the Company's 待办, in red.
    switch_user(c, &base, "company.pm", "陈刚").await;
    let inbox = text_of(c, "inbox").await;
    assert!(inbox.contains("等级保护测评"), "{inbox}");
    assert!(
        inbox.contains("已逾期") || inbox.contains("逾期"),
        "{inbox}"
    );
    shot(c, "a06-assessment-overdue").await;
}
