//! The headers every response carries, set in this one layer: a strict Content-Security-Policy
//! (every script and style comes from a file of ours), `nosniff`, no framing, a referrer
//! policy (`no-referrer` on the secret-link pages, whose URL is the secret) and, behind https,
//! Strict-Transport-Security.

use crate::AppState;
use crate::throttle::SecretLinkPage;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Pages, the API and errors alike. No inline script, style element or style attribute may
/// appear in a template: the templates' styles are files under `assets/`.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// The vendored Scalar API reference at `/api/docs` writes its styles into `<style>` elements
/// at run time, so that one page allows inline styles; its scripts stay our own files.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

/// A year; without `includeSubDomains`, which would bind other services of the town's domain.
const HSTS: &str = "max-age=31536000";

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let docs = request.uri().path() == "/api/docs";
    let mut response = next.run(request).await;
    let secret_link = response.extensions().get::<SecretLinkPage>().is_some();
    set(response.headers_mut(), docs, secret_link, state.web.https);
    response
}

fn set(headers: &mut HeaderMap, docs: bool, secret_link: bool, https: bool) {
    let csp = if docs { DOCS_CSP } else { CSP };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // For browsers older than `frame-ancestors`.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let referrer = if secret_link { "no-referrer" } else { "same-origin" };
    headers.insert(REFERRER_POLICY, HeaderValue::from_static(referrer));
    if https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
}

#[cfg(test)]
mod tests;
