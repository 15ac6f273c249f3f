//! The three administrators' day in real headless Chromium (issue 10, item 10): the system
//! administrator creates an account (a refused form keeps what was typed) and hands out its
//! one-time password, the security administrator grants its role, the audit administrator
//! finds both in the security record and verifies the ledger. Screenshots in
//! target/screenshots/ (`40-` to `46-`).

use crate::common;

use common::chrome::*;
use fantoccini::Locator;

#[tokio::test]
async fn rx2_i10_the_three_administrators_do_their_own_work_in_chromium() {
    let apps = common::spawn_apps("browser-admin", None).await;
    let base = apps[0].base.clone();
    let b = start_browser().await;
    let c = &b.client;

    login(c, &base, "admin.sys", "系统管理员").await;
    shot(c, "40-admin-workbench").await;
    click_css(c, "a.nav-item[href='/admin/accounts']").await;
    wait_text(c, "accounts", "scj.clerk").await;
    fill(c, "f-username", "scj.clerk").await;
    fill(c, "f-display_name", "赵六").await;
    set_value(c, "f-org", "scj").await;
    click(c, "create-account").await;
    wait_text(c, "problem", "已被使用").await;
    let kept = c
        .find(Locator::Id("f-display_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("赵六"), "what was typed is kept");
    shot(c, "41-account-refused-at-field").await;
    fill(c, "f-username", "scj.zhao").await;
    click(c, "create-account").await;
    let password = text_of(c, "one-time-password").await;
    assert_eq!(password.chars().count(), 16);
    shot(c, "42-one-time-password").await;

    switch_user(c, &base, "admin.sec", "安全管理员").await;
    c.goto(&format!("{base}/admin/accounts?q=scj.zhao"))
        .await
        .unwrap();
    shot(c, "43-grants").await;
    click(c, "grant-scj.zhao").await;
    set_value(c, "f-role", "demand_clerk").await;
    fill(c, "f-password", demo::DEMO_PASSWORD).await;
    shot(c, "44-grant-role").await;
    click(c, "grant-submit").await;
    wait_text(c, "account-scj.zhao", "需求填报员").await;

    switch_user(c, &base, "admin.audit", "安全审计员").await;
    c.goto(&format!("{base}/admin/trail?action=role.grant"))
        .await
        .unwrap();
    let row = text_of(c, "trail").await;
    assert!(
        row.contains("admin.sec") && row.contains("scj.zhao"),
        "{row}"
    );
    shot(c, "45-security-record").await;
    c.goto(&format!("{base}/admin/ledger")).await.unwrap();
    click(c, "verify").await;
    wait_text(c, "report", "完整").await;
    shot(c, "46-ledger-verified").await;
}
