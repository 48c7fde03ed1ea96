//! What the OpenAPI document says about errors: the SPEC's error shape and one reusable
//! response per status, which the handlers' `#[utoipa::path]` lists name.
//!
//! [`ApiError`](crate::ApiError) builds its body with `json!`, so the shape is described here
//! once; `openapi.rs` fills each response's example from `ApiError` itself, and its tests check
//! every variant's body against this schema.

// The response types only describe; nothing constructs them.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// `{"error": {"code": "...", "message": "...", "field": "..."}}`
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs; one per status.
    pub code: ErrorCode,
    /// For people; English.
    pub message: String,
    /// With `invalid_field` only: the path of the offending field, e.g. `languages[0].code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With a refused link action (`conflict` or `gone`) only: why, e.g. `cancelled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefusalReason>,
}

/// Why a volunteer's link action was refused: an offer link's reason or a training
/// invitation's.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RefusalReason {
    Offer(lp_requests::rules::LinkRefusal),
    Invitation(lp_trainings::rules::InvitationRefusal),
}

/// The codes, as [`crate::ApiError::code`] spells them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Malformed,
    UnsupportedMediaType,
    InvalidField,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Gone,
    TooLarge,
    RateLimited,
    MethodNotAllowed,
    Unavailable,
    Internal,
}

/// No bearer token or session cookie, or one that is unknown.
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct Unauthenticated(ErrorBody);

/// Only a coordinator may do this.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct CoordinatorOnly(ErrorBody);

/// No such id, or it belongs to another organisation.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NotFound(ErrorBody);

/// The change conflicts with the current state, or a unique value (name, email) is taken.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct Conflict(ErrorBody);

/// The errors any JSON body can bring: 400, 413, 415, 422.
#[derive(IntoResponses)]
pub enum BodyErrors {
    /// The body is not valid JSON.
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not sent as `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// A field is invalid; `error.field` names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// The errors a list's query string can bring: 400, 422.
#[derive(IntoResponses)]
pub enum QueryErrors {
    /// The query string cannot be read.
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// A filter value is invalid; `error.field` names the parameter.
    #[response(status = 422)]
    Invalid(ErrorBody),
}
