//! The JSON API under `/api/v1`.

pub(crate) mod docs;
mod organisations;
mod requests;
mod users;
mod volunteers;

use crate::AppState;
use crate::error::ApiError;
use std::collections::HashMap;
use std::str::FromStr;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

/// Every route here is registered with `routes!`, from a handler's `#[utoipa::path]`, so the
/// OpenAPI document is made from the same list as the router (see `openapi.rs`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(organisations::routes())
        .merge(users::routes())
        .merge(volunteers::routes())
        .merge(requests::routes())
}

/// An id in a path. One that is not a UUID names nothing, so it is a 404 like an unknown one.
pub(crate) fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::NotFound)
}

/// A query parameter parsed into its type, or a 422 naming it.
pub(crate) fn query_param<T: FromStr>(params: &HashMap<String, String>, name: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| lp_core::validation::FieldError::new(name, e.to_string()).into())
        })
        .transpose()
}
