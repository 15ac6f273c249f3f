//! The web UI (server-rendered, Simplified Chinese by default, htmx for partial updates) and
//! the JSON API, on axum. Handlers are thin: extract, call one use case, render.

mod api;
mod assets;
mod auth;
pub mod contract;
pub mod edges;
mod error;
mod frame;
mod grid;
mod i18n;
mod pages;
mod routes;
mod server;
mod views;

pub use edges::Edges;

/// What the crate's own tests (`tests/it/inside.rs`) read of its insides: the interface's
/// words, the manual's sections, the error answers. Not an interface for other crates.
#[doc(hidden)]
pub mod inside {
    pub use crate::error::{ApiError, RETRY_AFTER_SECONDS, WebError};
    pub use crate::i18n::{STRINGS, Tr};
    pub use crate::pages::admin::WORDS as ADMIN_WORDS;
    pub use crate::pages::help::{COMMON, sections};
}
pub use routes::{router, router_with};

use app::Platform;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub platform: Platform,
    pub edges: Arc<edges::EdgeState>,
}

/// Serves with production's edges until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(platform: Platform, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_with(platform, listener, Edges::default()).await
}

/// Serves with the given edges (limits, trusted proxies, timeouts) until SIGTERM or Ctrl-C;
/// then requests in flight may finish within `edges.drain` and the server returns.
pub async fn serve_with(
    platform: Platform,
    listener: tokio::net::TcpListener,
    edges: Edges,
) -> std::io::Result<()> {
    let app = router_with(platform, edges.clone());
    server::run(app, listener, &edges, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
