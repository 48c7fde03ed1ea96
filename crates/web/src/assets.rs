//! Static files of the staff pages and the link pages, compiled into the binary: no CDN, nothing third-party.

use crate::AppState;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/staff.css", get(|| asset("text/css; charset=utf-8", STAFF_CSS)))
        .route(
            "/static/certificate.css",
            get(|| asset("text/css; charset=utf-8", CERTIFICATE_CSS)),
        )
        .route("/static/link.css", get(|| asset("text/css; charset=utf-8", LINK_CSS)))
        .route(
            "/static/availability.css",
            get(|| asset("text/css; charset=utf-8", AVAILABILITY_CSS)),
        )
        .route(
            "/static/staff.js",
            get(|| asset("text/javascript; charset=utf-8", STAFF_JS)),
        )
}

const STAFF_CSS: &str = include_str!("../assets/staff.css");
const CERTIFICATE_CSS: &str = include_str!("../assets/certificate.css");
const LINK_CSS: &str = include_str!("../assets/link.css");
const AVAILABILITY_CSS: &str = include_str!("../assets/availability.css");
const STAFF_JS: &str = include_str!("../assets/staff.js");

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "public, max-age=3600")],
        body,
    )
}

#[cfg(test)]
mod contrast;
