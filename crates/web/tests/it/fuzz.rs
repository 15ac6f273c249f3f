//! Fuzzed JSON bodies (SECURITY.md, fault scenarios; issue 10, item 11): arbitrary JSON values,
//! bodies shaped like the API's with wrong or odd values, and bytes that are not JSON at all,
//! posted to `/api/v1/items` and to the actions of an item, through the router in process
//! (no socket). Every answer is a 2xx or a 4xx, never a 5xx; no hang, bounded memory.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

use crate::common;
#[path = "../../../testkit/shared/fuzz.rs"]
mod fuzz_settings;
use fuzz_settings::{config, run_bound, seed};
use testkit::peak_rss_kb;

const RUN_BOUND: Duration = Duration::from_secs(150);

/// The whole binary's peak (the stories beside this one typeset PDFs and drive Chromium's
/// pages; Chromium itself is another process).
const RSS_BOUND_KB: u64 = 1024 * 1024;

/// Words the API knows, so that shaped bodies reach past the parser into the use cases.
const WORDS: &[&str] = &[
    "demand",
    "campaign",
    "system",
    "plan",
    "create",
    "submit",
    "edit",
    "attach",
    "start_analysis",
    "accept",
    "defer",
    "title",
    "problem",
    "scope",
    "functions",
    "logic",
    "budget",
    "reason",
    "secrecy",
    "_version",
    "merge_into",
    "score_need",
    "1,350,000",
    "-1",
    "99999999999999999999",
    "1e309",
    "0x10",
    "",
    " ",
    "\u{0}",
    "<script>alert(1)</script>",
    "'; DROP TABLE items; --",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..WORDS.len()).prop_map(|i| WORDS[i].to_string()),
        2 => "\\PC{0,24}",
        1 => (1usize..30_000).prop_map(|n| "长".repeat(n)),
    ]
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((word(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body shaped like the API's: a complete demand (what the API accepts) with keys dropped,
/// values swapped for odd words or any JSON, and now and then a key of its own; the kind, the
/// action and the step after it mostly right.
fn shaped() -> impl Strategy<Value = Value> {
    let odd = prop_oneof![3 => word().prop_map(Value::String), 1 => json_value()];
    let kind = prop_oneof![4 => Just("demand".to_string()), 1 => word()];
    let action = proptest::option::of(prop_oneof![3 => Just("create".to_string()), 1 => word()]);
    let then = proptest::option::of(prop_oneof![3 => Just("submit".to_string()), 1 => word()]);
    (
        kind,
        action,
        then,
        proptest::collection::vec((any::<usize>(), 0u8..3, odd), 0..4),
        proptest::option::of((word(), json_value())),
        any::<bool>(),
    )
        .prop_map(|(kind, action, then, changes, extra, opinion)| {
            let mut fields = match common::complete_demand() {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            if opinion {
                // What the analyst's steps take.
                fields = Map::new();
                fields.insert("reason".into(), json!("需求明确，建议列入计划"));
                fields.insert("score_need".into(), json!("8"));
            }
            for (at, how, value) in changes {
                let Some(key) = fields.keys().nth(at % fields.len().max(1)).cloned() else {
                    break;
                };
                match how {
                    0 => {
                        fields.remove(&key);
                    }
                    1 => {
                        fields.insert(key, value);
                    }
                    _ => {
                        fields.insert(format!("{key}_x"), value);
                    }
                }
            }
            let mut body = Map::new();
            body.insert("kind".into(), Value::String(kind));
            if let Some(a) = action {
                body.insert("action".into(), Value::String(a));
            }
            if let Some(t) = then {
                body.insert("then".into(), Value::String(t));
            }
            body.insert("fields".into(), Value::Object(fields));
            if let Some((k, v)) = extra {
                body.insert(k, v);
            }
            Value::Object(body)
        })
}

/// What is posted: a body (JSON or not), where, and with which Idempotency-Key.
#[derive(Debug, Clone)]
struct Post {
    body: Vec<u8>,
    /// None: `/api/v1/items`; else the item (an index into the ids tried) and the action.
    action: Option<(usize, String)>,
    key: Option<String>,
}

fn post() -> impl Strategy<Value = Post> {
    let body = prop_oneof![
        2 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        3 => shaped().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ];
    (
        body,
        proptest::option::of((0usize..5, word(), any::<bool>())),
        proptest::option::of("[ -~]{0,140}"),
    )
        .prop_map(|(mut body, action, key)| {
            // An action's body is `{"fields": ...}`: mostly keep only that part.
            let action = action.map(|(i, a, only_fields)| {
                if only_fields
                    && let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body)
                    && let Some(fields) = m.remove("fields")
                {
                    body = serde_json::to_vec(&json!({ "fields": fields })).unwrap();
                }
                (i, a)
            });
            Post { body, action, key }
        })
}

#[derive(Default, Clone, Copy)]
struct Counts {
    posts: usize,
    ok: usize,
    refused: usize,
    slowest: Duration,
}

fn fuzz_json() -> Counts {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(testkit::database_urls("fuzz-json")).remove(0);
    let p = rt
        .block_on(testkit::platform(&url, "fuzz-json", None))
        .unwrap();
    let router = web::router_with(
        p.clone(),
        web::Edges {
            api_per_token: None,
            request_timeout: Duration::from_secs(300),
            ..web::Edges::default()
        },
    );
    let token_of = |user: &str| {
        rt.block_on(app::identity::login(
            &p,
            user,
            demo::DEMO_PASSWORD,
            "127.0.0.1",
            "api",
            domain::Lang::Zh,
        ))
        .unwrap()
        .0
    };
    // The clerk who drafts and submits, and the analyst who takes the next steps.
    let tokens = [token_of("scj.clerk"), token_of("dc.analyst")];
    // A draft of the clerk's and a submitted demand for the analyst, and ids nobody has.
    let clerk = rt.block_on(demo::principal(&p, "scj.clerk")).unwrap();
    let demand = |then: Option<&str>| {
        let input: domain::Input = serde_json::from_value(common::complete_demand()).unwrap();
        let cmd = app::items::Command {
            action: "create".into(),
            input,
            then: then.map(str::to_string),
            idempotency: None,
        };
        rt.block_on(app::items::create(&p, &clerk, "demand", cmd))
            .unwrap()
            .get()
    };
    let ids = [demand(None), demand(Some("submit")), 0, -1, i64::MAX];
    let counts = std::cell::Cell::new(Counts::default());
    let mut runner = TestRunner::new(config());
    runner
        .run(
            &(post(), proptest::bool::weighted(0.3)),
            |(post, analyst)| {
                let path = match &post.action {
                    None => "/api/v1/items".to_string(),
                    Some((i, action)) => format!(
                        "/api/v1/items/{}/actions/{}",
                        ids[*i],
                        // The http crate takes at most 64 KB of URI; hyper refuses less.
                        urlencode(&action.chars().take(200).collect::<String>())
                    ),
                };
                let mut req = Request::post(path.as_str())
                    .header("content-type", "application/json")
                    .header(
                        "authorization",
                        format!("Bearer {}", tokens[usize::from(analyst)]),
                    );
                if let Some(k) = &post.key {
                    req = req.header("idempotency-key", k);
                }
                let req = req.body(Body::from(post.body.clone())).unwrap();
                let t = Instant::now();
                let answer = rt.block_on(router.clone().oneshot(req)).unwrap();
                let took = t.elapsed();
                let status = answer.status();
                let text = rt
                    .block_on(axum::body::to_bytes(answer.into_body(), 1 << 20))
                    .unwrap_or_default();
                prop_assert!(
                    status < StatusCode::INTERNAL_SERVER_ERROR,
                    "{path} answered {status}: {}",
                    String::from_utf8_lossy(&text)
                );
                let mut c = counts.get();
                c.posts += 1;
                c.slowest = c.slowest.max(took);
                if status.is_success() {
                    c.ok += 1;
                } else {
                    c.refused += 1;
                }
                counts.set(c);
                Ok(())
            },
        )
        .unwrap();
    let r = rt
        .block_on(app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy))
        .unwrap();
    assert!(r.is_intact(), "{r}");
    counts.get()
}

/// A path segment as a client would send it.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn rx2_fuzzed_json_bodies_on_the_api_get_a_2xx_or_a_4xx_never_a_5xx() {
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(fuzz_json));
    });
    let c = match rx.recv_timeout(run_bound(RUN_BOUND)) {
        Ok(Ok(c)) => c,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!(
            "the API still runs after {:?}: a hang",
            run_bound(RUN_BOUND)
        ),
    };
    let rss = peak_rss_kb();
    assert!(
        rss < RSS_BOUND_KB,
        "the test process peaked at {} MB",
        rss / 1024
    );
    testkit::figures(&format!(
        "fuzz [POST /api/v1/items, /actions]: {} posts of random JSON, API-shaped bodies and \
         non-JSON bytes: {} accepted, {} refused with a 4xx, no 5xx; audit intact; slowest \
         {} ms; process peak RSS {} MB (bound {} MB); {:.1} s; seed {}",
        c.posts,
        c.ok,
        c.refused,
        c.slowest.as_millis(),
        rss / 1024,
        RSS_BOUND_KB / 1024,
        started.elapsed().as_secs_f64(),
        seed()
    ));
}
