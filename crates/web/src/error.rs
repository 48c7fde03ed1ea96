//! The one error type at the HTTP edge, answering in the SPEC's JSON shape:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`.
//!
//! Turning an error into a response has no side effect: the error rides along in the
//! response's extensions, and [`log_errors`] logs it once, inside the request's span.

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lp_core::validation::FieldError;
use lp_registry::RegistryError;
use lp_requests::RequestError;
use lp_trainings::TrainingError;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    /// A volunteer's link action refused, with its own reason as the code.
    #[error("{}", .0.detail_en())]
    LinkRefused(lp_requests::rules::LinkRefusal),
    /// A volunteer's training-invitation action refused, with its reason.
    #[error("{}", .0.detail_en())]
    InvitationRefused(lp_trainings::rules::InvitationRefusal),
    /// A rate limit is spent; the number is the seconds until the next request is allowed.
    #[error("too many requests; try again in {0} s")]
    RateLimited(u64),
    /// The path exists, but not with this method; `Allow` lists those it has.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// The database is busy or cannot be reached for now; nothing was written. The details go
    /// to the log.
    #[error("the service is busy or its database unreachable; try again shortly")]
    Unavailable(String),
    /// Something on our side; the details go to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::LinkRefused(refusal) if refusal.is_conflict() => StatusCode::CONFLICT,
            ApiError::LinkRefused(_) => StatusCode::GONE,
            ApiError::InvitationRefused(_) => StatusCode::GONE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "malformed",
            ApiError::Unsupported(_) => "unsupported_media_type",
            ApiError::Invalid(_) => "invalid_field",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone(_) => "gone",
            ApiError::LinkRefused(refusal) if refusal.is_conflict() => "conflict",
            ApiError::LinkRefused(_) => "gone",
            ApiError::InvitationRefused(_) => "gone",
            ApiError::TooLarge(_) => "too_large",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({"code": self.code(), "message": self.to_string()});
        if let ApiError::Invalid(field_error) = self {
            error["field"] = json!(field_error.field);
            error["message"] = json!(field_error.to_string());
        }
        if let ApiError::LinkRefused(refusal) = self {
            error["reason"] = json!(refusal);
        }
        if let ApiError::InvitationRefused(refusal) = self {
            error["reason"] = json!(refusal);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if matches!(self, ApiError::Unauthenticated) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if matches!(self, ApiError::Unavailable(_)) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        if let ApiError::RateLimited(seconds) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds.max(1)),
            );
        }
        answered(&mut response, self);
        response
    }
}

/// The error a response was made from, for [`log_errors`], and for a browser's error page
/// (`pages::errors`).
#[derive(Clone)]
pub(crate) struct Answered(pub Arc<ApiError>);

/// Marks a response as made from `error`.
pub(crate) fn answered(response: &mut Response, error: ApiError) {
    response.extensions_mut().insert(Answered(Arc::new(error)));
}

/// Logs the error a response was made from, once, in the request's span (this middleware runs
/// inside the trace layer). Ours to fix, a 5xx, is an error with its cause; the client's, a
/// 4xx, is only a debug line: the response line already gives its status.
pub async fn log_errors(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(Answered(error)) = response.extensions_mut().remove::<Answered>() {
        let status = error.status().as_u16();
        if error.status().is_server_error() {
            // The client reads "internal error"; the log gets what happened.
            let cause: &dyn std::fmt::Display = match &*error {
                ApiError::Internal(detail) | ApiError::Unavailable(detail) => detail,
                other => other,
            };
            if matches!(*error, ApiError::Unavailable(_)) {
                tracing::warn!(status, code = %error.code(), error = %cause, "database busy or unreachable");
            } else {
                tracing::error!(status, code = %error.code(), error = %cause, "internal error");
            }
        } else {
            tracing::debug!(status, code = %error.code(), error = %error, "request refused");
        }
    }
    response
}

impl From<RegistryError> for ApiError {
    fn from(err: RegistryError) -> Self {
        match err {
            RegistryError::Invalid(field) => ApiError::Invalid(field),
            RegistryError::Conflict(message) => ApiError::Conflict(message),
            RegistryError::NotFound => ApiError::NotFound,
            RegistryError::Db(db) => db_error(db),
        }
    }
}

impl From<RequestError> for ApiError {
    fn from(err: RequestError) -> Self {
        match err {
            RequestError::Invalid(field) => ApiError::Invalid(field),
            RequestError::NotFound => ApiError::NotFound,
            RequestError::Conflict(message) => ApiError::Conflict(message),
            not_eligible @ RequestError::NotEligible { .. } => ApiError::Conflict(not_eligible.to_string()),
            RequestError::Link(refusal) => ApiError::LinkRefused(refusal),
            RequestError::Db(db) => db_error(db),
            RequestError::Registry(registry) => registry.into(),
            RequestError::Notify(notify) => ApiError::Internal(notify.to_string()),
            RequestError::Training(training) => training.into(),
        }
    }
}

impl From<TrainingError> for ApiError {
    fn from(err: TrainingError) -> Self {
        match err {
            TrainingError::Invalid(field) => ApiError::Invalid(field),
            TrainingError::NotFound => ApiError::NotFound,
            TrainingError::Conflict(message) => ApiError::Conflict(message),
            TrainingError::Link(refusal) => ApiError::InvitationRefused(refusal),
            TrainingError::Db(db) => db_error(db),
            TrainingError::Registry(registry) => registry.into(),
            TrainingError::Notify(notify) => ApiError::Internal(notify.to_string()),
        }
    }
}

impl From<lp_audit::AuditError> for ApiError {
    fn from(err: lp_audit::AuditError) -> Self {
        match err {
            lp_audit::AuditError::Invalid(field) => ApiError::Invalid(field),
            lp_audit::AuditError::Db(db) => db_error(db),
        }
    }
}

impl From<lp_reports::ReportError> for ApiError {
    fn from(err: lp_reports::ReportError) -> Self {
        use lp_reports::ReportError;
        match err {
            ReportError::Invalid(field) => ApiError::Invalid(field),
            ReportError::NotFound => ApiError::NotFound,
            ReportError::Db(db) => db_error(db),
            ReportError::Requests(requests) => requests.into(),
            ReportError::Registry(registry) => registry.into(),
            ReportError::Training(training) => training.into(),
            ReportError::Export(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        db_error(err)
    }
}

/// When a client should try again after the database was busy or unreachable.
pub(crate) const RETRY_AFTER_SECONDS: &str = "5";

fn db_error(err: sea_orm::DbErr) -> ApiError {
    if lp_db::is_unavailable(&err) {
        return ApiError::Unavailable(format!("database: {err}"));
    }
    ApiError::Internal(format!("database: {err}"))
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// axum's own 405 (a known path, another method) has no body: it becomes the error shape with
/// code `method_not_allowed`, its `Allow` kept. Browsers on pages get a page from
/// `pages::for_browsers`, outside this; the link pages make their own (`throttle::links`).
pub async fn method_not_allowed(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(axum::http::header::CONTENT_TYPE)
    {
        return response;
    }
    let mut answer = ApiError::MethodNotAllowed.into_response();
    if let Some(allow) = response.headers().get(axum::http::header::ALLOW) {
        answer.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    answer
}
