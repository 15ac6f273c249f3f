//! Every route in one table, with the guard it runs under: public, web session (cookie, with
//! CSRF on changes) or API bearer. A handler cannot run without its extractor passing.

use crate::edges::{self, EdgeState, Edges};
use crate::{AppState, api, assets, pages};
use app::Platform;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use std::sync::Arc;

/// The router with production's edges.
pub fn router(platform: Platform) -> Router {
    router_with(platform, Edges::default())
}

/// The router with the given edges. Every request passes `edges::guard` first (bounded
/// headers, the Origin check, the route's body limit, the request timeout); the body limits
/// are the guard's, so axum's own 2 MB default is off.
pub fn router_with(platform: Platform, edges: Edges) -> Router {
    let state = AppState {
        platform,
        edges: Arc::new(EdgeState::new(edges)),
    };
    Router::new()
        // public
        .route("/login", get(pages::login::page).post(pages::login::submit))
        .route("/lang/{code}", get(pages::login::switch))
        .route("/static/{*path}", get(assets::serve))
        .route("/healthz", get(|| async { "ok" }))
        // web session (WebUser extractor; CSRF checked in every POST handler)
        .route("/", get(pages::inbox::page))
        .route("/logout", post(pages::login::logout))
        .route("/items", get(pages::list::page))
        .route("/articles/{n}", get(pages::articles::page))
        .route(
            "/items/new",
            get(pages::form::new_page).post(pages::form::new_submit),
        )
        .route("/items/export.xlsx", get(pages::list::export))
        .route(
            "/items/import",
            get(pages::import::page).post(pages::import::upload),
        )
        .route("/items/import/template.xlsx", get(pages::import::template))
        .route("/items/{id}/versions", get(pages::versions::page))
        .route("/items/batch", post(pages::batch::submit))
        .route("/help", get(pages::help::page))
        .route("/items/{id}/timeline", get(pages::progress::timeline))
        .route("/items/{id}/print", get(pages::print::page))
        .route("/items/{id}/files", post(pages::versions::upload))
        .route("/items/{id}/files/{name}", get(pages::versions::file))
        .route("/items/{id}", get(pages::detail::page))
        .route(
            "/items/{id}/edit",
            get(pages::form::edit_page).post(pages::form::edit_submit),
        )
        .route("/items/{id}/reveal/{field}", post(pages::detail::reveal))
        .route("/items/{id}/act", post(pages::act::perform_chosen))
        .route("/items/{id}/act/{action}", post(pages::act::perform))
        .route("/items/{id}/handle/{act}", post(pages::handling::handle))
        .route("/items/{id}/ranking", get(pages::ranking::page))
        .route("/items/{id}/ranking.xlsx", get(pages::ranking::export))
        .route(
            "/delegation",
            get(pages::delegation::page).post(pages::delegation::submit),
        )
        .route("/delegation/end", post(pages::delegation::end))
        .route(
            "/items/{id}/step/{action}",
            get(pages::step::page).post(pages::step::submit),
        )
        // the three administrators (app::admin checks which one may do what) and one's password
        .route("/bell", get(pages::bell::part))
        .route("/audit/package.zip", get(pages::funds::package))
        .route("/funds/report", get(pages::funds::report))
        .route("/funds/report.xlsx", get(pages::funds::report_xlsx))
        .route("/me", get(pages::admin::me::page))
        .route(
            "/password",
            get(pages::admin::password::page).post(pages::admin::password::submit),
        )
        .route(
            "/admin/accounts",
            get(pages::admin::accounts::page).post(pages::admin::accounts::create),
        )
        .route(
            "/admin/accounts/{username}/grant",
            get(pages::admin::grants::grant_page).post(pages::admin::grants::grant),
        )
        .route(
            "/admin/accounts/{username}/{change}",
            post(pages::admin::accounts::change),
        )
        .route(
            "/admin/orgs",
            get(pages::admin::grants::orgs).post(pages::admin::grants::add_org),
        )
        .route("/admin/trail", get(pages::admin::trail::page))
        .route("/admin/trail/export.xlsx", get(pages::admin::trail::export))
        .route("/admin/ledger", get(pages::admin::trail::ledger))
        .route("/admin/ledger/anchor", post(pages::admin::trail::anchor))
        .route("/admin/ledger/verify", post(pages::admin::trail::verify))
        // JSON API (ApiUser extractor, bearer token)
        .nest("/api/v1", api::router())
        .fallback(crate::error::not_found)
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edges::guard,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers every answer carries (SECURITY.md: CSP without unsafe-inline, no framing).
async fn security_headers(mut r: axum::response::Response) -> axum::response::Response {
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    r
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
