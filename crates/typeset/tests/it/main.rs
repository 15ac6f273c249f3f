//! The PDF tests, in one test binary; the fixtures are the Word tests' own, so both renderings
//! are checked against the same documents.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

#[path = "../../../gongwen/tests/it/common/mod.rs"]
mod common;
mod pdf;
