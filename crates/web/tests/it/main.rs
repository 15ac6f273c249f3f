//! The web's tests, in one test binary: HTTP tests against the app on 127.0.0.1:0 and the
//! Chromium journeys.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod browser;
mod browser_accept;
mod browser_admin;
mod browser_build;
mod browser_flow;
mod browser_funds;
mod common;
mod edges;
mod fuzz;
mod http;
mod http_admin;
mod http_attach;
mod http_edges;
mod http_me;
mod inside;
