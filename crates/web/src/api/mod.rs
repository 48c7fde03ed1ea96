//! The JSON API under `/api/v1`.

mod organisations;
mod requests;
mod users;
mod volunteers;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use std::collections::HashMap;
use std::str::FromStr;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
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
