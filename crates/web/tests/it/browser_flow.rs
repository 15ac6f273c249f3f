//! Workflow conveniences in real headless Chromium (issue 11, point 17): 撤回, the submitter
//! taking back what nobody has acted on yet, on a demand and on a feasibility study, shown in
//! the record with who and when.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use common::chrome::*;
use fantoccini::{Client, Locator};

/// Opens item `id` in state `from`, withdraws it, and returns the page once it is back in
/// `to`, with its record.
async fn withdraw(c: &Client, base: &str, id: i64, from: &str, to: &str) -> String {
    c.goto(&format!("{base}/items/{id}")).await.unwrap();
    wait_text(c, "item-state", from).await;
    click_confirmed(c, "action-withdraw").await;
    wait_text(c, "item-state", to).await;
    page_text(c).await
}

/// Issue 11, point 17 (R13.2, R14.2): the clerk withdraws a submitted demand and the Company a
/// submitted FSR; each goes back to its draft, the record says who withdrew it and when, and
/// the Data Center no longer has it in its 待办.
#[tokio::test]
async fn r13_2_r14_2_a_submitter_withdraws_a_demand_and_an_fsr_in_chromium() {
    let app = common::spawn_apps("flow", None).await.remove(0);
    demo::projects::seed(&app.platform).await.unwrap();
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;

    let demand = testkit::peek::first(&app.platform, "demand", "智慧校园")
        .await
        .item
        .id
        .get();
    login(c, &base, "jyj.clerk", "吴桂芳").await;
    let record = withdraw(c, &base, demand, "已上报", "草稿").await;
    assert!(
        record.contains("撤回") && record.contains("吴桂芳"),
        "{record}"
    );
    shot(c, "f01-demand-withdrawn").await;
    // Back in draft, the clerk may edit it again.
    c.goto(&format!("{base}/items/{demand}")).await.unwrap();
    assert!(c.find(Locator::Id("action-withdraw")).await.is_err());

    let fsr = testkit::peek::first(&app.platform, "fsr", "一窗受理")
        .await
        .item
        .id
        .get();
    switch_user(c, &base, "company.pm", "陈刚").await;
    let record = withdraw(c, &base, fsr, "数据中心审核中", "编制中").await;
    assert!(
        record.contains("撤回") && record.contains("陈刚"),
        "{record}"
    );
    shot(c, "f02-fsr-withdrawn").await;

    // Neither is in the Data Center's 待办 any more.
    switch_user(c, &base, "dc.analyst", "王磊").await;
    let inbox = text_of(c, "inbox").await;
    assert!(
        !inbox.contains("中小学智慧校园") && !inbox.contains("一窗受理系统可行性"),
        "{inbox}"
    );
    b.client.clone().close().await.unwrap();
}
