//! The HTTP/1.1 server loop (instead of `axum::serve`, which has neither a header-read timeout
//! nor a deadline for draining): every connection gets the header-read timeout, bounded
//! headers and the peer's address; at SIGTERM or Ctrl-C the listener closes, idle connections
//! are closed, requests in flight may finish within `Edges::drain`, and then the server returns
//! whatever is still open.

use crate::edges::{Edges, MAX_HEADER_BYTES};
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Serves `app` on `listener` until `stop` resolves, then drains within `edges.drain`.
pub async fn run(
    app: Router,
    listener: TcpListener,
    edges: &Edges,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(edges.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(64)
        .keep_alive(true);
    let (stopping, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(app.oneshot(req).await.unwrap_or_else(|e| match e {})) }
                });
                let conn = http.serve_connection(TokioIo::new(stream), service);
                let mut stopped = stopped.clone();
                connections.spawn(async move {
                    tokio::pin!(conn);
                    tokio::select! {
                        r = conn.as_mut() => {
                            if let Err(e) = r {
                                tracing::debug!(error = %e, "connection ended");
                            }
                            return;
                        }
                        _ = stopped.changed() => {}
                    }
                    // Idle connections close now; one with a request in flight closes after
                    // its answer.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                });
            }
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(edges.drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the drain deadline; closing them"
        );
        connections.shutdown().await;
    }
    Ok(())
}
