use lp_core::validation::FieldError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The input collides with existing data, e.g. an email already registered.
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("database: {0}")]
    Db(#[from] DbErr),
}
