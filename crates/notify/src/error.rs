//! The one error type of the crate. Messages never carry a body, a link or a password: they end
//! up in logs and in the outbox's `last_error`.

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("`{0}` is not a valid email address")]
    InvalidAddress(String),
    #[error("email configuration: {0}")]
    Config(String),
    #[error("mailbox: {0}")]
    Io(#[from] std::io::Error),
}
