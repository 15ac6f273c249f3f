//! The load: fixed-duration loops of one operation over loopback, `c` workers sharing one
//! keep-alive client, each recording its latencies; merged after the run.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The measured operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// GET a page of 25 submitted demands (pages 1-20), as the analyst.
    List,
    /// GET a page of 25 demands in every state (pages 1-20), as the analyst.
    AllStates,
    /// GET the analyst's 待办, 25 tasks earliest deadline first (pages 1-5).
    Workbench,
    /// GET the analyst's 已办 (pages 1-5).
    Done,
    /// GET demands whose title holds a topic word (one demand in ten has it).
    SearchWord,
    /// GET demands whose title holds one demand's own words (one match).
    SearchRare,
    /// GET a page of 25 systems of the registry (pages 1-20), as the O&M engineer.
    Registry,
    /// GET a system's page (HTML, with its tickets, custody and usage), as the O&M engineer.
    SystemPage,
    /// POST a new demand, created and submitted in one step, as a clerk.
    Submit,
    /// POST `start_analysis` on a submitted demand, as the analyst; each id once.
    Transition,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::List => "list 25",
            Op::AllStates => "all states 25",
            Op::Workbench => "workbench 25",
            Op::Done => "done 25",
            Op::SearchWord => "search word",
            Op::SearchRare => "search rare",
            Op::Registry => "registry 25",
            Op::SystemPage => "system page",
            Op::Submit => "submit demand",
            Op::Transition => "transition",
        }
    }
}

/// The server under load and who calls it.
pub struct Target {
    pub base: String,
    pub client: reqwest::Client,
    pub analyst: String,
    pub clerk: String,
    /// The O&M engineer's token and session cookie (the registry runs).
    pub om: String,
    pub om_cookie: String,
    /// The seeded systems' ids.
    pub systems: Vec<i64>,
    /// Submitted demands nobody has acted on yet; the transition run takes them one by one.
    pub fresh: Mutex<VecDeque<i64>>,
    /// Makes Idempotency-Keys unique across runs and reused databases.
    pub nonce: String,
    pub sent: AtomicU64,
}

impl Target {
    fn take_fresh(&self) -> Option<i64> {
        self.fresh.lock().ok().and_then(|mut v| v.pop_front())
    }

    fn give_fresh(&self, id: i64) {
        if let Ok(mut v) = self.fresh.lock() {
            // Newly submitted demands queue behind the seeded ones, as in an analyst's inbox.
            v.push_back(id);
        }
    }

    pub fn fresh_left(&self) -> usize {
        self.fresh.lock().map(|v| v.len()).unwrap_or(0)
    }
}

/// A client tuned like a load generator: no proxy (loopback only), no Nagle delay, and
/// enough idle connections that every worker keeps its own.
pub fn client(max_conns: usize) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(max_conns)
        // Shorter than the server's keep-alive idle time (`Edges::header_timeout`, 10 s): a
        // connection the server has just closed is never reused (that race, not the server,
        // was the "connection closed before message completed" of a run after a pause).
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Logs in through the JSON API and returns the bearer token.
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> Result<String> {
    let resp = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .with_context(|| format!("login {username}"))?;
    let status = resp.status();
    let body: Value = resp
        .json()
        .await
        .with_context(|| format!("login {username}: body"))?;
    match body["token"].as_str() {
        Some(t) if status.is_success() => Ok(t.to_string()),
        _ => bail!("login {username} refused: {status} {body}"),
    }
}

/// Logs in through the login form, as a browser on the same site would, and returns the
/// session cookie (`name=value`) the answer sets before its redirect.
pub async fn web_login(base: &str, username: &str, password: &str) -> Result<String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let resp = client
        .post(format!("{base}/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .with_context(|| format!("web login {username}"))?;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    match cookie {
        Some(c) => Ok(c),
        None => bail!("web login {username} refused: {}", resp.status()),
    }
}

/// Fails unless the system's page is its page (not the login page a lost session gets), with
/// its tickets listed.
pub async fn check_page(client: &reqwest::Client, base: &str, cookie: &str, id: i64) -> Result<()> {
    let resp = client
        .get(format!("{base}/items/{id}"))
        .header("cookie", cookie)
        .send()
        .await?;
    let page = String::from_utf8_lossy(&finish(resp).await?).into_owned();
    if !(page.contains("id=\"item-state\"") && page.contains("panel-children-ticket")) {
        bail!("/items/{id} is not the system's page with its tickets");
    }
    Ok(())
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Microseconds per request, errors included.
    pub latencies_us: Vec<u32>,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// The transition run ran out of submitted demands before its time was up.
    pub exhausted: bool,
}

/// Runs `op` with `c` workers for `dur`.
pub async fn run(t: &Arc<Target>, op: Op, c: usize, dur: Duration) -> Result<Outcome> {
    let start = Instant::now();
    let deadline = start + dur;
    let mut handles = Vec::new();
    for w in 0..c.max(1) {
        let t = t.clone();
        handles.push(tokio::spawn(
            async move { worker(&t, op, w, deadline).await },
        ));
    }
    let mut out = Outcome::default();
    for h in handles {
        let part = h.await.context("load worker panicked")?;
        out.latencies_us.extend(part.latencies_us);
        out.errors += part.errors;
        out.exhausted |= part.exhausted;
        if out.first_error.is_none() {
            out.first_error = part.first_error;
        }
    }
    // The last request may end after the deadline; count the time it really took.
    out.elapsed = start.elapsed();
    Ok(out)
}

async fn worker(t: &Target, op: Op, w: usize, deadline: Instant) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::with_capacity(64 * 1024),
        ..Outcome::default()
    };
    let mut k = w;
    while Instant::now() < deadline {
        let sent = Instant::now();
        let result = match op {
            Op::List => list(t, k).await,
            Op::AllStates => {
                get(
                    t,
                    &format!("items?kind=demand&per_page=25&page={}", 1 + k % 20),
                )
                .await
            }
            Op::Workbench => {
                get(
                    t,
                    &format!("workbench?tab=todo&per_page=25&page={}", 1 + k % 5),
                )
                .await
            }
            Op::Done => {
                get(
                    t,
                    &format!("workbench?tab=done&per_page=25&page={}", 1 + k % 5),
                )
                .await
            }
            Op::SearchWord => search(t, crate::seed::topic(k)).await,
            Op::SearchRare => search(t, &format!("第{}号", 1 + (k * 7_919) % 90_000)).await,
            Op::Registry => {
                let url = format!(
                    "{}/api/v1/items?kind=system&per_page=25&page={}",
                    t.base,
                    1 + k % 20
                );
                async {
                    finish(t.client.get(url).bearer_auth(&t.om).send().await?).await?;
                    Ok(())
                }
                .await
            }
            Op::SystemPage => {
                let id = t.systems[(k * 7_919) % t.systems.len().max(1)];
                let url = format!("{}/items/{id}", t.base);
                async {
                    let page = t
                        .client
                        .get(url)
                        .header("cookie", &t.om_cookie)
                        .send()
                        .await?;
                    finish(page).await?;
                    Ok(())
                }
                .await
            }
            Op::Submit => submit(t, w, k).await,
            Op::Transition => match t.take_fresh() {
                Some(id) => transition(t, id).await,
                None => {
                    out.exhausted = true;
                    break;
                }
            },
        };
        out.latencies_us
            .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
        if let Err(e) = result {
            out.errors += 1;
            if out.first_error.is_none() {
                out.first_error = Some(format!("{e:#}"));
            }
        }
        k += 1;
    }
    out
}

/// Reads the whole body (so the connection is reused) and fails on a non-2xx status.
async fn finish(resp: reqwest::Response) -> Result<Vec<u8>> {
    let status = resp.status();
    let body = resp.bytes().await?.to_vec();
    if !status.is_success() {
        bail!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(300)
                .collect::<String>()
        );
    }
    Ok(body)
}

async fn list(t: &Target, k: usize) -> Result<()> {
    let url = format!(
        "{}/api/v1/items?kind=demand&state=submitted&per_page=25&page={}",
        t.base,
        1 + k % 20
    );
    finish(t.client.get(url).bearer_auth(&t.analyst).send().await?).await?;
    Ok(())
}

/// GET `/api/v1/{path}` as the analyst.
async fn get(t: &Target, path: &str) -> Result<()> {
    let url = format!("{}/api/v1/{path}", t.base);
    finish(t.client.get(url).bearer_auth(&t.analyst).send().await?).await?;
    Ok(())
}

/// A keyword search of demands in every state, as the analyst.
async fn search(t: &Target, words: &str) -> Result<()> {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api/v1/items", t.base),
        &[("kind", "demand"), ("per_page", "25"), ("q", words)],
    )?;
    finish(t.client.get(url).bearer_auth(&t.analyst).send().await?).await?;
    Ok(())
}

async fn submit(t: &Target, w: usize, k: usize) -> Result<()> {
    let n = t.sent.fetch_add(1, Ordering::Relaxed);
    let fields = crate::seed::fields(usize::try_from(n).unwrap_or(0) + 1_000_000);
    let body = json!({ "kind": "demand", "action": "create", "then": "submit", "fields": fields });
    let resp = t
        .client
        .post(format!("{}/api/v1/items", t.base))
        .bearer_auth(&t.clerk)
        .header("Idempotency-Key", format!("bench-{}-{w}-{k}-{n}", t.nonce))
        .json(&body)
        .send()
        .await?;
    let body = finish(resp).await?;
    let created: Value = serde_json::from_slice(&body)?;
    if created["state"] != "submitted" {
        bail!("created demand is not submitted: {created}");
    }
    if let Some(id) = created["id"].as_i64() {
        t.give_fresh(id);
    }
    Ok(())
}

async fn transition(t: &Target, id: i64) -> Result<()> {
    let url = format!("{}/api/v1/items/{id}/actions/start_analysis", t.base);
    let body = finish(
        t.client
            .post(url)
            .bearer_auth(&t.analyst)
            .json(&json!({}))
            .send()
            .await?,
    )
    .await?;
    let item: Value = serde_json::from_slice(&body)?;
    if item["state"] != "under_analysis" {
        bail!("demand {id} is not under analysis after the step: {item}");
    }
    Ok(())
}
