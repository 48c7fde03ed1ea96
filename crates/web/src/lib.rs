//! The HTTP edge: the JSON API under `/api/v1`, the volunteers' link pages, the local mailbox
//! and health checks. Handlers parse input, call the capability crates and shape the answer;
//! the rules live in those crates.

mod api;
mod assets;
mod auth;
mod calendar_feed;
mod client_addr;
mod error;
mod extract;
mod health;
mod i18n;
mod links;
mod login;
mod mailbox;
mod openapi;
mod page;
mod pages;
mod same_origin;
mod schedule_form;
mod security_headers;
mod session;
#[cfg(test)]
mod test_app;
pub mod throttle;
mod trace;
mod training_links;
mod volunteer_links;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use lp_core::Clock;
use lp_core::heartbeat::Heartbeat;
use lp_requests::RequestSettings;
use sea_orm::DatabaseConnection;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub requests: Arc<RequestSettings>,
    pub trainings: Arc<lp_trainings::TrainingSettings>,
    /// Who issues the printed confirmations, and the optional allowance.
    pub reports: Arc<lp_reports::ReportSettings>,
    /// Woken after a commit that wrote emails, so delivery starts at once.
    pub mail_wake: Arc<Notify>,
    /// Where the file transport writes messages; `None` when mail goes out over SMTP.
    pub mailbox_dir: Option<PathBuf>,
    pub web: Arc<WebSettings>,
    /// The background workers of this process (mail, cascade), for `/readyz`; none in tests
    /// that run no worker.
    pub workers: Arc<[Arc<Heartbeat>]>,
}

/// Sign-in and browser-facing settings, from the public base URL and the `web` config.
pub struct WebSettings {
    /// `scheme://host[:port]` of the public base URL: the one origin forms may come from.
    pub public_origin: String,
    pub cookies: session::CookiePolicy,
    pub sessions: lp_registry::sessions::SessionPolicy,
    /// Peers whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub login_throttle: throttle::LoginThrottle,
    /// The secret links' budget per client address and the API's per user.
    pub throttles: throttle::Throttles,
    /// Strict-Transport-Security is sent when the public base URL is https.
    pub https: bool,
}

impl WebSettings {
    pub fn new(
        public_base_url: &str,
        sessions: lp_registry::sessions::SessionPolicy,
        trusted_proxies: Vec<ipnet::IpNet>,
    ) -> Self {
        Self {
            public_origin: same_origin::origin_of(public_base_url),
            cookies: session::CookiePolicy::for_base_url(public_base_url),
            sessions,
            trusted_proxies,
            login_throttle: throttle::LoginThrottle::default(),
            throttles: throttle::Throttles::default(),
            https: public_base_url.starts_with("https://"),
        }
    }

    /// With these budgets for the secret links (per client address) and the API (per user).
    pub fn with_rate_limits(mut self, links: throttle::Budget, api: throttle::Budget) -> Self {
        self.throttles = throttle::Throttles::new(links, api);
        self
    }
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
    login::warm_up();
    Router::new()
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(secret_links(&state))
        .merge(mailbox::routes())
        .merge(login::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(error::method_not_allowed))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            same_origin::refuse_cross_site,
        ))
        // Outside the refusal above, so a refused browser form gets a page too.
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::for_browsers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Outermost first. Added with `Router::layer`, these run after routing, so the span
        // knows the matched route; the fallback's 404 gets a span too.
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::map_request(trace::drop_unusable_request_id))
                .layer(SetRequestIdLayer::new(trace::REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(trace::request_span)
                        .on_request(())
                        .on_response(trace::log_response)
                        .on_eos(())
                        // A 5xx is logged by `log_errors` with its cause, once.
                        .on_failure(()),
                )
                .layer(PropagateRequestIdLayer::new(trace::REQUEST_ID))
                .layer(axum::middleware::from_fn(error::log_errors)),
        )
        // Outermost: every answer gets them, whoever made it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers::add,
        ))
        .with_state(state)
}

/// Every route whose address holds a secret (offers, training invitations, availability and
/// password links, calendar feeds, and the forms that mail such links), under one budget per
/// client address.
fn secret_links(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(links::routes())
        .merge(volunteer_links::routes())
        .merge(calendar_feed::routes())
        .merge(training_links::routes())
        .merge(login::link_routes())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), throttle::links))
}
