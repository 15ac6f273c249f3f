//! HTTP tests against the running app on 127.0.0.1:0, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::common;

use common::{client, complete_demand, get_page, spawn_apps, token, web_cookie};
use serde_json::{Value, json};

#[tokio::test]
async fn the_login_page_is_chinese_and_every_answer_carries_the_security_headers() {
    for app in spawn_apps("login-page", None).await {
        let r = client()
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(r.text().await.unwrap().contains("用户名"));
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    for app in spawn_apps("same-answer", None).await {
        let c = client();
        let wrong = c
            .post(format!("{}/login", app.base))
            .form(&[("username", "scj.clerk"), ("password", "Wrong-Pass-123")])
            .send()
            .await
            .unwrap();
        let unknown = c
            .post(format!("{}/login", app.base))
            .form(&[("username", "nobody"), ("password", "Wrong-Pass-123")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(unknown.status(), 401);
        assert_eq!(
            wrong.text().await.unwrap().replace("scj.clerk", ""),
            unknown.text().await.unwrap().replace("nobody", "")
        );
    }
}

#[tokio::test]
async fn a_login_sets_a_strict_http_only_secure_cookie_and_pages_need_it() {
    for app in spawn_apps("cookie", None).await {
        let r = client()
            .post(format!("{}/login", app.base))
            .form(&[("username", "scj.clerk"), ("password", demo::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        for flag in ["HttpOnly", "Secure", "SameSite=Strict"] {
            assert!(cookie.contains(flag), "{cookie}");
        }
        let token_hex = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
        assert_eq!(token_hex.len(), 32, "a 128-bit token");
        let anonymous = client().get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/login");
    }
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    for app in spawn_apps("csrf", None).await {
        let c = client();
        let cookie = web_cookie(&app, "scj.clerk").await;
        let r = c
            .post(format!("{}/items/new?kind=demand&action=create", app.base))
            .header("cookie", &cookie)
            .form(&[("title", "无令牌的提交"), ("op", "save")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let t = token(&app, "scj.clerk").await;
        let list: Value = c
            .get(format!("{}/api/v1/items?kind=demand&q=无令牌", app.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 0);
    }
}

#[tokio::test]
async fn r13_2_the_api_refuses_a_missing_part_as_problem_json_naming_the_field() {
    for app in spawn_apps("api-problem", None).await {
        let t = token(&app, "scj.clerk").await;
        let mut fields = complete_demand();
        fields.as_object_mut().unwrap().remove("logic");
        let r = client()
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&t)
            .json(&json!({ "kind": "demand", "action": "create", "then": "submit", "fields": fields }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["article"], "13.2");
        assert_eq!(body["errors"][0]["field"], "logic");
        assert!(
            body["errors"][0]["message_zh"]
                .as_str()
                .unwrap()
                .contains("功能逻辑")
        );
    }
}

#[tokio::test]
async fn the_api_runs_a_demand_to_an_opinion_and_a_retry_with_the_same_key_has_one_effect() {
    for app in spawn_apps("api-journey", None).await {
        let c = client();
        let clerk = token(&app, "scj.clerk").await;
        let analyst = token(&app, "dc.analyst").await;
        let create = || {
            c.post(format!("{}/api/v1/items", app.base))
                .bearer_auth(&clerk)
                .header("Idempotency-Key", "create-1")
                .json(&json!({ "kind": "demand", "action": "create", "then": "submit", "fields": complete_demand() }))
        };
        let first: Value = create().send().await.unwrap().json().await.unwrap();
        let again: Value = create().send().await.unwrap().json().await.unwrap();
        assert_eq!(first["id"], again["id"]);
        assert_eq!(first["state"], "submitted");
        let id = first["id"].as_i64().unwrap();
        // Finding 9: the same key with another body is refused and creates nothing.
        let mut other = complete_demand();
        other["title"] = json!("另一个需求");
        let reused = c
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&clerk)
            .header("Idempotency-Key", "create-1")
            .json(
                &json!({ "kind": "demand", "action": "create", "then": "submit", "fields": other }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(reused.status(), 422);
        let problem: Value = reused.json().await.unwrap();
        assert!(
            problem["title_zh"]
                .as_str()
                .unwrap()
                .contains("已用于另一请求"),
            "{problem}"
        );

        let actions: Value = c
            .get(format!("{}/api/v1/items/{id}/actions", app.base))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(actions[0]["id"], "start_analysis");
        assert_eq!(actions[0]["article"], "13.1");
        for (action, fields) in [
            ("start_analysis", json!({})),
            ("defer", json!({ "reason": "待省级平台上线后再论证" })),
        ] {
            let r = c
                .post(format!("{}/api/v1/items/{id}/actions/{action}", app.base))
                .bearer_auth(&analyst)
                .header("Idempotency-Key", format!("{action}-1"))
                .json(&json!({ "fields": fields }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{action}");
        }
        let item: Value = c
            .get(format!("{}/api/v1/items/{id}", app.base))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(item["state"], "opinion_given");
        assert_eq!(item["fields"]["opinion"], "defer");
        assert_eq!(item["history"].as_array().unwrap().len(), 4);
    }
}

#[tokio::test]
async fn another_departments_draft_is_a_404_in_the_api_and_the_pages() {
    for app in spawn_apps("api-404", None).await {
        let c = client();
        let owner = token(&app, "scj.clerk").await;
        let other = token(&app, "jtj.clerk").await;
        let created: Value = c
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&owner)
            .json(&json!({ "kind": "demand", "fields": { "title": "草稿" } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().unwrap();
        let r = c
            .get(format!("{}/api/v1/items/{id}", app.base))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = c
            .get(format!("{}/api/v1/items/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "no token, no answer");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_each_answers() {
    for app in spawn_apps("openapi", None).await {
        let c = client();
        let doc: Value = c
            .get(format!("{}/api/v1/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let t = token(&app, "dc.analyst").await;
        for (path, methods) in doc["paths"].as_object().unwrap() {
            let path = path
                .replace("{id}", "1")
                .replace("{action}", "start_analysis");
            for method in methods.as_object().unwrap().keys() {
                let req = match method.as_str() {
                    "get" => c.get(format!("{}/api/v1{path}", app.base)),
                    _ => c
                        .post(format!("{}/api/v1{path}", app.base))
                        .json(&json!({})),
                };
                let status = req.bearer_auth(&t).send().await.unwrap().status();
                assert_ne!(status, 405, "{method} {path} is routed");
                assert!(
                    status.as_u16() != 404 || path.contains("/items/1"),
                    "{method} {path} exists ({status})"
                );
            }
        }
    }
}

#[tokio::test]
async fn rx1_an_edited_policy_offers_its_new_action_and_cites_its_new_article_without_code_change()
{
    // A new transition added to the demand kind (before its first opinion) and an article
    // changed: both take effect with no code change.
    let added = r#"[[kind.transition]]
id = "return_for_revision"
zh = "退回补充"
en = "Return for revision"
from = ["submitted"]
to = "draft"
roles = ["datacenter_analyst"]
inputs = ["reason"]
required = ["reason"]
guards = ["not_own_unit"]
article = "13.7"

"#;
    let edited = testkit::policy_edited(
        "article = \"13.1\"\nreq = \"R13.4\"\nstyle = \"primary\"\n\n[[kind.transition]]\nid = \"accept\"",
        &format!("article = \"13.9\"\nreq = \"R13.4\"\nstyle = \"primary\"\n\n{added}[[kind.transition]]\nid = \"accept\""),
    )
    .expect("a part of the policy holds the demand's start_analysis step");
    assert!(
        edited.iter().any(|(_, text)| text.contains("13.9")),
        "the article was changed in the copy"
    );
    for app in spawn_apps("edited-policy", Some(&edited)).await {
        let c = client();
        let clerk = token(&app, "scj.clerk").await;
        let analyst = token(&app, "dc.analyst").await;
        let created: Value = c
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&clerk)
            .json(&json!({ "kind": "demand", "then": "submit", "fields": complete_demand() }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().unwrap();
        let actions: Value = c
            .get(format!("{}/api/v1/items/{id}/actions", app.base))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let offered: Vec<(&str, &str)> = actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].as_str().unwrap(), a["article"].as_str().unwrap()))
            .collect();
        assert_eq!(
            offered,
            [("start_analysis", "13.9"), ("return_for_revision", "13.7")]
        );
        c.post(format!(
            "{}/api/v1/items/{id}/actions/start_analysis",
            app.base
        ))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
        let item: Value = c
            .get(format!("{}/api/v1/items/{id}", app.base))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(item["history"][2]["article"], "13.9");
    }
}

#[tokio::test]
async fn the_language_switch_only_returns_to_a_path_of_this_site() {
    for app in spawn_apps("redirect", None).await {
        for (back, expected) in [
            ("/items?kind=demand", "/items?kind=demand"),
            ("//evil.example", "/"),
            ("/%5Cevil.example", "/"),
            ("/%09/evil.example", "/"),
            ("https://evil.example", "/"),
        ] {
            let r = client()
                .get(format!("{}/lang/en?back={back}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["location"], expected, "back={back}");
        }
    }
}

/// The value of a hidden input in a page (`name="_csrf" value="..."`).
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Issue 4, concurrency: two tabs open the same draft; the first save wins, the second is
/// refused with a clear message and the form comes back with what was typed in it.
#[tokio::test]
async fn a_save_from_a_stale_form_is_refused_and_keeps_what_was_typed() {
    for app in spawn_apps("stale-form", None).await {
        let c = client();
        let clerk = token(&app, "scj.clerk").await;
        let created: Value = c
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&clerk)
            .json(&json!({ "kind": "demand", "action": "create", "fields": complete_demand() }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().unwrap();
        let cookie = web_cookie(&app, "scj.clerk").await;
        let edit_page = || async {
            c.get(format!("{}/items/{id}/edit", app.base))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        let (tab1, tab2) = (edit_page().await, edit_page().await);
        let save = |page: String, title: &'static str| {
            let (c, cookie, base) = (c.clone(), cookie.clone(), app.base.clone());
            async move {
                let mut form: Vec<(String, String)> = complete_demand()
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                form.retain(|(k, _)| k != "title");
                form.push(("title".into(), title.into()));
                form.push(("_csrf".into(), hidden(&page, "_csrf")));
                form.push(("_version".into(), hidden(&page, "_version")));
                form.push(("op".into(), "save".into()));
                c.post(format!("{base}/items/{id}/edit"))
                    .header("cookie", &cookie)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(save(tab1, "第一个标签页的标题").await.status(), 303);
        let late = save(tab2, "第二个标签页的标题").await;
        assert_eq!(late.status(), 422);
        let body = late.text().await.unwrap();
        assert!(body.contains("他人已修改"), "{body}");
        assert!(
            body.contains("第二个标签页的标题"),
            "what was typed is kept"
        );
        let now: Value = c
            .get(format!("{}/api/v1/items/{id}", app.base))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(now["fields"]["title"], "第一个标签页的标题");
    }
}

/// RX.1: an article's page shows what the policy makes of it, as `policy explain` prints it,
/// and every article in an item's record links there.
#[tokio::test]
async fn rx1_an_articles_page_lists_the_steps_citing_it_and_says_when_it_is_not_modelled() {
    let apps = spawn_apps("articles", None).await;
    let app = &apps[0];
    let c = client();
    let cookie = web_cookie(app, "scj.clerk").await;
    let get = |path: &str| {
        c.get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
    };
    let r = get("/articles/14").await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("第十四条"), "{page}");
    assert!(
        page.contains("编制可研报告") && page.contains("可由："),
        "{page}"
    );
    let page = get("/articles/26").await.unwrap().text().await.unwrap();
    assert!(page.contains("尚未建模"), "{page}");
    assert_eq!(get("/articles/33").await.unwrap().status(), 404);
    // Issue 13, point 7: an article of the Data Center's own O&M measures, with its issuer.
    let page = get("/articles/《运维管理办法》5")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("《运维管理办法》第五条 账号托管"), "{page}");
    assert!(page.contains("市政务大数据中心制定"), "{page}");
    assert!(page.contains("登记持有人离职"), "{page}");
    assert_eq!(
        get("/articles/《运维管理办法》9").await.unwrap().status(),
        404
    );
    // A demand's record cites its articles, each a link to its page.
    let list: Value = c
        .get(format!("{}/api/v1/items?kind=demand", app.base))
        .bearer_auth(token(app, "scj.clerk").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let page = get(&format!("/items/{id}?tab=record"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/articles/13"), "{page}");
}

/// Finding 10: an item step kept no source address, request id or result. Now every step and
/// every security event keeps them, hashed into the record, and the answer names the request
/// id (`X-Request-Id`) so a clerk's complaint can be found in the record.
#[tokio::test]
async fn rx2_f10_a_step_and_a_login_record_their_source_request_id_and_result() {
    for app in spawn_apps("f10-context", None).await {
        let clerk = token(&app, "scj.clerk").await;
        let r = client()
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&clerk)
            .json(&json!({ "kind": "demand", "action": "create", "fields": complete_demand() }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let request_id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(request_id.len(), 16);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let who = demo::principal(&app.platform, "scj.clerk").await.unwrap();
        let item = app::items::view(&app.platform, &who, domain::ItemId::new(id))
            .await
            .unwrap();
        let step: Value =
            serde_json::from_str(item.history[0].event.context.as_deref().unwrap()).unwrap();
        assert_eq!(step["source"], "127.0.0.1");
        assert_eq!(step["request_id"], request_id.as_str());
        assert_eq!(step["result"], "ok");
        let login = testkit::peek::security_context(&app.platform, "login")
            .await
            .unwrap();
        let login: Value = serde_json::from_str(&login).unwrap();
        assert_eq!(login["source"], "127.0.0.1");
        assert_eq!(login["request_id"].as_str().unwrap().len(), 16);
        assert_eq!(login["result"], "ok");
        let r = app::audit::verify(
            &app.platform.store,
            &app.platform.trust().unwrap(),
            &app.platform.policy,
        )
        .await
        .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}

/// Finding 10: exports and downloads were not recorded. An Excel export writes one security
/// event naming what was exported, how many rows and the SM3 of the file handed out.
#[tokio::test]
async fn rx2_f10_an_excel_export_is_recorded_with_its_rows_and_digest() {
    for app in spawn_apps("f10-export", None).await {
        let cookie = web_cookie(&app, "dc.analyst").await;
        let r = client()
            .get(format!("{}/items/export.xlsx?kind=demand", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // Issue 12, point 10: in Chinese the file is named in Chinese (需求方案-日期.xlsx).
        let name = r
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            name.contains("%E9%9C%80%E6%B1%82%E6%96%B9%E6%A1%88"),
            "{name}"
        );
        let bytes = r.bytes().await.unwrap();
        let events = testkit::peek::security_events(&app.platform).await;
        let (who, _, payload) = events
            .iter()
            .rev()
            .find(|(_, action, _)| action == "export")
            .expect("the export is recorded");
        assert_eq!(who, "dc.analyst");
        let payload: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(payload["detail"]["sm3"], crypto::sm3_hex(&bytes).as_str());
        assert_eq!(payload["detail"]["kind"], "demand");
        assert!(payload["detail"]["rows"].as_u64().unwrap() > 0);
        let ctx = testkit::peek::security_context(&app.platform, "export")
            .await
            .unwrap();
        assert!(ctx.contains("\"request_id\""), "{ctx}");
    }
}

/// Finding 10: the demand page shows the contact's phone masked; the whole number is shown
/// only after a reason is given, and that viewing is recorded.
#[tokio::test]
async fn rx2_f10_the_item_page_masks_a_phone_number_and_shows_it_whole_only_with_a_reason() {
    for app in spawn_apps("f10-mask", None).await {
        let clerk = token(&app, "scj.clerk").await;
        let mut fields = complete_demand();
        fields["contact"] = json!("王芳 13912345678");
        let created: Value = client()
            .post(format!("{}/api/v1/items", app.base))
            .bearer_auth(&clerk)
            .json(&json!({ "kind": "demand", "action": "create", "fields": fields }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().unwrap();
        let item: Value = client()
            .get(format!("{}/api/v1/items/{id}", app.base))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(item["fields"]["contact"], "王芳 139****5678");
        assert!(!item.to_string().contains("13912345678"), "{item}");
        let cookie = web_cookie(&app, "scj.clerk").await;
        let page = client()
            .get(format!("{}/items/{id}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("王芳 139****5678") && !page.contains("13912345678"));
        let shown = client()
            .post(format!("{}/items/{id}/reveal/contact", app.base))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&[
                ("_csrf", hidden(&page, "_csrf").as_str()),
                ("reason", "电话回访核实需求"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), 200);
        assert!(shown.text().await.unwrap().contains("王芳 13912345678"));
        let events = testkit::peek::security_events(&app.platform).await;
        assert!(
            events
                .iter()
                .any(|(_, a, p)| a == "reveal" && p.contains("电话回访核实需求"))
        );
    }
}

/// Issue 10, item 7 (every POST honours idempotency): a page's form sent twice (a double
/// click, a resend after a lost answer) has one effect; the page's key with other content is
/// refused and changes nothing.
#[tokio::test]
async fn rx2_f9_a_form_sent_twice_from_one_page_creates_one_demand() {
    for app in spawn_apps("web-once", None).await {
        let c = client();
        let cookie = web_cookie(&app, "scj.clerk").await;
        let path = "/items/new?kind=demand&action=create";
        let (_, page) = common::get_page(&app.base, &cookie, path).await;
        let (csrf, once) = (hidden(&page, "_csrf"), hidden(&page, "_once"));
        assert_eq!(once.len(), 32, "the page carries a 128-bit form key");
        let send = |title: &'static str| {
            let (c, cookie, csrf, once) = (c.clone(), cookie.clone(), csrf.clone(), once.clone());
            let url = format!("{}{path}", app.base);
            async move {
                c.post(url)
                    .header("cookie", &cookie)
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("_once", once.as_str()),
                        ("title", title),
                        ("op", "save"),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let first = send("双击提交的需求").await;
        let second = send("双击提交的需求").await;
        assert_eq!(
            (first.status(), second.status()),
            (
                reqwest::StatusCode::SEE_OTHER,
                reqwest::StatusCode::SEE_OTHER
            )
        );
        assert_eq!(
            first.headers()["location"],
            second.headers()["location"],
            "the same demand"
        );
        let other = send("改过标题的需求").await;
        assert_eq!(other.status(), 422);
        assert!(other.text().await.unwrap().contains("已经提交过"));
        let t = token(&app, "scj.clerk").await;
        for (q, want) in [("双击提交", 1), ("改过标题", 0)] {
            let list: Value = c
                .get(format!("{}/api/v1/items?kind=demand&q={q}", app.base))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(list["total"], want, "{q}");
        }
    }
}

/// Issue 12, point 8: a page past the end of a list says where the end is ("第 1 / 1 页") and
/// leads back to it, never "第 2 / 1 页".
#[tokio::test]
async fn a_list_page_past_the_end_says_where_the_end_is() {
    let apps = spawn_apps("pager", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "scj.clerk").await;
    let page = client()
        .get(format!("{}/items?kind=demand&page=5", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 / 1"), "{page}");
    assert!(!page.contains("5 / 1"), "{page}");
}

/// Issue 12, point 11: an address the platform does not have gets its own page (页面不存在, with
/// the way to the workbench), and the API answers it as problem+json.
#[tokio::test]
async fn an_unknown_address_gets_the_platforms_own_not_found_page() {
    let apps = spawn_apps("not-found", None).await;
    let app = &apps[0];
    let r = client()
        .get(format!("{}/no-such-page", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("页面不存在") && page.contains("统筹"),
        "{page}"
    );
    let r = client()
        .get(format!("{}/api/v1/no-such-route", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("problem+json")
    );
}

/// Issue 12, point 9: the expert list's 单位 is each expert's employer, not the Bureau that
/// keeps the registry.
#[tokio::test]
async fn the_expert_list_shows_each_experts_employer_as_the_unit() {
    let apps = spawn_apps("expert-unit", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "bureau.planner").await;
    let (_, page) = get_page(&app.base, &cookie, "/items?kind=expert").await;
    let body = page.split("<tbody>").nth(1).unwrap_or_default();
    assert!(body.contains("郑州大学"), "{body}");
    assert!(!body.contains("南阳市政务服务和大数据管理局"), "{body}");
}

/// Issue 12, point 11: 帮助 opens the 操作手册 at the reader's own post, with the common
/// operations, and leads to the other posts' sections.
#[tokio::test]
async fn help_opens_the_manual_at_the_readers_own_post() {
    let apps = spawn_apps("help", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "mzj.clerk").await;
    let (_, page) = get_page(&app.base, &cookie, "/help").await;
    let own = page
        .find("id=\"manual-demand_clerk\"")
        .expect("the clerk's section");
    let common = page
        .find("id=\"manual-common\"")
        .expect("the common section");
    assert!(own < common, "the reader's own post comes first");
    assert!(
        page.contains("批量提交上报") && page.contains("<li>"),
        "{page}"
    );
    assert!(page.contains("/help?role=company_pm"));
    assert!(
        get_page(&app.base, &cookie, "/")
            .await
            .1
            .contains("id=\"help-link\"")
    );
    let (_, other) = get_page(&app.base, &cookie, "/help?role=company_pm").await;
    assert!(other.contains("id=\"manual-company_pm\""));
}

/// The part of `page` after the first `from`, up to the next `end` (empty if absent).
fn part<'a>(page: &'a str, from: &str, end: &str) -> &'a str {
    page.split(from)
        .nth(1)
        .and_then(|s| s.split(end).next())
        .unwrap_or_default()
}

/// Issue 12, point 11: the menu lists the modules a role uses. A unit's clerk has its
/// demands, the campaign, the plan, its projects and the registered systems, not the vendor
/// or expert registries; the Bureau's planner, who keeps them, has those too.
#[tokio::test]
async fn the_menu_lists_what_the_role_works_on() {
    let apps = spawn_apps("menu", None).await;
    let app = &apps[0];
    let menu = |user: &'static str| async move {
        let cookie = web_cookie(app, user).await;
        let (_, page) = get_page(&app.base, &cookie, "/").await;
        let nav = part(&page, "id=\"sidebar\"", "</nav>").to_string();
        move |kind: &str| nav.contains(&format!("href=\"/items?kind={kind}\""))
    };
    let clerk = menu("mzj.clerk").await;
    for kind in ["demand", "campaign", "plan", "project", "system"] {
        assert!(clerk(kind), "the clerk's menu lacks {kind}");
    }
    for kind in ["vendor", "expert", "procurement", "inspection"] {
        assert!(!clerk(kind), "the clerk's menu has {kind}");
    }
    let planner = menu("bureau.planner").await;
    assert!(planner("vendor") && planner("expert"));
}

/// Issue 12, point 3 (R13.2): a reference picker offers only what the person may read: a
/// unit's clerk requesting a change picks among its own unit's demands, and never sees the
/// title of another unit's.
#[tokio::test]
async fn a_reference_picker_offers_only_what_the_person_may_read() {
    let apps = spawn_apps("picker-sight", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "mzj.clerk").await;
    let (_, page) = get_page(
        &app.base,
        &cookie,
        "/items/new?kind=demand_change&action=create",
    )
    .await;
    let list = part(&page, "<datalist id=\"list-demand\">", "</datalist>");
    assert!(
        list.contains("养老服务综合信息平台"),
        "no picker for the demand: {page}"
    );
    for theirs in ["不动产登记", "食品安全智慧监管系统", "城市生命线"] {
        assert!(!page.contains(theirs), "another unit's {theirs} is offered");
    }
}

/// Issue 12, point 10: in English the record names each unit in English (the record keeps
/// the Chinese name it had that day; the page reads it in the reader's language).
#[tokio::test]
async fn in_english_the_record_names_units_in_english() {
    let apps = spawn_apps("record-en", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "mzj.clerk").await;
    get_page(&app.base, &cookie, "/lang/en?back=/").await;
    let id = testkit::peek::first(&app.platform, "demand", "养老服务综合信息平台")
        .await
        .item
        .id
        .get();
    let (_, page) = get_page(&app.base, &cookie, &format!("/items/{id}?tab=record")).await;
    let history = part(&page, "id=\"history\"", "</ul>");
    assert!(
        history.contains("Nanyang Civil Affairs Bureau"),
        "{history}"
    );
    assert!(!history.contains("南阳市民政局"), "{history}");
}

/// Issue 13 (R20.1): a list offers the Excel import only where the policy says `import`, and
/// the button opens that kind's import (the equipment list's, not the demands'); the import
/// page of a kind without it is not found.
#[tokio::test]
async fn r20_1_the_equipment_list_offers_its_own_import_and_other_lists_none() {
    let apps = spawn_apps("import-link", None).await;
    let app = &apps[0];
    let om = web_cookie(app, "dc.om").await;
    let (_, page) = get_page(&app.base, &om, "/items?kind=equipment").await;
    assert!(page.contains("/items/import?kind=equipment"), "{page}");
    let (status, page) = get_page(&app.base, &om, "/items/import?kind=equipment").await;
    assert_eq!(status, 200);
    assert!(page.contains("导入划转设备清单"), "{page}");
    let (_, page) = get_page(&app.base, &om, "/items?kind=system").await;
    assert!(
        !page.contains("/items/import"),
        "systems are registered one by one"
    );
    let (status, _) = get_page(&app.base, &om, "/items/import?kind=system").await;
    assert_eq!(status, 404);
    let clerk = web_cookie(app, "mzj.clerk").await;
    let (_, page) = get_page(&app.base, &clerk, "/items?kind=demand").await;
    assert!(page.contains("/items/import?kind=demand"));
}
