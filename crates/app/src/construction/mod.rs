//! Construction (art. 15): progress against the baseline's milestones, the risk register and
//! what the inbox raises from them. Procurement, change requests and supervision are the
//! policy's kinds and need no code of their own.

pub mod dossier;
pub mod progress;
