//! From task book to construction in real headless Chromium: a task-book item becomes a
//! project, its demand unit signs the entry (shown valid), the FSR goes v1 -> Data Center
//! opinion -> v2, experts are drawn with the conflicted ones excluded, the Bureau approves with
//! a cut, the self-funded project is filed with the NDRC (applied for by the Company, recorded
//! by the NDRC) before it starts, and the Financial Affairs Office closes its guidance.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use common::chrome::*;
use fantoccini::{Client, Locator};

/// Sets an input found by name (a date cell of a table) as a date picker would.
async fn set_named(c: &Client, name: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(`[name='${arguments[0]}']`); e.value = arguments[1]; e.dispatchEvent(new Event('change'));",
        vec![serde_json::json!(name), serde_json::json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("set {name}: {e}"));
}

async fn item_id(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    url.path().trim_start_matches("/items/").to_string()
}

async fn fsr_field(app: &common::TestApp, id: &str, field: &str) -> String {
    testkit::peek::item(&app.platform, id.parse().unwrap())
        .await
        .item
        .field(field)
        .to_string()
}

/// R14.1, R14.2, R14.3, R17.1 in real Chromium.
#[tokio::test]
async fn r14_a_task_book_item_becomes_an_approved_filed_project_in_chromium() {
    let app = common::spawn_city_app("build").await;
    demo::projects::seed(&app.platform).await.unwrap();
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;

    // The Company drafts the to-build entry from the third line of the issued task book.
    login(c, &base, "company.pm", "陈刚").await;
    let line = {
        testkit::peek::first(&app.platform, "plan_item", "热线")
            .await
            .item
            .id
            .get()
    };
    c.goto(&format!("{base}/items/{line}")).await.unwrap();
    click(c, "new-project").await;
    let title = c
        .find(Locator::Id("f-title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        title.as_deref(),
        Some("12345热线智能分析"),
        "copied from the plan line"
    );
    set_value(c, "f-planned_start", "2027-03-01").await;
    set_value(c, "f-planned_end", "2027-11-30").await;
    let zrzy = testkit::peek::org_id(&app.platform, "zrzy").await;
    click_css(c, &format!("input[name='units'][value='{zrzy}']")).await;
    set_value(c, "f-mode", "company_self_funded").await;
    fill(c, "f-mode_reason", "项目具备运营收益，由公司自筹资金建设。").await;
    shot(c, "b01-project-form").await;
    click(c, "save-draft").await;
    wait_text(c, "actions", "提交需求单位确认").await;
    let project = item_id(c).await;
    click(c, "action-request_confirmation").await;
    wait_text(c, "item-state", "待需求单位确认").await;

    // The demand unit signs with its password; the page shows the signature valid.
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    wait_text(c, "inbox", "12345热线智能分析").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    fill(c, "f-confirm-password", "wrong-Password-1").await;
    click_confirmed(c, "action-confirm").await;
    wait_text(c, "refused-reason", "密码不正确").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    fill(c, "f-confirm-password", demo::DEMO_PASSWORD).await;
    click_confirmed(c, "action-confirm").await;
    wait_text(c, "item-state", "已确认").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    wait_text(c, "panel-signature", "签名有效").await;
    // Issue 12, point 8: the key and the signature wrap inside the card; the page does not
    // scroll sideways, and the signing time reads as a date and a time.
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    assert!(
        !scrolls_sideways(c).await,
        "the signed page scrolls sideways"
    );
    assert!(
        !page_text(c).await.contains("T09:"),
        "a raw RFC 3339 time is shown"
    );
    // Issue 12, point 5: the record says the confirmation was signed, and by whom.
    c.goto(&format!("{base}/items/{project}?tab=record"))
        .await
        .unwrap();
    let record = text_of(c, "history").await;
    assert!(record.contains("已由刘静电子签名（SM2）"), "{record}");
    shot(c, "b02-signed").await;

    // FSR v1 with budget lines.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    click(c, "new-fsr").await;
    fill(c, "f-title", "12345热线智能分析可行性研究报告").await;
    fill(
        c,
        "f-summary",
        "建设工单智能分类、热点发现和质量分析三个模块。",
    )
    .await;
    fill(
        c,
        "f-security_plan",
        "等保三级；国密 SM2/SM3/SM4；工单数据分级分类和脱敏。",
    )
    .await;
    let design = {
        testkit::peek::first(&app.platform, "vendor", "设计研究")
            .await
            .number
            .clone()
    };
    fill(c, "f-compiled_by", &design).await;
    for (n, (cat, item, qty, price)) in [
        ("硬件", "GPU服务器", "2", "180000"),
        ("软件", "智能分析模型开发", "1", "520000"),
        ("服务", "历史工单治理", "1", "150000"),
    ]
    .iter()
    .enumerate()
    {
        // Issue 12, point 10: the category is chosen from the policy's (shown in the
        // reader's language), not typed.
        choose_name(c, &format!("budget_lines.{n}.category"), cat).await;
        fill_name(c, &format!("budget_lines.{n}.item"), item).await;
        fill_name(c, &format!("budget_lines.{n}.quantity"), qty).await;
        fill_name(c, &format!("budget_lines.{n}.unit_price"), price).await;
    }
    fill_name(c, "milestones.0.name", "上线试运行").await;
    // Going live is well ahead of the test day, so only the tender is late.
    let live = (app.platform.today() + chrono::Duration::days(300)).to_string();
    set_named(c, "milestones.0.planned", &live).await;
    // The tender was due ten days ago, so the project starts with a late milestone.
    let today = app.platform.now().date_naive();
    let tender_due = (today - chrono::Duration::days(10)).to_string();
    fill_name(c, "milestones.1.name", "完成招标").await;
    set_named(c, "milestones.1.planned", &tender_due).await;
    shot(c, "b03-fsr-form").await;
    click(c, "save-draft").await;
    wait_text(c, "panel-table-budget_lines", "1,030,000.00").await;
    let fsr = item_id(c).await;
    click(c, "action-submit").await;
    wait_text(c, "item-state", "数据中心审核中").await;

    // The Data Center returns it with its opinion; v2 has one server fewer.
    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    fill(
        c,
        "f-dc_return-dc_opinion",
        "GPU服务器按实际并发测算，1台即可。",
    )
    .await;
    click(c, "action-dc_return").await;
    wait_text(c, "item-state", "编制中").await;
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{fsr}/edit")).await.unwrap();
    fill_name(c, "budget_lines.0.quantity", "1").await;
    click(c, "save-draft").await;
    wait_text(c, "panel-table-budget_lines", "850,000.00").await;
    click(c, "action-submit").await;
    wait_text(c, "item-state", "数据中心审核中").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    wait_text(c, "panel-versions", "v2").await;
    c.goto(&format!("{base}/items/{fsr}/versions?a=1&b=2"))
        .await
        .unwrap();
    // Issue 12, point 4: each line shows what it holds on both sides, never "共 0 行".
    let compared = page_text(c).await;
    assert!(
        compared.contains("预算明细 第 1 行")
            && compared.contains("数量：1")
            && !compared.contains("共 0 行"),
        "{compared}"
    );
    shot(c, "b04-fsr-versions").await;

    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    fill(c, "f-dc_pass-dc_opinion", "同意报请评审。").await;
    click(c, "action-dc_pass").await;
    wait_text(c, "item-state", "评审中").await;

    // The Bureau draws five experts: the Company's and the design vendor's are excluded.
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    fill(c, "f-draw_experts-expert_count", "5").await;
    click(c, "action-draw_experts").await;
    wait_text(c, "history", "抽取评审专家").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    let note = wait_text(c, "experts-note", "赵敏").await;
    assert!(note.contains("黄海涛"), "{note}");
    let panel = text_of(c, "panel-experts").await;
    assert!(
        !panel.contains("赵敏") || panel.matches("赵敏").count() == 1,
        "{panel}"
    );
    shot(c, "b05-experts").await;
    // Whoever drew the experts does not record their opinions: a second planner does.
    switch_user(c, &base, "bureau.planner2", "刘洋").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    click(c, "action-record_opinions").await;
    let drawn = fsr_field(&app, &fsr, "drawn_experts").await;
    // Issue 12, point 3: one row per drawn expert, each already chosen; only the opinion and
    // the score are typed.
    for (n, number) in drawn.split(',').enumerate() {
        assert_eq!(
            value_of_name(c, &format!("expert_opinions.{n}.expert")).await,
            number
        );
        fill_name(
            c,
            &format!("expert_opinions.{n}.opinion"),
            "同意，模型开发工作量偏高",
        )
        .await;
        fill_name(c, &format!("expert_opinions.{n}.score"), "84").await;
    }
    click(c, "step-submit").await;
    wait_text(c, "panel-table-expert_opinions", "模型开发工作量偏高").await;

    // The Bureau's leader approves with a cut on line 2 and its reason.
    switch_user(c, &base, "bureau.head", "李华").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    click(c, "action-approve").await;
    fill(c, "f-approval_no", "宛数政〔2027〕5号").await;
    // The line a cut applies to is chosen from the report's budget lines, by their words.
    let line = choose_name(c, "cuts.0.line", "2").await;
    assert!(line.starts_with("2 · ") && line.contains(".00"), "{line}");
    fill_name(c, "cuts.0.approved", "450000").await;
    fill_name(c, "cuts.0.reason", "模型开发按评审意见核减").await;
    shot(c, "b06-approve").await;
    click_confirmed(c, "step-submit").await;
    wait_text(c, "item-state", "已批复").await;
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    let lines = wait_text(c, "panel-table-budget_lines", "模型开发按评审意见核减").await;
    assert!(lines.contains("780,000.00"), "approved total: {lines}");
    shot(c, "b07-approved").await;
    // Issue 12, point 5: the approval sheet has every step's opinion and decision on A4: the
    // Data Center's return and pass, the experts', the 批复 number and its cut, and the hash
    // that ties the paper to the record.
    c.goto(&format!("{base}/items/{fsr}?tab=record"))
        .await
        .unwrap();
    let href = href_of(c, "print-record").await;
    c.goto(&format!("{base}{href}")).await.unwrap();
    let sheet = wait_text(c, "sheet-record", "宛数政〔2027〕5号").await;
    for said in [
        "GPU服务器按实际并发测算",
        "同意报请评审",
        "模型开发工作量偏高",
        "模型开发按评审意见核减",
        "李华",
    ] {
        assert!(sheet.contains(said), "the sheet lacks {said}: {sheet}");
    }
    let chain = text_of(c, "sheet-chain").await;
    assert!(chain.contains("记录链末端摘要（SM3）"), "{chain}");
    assert!(!scrolls_sideways(c).await, "the sheet scrolls sideways");
    shot(c, "b07c-approval-sheet").await;
    let a4 = fantoccini::wd::PrintConfiguration::builder()
        .size(fantoccini::wd::PrintSize::A4)
        .build()
        .unwrap();
    let printed = c.print(a4).await.unwrap();
    assert!(printed.starts_with(b"%PDF"));
    keep("b07c-approval-sheet.pdf", &printed);
    c.goto(&format!("{base}/items/{fsr}")).await.unwrap();
    let cookie = session_cookie(c).await;
    let (pdf, sm3) = fetch(
        &base,
        &cookie,
        &format!("/items/{fsr}/files/fsr-approval.pdf"),
    )
    .await;
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(sm3, fsr_field(&app, &fsr, "approval_pdf_sm3").await);

    // R14.3: the self-funded project is filed with the NDRC, then starts.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    wait_text(c, "item-state", "可研已批复").await;
    assert!(
        c.find(Locator::Id("action-start_construction"))
            .await
            .is_err()
    );
    fill(
        c,
        "f-submit_filing-filing_note",
        "项目单位：南阳数字城市建设运营有限公司；资金来源：公司自筹；可研已批复。",
    )
    .await;
    click(c, "action-submit_filing").await;
    wait_text(c, "item-state", "已报发改部门备案").await;
    // Art. 8: the NDRC finds it in its 待办 and records the filing.
    switch_user(c, &base, "ndrc.officer", "杨帆").await;
    wait_text(c, "inbox", "12345热线智能分析").await;
    shot(c, "b07a-ndrc-inbox").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    fill(
        c,
        "f-record_filing-ndrc_filing_no",
        "2704-411300-04-01-000123",
    )
    .await;
    set_value(c, "f-record_filing-ndrc_filing_date", "2027-02-20").await;
    click(c, "action-record_filing").await;
    wait_text(c, "item-state", "已备案").await;
    shot(c, "b07b-filing-recorded").await;
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    click(c, "action-start_after_filing").await;
    wait_text(c, "item-state", "建设中").await;

    // R15.2: procurement within the approved line, then one over what is left, refused.
    let dev = {
        testkit::peek::first(&app.platform, "vendor", "智慧城市科技")
            .await
            .number
            .clone()
    };
    for (n, amount) in [(1, "400000"), (2, "100000")] {
        c.goto(&format!("{base}/items/{project}")).await.unwrap();
        // Twice in loaded full runs the link was not on the page (cause not found yet, see
        // issue 10's note): say what the page showed, then load it once more.
        if c.find(Locator::Id("new-procurement")).await.is_err() {
            shot(c, "debug-new-procurement-missing").await;
            eprintln!(
                "new-procurement missing on the project page; it showed:\n{}",
                page_text(c).await
            );
            c.goto(&format!("{base}/items/{project}")).await.unwrap();
        }
        click(c, "new-procurement").await;
        fill(c, "f-title", &format!("智能分析模型开发（第{n}包）")).await;
        set_value(c, "f-method", "public_tender").await;
        set_value(c, "f-opened", "2027-04-20").await;
        // R15.2: bidders and winner picked from the registered vendors, by name.
        let bidder = tick(c, "bidders", "智慧城市", &dev).await;
        assert!(bidder.contains("已登记"), "{bidder}");
        let vendors = offered(c, "winner").await;
        assert!(
            vendors
                .iter()
                .any(|v| v.contains(&dev) && v.contains("智慧城市科技")),
            "{vendors:?}"
        );
        fill(c, "f-winner", &dev).await;
        if n == 1 {
            shot(c, "b07b-vendors-picked").await;
        }
        fill_name(c, "allocation.0.line", "2").await;
        fill_name(c, "allocation.0.amount", amount).await;
        click(c, "save-draft").await;
        wait_text(c, "item-state", "采购中").await;
        fill(c, "f-sign_contract-contract_no", &format!("NYSZ-2027-0{n}")).await;
        set_value(c, "f-sign_contract-contract_date", "2027-05-08").await;
        click_confirmed(c, "action-sign_contract").await;
        // The confirm submits a form: leaving the page before its answer can cancel it, and
        // then the second package is measured against a line nothing was signed on.
        if n == 1 {
            wait_text(c, "item-state", "已签约").await;
        }
    }
    let refused = wait_text(c, "refused-fields", "超出 50,000.00 元").await;
    assert!(refused.contains("变更"), "{refused}");
    shot(c, "b08-over-budget-refused").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    let execution = wait_text(c, "panel-execution", "400,000.00").await;
    assert!(execution.contains("50,000.00"), "{execution}");
    shot(c, "b09-under-construction").await;

    // R15.3: the late milestone is raised in the inbox; recording it clears the alert.
    c.goto(&format!("{base}/")).await.unwrap();
    wait_text(c, "alerts", "完成招标").await;
    shot(c, "b10-inbox-alert").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    click(c, "action-record_progress").await;
    // Issue 12, point 3: the milestone is chosen from the project's own, never retyped.
    choose_name(c, "actuals.0.milestone", "完成招标").await;
    set_named(
        c,
        "actuals.0.actual",
        &(today - chrono::Duration::days(2)).to_string(),
    )
    .await;
    click(c, "step-submit").await;
    wait_text(c, "panel-milestones", "延期 8 天完成").await;
    c.goto(&format!("{base}/")).await.unwrap();
    wait_text(c, "inbox", "").await;
    assert!(
        c.find(Locator::Id("alerts")).await.is_err(),
        "the alert is cleared"
    );
    c.goto(&format!("{base}/items/{project}/timeline"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#timeline-chart[data-ready='true'] svg"))
        .await
        .expect("the ECharts timeline renders");
    shot(c, "b11-timeline").await;

    // R15.4: the Data Center inspects the developer; its finding is closed with evidence.
    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{project}")).await.unwrap();
    click(c, "new-inspection").await;
    fill(c, "f-title", "开发过程检查").await;
    fill(c, "f-vendor", &dev).await;
    set_value(c, "f-inspected_on", &today.to_string()).await;
    fill(c, "f-findings", "未按要求开展代码安全审计。").await;
    click(c, "save-draft").await;
    click(c, "new-rectification").await;
    fill(c, "f-finding", "未按要求开展代码安全审计").await;
    set_value(c, "f-assignee", "vendor").await;
    fill(c, "f-vendor", &dev).await;
    set_value(
        c,
        "f-due",
        &(today + chrono::Duration::days(20)).to_string(),
    )
    .await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "待整改").await;
    let finding = item_id(c).await;
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&format!("{base}/items/{finding}")).await.unwrap();
    upload(c, "代码审计报告.pdf", b"%PDF-1.7\n% code audit\n%%EOF\n").await;
    fill(c, "f-answer-response", "已完成代码审计，修复两处高危漏洞。").await;
    click(c, "action-answer").await;
    wait_text(c, "item-state", "已整改待核查").await;
    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{finding}")).await.unwrap();
    fill(c, "f-accept-verdict", "已现场核查，同意销号。").await;
    click(c, "action-accept").await;
    wait_text(c, "item-state", "已销号").await;
    shot(c, "b12-finding-closed").await;

    // Art. 10: the Financial Affairs Office closes the guidance the Company answered.
    switch_user(c, &base, "finaff.officer", "林涛").await;
    wait_text(c, "inbox", "健全董事会和监事会议事规则").await;
    shot(c, "b13-finaff-inbox").await;
    let guidance = testkit::peek::first(&app.platform, "guidance", "董事会")
        .await
        .item
        .id
        .get();
    c.goto(&format!("{base}/items/{guidance}")).await.unwrap();
    fill(c, "f-accept-verdict", "章程和议事规则已修订，同意办结。").await;
    click(c, "action-accept").await;
    wait_text(c, "item-state", "已办结").await;
    shot(c, "b14-guidance-closed").await;
    b.client.clone().close().await.unwrap();
}
