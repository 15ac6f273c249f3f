//! The clerk's journey in real headless Chromium (Debian `chromium` + `chromium-driver`):
//! login, a refused submission shown at its field, a complete submission, the Data Center's
//! opinion, and the record citing art. 13. Screenshots at 1366x768 go to target/screenshots/.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use common::chrome::*;
use fantoccini::{Client, Locator};

/// R13.2, R13.4, RX.2, RX.3, RX.5 in real Chromium.
#[tokio::test]
async fn r13_a_clerk_submits_a_demand_and_the_data_center_gives_its_opinion_in_chromium() {
    let apps = common::spawn_apps("browser", None).await;
    let base = apps[0].base.clone();
    let b = start_browser().await;
    let c = &b.client;

    c.goto(&format!("{base}/login")).await.unwrap();
    shot(c, "01-login").await;
    login(c, &base, "scj.clerk", "冯丽").await;
    shot(c, "02-workbench-clerk").await;

    c.goto(&format!("{base}/items?kind=demand")).await.unwrap();
    shot(c, "03-demand-list").await;
    click(c, "new-create").await;
    fill(c, "f-title", "特种设备智慧监管平台").await;
    fill(c, "f-contact", "冯丽 13812345678").await;
    fill(
        c,
        "f-problem",
        "电梯、锅炉等特种设备检验信息分散，隐患发现滞后。",
    )
    .await;
    // Issue 12, point 11: the proposal chosen on the form itself, sent with it.
    let proposal = testkit::scratch_dir("browser-new").join("需求说明.pdf");
    std::fs::write(&proposal, b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF").unwrap();
    c.find(Locator::Id("f-files"))
        .await
        .unwrap()
        .send_keys(&proposal.display().to_string())
        .await
        .unwrap();
    // Required parts are empty: no "cannot be undone" dialog, straight to the errors.
    click(c, "submit").await;

    // R13.2: refused field by field, and nothing typed is lost.
    let error = wait_text(c, "error-scope", "使用范围").await;
    assert!(error.contains("第十三条第二款"), "{error}");
    assert!(c.find(Locator::Id("error-logic")).await.is_ok());
    let kept = c
        .find(Locator::Id("f-title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("特种设备智慧监管平台"));
    // The chosen file is kept too: listed, ticked, not to be chosen again.
    let staged = text_of(c, "staged-files").await;
    assert!(staged.contains("需求说明.pdf"), "{staged}");
    shot(c, "04-refused-at-field").await;
    c.execute(
        "document.getElementById('attachments-box').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    shot(c, "04b-kept-files").await;

    fill(
        c,
        "f-scope",
        "市县两级市场监管部门，全市在用电梯约2.1万台。",
    )
    .await;
    fill(
        c,
        "f-functions",
        "设备档案、检验提醒、物联网监测接入；告警推送不超过1分钟。",
    )
    .await;
    fill(c, "f-logic", "登记→检验→告警→处置→复查。").await;
    fill(c, "f-budget", "1,860,000").await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "已上报").await;
    let number = text_of(c, "item-number").await;
    assert!(number.starts_with("XQ-"));
    let item_url = c.current_url().await.unwrap();
    let item_url = format!(
        "{}{}",
        item_url.origin().ascii_serialization(),
        item_url.path()
    );
    let source = c.source().await.unwrap();
    assert!(
        source.contains("需求说明.pdf"),
        "the file is attached with the demand"
    );
    shot(c, "05-submitted").await;
    // Finding 10: the contact's phone is shown masked; the whole number needs a reason, and
    // the page then says the viewing was recorded.
    let shown = page_text(c).await;
    assert!(
        shown.contains("冯丽 138****5678") && !shown.contains("13812345678"),
        "{shown}"
    );
    fill(c, "reveal-reason-contact", "电话核实需求细节").await;
    click(c, "reveal-submit-contact").await;
    wait_text(c, "revealed", "冯丽 13812345678").await;
    shot(c, "05b-contact-revealed").await;
    c.goto(&item_url).await.unwrap();

    click(c, "logout").await;
    login(c, &base, "dc.analyst", "王磊").await;
    // RX.3: the submitted demand waits in the analyst's 待办 with its deadline.
    let inbox = text_of(c, "inbox").await;
    assert!(
        inbox.contains("特种设备智慧监管平台") && inbox.contains("开始分析"),
        "{inbox}"
    );
    shot(c, "06-workbench-analyst").await;
    // The bell: the analyst's tasks, the nearest listed, one click to the item.
    let count = wait_text(c, "bell-count", "").await;
    assert!(count.trim().parse::<i64>().unwrap() > 0, "{count}");
    click_css(c, "#bell summary").await;
    let menu = wait_text(c, "bell-menu", "查看全部待办").await;
    assert!(
        menu.contains("需求"),
        "the nearest tasks are listed: {menu}"
    );
    shot(c, "06b-bell").await;
    c.goto(&format!("{base}/me")).await.unwrap();
    let recent = text_of(c, "me-logins").await;
    assert!(
        recent.contains("登录") && recent.contains("成功"),
        "{recent}"
    );
    shot(c, "06c-my-account").await;
    c.goto(&item_url).await.unwrap();
    click(c, "action-start_analysis").await;
    wait_text(c, "item-state", "分析中").await;
    c.goto(&item_url).await.unwrap();
    shot(c, "07-analysis-actions").await;
    click(c, "choose-accept").await;
    fill(
        c,
        "f-opinion-reason",
        "需求明确，与已建系统无重复，建议列入年度计划。",
    )
    .await;
    click_confirmed(c, "action-opinion").await;
    wait_text(c, "item-state", "已出具意见").await;
    // Issue 12, point 5: the record shows the opinion's reason under the step.
    c.goto(&format!("{item_url}?tab=record")).await.unwrap();
    let opinion = wait_text(c, "history", "意见理由").await;
    assert!(opinion.contains("意见理由：需求明确"), "{opinion}");

    // RX.2: the record shows who did what under which article.
    let history = text_of(c, "history").await;
    for want in [
        "新建需求",
        "提交上报",
        "开始分析",
        "采纳",
        "第十三条第二款",
        "第十三条第一款",
        "冯丽",
        "王磊",
        "需求明确",
    ] {
        assert!(history.contains(want), "history lacks {want}: {history}");
    }
    shot(c, "08-record").await;

    // RX.5: English on request, never mixed.
    c.goto(&format!("{base}/lang/en?back=/")).await.unwrap();
    wait_text(c, "logout", "Log out").await;
    shot(c, "09-workbench-en").await;
    b.client.clone().close().await.unwrap();
}

/// Fills a demand form (the five parts of art. 13(2) and the budget).
async fn demand_form(c: &Client, title: &str, problem: &str, functions: &str, budget: &str) {
    fill(c, "f-title", title).await;
    fill(c, "f-problem", problem).await;
    fill(c, "f-scope", "全市相关部门及县区").await;
    fill(c, "f-functions", functions).await;
    fill(c, "f-logic", "申请→受理→办理→反馈").await;
    fill(c, "f-budget", budget).await;
}

/// R13.1-R13.6, R3.3, R4.1, R18.1, RX.4: a whole year in real Chromium, from the campaign to
/// the task book, with an emergency item and a county plan.
#[tokio::test]
async fn r13_a_whole_year_runs_from_campaign_to_task_book_in_chromium() {
    let app = common::spawn_city_app("year").await;
    let base = app.base.clone();
    let b = start_browser().await;
    let c = &b.client;
    let today = app.platform.now().date_naive();
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();

    // R13.1: the Bureau opens the campaign; the defaults are mid-October, moved here to today.
    login(c, &base, "bureau.planner", "张明").await;
    // Issue 9: the Bureau's workbench says the holiday year the calendar lacks is counted
    // Monday to Friday (the test days are all past 1 November or in a year the table lacks).
    wait_text(c, "calendar-missing", "按周一至周五计算").await;
    shot(c, "y00-workbench-calendar-missing").await;
    c.goto(&format!("{base}/items/new?kind=campaign"))
        .await
        .unwrap();
    let opens = c
        .find(Locator::Id("f-opens"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert!(
        opens.unwrap_or_default().ends_with("-10-11"),
        "default window is mid-October"
    );
    set_value(c, "f-opens", &day(-3)).await;
    set_value(c, "f-closes", &day(5)).await;
    shot(c, "y01-campaign-form").await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "征集中").await;
    let campaign_url = c.current_url().await.unwrap().to_string();

    // R13.2: one unit is refused for a missing part, then completes its demand.
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    c.goto(&format!("{base}/items/new?kind=demand"))
        .await
        .unwrap();
    fill(c, "f-title", "不动产登记一网通办升级").await;
    fill(c, "f-problem", "跨部门材料重复提交，办理时间长").await;
    fill(c, "f-budget", "约128万").await;
    // Issue 12, point 6: a required part left empty sends the form without the "cannot be
    // undone" dialog, and every error comes back at once: the budget's and the empty parts'.
    click(c, "submit").await;
    wait_text(c, "error-functions", "第十三条第二款").await;
    for field in ["scope", "logic", "budget"] {
        assert!(
            !text_of(c, &format!("error-{field}")).await.is_empty(),
            "{field} is marked in the same round"
        );
    }
    demand_form(
        c,
        "不动产登记一网通办升级",
        "跨部门材料重复提交，办理时间长",
        "在线申请、电子证照调用、税费联办",
        "1,280,000",
    )
    .await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "已上报").await;
    let zrzy_url = c.current_url().await.unwrap().to_string();

    // A second unit submits a parking demand that overlaps a registered system.
    switch_user(c, &base, "gaj.clerk", "孙伟").await;
    c.goto(&format!("{base}/items/new?kind=demand"))
        .await
        .unwrap();
    demand_form(
        c,
        "智慧停车诱导与路内泊位收费系统",
        "中心城区停车难，路内泊位收费不规范",
        "泊位查询、停车诱导、路内泊位收费与稽查",
        "2,400,000",
    )
    .await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "已上报").await;
    let gaj_url = c.current_url().await.unwrap().to_string();

    // R13.1: the Bureau closes the window; a third unit is then refused with the dates.
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&campaign_url).await.unwrap();
    click(c, "action-adjust").await;
    set_value(c, "f-opens", &day(-10)).await;
    set_value(c, "f-closes", &day(-1)).await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "征集中").await;
    switch_user(c, &base, "wjw.clerk", "周敏").await;
    c.goto(&format!("{base}/items/new?kind=demand"))
        .await
        .unwrap();
    demand_form(
        c,
        "互联网医院监管平台",
        "线上诊疗缺少统一监管",
        "处方流转监管、医师资质核验",
        "900,000",
    )
    .await;
    click_confirmed(c, "submit").await;
    let refusal = wait_text(c, "form-errors", "不在征集期内").await;
    assert!(refusal.contains(&day(-1)), "{refusal}");
    shot(c, "y02-outside-window").await;

    // R13.1: the campaign page shows who has and has not submitted.
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&campaign_url).await.unwrap();
    let answers = text_of(c, "panel-answers").await;
    assert!(
        answers.contains("已上报 1 项") && answers.contains("未上报"),
        "{answers}"
    );
    assert!(answers.contains("已上报 2 个单位"), "{answers}");
    shot(c, "y03-campaign-answers").await;

    // R13.3: a change request, validated and approved, makes version 2; the diff shows it.
    switch_user(c, &base, "zrzy.clerk", "刘静").await;
    c.goto(&zrzy_url).await.unwrap();
    click(c, "request-change").await;
    let prefilled = c
        .find(Locator::Id("f-title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(prefilled.as_deref(), Some("不动产登记一网通办升级"));
    fill(c, "f-change_reason", "增加不动产抵押登记线上办理").await;
    fill(
        c,
        "f-functions",
        "在线申请、电子证照调用、税费联办、抵押登记线上办",
    )
    .await;
    fill(c, "f-budget", "1,480,000").await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "待论证").await;
    let diff = text_of(c, "panel-change-diff").await;
    assert!(
        diff.contains("抵押登记线上办") && diff.contains("共 2 项内容有变更"),
        "{diff}"
    );
    shot(c, "y04-change-side-by-side").await;
    let change_url = c.current_url().await.unwrap().to_string();
    switch_user(c, &base, "dc.analyst", "王磊").await;
    c.goto(&change_url).await.unwrap();
    fill(
        c,
        "f-validate-validation",
        "新增内容属于原需求范围的合理延伸，论证通过。",
    )
    .await;
    click(c, "action-validate").await;
    wait_text(c, "item-state", "论证通过").await;
    switch_user(c, &base, "bureau.head", "李华").await;
    c.goto(&change_url).await.unwrap();
    fill(c, "f-approve-decision", "同意变更。").await;
    click_confirmed(c, "action-approve").await;
    wait_text(c, "item-state", "已批准").await;
    c.goto(&zrzy_url).await.unwrap();
    click(c, "compare-versions").await;
    let versions = text_of(c, "version-diff").await;
    assert!(
        versions.contains("1,280,000.00") && versions.contains("1,480,000.00"),
        "{versions}"
    );
    shot(c, "y05-versions").await;

    // R13.4: the Data Center's opinions, with the overlap shown for the parking demand.
    switch_user(c, &base, "dc.analyst", "王磊").await;
    for (url, reason) in [
        (&zrzy_url, "需求明确，建议列入年度计划。"),
        (
            &gaj_url,
            "与城市综合管理服务平台停车模块部分重叠，建议在其基础上扩展。",
        ),
    ] {
        c.goto(url).await.unwrap();
        click(c, "action-start_analysis").await;
        wait_text(c, "item-state", "分析中").await;
        c.goto(url).await.unwrap();
        if url == &gaj_url {
            let similar = text_of(c, "panel-similar").await;
            assert!(
                similar.contains("城市综合管理服务平台") && similar.contains('%'),
                "{similar}"
            );
            shot(c, "y06-overlap").await;
        }
        click(c, "choose-accept").await;
        fill(c, "f-opinion-reason", reason).await;
        click_confirmed(c, "action-opinion").await;
        wait_text(c, "item-state", "已出具意见").await;
    }

    // R13.5: the plan from the accepted demands warns when over Finance's fund budget.
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!("{base}/items/new?kind=plan"))
        .await
        .unwrap();
    // Art. 9: the Bureau does not type the ceiling; Finance proposes it.
    assert!(c.find(Locator::Id("f-ceiling")).await.is_err());
    click(c, "save-draft").await;
    wait_text(c, "item-state", "编制中").await;
    let plan_url = c.current_url().await.unwrap().to_string();
    let plan_number = text_of(c, "item-number").await;
    for (seq, title, unit, budget, from) in [
        (
            "1",
            "不动产登记一网通办升级",
            "市自然资源和规划局",
            "1,480,000",
            &zrzy_url,
        ),
        (
            "2",
            "城市综合管理服务平台停车模块扩展",
            "市公安局",
            "2,000,000",
            &gaj_url,
        ),
    ] {
        c.goto(from).await.unwrap();
        let number = text_of(c, "item-number").await;
        c.goto(&plan_url).await.unwrap();
        // Issue 12, point 3: the line is picked from the accepted demands and filled from
        // the demand (its unit, the demand ticked, the next 序号); the planner names the
        // project and sets its budget.
        wait_text(c, "panel-plan-candidates", &number).await;
        if seq == "1" {
            c.execute(
                "document.getElementById('panel-plan-candidates').scrollIntoView();",
                vec![],
            )
            .await
            .unwrap();
            shot(c, "y06b-plan-candidates").await;
        }
        click_css(
            c,
            &format!("#panel-plan-candidates a[href*='demands={number}']"),
        )
        .await;
        assert_eq!(value_of_name(c, "seq").await, seq);
        let filled = value_of_name(c, "unit").await;
        assert!(filled.ends_with(unit), "{filled}");
        let ticked = c
            .execute(
                "const e = document.querySelector(`#f-demands input[value=\"${arguments[0]}\"]`); return e ? e.checked : null;",
                vec![serde_json::json!(number)],
            )
            .await
            .unwrap();
        assert_eq!(ticked, serde_json::json!(true), "{number} is ticked");
        fill(c, "f-title", title).await;
        fill(c, "f-budget", budget).await;
        // Art. 5: the Bureau fixes the construction mode on the line.
        set_value(c, "f-mode", "special_fund").await;
        click(c, "save-draft").await;
        wait_text(c, "item-state", "已列入").await;
    }
    // Art. 8, 9: the NDRC reviews the draft, then Finance proposes the fund budget from it.
    c.goto(&plan_url).await.unwrap();
    click_confirmed(c, "action-consult").await;
    wait_text(c, "item-state", "待发改部门论证").await;
    switch_user(c, &base, "ndrc.officer", "杨帆").await;
    wait_text(c, "inbox", &plan_number).await;
    c.goto(&plan_url).await.unwrap();
    fill(
        c,
        "f-give_ndrc_opinion-ndrc_opinion",
        "项目与全市国民经济和社会发展规划相衔接，同意提请审定。",
    )
    .await;
    click(c, "action-give_ndrc_opinion").await;
    wait_text(c, "item-state", "待财政部门提出资金安排").await;
    shot(c, "y07a-ndrc-opinion-given").await;
    switch_user(c, &base, "finance.officer", "黄丽娟").await;
    wait_text(c, "inbox", &plan_number).await;
    shot(c, "y07b-finance-inbox").await;
    c.goto(&plan_url).await.unwrap();
    fill(c, "f-propose_fund_budget-ceiling", "3,000,000").await;
    fill(
        c,
        "f-propose_fund_budget-fund_proposal",
        "按年度计划安排专项资金300万元，按程序报市政府审批。",
    )
    .await;
    click(c, "action-propose_fund_budget").await;
    wait_text(c, "item-state", "论证完成").await;
    c.goto(&plan_url).await.unwrap();
    let warning = text_of(c, "plan-lines-warning").await;
    assert!(warning.contains("超出专项资金额度 48.00 万元"), "{warning}");
    shot(c, "y07-plan-over-ceiling").await;

    // R13.5: the executive meeting's decision, then the task book.
    switch_user(c, &base, "bureau.head", "李华").await;
    c.goto(&plan_url).await.unwrap();
    click_confirmed(c, "action-to_meeting").await;
    wait_text(c, "item-state", "提请常务会议审定").await;
    // The task book cannot be issued before the decision is recorded.
    assert!(c.find(Locator::Id("action-issue_taskbook")).await.is_err());
    // Whoever drafted the plan does not record its approval: a second planner does.
    switch_user(c, &base, "bureau.planner2", "刘洋").await;
    c.goto(&plan_url).await.unwrap();
    fill(c, "f-record_approval-meeting_no", "市政府第23次常务会议").await;
    set_value(c, "f-record_approval-meeting_date", &today.to_string()).await;
    fill(
        c,
        "f-record_approval-minutes",
        "会议原则同意2027年度建设计划，超出额度部分由财政统筹解决。",
    )
    .await;
    click_confirmed(c, "action-record_approval").await;
    wait_text(c, "item-state", "会议已审定").await;
    switch_user(c, &base, "bureau.head", "李华").await;
    c.goto(&plan_url).await.unwrap();
    // Issue 12, point 7: square brackets typed become the 〔〕 GB/T 9704 asks for.
    fill(c, "f-issue_taskbook-taskbook_no", "宛政数[2026]12号").await;
    click_confirmed(c, "action-issue_taskbook").await;
    wait_text(c, "item-state", "任务书已下达").await;
    c.goto(&plan_url).await.unwrap();
    shot(c, "y08-taskbook-issued").await;
    let details = page_text(c).await;
    let cookie = session_cookie(c).await;
    let plan_id = plan_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (docx, docx_sm3) = fetch(
        &base,
        &cookie,
        &format!("/items/{plan_id}/files/taskbook.docx"),
    )
    .await;
    let (pdf, pdf_sm3) = fetch(
        &base,
        &cookie,
        &format!("/items/{plan_id}/files/taskbook.pdf"),
    )
    .await;
    assert!(pdf.starts_with(b"%PDF"));
    // The digests of the downloaded files are the ones the record shows.
    assert_eq!(crypto::sm3_hex(&docx), docx_sm3);
    assert_eq!(crypto::sm3_hex(&pdf), pdf_sm3);
    assert!(
        details.contains(&docx_sm3) && details.contains(&pdf_sm3),
        "{details}"
    );
    let xml = {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut s = String::new();
        z.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    for want in [
        "不动产登记一网通办升级",
        "148.00",
        "城市综合管理服务平台停车模块扩展",
        "200.00",
        "348.00",
        "宛政数〔2026〕12号",
    ] {
        assert!(xml.contains(want), "task book lacks {want}");
    }

    // R13.6, R18.1: an emergency item enters the plan only with both leaders' consent.
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&format!(
        "{base}/items/new?kind=emergency&plan={plan_number}"
    ))
    .await
    .unwrap();
    fill(c, "f-title", "防汛应急指挥调度系统升级").await;
    set_value(c, "f-ground", "emergency").await;
    set_value(c, "f-deadline", &day(90)).await;
    fill(c, "f-budget", "600,000").await;
    fill(c, "f-content", "汛期前完成水情监测接入和指挥调度升级。").await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "待市领导会签").await;
    let emergency_url = c.current_url().await.unwrap().to_string();
    // R18.1: no project is drafted from an emergency item not yet in the plan (the Company
    // may draft projects, but from this item only once both leaders consented).
    switch_user(c, &base, "company.pm", "陈刚").await;
    c.goto(&emergency_url).await.unwrap();
    wait_text(c, "item-state", "待市领导会签").await;
    assert!(
        c.find(Locator::Id("new-emergency-project")).await.is_err(),
        "a case-by-case project only for an emergency item in the plan"
    );
    switch_user(c, &base, "leader.incharge", "曹文").await;
    c.goto(&emergency_url).await.unwrap();
    click_confirmed(c, "action-consent").await;
    wait_text(c, "item-state", "待市领导会签").await;
    shot(c, "y09-one-consent").await;
    switch_user(c, &base, "leader.evm", "宋长青").await;
    c.goto(&emergency_url).await.unwrap();
    click_confirmed(c, "action-consent").await;
    wait_text(c, "item-state", "已补列入计划").await;
    switch_user(c, &base, "bureau.planner", "张明").await;
    c.goto(&emergency_url).await.unwrap();
    c.find(Locator::Id("new-emergency-project")).await.unwrap();
    c.goto(&plan_url).await.unwrap();
    let lines = text_of(c, "panel-plan-lines").await;
    assert!(lines.contains("防汛应急指挥调度系统升级"), "{lines}");

    // R3.3: a county item is refused until its county plan is approved.
    switch_user(c, &base, "dengzhou.clerk", "朱建国").await;
    c.goto(&format!("{base}/items/new?kind=county_plan"))
        .await
        .unwrap();
    fill(c, "f-total", "5,000,000").await;
    fill(c, "f-summary", "县级政务云扩容、基层治理平台").await;
    click_confirmed(c, "submit").await;
    wait_text(c, "item-state", "待审核").await;
    let county_plan_url = c.current_url().await.unwrap().to_string();
    click(c, "new-county-item").await;
    fill(c, "f-title", "县级政务云扩容").await;
    click(c, "save-draft").await;
    wait_text(c, "item-state", "已登记").await;
    let county_item_url = c.current_url().await.unwrap().to_string();
    click_confirmed(c, "action-start").await;
    let why = text_of(c, "refused-reason").await;
    assert!(why.contains("尚未审核通过"), "{why}");
    assert_eq!(text_of(c, "refused-article").await, "第三条第二款");
    shot(c, "y10-county-refused").await;
    switch_user(c, &base, "bureau.head", "李华").await;
    c.goto(&county_plan_url).await.unwrap();
    fill(c, "f-approve-review", "同意实施。").await;
    click_confirmed(c, "action-approve").await;
    wait_text(c, "item-state", "审核通过").await;
    switch_user(c, &base, "dengzhou.clerk", "朱建国").await;
    c.goto(&county_item_url).await.unwrap();
    click_confirmed(c, "action-start").await;
    wait_text(c, "item-state", "已组织实施").await;
    // RX.1: the record's article links to what the policy makes of it.
    let county_item_url = county_item_url.split('?').next().unwrap_or_default();
    c.goto(&format!("{county_item_url}?tab=record"))
        .await
        .unwrap();
    c.find(Locator::Css("a.article-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(c, "article-status", "建模").await;
    shot(c, "y11-article").await;
    c.goto(&format!("{base}/articles/26")).await.unwrap();
    wait_text(c, "article", "尚未建模").await;
    shot(c, "y12-article-not-modelled").await;
    b.client.clone().close().await.unwrap();
}
