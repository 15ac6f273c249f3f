//! Initiation (art. 14): the feasibility study's expert review and the Bureau's approval. The
//! to-build entry's signature is a step capability (`record::signing`), the project and FSR
//! states are the policy's.

pub mod approval;
pub mod experts;
