//! Who is calling: a staff user identified by a bearer API token or a session cookie. The extractors here are the
//! one place that turns a user into what it may see ([`Scope`]) and do.

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use lp_core::access::{self, Actor, Scope};
use lp_registry::sessions;
use lp_registry::staff::{self, StaffUser};
use std::net::IpAddr;

/// Any signed-in staff user, and the address they call from (for the audit log).
pub struct Staff(pub StaffUser, pub IpAddr);

impl Staff {
    pub fn scope(&self) -> Scope {
        Scope::of(self.0.role, self.0.organisation_id)
    }

    pub fn actor(&self) -> Actor {
        Actor::new(self.0.id, self.0.role, self.0.organisation_id).from_addr(self.1)
    }

    /// The proof of the coordinator role that coordinator-only functions take.
    pub fn coordinator(&self) -> Option<access::Coordinator> {
        access::Coordinator::check(self.0.id, self.0.role).map(|c| c.from_addr(self.1))
    }
}

async fn client(parts: &mut Parts, state: &AppState) -> IpAddr {
    let Ok(ClientAddr(addr)) = ClientAddr::from_request_parts(parts, state).await;
    addr
}

/// The caller's user, from a bearer API token or else the session cookie; resolved once per
/// request and kept in the request's extensions for the next extractor.
async fn identify(parts: &mut Parts, state: &AppState) -> Result<Option<StaffUser>, ApiError> {
    #[derive(Clone)]
    struct Identified(Option<StaffUser>);
    if let Some(Identified(user)) = parts.extensions.get::<Identified>() {
        return Ok(user.clone());
    }
    let user = match parts.headers.get(AUTHORIZATION) {
        Some(header) => {
            let token = header
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::Unauthenticated)?;
            staff::by_api_token(&state.db, token).await?
        }
        None => match state.web.cookies.session_id(&parts.headers) {
            Some(id) => sessions::resume(&state.db, &id, state.web.sessions, state.clock.now()).await?,
            None => None,
        },
    };
    parts.extensions.insert(Identified(user.clone()));
    Ok(user)
}

/// The signed-in staff user of a browser's request, by its session cookie alone, for a page
/// made outside a handler (an error page); any failure reads as signed out.
pub(crate) async fn browser_user(state: &AppState, headers: &axum::http::HeaderMap) -> Option<StaffUser> {
    let id = state.web.cookies.session_id(headers)?;
    sessions::resume(&state.db, &id, state.web.sessions, state.clock.now())
        .await
        .ok()
        .flatten()
}

/// The API's caller. Each call takes one from the user's budget (the same for their token and
/// their session); a spent budget is a 429 `rate_limited` with Retry-After.
impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = identify(parts, state).await?.ok_or(ApiError::Unauthenticated)?;
        if let Err(wait) = state.web.throttles.api.check(&user.id) {
            tracing::warn!(user = %user.id, "API calls throttled");
            return Err(ApiError::RateLimited(crate::throttle::retry_after(wait)));
        }
        Ok(Staff(user, client(parts, state).await))
    }
}

/// A signed-in staff user on a page: without a session the browser is sent to the login form,
/// and back here afterwards.
pub struct SignedIn(pub Staff);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match identify(parts, state).await {
            Ok(Some(user)) => Ok(SignedIn(Staff(user, client(parts, state).await))),
            Ok(None) => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let target = format!("/login?next={}", crate::page::url_encode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(err) => Err(err.into_response()),
        }
    }
}

/// A coordinator, with the proof coordinator-only functions take; caseworkers get 403.
pub struct Coordinator(pub access::Coordinator);

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        staff
            .coordinator()
            .map(Coordinator)
            .ok_or(ApiError::Forbidden("only a coordinator may do this"))
    }
}

/// A coordinator on a page: a caseworker gets the 403 as a page, in the page's language.
pub struct CoordinatorPage(pub access::Coordinator);

impl FromRequestParts<AppState> for CoordinatorPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn(staff) = SignedIn::from_request_parts(parts, state).await?;
        match staff.coordinator() {
            Some(proof) => Ok(CoordinatorPage(proof)),
            None => {
                let lang = crate::i18n::Lang::from_request_parts(parts, state)
                    .await
                    .unwrap_or_default();
                let error = ApiError::Forbidden("only a coordinator may do this");
                Err(crate::page::PageError::new(lang, error).into_response())
            }
        }
    }
}
