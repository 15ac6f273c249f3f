//! The app layer's one error type. Every variant says what a user can be told.

use domain::{Denied, Text};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The policy refuses the step; says why and cites the article.
    #[error("refused: {}", .0.reason.en)]
    Denied(Denied),
    /// Not there, or not visible to this user (the same answer, so ids leak nothing).
    #[error("not found")]
    NotFound,
    /// No valid session.
    #[error("not logged in")]
    Unauthenticated,
    /// Wrong user, wrong password or locked: one answer for all three.
    #[error("login failed")]
    LoginFailed,
    /// Someone else changed the item first; nothing was written.
    #[error("conflict")]
    Conflict,
    /// An Idempotency-Key already used for another request; nothing was written.
    #[error("the Idempotency-Key was already used for another request")]
    KeyReused,
    /// Input that does not fit (an operator's command, a password rule).
    #[error("{}", .0.en)]
    Invalid(Text),
    /// The platform cannot save now (disk full, storage fault, busy); nothing was written and
    /// the same request may be sent again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("cannot start: {0}")]
    Startup(String),
    #[error(transparent)]
    Store(store::StoreError),
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> AppError {
        match e {
            store::StoreError::Conflict => AppError::Conflict,
            store::StoreError::Unavailable(why) => AppError::Unavailable(why),
            other => AppError::Store(other),
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> AppError {
        AppError::Denied(d)
    }
}
