//! The money in real headless Chromium (issue 14): Finance finds the payment the Bureau has
//! signed in its 待办 and signs it too (one approval was not enough to pay it); the Company
//! records the payment; a request beyond what is left of its line is refused on the item page
//! naming the line; the fund's page shows what each line has allocated and what is left; Audit
//! can act on none of it and takes away a package that verifies offline.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use common::chrome::*;

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF".to_vec()
}

/// R24.1, R25.1, R26.1 in real Chromium.
#[tokio::test]
async fn r26_1_a_payment_needs_the_bureau_and_finance_and_stays_within_its_line_in_chromium() {
    let app = common::spawn_city_app("funds").await;
    demo::projects::seed(&app.platform).await.unwrap();
    let p = &app.platform;
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;
    let payment = testkit::peek::first(p, "disbursement", "首期款").await;
    let url = format!("{base}/items/{}", payment.item.id.get());

    // The Bureau has signed; the Company cannot record a payment yet.
    login(c, &base, "company.pm", "陈刚").await;
    c.goto(&url).await.unwrap();
    wait_text(c, "item-state", "主管部门已审核，待财政部门审核").await;
    assert!(
        c.find(fantoccini::Locator::Id("action-record_payment"))
            .await
            .is_err(),
        "one approval does not open the payment"
    );

    // Finance finds it in its 待办 and signs with its password.
    switch_user(c, &base, "finance.officer", "黄丽娟").await;
    wait_text(c, "inbox", "智能分析系统开发首期款").await;
    c.goto(&url).await.unwrap();
    fill(
        c,
        "f-finance_approve_last-finance_opinion",
        "与批复预算和合同约定一致。",
    )
    .await;
    fill(c, "f-finance_approve_last-password", demo::DEMO_PASSWORD).await;
    click_confirmed(c, "action-finance_approve_last").await;
    wait_text(c, "item-state", "审核通过，待支付").await;
    c.goto(&format!("{url}?tab=record")).await.unwrap();
    let record = wait_text(c, "history", "黄丽娟").await;
    assert!(
        record.contains("李华"),
        "both signers are in the record: {record}"
    );
    shot(c, "f01-payment-approved").await;

    // The Company records the payment with the bank's reference.
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&url).await.unwrap();
    fill(c, "f-record_payment-bank_ref", "ICBC20261118000321").await;
    set_value(c, "f-record_payment-paid_on", "2026-11-18").await;
    click(c, "action-record_payment").await;
    wait_text(c, "item-state", "已支付").await;

    // A request beyond what is left of line 1 (690,000 approved, 207,000 paid): refused on
    // the item page, naming the line and what is left.
    let pm = demo::principal(p, "company.pm").await.unwrap();
    let hotline = payment.item.field("project").to_string();
    let payee = payment.item.field("payee").to_string();
    let draft = demo::act(
        p,
        &pm,
        None,
        "disbursement",
        "create",
        &[
            ("project", &hotline),
            ("title", "智能分析系统开发尾款"),
            ("source", "own"),
            ("payee", &payee),
            ("allocation", r#"[{"line":"1","amount":"500,000"}]"#),
        ],
    )
    .await
    .unwrap();
    app::files::attach(p, &pm, draft, "尾款发票.pdf", pdf())
        .await
        .unwrap();
    c.goto(&format!("{base}/items/{}", draft.get()))
        .await
        .unwrap();
    click_confirmed(c, "action-submit").await;
    let refused = wait_text(c, "refused", "剩余").await;
    assert!(refused.contains("483,000.00"), "{refused}");
    shot(c, "f02-beyond-the-line").await;

    // The project's page shows each line's contracts, payments and what is left.
    c.goto(&format!(
        "{base}/items/{}",
        testkit::peek::first(p, "project", "12345")
            .await
            .item
            .id
            .get()
    ))
    .await
    .unwrap();
    let execution = wait_text(c, "panel-execution", "207,000.00").await;
    assert!(execution.contains("资金拨付"), "{execution}");

    // The fund's page: line 2 allocated 1,200,000 of its 2,000,000.
    switch_user(c, &base, "finance.officer", "黄丽娟").await;
    let fund = testkit::peek::first(p, "special_fund", "专项资金").await;
    c.goto(&format!("{base}/items/{}", fund.item.id.get()))
        .await
        .unwrap();
    let lines = wait_text(c, "panel-execution", "1,200,000.00").await;
    assert!(lines.contains("800,000.00"), "{lines}");
    assert!(!scrolls_sideways(c).await);
    shot(c, "f03-fund-lines").await;

    // The funds report, by project and by year, and its workbook.
    c.goto(&format!("{base}/funds/report")).await.unwrap();
    let report = wait_text(c, "report", "12345热线智能分析").await;
    assert!(
        report.contains("207,000.00") && report.contains("合计"),
        "{report}"
    );
    shot(c, "f04-funds-report").await;
    click(c, "report-by-year").await;
    wait_text(c, "report", "2026").await;
    let (xlsx, _) = fetch(
        &base,
        &session_cookie(c).await,
        "/funds/report.xlsx?by=project",
    )
    .await;
    assert!(xlsx.starts_with(b"PK"), "a workbook");

    // Audit reads every payment and changes nothing; its package verifies offline.
    switch_user(c, &base, "audit.auditor", "马晓燕").await;
    c.goto(&url).await.unwrap();
    let actions = text_of(c, "actions").await;
    assert!(actions.contains("当前没有需要您办理的操作"), "{actions}");
    let link = "/audit/package.zip";
    let menu = c.source().await.unwrap();
    assert!(
        menu.contains(&format!("href=\"{link}\"")),
        "the menu offers the package"
    );
    let (zip, _) = fetch(&base, &session_cookie(c).await, link).await;
    let report = app::package::verify(&zip, Some(&p.key.public().to_hex()));
    assert!(report.is_intact(), "{report}");
    assert!(report.records >= 4, "{report}");
    b.client.clone().close().await.unwrap();
}
