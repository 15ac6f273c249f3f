//! Issue 10, findings 5 and 7: edges that hold. Against the app on 127.0.0.1:0 (SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set); the login's structure through the use case.
//! No assertion on time beyond generous upper bounds for the timeouts.

use crate::common::{self, TestApp, client, complete_demand, spawn_apps_with, token, web_cookie};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::peek;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use web::Edges;

const MB: usize = 1024 * 1024;

/// A client that, unlike a browser, says nothing about where its requests come from.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn login_form(username: &str, password: &str) -> String {
    format!(
        "username={}&password={}",
        web_encode(username),
        web_encode(password)
    )
}

fn web_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post_login(app: &TestApp, c: &reqwest::Client, username: &str) -> reqwest::Response {
    c.post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(login_form(username, "Wrong-Pass-123"))
        .send()
        .await
        .unwrap()
}

/// The sources recorded for logins, newest last.
async fn sources(app: &TestApp) -> Vec<String> {
    peek::security_events(&app.platform)
        .await
        .into_iter()
        .filter(|(_, action, _)| action == "login")
        .map(|(_, _, payload)| {
            let v: Value = serde_json::from_str(&payload).unwrap();
            v["detail"]["source"].as_str().unwrap_or("?").to_string()
        })
        .collect()
}

/// The value of a hidden input in a page (`name="_csrf" value="..."`).
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A multipart body with the `_csrf` field and one file.
fn multipart(csrf: &str, filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tongchou-edge-test-7f3a";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn pdf_of(size: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%".to_vec();
    pdf.resize(size - 6, b'x');
    pdf.extend_from_slice(b"\n%%EOF");
    pdf
}

/// A draft demand of scj.clerk's and the session (cookie, CSRF token) to attach to it.
async fn draft_and_session(app: &TestApp) -> (i64, String, String) {
    let t = token(app, "scj.clerk").await;
    let created: Value = client()
        .post(format!("{}/api/v1/items", app.base))
        .bearer_auth(&t)
        .json(&json!({ "kind": "demand", "action": "create", "fields": complete_demand() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let cookie = web_cookie(app, "scj.clerk").await;
    let page = client()
        .get(format!("{}/items/{id}", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (id, cookie, hidden(&page, "_csrf"))
}

async fn attachments(app: &TestApp, id: i64) -> String {
    peek::item(&app.platform, id)
        .await
        .item
        .field("attachments")
        .to_string()
}

#[tokio::test]
async fn rx2_f5_a_username_of_a_megabyte_is_refused_and_writes_nothing() {
    for app in spawn_apps_with("f5-long-name", common::edges()).await {
        let before = peek::login_footprint(&app.platform).await;
        let r = post_login(&app, &client(), &"a".repeat(MB)).await;
        assert_eq!(r.status(), 413);
        assert!(
            r.text().await.unwrap().contains("超过 8 KB 上限"),
            "the refusal names the limit"
        );
        // Within the body limit, a name longer than any account's is refused before it is
        // looked up: no event, no counter.
        let r = post_login(&app, &client(), &"a".repeat(65)).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("用户名不超过 64 个字符"));
        let api = client()
            .post(format!("{}/api/v1/login", app.base))
            .json(&json!({ "username": "b".repeat(100), "password": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 400);
        assert_eq!(peek::login_footprint(&app.platform).await, before);
    }
}

#[tokio::test]
async fn rx2_f5_x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    for app in spawn_apps_with("f5-xff-untrusted", common::edges()).await {
        for claimed in ["8.8.8.8", "<script>alert(1)</script>"] {
            let r = client()
                .post(format!("{}/login", app.base))
                .header("x-forwarded-for", claimed)
                .form(&[("username", "nobody"), ("password", "Wrong-Pass-123")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        assert_eq!(sources(&app).await[..], ["127.0.0.1", "127.0.0.1"]);
    }
}

#[tokio::test]
async fn rx2_f5_x_forwarded_for_from_a_trusted_proxy_names_the_client_and_only_a_valid_ip_is_stored()
 {
    let edges = Edges {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..common::edges()
    };
    for app in spawn_apps_with("f5-xff-trusted", edges.clone()).await {
        for claimed in [
            "203.0.113.7",
            "8.8.8.8, 198.51.100.4",
            "<script>",
            "2001:db8::1",
        ] {
            let r = client()
                .post(format!("{}/login", app.base))
                .header("x-forwarded-for", claimed)
                .form(&[("username", "nobody"), ("password", "Wrong-Pass-123")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        assert_eq!(
            sources(&app).await[..],
            ["203.0.113.7", "198.51.100.4", "127.0.0.1", "2001:db8::1"]
        );
        // Bounded before anything is written.
        let before = peek::login_footprint(&app.platform).await;
        let r = client()
            .post(format!("{}/login", app.base))
            .header("x-forwarded-for", "1.2.3.4, ".repeat(100))
            .form(&[("username", "nobody"), ("password", "Wrong-Pass-123")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 431);
        assert!(r.text().await.unwrap().contains("x-forwarded-for 过长"));
        assert_eq!(peek::login_footprint(&app.platform).await, before);
    }
}

#[tokio::test]
async fn rx2_f5_a_cross_site_login_post_is_refused() {
    for app in spawn_apps_with("f5-cross-site", common::edges()).await {
        let before = peek::login_footprint(&app.platform).await;
        let form = [("username", "scj.clerk"), ("password", demo::DEMO_PASSWORD)];
        let evil = bare()
            .post(format!("{}/login", app.base))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(evil.status(), 403);
        assert!(evil.headers().get("set-cookie").is_none());
        let text = evil.text().await.unwrap();
        assert!(
            text.contains("来自其他网站（https://evil.example）"),
            "{text}"
        );
        for (name, value) in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "null"),
        ] {
            let r = bare()
                .post(format!("{}/login", app.base))
                .header(name, value)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{name}: {value}");
        }
        // Neither header: no browser's form (docs/security.md, "Edges").
        let neither = bare()
            .post(format!("{}/login", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(neither.status(), 403);
        assert!(neither.text().await.unwrap().contains("Sec-Fetch-Site"));
        assert_eq!(peek::login_footprint(&app.platform).await, before);

        // The site's own origin passes, and so does a request the user typed.
        let own = bare()
            .post(format!("{}/login", app.base))
            .header("origin", &app.base)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 303);
        let typed = bare()
            .post(format!("{}/login", app.base))
            .header("sec-fetch-site", "none")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(typed.status(), 303);
        // The API with a bearer token is not subject to it.
        let t = token(&app, "scj.clerk").await;
        let api = bare()
            .get(format!("{}/api/v1/items?kind=demand", app.base))
            .header("origin", "https://evil.example")
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 200);
    }
}

#[tokio::test]
async fn rx2_f5_a_cross_site_logout_is_refused_and_the_session_lives_on() {
    for app in spawn_apps_with("f5-logout", common::edges()).await {
        let cookie = web_cookie(&app, "scj.clerk").await;
        let page = client()
            .get(format!("{}/", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "_csrf");
        let r = bare()
            .post(format!("{}/logout", app.base))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let still = client()
            .get(format!("{}/", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(still.status(), 200, "the session lives on");
        let out = bare()
            .post(format!("{}/logout", app.base))
            .header("cookie", &cookie)
            .header("origin", &app.base)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
    }
}

/// Unknown user, wrong password and locked account: the same writes (two steps through the
/// writer, one security event) and one PBKDF2 check of the same cost. Structure, not timing.
#[tokio::test]
async fn rx2_f5_unknown_user_wrong_password_and_locked_account_run_the_same_check_and_writes() {
    for app in spawn_apps_with("f5-same-check", common::edges()).await {
        let p = &app.platform;
        let iterations = p.settings.password_iterations;
        // Lock jtj.clerk with five wrong passwords.
        for _ in 0..p.settings.lockout_attempts {
            let _ = app::identity::login(
                p,
                "jtj.clerk",
                "Wrong-Pass-123",
                "127.0.0.1",
                "web",
                domain::Lang::Zh,
            )
            .await;
        }
        for (username, password, reason) in [
            ("nobody", "Wrong-Pass-123", "unknown user"),
            ("scj.clerk", "Wrong-Pass-123", "wrong password"),
            ("jtj.clerk", demo::DEMO_PASSWORD, "locked"),
        ] {
            let events = peek::security_events(p).await.len();
            let caller = app::identity::Caller::new();
            let (result, trace) = app::identity::login_traced(
                p,
                username,
                password,
                "127.0.0.1",
                "web",
                domain::Lang::Zh,
                &caller,
            )
            .await;
            assert!(
                matches!(result, Err(app::AppError::LoginFailed)),
                "{username}"
            );
            assert_eq!(
                trace,
                app::identity::Trace {
                    abandoned: false,
                    checked_iterations: Some(iterations),
                    writes: 2,
                    refused: reason,
                },
                "{username}"
            );
            assert_eq!(
                peek::security_events(p).await.len(),
                events + 1,
                "one event"
            );
        }
    }
}

/// A login whose caller went away before its first step wrote nothing; one whose caller went
/// away after it is checked and recorded, once.
#[tokio::test]
async fn rx2_f5_a_login_whose_caller_left_before_the_check_writes_nothing() {
    for app in spawn_apps_with("f5-caller-left", common::edges()).await {
        let p = &app.platform;
        let before = peek::login_footprint(p).await;
        for username in ["nobody", "scj.clerk"] {
            let caller = app::identity::Caller::new();
            caller.leave();
            let (result, trace) = app::identity::login_traced(
                p,
                username,
                "Wrong-Pass-123",
                "127.0.0.1",
                "web",
                domain::Lang::Zh,
                &caller,
            )
            .await;
            assert!(result.is_err());
            assert!(trace.abandoned && trace.writes == 0 && trace.checked_iterations.is_none());
        }
        assert_eq!(peek::login_footprint(p).await, before);

        // Through HTTP: the writer is held, the client sends a whole login and hangs up, and
        // the server closes the connection (it has dropped the request). Then the writer goes
        // on: the attempt finds nobody waiting and writes nothing.
        let (release, held) = tokio::sync::oneshot::channel::<()>();
        let hold = p.clone();
        let holder = tokio::spawn(async move {
            hold.store
                .write(move |_c| {
                    Box::pin(async move {
                        let _ = held.await;
                        Ok::<_, app::AppError>(())
                    })
                })
                .await
        });
        let host = app.base.trim_start_matches("http://").to_string();
        let body = login_form("nobody", "Wrong-Pass-123");
        let mut s = TcpStream::connect(&host).await.unwrap();
        s.write_all(
            format!(
                "POST /login HTTP/1.1\r\nHost: {host}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        s.shutdown().await.unwrap();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut rest)).await;
        assert!(
            closed.is_ok(),
            "the server closes a connection whose client hung up"
        );
        assert!(rest.is_empty(), "no answer to a client that left");
        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
        // Let anything queued behind the held write run, then look.
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            p.store
                .write(|_c| Box::pin(async { Ok::<_, app::AppError>(()) }))
                .await
                .unwrap();
        }
        assert_eq!(peek::login_footprint(p).await, before);
    }
}

#[tokio::test]
async fn rx2_f5_the_eleventh_login_in_a_minute_from_one_address_gets_429_with_retry_after() {
    let edges = Edges {
        login_per_account: None,
        ..Edges::default()
    };
    for app in spawn_apps_with("f5-rate-address", edges).await {
        let c = client();
        for i in 0..10 {
            let r = post_login(&app, &c, &format!("nobody{i}")).await;
            assert_eq!(r.status(), 401, "login {i} is evaluated");
        }
        let events = peek::security_events(&app.platform).await.len();
        let r = post_login(&app, &c, "nobody10").await;
        assert_eq!(r.status(), 429);
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains(&format!("请 {wait} 秒后再试"))
        );
        assert_eq!(
            peek::security_events(&app.platform).await.len(),
            events,
            "a refused attempt is not evaluated"
        );
    }
}

#[tokio::test]
async fn rx2_f5_the_sixth_login_for_one_account_in_a_minute_gets_429_from_any_address() {
    let edges = Edges {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Edges::default()
    };
    for app in spawn_apps_with("f5-rate-account", edges).await {
        let login = |from: String| {
            let base = app.base.clone();
            async move {
                client()
                    .post(format!("{base}/api/v1/login"))
                    .header("x-forwarded-for", from)
                    .json(&json!({ "username": "wjw.clerk", "password": "Wrong-Pass-123" }))
                    .send()
                    .await
                    .unwrap()
            }
        };
        for i in 0..5 {
            assert_eq!(login(format!("203.0.113.{i}")).await.status(), 401);
        }
        let r = login("198.51.100.77".into()).await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        let body: Value = r.json().await.unwrap();
        assert!(
            body["title_zh"]
                .as_str()
                .unwrap()
                .contains("登录尝试过于频繁")
        );
        // Another account from the same address is unaffected.
        let other = client()
            .post(format!("{}/api/v1/login", app.base))
            .header("x-forwarded-for", "198.51.100.77")
            .json(&json!({ "username": "scj.clerk", "password": demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    }
}

#[tokio::test]
async fn rx2_f7_the_api_answers_429_with_retry_after_past_the_limit_per_token() {
    let edges = Edges {
        api_per_token: Some(3),
        ..common::edges()
    };
    for app in spawn_apps_with("f7-rate-token", edges).await {
        let (one, two) = (
            token(&app, "scj.clerk").await,
            token(&app, "dc.analyst").await,
        );
        let list = |t: String| {
            let base = app.base.clone();
            async move {
                client()
                    .get(format!("{base}/api/v1/items?kind=demand"))
                    .bearer_auth(t)
                    .send()
                    .await
                    .unwrap()
            }
        };
        for _ in 0..3 {
            assert_eq!(list(one.clone()).await.status(), 200);
        }
        let r = list(one.clone()).await;
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait));
        let body: Value = r.json().await.unwrap();
        assert!(body["title_zh"].as_str().unwrap().contains("请求过于频繁"));
        assert_eq!(list(two).await.status(), 200, "another token has its own");
    }
}

#[tokio::test]
async fn rx2_f7_a_valid_3_mb_pdf_upload_is_accepted() {
    for app in spawn_apps_with("f7-3mb", common::edges()).await {
        let (id, cookie, csrf) = draft_and_session(&app).await;
        let pdf = pdf_of(3 * MB);
        let (ty, body) = multipart(&csrf, "spec.pdf", &pdf);
        let r = client()
            .post(format!("{}/items/{id}/files", app.base))
            .header("cookie", &cookie)
            .header("content-type", ty)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        assert_eq!(
            attachments(&app, id).await,
            format!("{} spec.pdf", crypto::sm3_hex(&pdf))
        );
    }
}

#[tokio::test]
async fn rx2_f7_a_21_mb_upload_is_refused_naming_the_20_mb_limit() {
    for app in spawn_apps_with("f7-21mb", common::edges()).await {
        let (id, cookie, csrf) = draft_and_session(&app).await;
        let (ty, body) = multipart(&csrf, "big.pdf", &pdf_of(21 * MB));
        let r = client()
            .post(format!("{}/items/{id}/files", app.base))
            .header("cookie", &cookie)
            .header("content-type", ty)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        let page = r.text().await.unwrap();
        assert!(page.contains("文件超过 20 MB 上限"), "{page}");
        assert!(!page.contains("文件名无效"));
        assert_eq!(attachments(&app, id).await, "", "nothing kept");
    }
}

/// A file cut short (here: the form's closing boundary never comes, as when the client goes
/// away or the body is cut at the route's limit) is not kept, even the part that came.
#[tokio::test]
async fn rx2_f7_an_upload_that_does_not_arrive_whole_keeps_nothing() {
    for app in spawn_apps_with("f7-cut", common::edges()).await {
        let (id, cookie, csrf) = draft_and_session(&app).await;
        let (ty, mut body) = multipart(&csrf, "spec.pdf", &pdf_of(MB));
        body.truncate(body.len() - 200);
        let r = client()
            .post(format!("{}/items/{id}/files", app.base))
            .header("cookie", &cookie)
            .header("content-type", ty)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("上传没有完整送达"));
        assert_eq!(attachments(&app, id).await, "", "nothing kept");
    }
}

#[tokio::test]
async fn rx2_f7_an_import_and_a_form_over_their_limits_are_refused_naming_the_limits() {
    let edges = Edges {
        upload_bytes: MB,
        form_bytes: 16 * 1024,
        ..common::edges()
    };
    for app in spawn_apps_with("f7-limits", edges).await {
        let (_, cookie, csrf) = draft_and_session(&app).await;
        let (ty, body) = multipart(&csrf, "demands.xlsx", &vec![b'P'; 2 * MB]);
        let r = client()
            .post(format!("{}/items/import?kind=demand", app.base))
            .header("cookie", &cookie)
            .header("content-type", ty)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        assert!(r.text().await.unwrap().contains("文件超过 1 MB 上限"));
        let r = client()
            .post(format!("{}/items/new?kind=demand&action=create", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("title", &"长".repeat(4000))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        assert!(r.text().await.unwrap().contains("超过 16 KB 上限"));
    }
}

/// Opens `n` connections that send part of a request's headers and then nothing.
async fn slow_headers(host: &str, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut s = TcpStream::connect(host).await.unwrap();
        s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: ").as_bytes())
            .await
            .unwrap();
        out.push(s);
    }
    out
}

/// Whether the server ends the connection (closes it, or answers and closes) within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = Vec::new();
    tokio::time::timeout(within, s.read_to_end(&mut buf))
        .await
        .is_ok()
}

#[tokio::test]
async fn rx2_f7_a_slow_header_connection_is_closed_after_the_timeout() {
    let edges = Edges {
        header_timeout: Duration::from_secs(1),
        ..common::edges()
    };
    let app = spawn_apps_with("f7-slow-header", edges).await.remove(0);
    let host = app.base.trim_start_matches("http://").to_string();
    let mut slow = slow_headers(&host, 20).await;
    // Twenty of them do not hold the server.
    let ok = client()
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    for s in &mut slow {
        assert!(
            closed_within(s, Duration::from_secs(3)).await,
            "closed within 3 × the 1 s timeout"
        );
    }
}

#[tokio::test]
async fn rx2_f7_a_request_whose_body_stalls_is_answered_408_after_the_request_timeout() {
    let edges = Edges {
        request_timeout: Duration::from_secs(1),
        ..common::edges()
    };
    let app = spawn_apps_with("f7-slow-body", edges).await.remove(0);
    let host = app.base.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&host).await.unwrap();
    s.write_all(
        format!(
            "POST /login HTTP/1.1\r\nHost: {host}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername="
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
        .await
        .expect("answered within 3 × the 1 s timeout")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}
