//! Who is calling: a staff user identified by a bearer API token. The extractors here are the
//! one place that turns a user into what it may see ([`Scope`]) and do.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use lp_core::vocab::Role;
use lp_registry::staff::{self, StaffUser};
use lp_requests::{Actor, Scope};

/// Any signed-in staff user.
pub struct Staff(pub StaffUser);

impl Staff {
    pub fn scope(&self) -> Scope {
        match (self.0.role, self.0.organisation_id) {
            (Role::Coordinator, _) => Scope::All,
            (Role::Caseworker, Some(org)) => Scope::Organisation(org),
            // A caseworker without an organisation cannot exist (the registry refuses it); if
            // one did, it would see nothing rather than everything.
            (Role::Caseworker, None) => Scope::Organisation(uuid::Uuid::nil()),
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.0.id,
            scope: self.scope(),
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let user = staff::by_api_token(&state.db, token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(Staff(user))
    }
}

/// A coordinator; caseworkers get 403.
pub struct Coordinator;

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Staff(user) = Staff::from_request_parts(parts, state).await?;
        if user.role != Role::Coordinator {
            return Err(ApiError::Forbidden("only a coordinator may do this"));
        }
        Ok(Coordinator)
    }
}
