//! One span per HTTP request, named by the matched route and carrying the request id, and one
//! line at its end with status and latency.
//!
//! Only the route template (`/o/{token}`) is recorded, never the path itself, the query, a
//! header or a body: link paths carry secret tokens, headers cookies and bearer tokens.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, Response};
use std::time::Duration;
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the span says for a request no route matched: the fallback's 404.
const UNMATCHED: &str = "unmatched";

/// An id a proxy sends is kept if it looks like one: UUIDs, hex and similar ids fit.
const MAX_REQUEST_ID_LEN: usize = 128;

/// At error level, whatever the log level of its events: an operator who logs only warnings
/// and errors still gets each error with its route and request id.
pub fn request_span(request: &Request<Body>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::error_span!("request", method = %request.method(), route = %route, request_id = %request_id)
}

pub fn log_response<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    let latency_ms = latency.as_micros() as f64 / 1000.0;
    tracing::info!(status = response.status().as_u16(), latency_ms, "response");
}

/// Drops an incoming `x-request-id` that is not one usable id, so that a fresh one is made:
/// the id is written into every log line of the request, where a client's arbitrary text has
/// no business.
pub async fn drop_unusable_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let mut ids = headers.get_all(REQUEST_ID).iter();
    let usable = match (ids.next(), ids.next()) {
        (None, _) => true,
        (Some(id), None) => is_usable(id.as_bytes()),
        (Some(_), Some(_)) => false,
    };
    if !usable {
        headers.remove(REQUEST_ID);
    }
    request
}

fn is_usable(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests;
