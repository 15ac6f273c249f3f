//! The web UI (server-rendered, Simplified Chinese by default, htmx for partial updates) and
//! the JSON API, on axum. Handlers are thin: extract, call one use case, render.

mod api;
mod assets;
mod auth;
pub mod contract;
mod error;
mod frame;
mod i18n;
mod pages;
mod routes;
mod views;

pub use routes::router;

use app::Platform;
use std::net::SocketAddr;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub platform: Platform,
}

/// Serves until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(platform: Platform, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = router(platform).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
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
