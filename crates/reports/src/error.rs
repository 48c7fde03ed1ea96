use lp_core::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// No such volunteer, or one whose data was erased.
    #[error("not found")]
    NotFound,
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Requests(#[from] lp_requests::RequestError),
    #[error(transparent)]
    Registry(#[from] lp_registry::RegistryError),
    #[error(transparent)]
    Training(#[from] lp_trainings::TrainingError),
    /// Writing an export failed; nothing the caller can mend.
    #[error("export: {0}")]
    Export(String),
}
