//! Real headless Chromium for the browser stories (Debian `chromium` + `chromium-driver`):
//! starting it, and the few things a clerk does (fill, click, confirm, read).

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts chromedriver and Chromium under it. A port picked free can be taken by another test
/// before the driver binds it, and a driver that answers its port may not yet take a session:
/// either shows as a refused or reset connection, so the start is tried again on a new port.
pub async fn start_browser() -> Browser {
    let mut last = String::new();
    for _ in 0..4 {
        match try_start().await {
            Ok(b) => return b,
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("chromium starts under chromedriver: {last}");
}

async fn try_start() -> Result<Browser, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut driver = Command::new("chromedriver")
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
    let profile = testkit::scratch_dir("chromium-profile");
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
    match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
    {
        Ok(client) => Ok(Browser { client, driver }),
        Err(e) => {
            let _ = driver.kill();
            let _ = driver.wait();
            Err(e.to_string())
        }
    }
}

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    keep(&format!("{name}.png"), &png);
}

/// Keeps a file the journey made (a screenshot, a printed PDF) beside the screenshots.
pub fn keep(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The `href` of the link with this id.
pub async fn href_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("link {id}"))
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} has no href"))
}

pub async fn fill(c: &Client, id: &str, text: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field {id}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

pub async fn click(c: &Client, id: &str) {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("element {id}"))
        .click()
        .await
        .unwrap();
}

/// Clicks a button that asks for confirmation, then confirms in the dialog.
pub async fn click_confirmed(c: &Client, id: &str) {
    click(c, id).await;
    let ok = c
        .wait()
        .for_element(Locator::Css("#confirm-dialog[open] #confirm-ok"))
        .await
        .unwrap();
    ok.click().await.unwrap();
}

pub async fn text_of(c: &Client, id: &str) -> String {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("element {id}"))
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text contains `want`.
pub async fn wait_text(c: &Client, id: &str, want: &str) -> String {
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
    let body = match c.find(Locator::Css("body")).await {
        Ok(b) => b.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    panic!("#{id} never showed {want:?}; last {last:?}; the page said: {body}");
}

pub async fn login(c: &Client, base: &str, user: &str, name: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", user).await;
    fill(c, "password", demo::DEMO_PASSWORD).await;
    click(c, "login-button").await;
    wait_text(c, "current-user", name).await;
}

pub async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('change'));",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("set {id}: {e}"));
}

pub async fn page_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn switch_user(c: &Client, base: &str, user: &str, name: &str) {
    click(c, "logout").await;
    login(c, base, user, name).await;
}

pub async fn session_cookie(c: &Client) -> String {
    c.get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn fetch(base: &str, cookie: &str, path: &str) -> (Vec<u8>, String) {
    let r = super::client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let sm3 = r
        .headers()
        .get("x-content-sm3")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (r.bytes().await.unwrap().to_vec(), sm3)
}

/// Uploads a file of these bytes under this name through the item page's upload form, and
/// waits until the attachments list shows it.
pub async fn upload(c: &Client, name: &str, bytes: &[u8]) {
    let path = testkit::scratch_dir("upload").join(name);
    std::fs::write(&path, bytes).unwrap();
    c.find(Locator::Id("upload-file"))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    click(c, "upload-submit").await;
    wait_text(c, "panel-attachments", name).await;
}

/// Types into the input named `name` (table cells have names, not ids).
pub async fn fill_name(c: &Client, name: &str, text: &str) {
    let el = c
        .find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap_or_else(|_| panic!("input {name}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// Clicks the first element the CSS selector finds.
pub async fn click_css(c: &Client, css: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("element {css}"))
        .click()
        .await
        .unwrap();
}

/// Whether the page is wider than the window (it scrolls sideways).
pub async fn scrolls_sideways(c: &Client) -> bool {
    c.execute(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
        vec![],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap_or(true)
}

/// Chooses `value` in the select named `name` (as a clerk picks from the list) and returns
/// the option's text; fails if the select does not offer it.
pub async fn choose_name(c: &Client, name: &str, value: &str) -> String {
    let got = c
        .execute(
            "const e = document.querySelector(`select[name=\"${arguments[0]}\"]`); if (!e) return null; \
             const o = [...e.options].find(o => o.value === arguments[1]); if (!o) return null; \
             e.value = arguments[1]; e.dispatchEvent(new Event('change')); return o.text;",
            vec![serde_json::json!(name), serde_json::json!(value)],
        )
        .await
        .unwrap_or_else(|e| panic!("choose {name}: {e}"));
    got.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("{name} offers no {value}"))
}

/// The value of the form control named `name`.
pub async fn value_of_name(c: &Client, name: &str) -> String {
    c.execute(
        "const e = document.querySelector(`[name=\"${arguments[0]}\"]`); return e ? e.value : null;",
        vec![serde_json::json!(name)],
    )
    .await
    .unwrap_or_else(|e| panic!("value of {name}: {e}"))
    .as_str()
    .unwrap_or_else(|| panic!("no control named {name}"))
    .to_string()
}

/// Searches the list of choices of field `field` for `search` (as a clerk types into its
/// filter box), then ticks `value`; returns the ticked choice's text. Fails if a choice left
/// in view does not match the search, or the value is not offered.
pub async fn tick(c: &Client, field: &str, search: &str, value: &str) -> String {
    let filter = c
        .find(Locator::Css(&format!(
            "input.pick-filter[data-filter='f-{field}']"
        )))
        .await
        .unwrap_or_else(|_| panic!("{field} has no filter box"));
    filter.send_keys(search).await.unwrap();
    let shown = c
        .execute(
            "return [...document.querySelectorAll(`#f-${arguments[0]} label`)].filter(l => !l.hidden).map(l => l.textContent.trim());",
            vec![serde_json::json!(field)],
        )
        .await
        .unwrap();
    let shown: Vec<String> = serde_json::from_value(shown).unwrap();
    assert!(
        !shown.is_empty() && shown.iter().all(|l| l.contains(search)),
        "{field} filtered by {search} shows {shown:?}"
    );
    click_css(c, &format!("#f-{field} input[value='{value}']")).await;
    shown
        .into_iter()
        .find(|l| l.contains(value))
        .unwrap_or_else(|| panic!("{field} offers no {value}"))
}

/// The choices a searchable reference box (`input list=…`) offers: "number name（state）".
pub async fn offered(c: &Client, field: &str) -> Vec<String> {
    let got = c
        .execute(
            "return [...document.querySelectorAll(`#list-${arguments[0]} option`)].map(o => o.value + ' ' + o.textContent);",
            vec![serde_json::json!(field)],
        )
        .await
        .unwrap();
    serde_json::from_value(got).unwrap()
}
