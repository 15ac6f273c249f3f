//! The clerk's journey in real headless Chromium (Debian `chromium` + `chromium-driver`):
//! login, a refused submission shown at its field, a complete submission, the Data Center's
//! opinion, and the record citing art. 13. Screenshots at 1366x768 go to target/screenshots/.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn start_browser() -> Browser {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (run scripts/install-test-deps.sh)");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = app::testkit::scratch_dir("chromium-profile");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                     "--lang=zh-CN", format!("--user-data-dir={}", profile.display())]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromium starts under chromedriver");
    Browser { client, driver }
}

async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn fill(c: &Client, id: &str, text: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field {id}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(c: &Client, id: &str) {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("element {id}"))
        .click()
        .await
        .unwrap();
}

/// Clicks a button that asks for confirmation, then confirms in the dialog.
async fn click_confirmed(c: &Client, id: &str) {
    click(c, id).await;
    let ok = c
        .wait()
        .for_element(Locator::Css("#confirm-dialog[open] #confirm-ok"))
        .await
        .unwrap();
    ok.click().await.unwrap();
}

async fn text_of(c: &Client, id: &str) -> String {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("element {id}"))
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text contains `want`.
async fn wait_text(c: &Client, id: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        if let Ok(el) = c.find(Locator::Id(id)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(want) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("#{id} never showed {want:?}; last {last:?}");
}

async fn login(c: &Client, base: &str, user: &str, name: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", user).await;
    fill(c, "password", app::demo::DEMO_PASSWORD).await;
    click(c, "login-button").await;
    wait_text(c, "current-user", name).await;
}

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
    fill(
        c,
        "f-problem",
        "电梯、锅炉等特种设备检验信息分散，隐患发现滞后。",
    )
    .await;
    click_confirmed(c, "submit").await;

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
    shot(c, "04-refused-at-field").await;

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
    let item_url = c.current_url().await.unwrap().to_string();
    shot(c, "05-submitted").await;

    click(c, "logout").await;
    login(c, &base, "dc.analyst", "王磊").await;
    // RX.3: the submitted demand waits in the analyst's 待办 with its deadline.
    let inbox = text_of(c, "inbox").await;
    assert!(
        inbox.contains("特种设备智慧监管平台") && inbox.contains("开始分析"),
        "{inbox}"
    );
    shot(c, "06-workbench-analyst").await;
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
