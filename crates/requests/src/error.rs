use lp_core::validation::FieldError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// Unknown, or belongs to another organisation: the two must look the same.
    #[error("not found")]
    NotFound,
    /// The request is not in a state that allows the action.
    #[error("{0}")]
    Conflict(String),
    /// A hard rule stops this volunteer from taking the job now, e.g. another assignment at
    /// that time accepted since the offer went out.
    #[error("you cannot take this job: {}", rule.explain_en())]
    NotEligible { rule: lp_matcher::Rule },
    /// A volunteer's link action that cannot happen, with the reason the page shows.
    #[error("{}", .0.detail_en())]
    Link(crate::rules::LinkRefusal),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Registry(#[from] lp_registry::RegistryError),
    #[error(transparent)]
    Notify(#[from] lp_notify::NotifyError),
    #[error(transparent)]
    Training(#[from] lp_trainings::TrainingError),
}
