//! The sizes a request may have: each header the platform reads, all headers together, and the
//! body by route (uploads, logins, everything else). The fixed limits are here; the ones an
//! operator sets are fields of `Edges`.

use super::{EdgeState, KB, MB};
use axum::http::Method;

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

impl EdgeState {
    /// The body limit of a request, by its route.
    pub(super) fn body_limit(&self, method: &Method, path: &str, multipart: bool) -> BodyLimit {
        let e = &self.edges;
        if method == Method::POST && is_upload(path, multipart) {
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

pub(super) struct BodyLimit {
    /// What may be read.
    pub(super) bytes: usize,
    /// What the refusal names.
    pub(super) named: usize,
}

/// The routes that take a file: `POST /items/{id}/files`, `POST /items/import`, and a new
/// item's form sent with its attachments (multipart; the same form without files keeps the
/// form limit).
pub(super) fn is_upload(path: &str, multipart: bool) -> bool {
    path == "/items/import"
        || (multipart && path == "/items/new")
        || path
            .strip_prefix("/items/")
            .and_then(|rest| rest.strip_suffix("/files"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}
