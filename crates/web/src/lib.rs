//! The HTTP edge: the JSON API under `/api/v1`, the volunteers' link pages, the local mailbox
//! and health checks. Handlers parse input, call the capability crates and shape the answer;
//! the rules live in those crates.

mod api;
mod auth;
mod error;
mod extract;
mod health;
mod links;
mod mailbox;
mod openapi;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use lp_core::Clock;
use lp_requests::RequestSettings;
use sea_orm::DatabaseConnection;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub requests: Arc<RequestSettings>,
    /// Woken after a commit that wrote emails, so delivery starts at once.
    pub mail_wake: Arc<Notify>,
    /// Where the file transport writes messages; `None` when mail goes out over SMTP.
    pub mailbox_dir: Option<PathBuf>,
}

impl AppState {
    fn today(&self) -> chrono::NaiveDate {
        self.clock.now().with_timezone(&lp_core::time::POOL_TZ).date_naive()
    }
}

/// Request bodies beyond this are refused with 413; the largest real body (a volunteer with
/// a full week of availability) is a few kilobytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(links::routes())
        .merge(mailbox::routes())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
