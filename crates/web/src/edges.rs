//! The server's edges (issue 10, findings 5 and 7): what a request may be before a use case
//! sees it. Body limits by route, bounded headers, the source address (`X-Forwarded-For` only
//! from a trusted proxy, and only a valid IP), the Origin check on every state-changing page
//! request, rate limits on logins and API calls, and the request timeout. `docs/security.md`
//! ("Edges") gives the reasons and the defaults.

use crate::AppState;
use crate::auth::LANG_COOKIE;
use crate::error::ErrorPage;
use crate::i18n::Tr;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Lang, Text};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const KB: usize = 1024;
const MB: usize = 1024 * 1024;

/// The longest username an account can have (`app::accounts`): a longer one is refused
/// before anything is looked up or written.
pub const MAX_USERNAME_BYTES: usize = app::accounts::MAX_USERNAME_BYTES;

/// Every request header the platform reads, with the most bytes it may have. A longer one is
/// refused (431) before any handler runs; hyper caps all headers together (`MAX_HEADER_BYTES`).
pub const HEADER_LIMITS: &[(&str, usize)] = &[
    ("x-forwarded-for", 512),
    ("idempotency-key", 128),
    ("authorization", 256),
    ("cookie", 4096),
    ("origin", 256),
    ("host", 256),
    ("sec-fetch-site", 32),
    ("content-type", 256),
];

/// All request headers together, with the request line (hyper refuses more with 431).
pub const MAX_HEADER_BYTES: usize = 16 * KB;

/// The edges' settings. `Default` is production's; `tongchou serve` sets them from its flags.
#[derive(Debug, Clone)]
pub struct Edges {
    /// The largest file an upload may carry (attachments, the import workbook).
    pub upload_bytes: usize,
    /// The largest body of any other page form or API call (JSON).
    pub form_bytes: usize,
    /// The largest login body (web form or API JSON).
    pub login_bytes: usize,
    /// Peers whose `X-Forwarded-For` is believed; empty: nobody's.
    pub trusted_proxies: Vec<Net>,
    /// Origins besides the request's own `Host` that pages may be posted from (the public
    /// address when a proxy rewrites `Host`), e.g. `https://tongchou.example.gov.cn`.
    pub public_origins: Vec<String>,
    /// Logins per minute from one source address (`None`: no limit).
    pub login_per_address: Option<u32>,
    /// Logins per minute for one username (`None`: no limit).
    pub login_per_account: Option<u32>,
    /// API calls per minute with one bearer token (`None`: no limit).
    pub api_per_token: Option<u32>,
    /// How long a client may take to send a request's headers (also the keep-alive idle time).
    pub header_timeout: Duration,
    /// How long one request may take, its body included.
    pub request_timeout: Duration,
    /// At SIGTERM, how long in-flight requests may still run before the server exits anyway.
    pub drain: Duration,
    /// Keys each rate limiter keeps at most (the least recently seen go first).
    pub limiter_keys: usize,
}

impl Default for Edges {
    fn default() -> Edges {
        Edges {
            upload_bytes: 20 * MB,
            form_bytes: MB,
            login_bytes: 8 * KB,
            trusted_proxies: Vec::new(),
            public_origins: Vec::new(),
            login_per_address: Some(10),
            login_per_account: Some(5),
            api_per_token: Some(600),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            drain: Duration::from_secs(10),
            limiter_keys: 10_000,
        }
    }
}

/// The edges' settings with the limiters they need, shared by every handler.
pub struct EdgeState {
    pub edges: Edges,
    by_address: Option<Limiter<IpAddr>>,
    by_account: Option<Limiter<String>>,
    by_token: Option<Limiter<String>>,
}

impl EdgeState {
    pub fn new(edges: Edges) -> EdgeState {
        let keys = edges.limiter_keys;
        EdgeState {
            by_address: edges.login_per_address.map(|n| Limiter::new(n, keys)),
            by_account: edges.login_per_account.map(|n| Limiter::new(n, keys)),
            by_token: edges.api_per_token.map(|n| Limiter::new(n, keys)),
            edges,
        }
    }

    /// The caller's address: the peer's, or, when the peer is a trusted proxy, the nearest
    /// untrusted address its `X-Forwarded-For` names. Always a valid IP.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // Each proxy appends the address it was connected from: read from the right, past our
        // own proxies. What a client wrote itself stands further left and is never reached
        // unless every proxy on the way is ours.
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                return nearest;
            };
            if !self.trusts(ip) {
                return ip;
            }
            nearest = ip;
        }
        nearest
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.edges.trusted_proxies.iter().any(|n| n.contains(ip))
    }

    /// One login attempt from `ip`; `Err(seconds to wait)` over the limit.
    pub fn login_from(&self, ip: IpAddr) -> Result<(), u64> {
        match &self.by_address {
            Some(l) => l.take(&address_key(ip), Instant::now()),
            None => Ok(()),
        }
    }

    /// One login attempt for `username`; `Err(seconds to wait)` over the limit.
    pub fn login_as(&self, username: &str) -> Result<(), u64> {
        match &self.by_account {
            Some(l) => l.take(&username.to_string(), Instant::now()),
            None => Ok(()),
        }
    }

    /// One API call with the token whose hash is `token_hash`; `Err(seconds)` over the limit.
    pub fn api_call(&self, token_hash: &str) -> Result<(), u64> {
        match &self.by_token {
            Some(l) => l.take(&token_hash.to_string(), Instant::now()),
            None => Ok(()),
        }
    }

    /// The body limit of a request, by its route.
    fn body_limit(&self, method: &Method, path: &str) -> BodyLimit {
        let e = &self.edges;
        if method == Method::POST && is_upload(path) {
            // Room to read a too-large file to its end and answer with a page instead of a
            // reset connection; the handler refuses the file past `upload_bytes`.
            BodyLimit {
                bytes: e.upload_bytes.saturating_mul(2).saturating_add(MB),
                named: e.upload_bytes,
            }
        } else if method == Method::POST && (path == "/login" || path == "/api/v1/login") {
            BodyLimit {
                bytes: e.login_bytes,
                named: e.login_bytes,
            }
        } else {
            BodyLimit {
                bytes: e.form_bytes,
                named: e.form_bytes,
            }
        }
    }
}

struct BodyLimit {
    /// What may be read.
    bytes: usize,
    /// What the refusal names.
    named: usize,
}

/// The routes that take a file: `POST /items/{id}/files` and `POST /items/import`.
fn is_upload(path: &str) -> bool {
    path == "/items/import"
        || path
            .strip_prefix("/items/")
            .and_then(|rest| rest.strip_suffix("/files"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// An address in `X-Forwarded-For`: an IP, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// One key per IPv4 address, one per IPv6 /64 (what one subscriber usually holds).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// A trusted proxy: an address or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Net {
    type Err = String;

    fn from_str(s: &str) -> Result<Net, String> {
        let bad =
            || format!("`{s}` is not an IP address or network (10.0.0.1, 10.0.0.0/8, fd00::/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
        };
        Ok(Net { addr, prefix })
    }
}

/// A token bucket per key: `per_minute` tokens, refilled evenly over the minute, so a burst of
/// `per_minute` passes and then one every `60 / per_minute` seconds. At most `keys` keys are
/// kept; when full, the buckets that have refilled are dropped first (they hold nothing), then
/// the least recently seen.
pub struct Limiter<K> {
    per_minute: u32,
    keys: usize,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(per_minute: u32, keys: usize) -> Limiter<K> {
        Limiter {
            per_minute: per_minute.max(1),
            keys: keys.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn burst(&self) -> f64 {
        f64::from(self.per_minute)
    }

    fn per_second(&self) -> f64 {
        self.burst() / 60.0
    }

    fn refilled(&self, b: &Bucket, now: Instant) -> f64 {
        let earned = now.saturating_duration_since(b.at).as_secs_f64() * self.per_second();
        (b.tokens + earned).min(self.burst())
    }

    /// Takes a token for `key`; `Err(seconds until one is there)` when there is none.
    pub fn take(&self, key: &K, now: Instant) -> Result<(), u64> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(key) && map.len() >= self.keys {
            let full = self.burst();
            map.retain(|_, b| self.refilled(b, now) < full);
            if map.len() >= self.keys
                && let Some(oldest) = map.iter().min_by_key(|(_, b)| b.at).map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        let fresh = Bucket {
            tokens: self.burst(),
            at: now,
        };
        let b = map.entry(key.clone()).or_insert(fresh);
        let tokens = self.refilled(b, now);
        b.at = now;
        if tokens >= 1.0 {
            b.tokens = tokens - 1.0;
            Ok(())
        } else {
            b.tokens = tokens;
            let wait = ((1.0 - tokens) / self.per_second()).ceil();
            Err(if wait >= 1.0 { wait as u64 } else { 1 })
        }
    }

    /// How many keys are kept now.
    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `20 MB`, `8 KB`, `1500 字节`: a limit as people read it (1 MB = 1024 KB, as the files
/// module counts).
pub fn size_label(bytes: usize) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB && bytes.is_multiple_of(KB) {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} B")
    }
}

/// Marks an answer the edges (or a handler) wrote themselves, so the body-limit rewrite below
/// leaves it alone.
#[derive(Clone, Copy)]
struct OwnRefusal;

/// Marks a handler's own 413 (a file over the limit, already explained) as final.
pub fn own(mut r: Response) -> Response {
    r.extensions_mut().insert(OwnRefusal);
    r
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == LANG_COOKIE).then(|| Lang::parse(v))
        })
        .unwrap_or_default()
}

fn is_api(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// A refusal at the edge: an error page for the pages, problem+json for the API.
pub fn refusal(status: StatusCode, api: bool, lang: Lang, text: &Text) -> Response {
    let mut r = if api {
        let body = serde_json::json!({
            "type": "about:blank",
            "status": status.as_u16(),
            "title": text.en,
            "title_zh": text.zh,
        });
        (
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    } else {
        crate::error::html(ErrorPage {
            t: Tr(lang),
            message: text.get(lang).to_string(),
        })
    };
    *r.status_mut() = status;
    r.extensions_mut().insert(OwnRefusal);
    r
}

/// 429 with `Retry-After`.
pub fn too_many(api: bool, lang: Lang, wait: u64, text: &Text) -> Response {
    let mut r = refusal(StatusCode::TOO_MANY_REQUESTS, api, lang, text);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    r
}

pub fn too_many_logins(wait: u64) -> Text {
    Text::new(
        format!("登录尝试过于频繁，请 {wait} 秒后再试。"),
        format!("Too many login attempts; try again in {wait} s."),
    )
}

pub fn too_many_calls(wait: u64) -> Text {
    Text::new(
        format!("请求过于频繁，请 {wait} 秒后再试。"),
        format!("Too many requests; try again in {wait} s."),
    )
}

/// The refusal of a file over the upload limit.
pub fn file_too_large(limit: usize) -> Text {
    let l = size_label(limit);
    Text::new(
        format!("文件超过 {l} 上限，请压缩或拆分后上传；本次未保存任何内容。"),
        format!("The file is over the {l} limit; compress or split it. Nothing was kept."),
    )
}

fn body_too_large(limit: usize) -> Text {
    let l = size_label(limit);
    Text::new(
        format!("提交的内容超过 {l} 上限，未予处理。"),
        format!("The request is over the {l} limit; nothing was done."),
    )
}

/// Whether a state-changing page request comes from this site's own pages.
///
/// `Origin` decides when present: it must be the request's own host (any scheme: a proxy may
/// end TLS) or one of `public_origins`; `null` and any other site are refused. Without it,
/// `Sec-Fetch-Site` must be `same-origin` or `none` (typed by the user). When both are sent they
/// must both agree. Without either the request is refused: every browser the platform supports
/// sends at least one of them on a POST, so a request with neither is no browser's form, and
/// programs use the API with a bearer token, which is not subject to this check.
pub fn origin_check(headers: &HeaderMap, public_origins: &[String]) -> Result<(), Text> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (origin, site) = (text("origin"), text("sec-fetch-site"));
    if let Some(site) = &site
        && !matches!(site.to_ascii_lowercase().as_str(), "same-origin" | "none")
    {
        return Err(cross_site(origin.as_deref().unwrap_or(site)));
    }
    match origin {
        Some(origin) => {
            let host = text("host").unwrap_or_default().to_ascii_lowercase();
            let authority = origin
                .split_once("://")
                .map(|(_, a)| a.trim_end_matches('/').to_ascii_lowercase());
            let own = authority.is_some_and(|a| !a.is_empty() && a == host);
            let listed = public_origins
                .iter()
                .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin));
            if own || listed {
                Ok(())
            } else {
                Err(cross_site(&origin))
            }
        }
        None if site.is_some() => Ok(()),
        None => Err(Text::new(
            "浏览器没有说明这次提交来自哪个网站（请求中既无 Origin 也无 Sec-Fetch-Site），已拒绝。请从本系统的页面提交；程序调用请使用 /api/v1 接口和令牌。",
            "Refused: the request does not say which site it comes from (neither Origin nor Sec-Fetch-Site). Submit from the platform's own pages; programs use /api/v1 with a token.",
        )),
    }
}

fn cross_site(from: &str) -> Text {
    let from: String = from.chars().take(80).collect();
    Text::new(
        format!("这次提交来自其他网站（{from}），已拒绝：本系统只接受从自己页面发起的操作。"),
        format!(
            "Refused: the request comes from another site ({from}); the platform accepts changes only from its own pages."
        ),
    )
}

/// The edge every request passes first: it gives the request an id (answered in
/// `X-Request-Id`, recorded with every step and security event) and its source address, then
/// bounded headers, the Origin check on state-changing page requests, the body limit of its
/// route, and the request timeout.
pub async fn guard(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = app::Origin::new_request_id();
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let source = peer.map(|ip| s.edges.client_ip(ip, req.headers()));
    req.extensions_mut().insert(app::Origin {
        source: source.map(|ip| ip.to_string()).unwrap_or_default(),
        request_id: request_id.clone(),
    });
    let mut r = checked(State(s), req, next).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}

async fn checked(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let edges = &s.edges;
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    let lang = lang_of(req.headers());
    for (name, max) in HEADER_LIMITS {
        if let Some(long) = req
            .headers()
            .get_all(*name)
            .iter()
            .map(|v| v.len())
            .reduce(|a, b| a + b)
            .filter(|n| n > max)
        {
            let text = Text::new(
                format!("请求头 {name} 过长（{long} 字节，上限 {max} 字节），未予处理。"),
                format!(
                    "The {name} header is too long ({long} bytes, at most {max}); nothing was done."
                ),
            );
            return refusal(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                api,
                lang,
                &text,
            );
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe
        && !api
        && let Err(text) = origin_check(req.headers(), &edges.edges.public_origins)
    {
        return refusal(StatusCode::FORBIDDEN, api, lang, &text);
    }
    let limit = edges.body_limit(req.method(), &path);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let upload = is_upload(&path);
    if declared.is_some_and(|n| n > limit.bytes as u64) {
        let text = match upload {
            true => file_too_large(limit.named),
            false => body_too_large(limit.named),
        };
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, lang, &text);
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit.bytes)));
    let seconds = edges.edges.request_timeout.as_secs().max(1);
    let r = match tokio::time::timeout(edges.edges.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(path = %path, seconds, "request timed out");
            let text = Text::new(
                format!("请求未在 {seconds} 秒内完成，已中止。"),
                format!("The request did not complete within {seconds} s and was stopped."),
            );
            return refusal(StatusCode::REQUEST_TIMEOUT, api, lang, &text);
        }
    };
    // An extractor's own refusal of a body over the limit (English, plain text): say it in the
    // user's language, naming the limit.
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE && r.extensions().get::<OwnRefusal>().is_none() {
        let text = match upload {
            true => file_too_large(limit.named),
            false => body_too_large(limit.named),
        };
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, lang, &text);
    }
    r
}
