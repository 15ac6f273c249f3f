//! Spawns the whole application on 127.0.0.1:0 with a fresh database (zero-to-production's
//! `spawn_app`), once per backend.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail
#![allow(dead_code)]

pub mod chrome;

use app::Platform;

pub struct TestApp {
    pub base: String,
    pub platform: Platform,
}

/// One running app per backend (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).
/// `policy`: the policy's files (the root first) when not the shipped one.
pub async fn spawn_apps(label: &str, policy: Option<&[(String, String)]>) -> Vec<TestApp> {
    let mut out = Vec::new();
    for url in testkit::database_urls(label).await {
        let platform = testkit::platform(&url, label, policy)
            .await
            .expect("platform starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(web::serve_with(platform.clone(), listener, edges()));
        out.push(TestApp { base, platform });
    }
    out
}

/// The app on SQLite with only the city seeded (no campaign, no demands).
pub async fn spawn_city_app(label: &str) -> TestApp {
    let urls = testkit::database_urls(label).await;
    let platform = testkit::city_platform(&urls[0], label)
        .await
        .expect("platform starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(web::serve_with(platform.clone(), listener, edges()));
    TestApp { base, platform }
}

/// Production's edges, but for the login limits (a test logs in many users from 127.0.0.1, as
/// an office behind one address would) and the request timeout (a debug build typesets a PDF
/// with typst unoptimised, on two cores shared with the other tests). Both have tests of their
/// own with pinned values (`http_edges`).
pub fn edges() -> web::Edges {
    web::Edges {
        login_per_address: Some(600),
        login_per_account: Some(600),
        request_timeout: std::time::Duration::from_secs(300),
        ..web::Edges::default()
    }
}

/// The app on SQLite (and PostgreSQL when set) with the given edges.
pub async fn spawn_apps_with(label: &str, edges: web::Edges) -> Vec<TestApp> {
    let mut out = Vec::new();
    for url in testkit::database_urls(label).await {
        let platform = testkit::platform(&url, label, None)
            .await
            .expect("platform starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(web::serve_with(platform.clone(), listener, edges.clone()));
        out.push(TestApp { base, platform });
    }
    out
}

/// A client as a browser on the platform's own pages: it says so (`Sec-Fetch-Site:
/// same-origin`) on every request, so its posts pass the Origin check.
pub fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Logs in through the login form and returns the session cookie.
pub async fn web_cookie(app: &TestApp, username: &str) -> String {
    let r = client()
        .post(format!("{}/login", app.base))
        .form(&[("username", username), ("password", demo::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// A page fetched with a session cookie: its status and text.
pub async fn get_page(base: &str, cookie: &str, path: &str) -> (u16, String) {
    let r = client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Logs in through the API and returns a bearer token.
pub async fn token(app: &TestApp, username: &str) -> String {
    let r = client()
        .post(format!("{}/api/v1/login", app.base))
        .json(&serde_json::json!({ "username": username, "password": demo::DEMO_PASSWORD }))
        .send()
        .await
        .expect("login request");
    assert_eq!(r.status(), 200, "login of {username}");
    let body: serde_json::Value = r.json().await.expect("json");
    body["token"].as_str().expect("token").to_string()
}

pub fn complete_demand() -> serde_json::Value {
    serde_json::json!({
        "title": "婚姻登记预约与电子证照系统",
        "problem": "婚姻登记需现场排队，材料需重复提交",
        "scope": "市县两级婚姻登记机关14个",
        "functions": "在线预约、电子证照调用、登记信息上报民政部",
        "logic": "预约→核验→登记→发证→归档",
        "budget": "1,350,000"
    })
}
