//! The compiled binary's tests, in one test binary: the commands as an operator and an auditor
//! use them (`cli`), and the fault scenarios run against the server (`faults`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod cli;
mod faults;
