//! The JSON API under `/api/v1`.

pub(crate) mod audit;
pub(crate) mod docs;
mod organisations;
mod reports;
mod requests;
mod trainings;
mod users;
mod volunteers;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

/// Every route here is registered with `routes!`, from a handler's `#[utoipa::path]`, so the
/// OpenAPI document is made from the same list as the router (see `openapi.rs`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(organisations::routes())
        .merge(users::routes())
        .merge(volunteers::routes())
        .merge(requests::routes())
        .merge(trainings::routes())
        .merge(reports::routes())
        .merge(audit::routes())
}

#[cfg(test)]
mod tests;
