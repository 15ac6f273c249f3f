//! The spreadsheet tests, in one test binary: exports, the import template, bad
//! input and fuzzed workbooks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod bad_input;
mod bounded;
mod common;
mod export;
mod fuzz;
mod template;
