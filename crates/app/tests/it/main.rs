//! The app's stories, in one test binary (one link instead of one per file). Each module is
//! one chapter of the measures or one mechanism; every story runs on SQLite and, with
//! `TEST_DATABASE_URL`, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod acceptance_stories;
mod admin_stories;
mod asset_stories;
mod backup_stories;
mod calendar_stories;
mod cycle_stories;
mod document_stories;
mod draft_stories;
mod duty_stories;
mod fault_stories;
mod fund_stories;
mod fuzz;
mod handling_stories;
mod identity_stories;
mod ledger_stories;
mod operations_stories;
mod personal_stories;
mod plan_line_stories;
mod project_stories;
mod security_stories;
mod stories;
mod supervision_stories;
mod vendor_stories;
mod workbench_stories;
