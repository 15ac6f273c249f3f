//! The domain's tests in one binary (one link instead of four): a module per subject, each test
//! named as a sentence after the requirement it covers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod annual_cycle;
mod demand_lifecycle;
mod policy_file;
mod projects;
