//! The official documents' tests (Word), in one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod common;
mod docx;
