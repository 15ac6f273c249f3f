//! The server's edges (issue 10, findings 5 and 7): what a request may be before a use case
//! sees it. Body limits by route, bounded headers, the source address (`X-Forwarded-For` only
//! from a trusted proxy, and only a valid IP), the Origin check on every state-changing page
//! request, rate limits on logins and API calls, and the request timeout. `docs/security.md`
//! ("Edges") gives the reasons and the defaults.
//!
//! The parts: the sizes a request may have (`limits`), its source address (`source`), the
//! rate limits (`rate`), the Origin check (`origin`), the refusals and their texts
//! (`refusals`), and the middleware that applies them in order (`guard`). The settings and the
//! state they share stay here.

mod guard;
mod limits;
mod origin;
mod rate;
mod refusals;
mod source;

pub use guard::guard;
pub use limits::{HEADER_LIMITS, MAX_HEADER_BYTES, MAX_USERNAME_BYTES};
pub use origin::origin_check;
pub use rate::Limiter;
pub use refusals::{
    file_too_large, own, refusal, size_label, too_many, too_many_calls, too_many_logins,
};
pub use source::Net;

use std::net::IpAddr;
use std::time::Duration;

const KB: usize = 1024;
const MB: usize = 1024 * 1024;

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
}
