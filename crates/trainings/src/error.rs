use lp_core::validation::FieldError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("not found")]
    NotFound,
    /// The training is not in a state that allows the action (cancelled, not yet begun).
    #[error("{0}")]
    Conflict(String),
    /// A volunteer's link action that cannot happen, with the reason the page shows.
    #[error("{}", .0.detail_en())]
    Link(crate::rules::InvitationRefusal),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Registry(#[from] lp_registry::RegistryError),
    #[error(transparent)]
    Notify(#[from] lp_notify::NotifyError),
}
