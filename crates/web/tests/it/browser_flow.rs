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

/// Chooses the options of a multiple select by their values.
async fn choose(c: &Client, id: &str, values: &[i64]) {
    let values: Vec<String> = values.iter().map(i64::to_string).collect();
    c.execute(
        "const s = document.getElementById(arguments[0]); for (const o of s.options) { o.selected = arguments[1].includes(o.value); }",
        vec![serde_json::json!(id), serde_json::json!(values)],
    )
    .await
    .unwrap();
}

/// Opens item `id`, unfolds the handling form `which` (hand-over, copy, urge) unless it is
/// open already, and returns once it shows.
async fn open_handling(c: &Client, base: &str, id: i64, which: &str) {
    c.goto(&format!("{base}/items/{id}")).await.unwrap();
    c.execute(
        "document.getElementById(arguments[0]).open = true;",
        vec![serde_json::json!(which)],
    )
    .await
    .unwrap();
}

/// Issue 11, point 17 (RX.3): on a demand and on an FSR, the Data Center analyst hands each to
/// a colleague (转办), who copies them to the Bureau's planner and to the Bureau (抄送); once
/// they are overdue the clerk and the Company urge them (催办). Each shows in the record with
/// who and when, in the holder's 待办, and under the planner's 抄送我的.
#[tokio::test]
async fn rx3_a_demand_and_an_fsr_are_handed_over_copied_and_urged_in_chromium() {
    let app = common::spawn_apps("handling", None).await.remove(0);
    let p = &app.platform;
    demo::projects::seed(p).await.unwrap();
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;
    let demand = testkit::peek::first(p, "demand", "智慧校园").await;
    let fsr = testkit::peek::first(p, "fsr", "一窗受理").await;
    let (demand_id, fsr_id) = (demand.item.id.get(), fsr.item.id.get());
    let zhao = demo::principal(p, "dc.analyst2").await.unwrap();
    let planner = demo::principal(p, "bureau.planner").await.unwrap();

    login(c, &base, "dc.analyst", "王磊").await;
    for id in [demand_id, fsr_id] {
        open_handling(c, &base, id, "hand-over").await;
        set_value(c, "hand-over-to", &zhao.user.id.get().to_string()).await;
        fill(c, "hand-over-reason", "王磊休假一周，转赵静办理").await;
        click_confirmed(c, "hand-over-submit").await;
        // Issue 12, point 11: the page says the step was taken.
        wait_text(c, "done", "「转办」已办理").await;
        let record = wait_text(c, "history", "转办").await;
        assert!(
            record.contains("王磊") && record.contains("赵静"),
            "{record}"
        );
    }
    shot(c, "f03-fsr-handed-over").await;
    c.goto(&base).await.unwrap();
    let inbox = text_of(c, "inbox").await;
    assert!(
        !inbox.contains("中小学智慧校园") && !inbox.contains("一窗受理系统可行性"),
        "{inbox}"
    );

    switch_user(c, &base, "dc.analyst2", "赵静").await;
    let inbox = text_of(c, "inbox").await;
    assert!(inbox.contains("转办自：王磊"), "{inbox}");
    shot(c, "f04-handed-over-inbox").await;
    open_handling(c, &base, demand_id, "copy").await;
    choose(c, "copy-users", &[planner.user.id.get()]).await;
    fill(c, "copy-note", "请规划科知悉").await;
    click(c, "copy-submit").await;
    wait_text(c, "history", "抄送").await;
    open_handling(c, &base, fsr_id, "copy").await;
    choose(c, "copy-orgs", &[planner.org.id.get()]).await;
    click(c, "copy-submit").await;
    let record = wait_text(c, "history", "抄送").await;
    assert!(record.contains("赵静"), "{record}");

    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!("{base}/?tab=cc")).await.unwrap();
    let cc = text_of(c, "inbox").await;
    assert!(
        cc.contains("中小学智慧校园") && cc.contains("一窗受理") && cc.contains("抄送人：赵静"),
        "{cc}"
    );
    shot(c, "f05-copied-to-me").await;

    // Both are overdue a few days later.
    let late = demand.item.due.max(fsr.item.due).unwrap() + chrono::Duration::days(5);
    p.settings.clock.set_day(late);
    for (user, name, id) in [
        ("jyj.clerk", "吴桂芳", demand_id),
        ("company.pm", "陈刚", fsr_id),
    ] {
        switch_user(c, &base, user, name).await;
        open_handling(c, &base, id, "urge").await;
        fill(c, "urge-note", "已逾期，请尽快办理").await;
        click(c, "urge-submit").await;
        let record = wait_text(c, "history", "催办").await;
        assert!(record.contains(name), "{record}");
    }
    shot(c, "f06-fsr-urged").await;
    switch_user(c, &base, "dc.analyst2", "赵静").await;
    let inbox = text_of(c, "inbox").await;
    assert!(
        inbox.contains("催办：吴桂芳") && inbox.contains("催办：陈刚"),
        "{inbox}"
    );
    shot(c, "f07-urged-inbox").await;

    // 委托: 赵静 goes on leave; what she holds goes to 王磊 until the day she comes back.
    click(c, "delegation-link").await;
    let wang = demo::principal(p, "dc.analyst").await.unwrap();
    set_value(c, "delegation-to", &wang.user.id.get().to_string()).await;
    let back = (late + chrono::Duration::days(7)).to_string();
    set_value(c, "delegation-ends", &back).await;
    fill(c, "delegation-reason", "年休假").await;
    click(c, "delegation-submit").await;
    let done = wait_text(c, "delegation-done", "已委托").await;
    assert!(done.contains("2 项"), "{done}");
    shot(c, "f08-delegated").await;
    switch_user(c, &base, "dc.analyst", "王磊").await;
    let inbox = text_of(c, "inbox").await;
    assert!(
        inbox.contains("中小学智慧校园") && inbox.contains("一窗受理"),
        "{inbox}"
    );
    assert!(page_text(c).await.contains("赵静已委托您办理其事项"));
    b.client.clone().close().await.unwrap();
}

/// Issue 11, point 16 (R13.4): the Bureau's planner opens the ranking from the campaign, sorts
/// it by a score, and exports it as an Excel workbook.
#[tokio::test]
async fn r13_4_the_bureau_ranks_the_years_demands_by_score_and_exports_them_in_chromium() {
    let app = common::spawn_apps("ranking", None).await.remove(0);
    let p = &app.platform;
    let base = app.base.clone();
    let campaign = testkit::peek::first(p, "campaign", "需求征集").await;
    let b = start_browser().await;
    let c = &b.client;
    login(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!("{base}/items/{}", campaign.item.id.get()))
        .await
        .unwrap();
    click(c, "ranking-link").await;
    let table = text_of(c, "ranking").await;
    assert!(
        table.contains("总分") && table.contains("必要性"),
        "{table}"
    );
    shot(c, "f09-ranking").await;
    click(c, "rank-by-score_need").await;
    wait_text(c, "ranking", "↓").await;
    let href = href_of(c, "ranking-export").await;
    assert!(href.ends_with("?by=score_need"), "{href}");
    let (bytes, kind) = fetch(&base, &session_cookie(c).await, &href).await;
    assert!(bytes.starts_with(b"PK"), "an Excel workbook, got {kind}");

    // Issue 11, point 15 (R13.5): drafting next year's plan, the planner reads the Data
    // Center's compilation opinion beside it.
    let planner = demo::principal(p, "bureau.planner").await.unwrap();
    let year = campaign.item.field("year").to_string();
    let plan = app::items::create(
        p,
        &planner,
        "plan",
        app::items::Command {
            action: "create".into(),
            input: [
                ("title".to_string(), "下一年度建设任务".to_string()),
                ("year".to_string(), year),
            ]
            .into(),
            then: None,
            idempotency: None,
        },
    )
    .await
    .unwrap();
    c.goto(&format!("{base}/items/{}", plan.get()))
        .await
        .unwrap();
    let panel = text_of(c, "panel-plan-opinion").await;
    assert!(
        panel.contains("已报送") && panel.contains("逐项分析"),
        "{panel}"
    );
    shot(c, "f10-plan-with-opinion").await;

    // Issue 12, point 9: the demand list shows each demand's opinion; a kind without an amount
    // (the expert pool) has no empty 预算 column.
    c.goto(&format!("{base}/items?kind=demand")).await.unwrap();
    let list = text_of(c, "list-table").await;
    assert!(list.contains("编制意见") && list.contains("采纳"), "{list}");
    c.goto(&format!("{base}/items?kind=expert")).await.unwrap();
    let experts = text_of(c, "list-table").await;
    assert!(!experts.contains("预算"), "{experts}");
    b.client.clone().close().await.unwrap();
}

/// Issue 12, point 1 (R13.4): a refused opinion from the side panel comes back as its own form
/// with the reason typed and the 合并 choice kept, and the refused field marked.
#[tokio::test]
async fn r13_4_a_refused_opinion_keeps_its_reason_and_choice_and_marks_the_field_in_chromium() {
    let app = common::spawn_apps("refused-opinion", None).await.remove(0);
    let p = &app.platform;
    let base = app.base.clone();
    let demand = testkit::peek::first(p, "demand", "智慧急救").await;
    let b = start_browser().await;
    let c = &b.client;
    login(c, &base, "dc.analyst", "王磊").await;
    c.goto(&format!("{base}/items/{}", demand.item.id.get()))
        .await
        .unwrap();
    click(c, "choose-merge").await;
    let reason = "与市急救指挥中心现有调度系统功能重复，建议合并建设。";
    fill(c, "f-opinion-reason", reason).await;
    fill(c, "f-opinion-merge_into", "XQ-2099-0001").await;
    click_confirmed(c, "action-opinion").await;
    let error = c
        .wait()
        .for_element(Locator::Css(".field.has-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("XQ-2099-0001"), "{error}");
    let kept = c
        .find(Locator::Css("textarea[name=reason]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, reason);
    let body = page_text(c).await;
    assert!(
        body.contains("合并") && !body.contains("操作未被允许"),
        "{body}"
    );
    shot(c, "f11-refused-opinion-kept").await;
    b.client.clone().close().await.unwrap();
}

/// Issue 12, point 8 (UI.md: the inbox, an item page and the lists at 1366x768, and on a
/// phone): none scrolls sideways at 1366x768 or at 390x844; on the phone the menu folds behind
/// a button. Screenshots w01-w03 and m01-m04.
#[tokio::test]
async fn rx3_the_inbox_an_item_and_a_list_fit_a_desktop_and_a_phone_in_chromium() {
    let app = common::spawn_apps("widths", None).await.remove(0);
    let p = &app.platform;
    let base = app.base.clone();
    let demand = testkit::peek::first(p, "demand", "智慧急救").await;
    let b = start_browser().await;
    let c = &b.client;
    login(c, &base, "dc.analyst", "王磊").await;
    for (width, height, prefix) in [(1366, 768, "w"), (390, 844, "m")] {
        c.set_window_size(width, height).await.unwrap();
        let pages = [
            ("01-inbox", base.clone()),
            ("02-item", format!("{base}/items/{}", demand.item.id.get())),
            ("03-list", format!("{base}/items?kind=demand")),
        ];
        for (name, url) in pages {
            c.goto(&url).await.unwrap();
            wait_text(c, "current-user", "王磊").await;
            assert!(
                !scrolls_sideways(c).await,
                "{url} scrolls sideways at {width}"
            );
            shot(c, &format!("{prefix}{name}")).await;
        }
    }
    // On the phone the menu is a button away.
    let menu = c.find(Locator::Id("sidebar")).await.unwrap();
    assert!(!menu.is_displayed().await.unwrap());
    click(c, "menu-toggle").await;
    assert!(menu.is_displayed().await.unwrap());
    shot(c, "m04-menu-open").await;
    b.client.clone().close().await.unwrap();
}

/// Issue 12, point 11 (R13.2): a clerk ticks the unit's drafts in the list and submits them
/// together; the one missing its parts is refused on its own with the reason, the other is
/// submitted. The clerk then deletes the incomplete draft: it leaves the list, and its record
/// says who deleted it. The list offers 20, 50 or 100 rows a page.
#[tokio::test]
async fn r13_2_drafts_are_submitted_together_and_a_draft_is_deleted_in_chromium() {
    let app = common::spawn_apps("drafts", None).await.remove(0);
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;
    login(c, &base, "mzj.clerk", "梁红").await;
    c.goto(&format!("{base}/items/new?kind=demand"))
        .await
        .unwrap();
    fill(c, "f-title", "养老机构视频监管（待补充）").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "草稿").await;
    let mut thin = c.current_url().await.unwrap();
    thin.set_query(None);
    let thin = thin.to_string();

    c.goto(&format!("{base}/items?kind=demand&state=draft"))
        .await
        .unwrap();
    wait_text(c, "list-table", "养老服务综合信息平台").await;
    click(c, "per-50").await;
    wait_text(c, "list-table", "50").await;
    // Sorted by budget: the draft with one before the draft without.
    click(c, "sort-budget").await;
    let sorted = wait_text(c, "sort-budget", "↓").await;
    assert!(sorted.contains("预算"), "{sorted}");
    let list = text_of(c, "list-table").await;
    assert!(
        list.find("养老服务综合信息平台") < list.find("养老机构视频监管"),
        "{list}"
    );
    click_css(c, "#pick-all").await;
    shot(c, "f09-drafts-ticked").await;
    click_confirmed(c, "batch-submit").await;
    let summary = wait_text(c, "batch-summary", "已办理 1 项").await;
    assert!(summary.contains("1 项未办理"), "{summary}");
    let result = text_of(c, "batch-result").await;
    assert!(
        result.contains("养老机构视频监管") && result.contains("未办理") && result.contains("补全"),
        "{result}"
    );
    shot(c, "f10-batch-result").await;

    c.goto(&thin).await.unwrap();
    click_confirmed(c, "action-discard").await;
    wait_text(c, "item-state", "已删除").await;
    c.goto(&format!("{base}/items?kind=demand")).await.unwrap();
    let list = text_of(c, "list-table").await;
    assert!(!list.contains("养老机构视频监管"), "{list}");
    assert!(list.contains("养老服务综合信息平台"), "{list}");
    c.goto(&format!("{thin}?tab=record")).await.unwrap();
    let record = text_of(c, "history").await;
    assert!(
        record.contains("删除草稿") && record.contains("梁红"),
        "{record}"
    );
    // 帮助 opens the manual at the clerk's post.
    click(c, "help-link").await;
    wait_text(c, "manual-demand_clerk", "批量提交上报").await;
    shot(c, "f11-help").await;
}
