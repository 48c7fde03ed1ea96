use super::docs::{CoordinatorOnly, QueryErrors, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::{QueryParams, query_param};
use axum::Json;
use axum::extract::State;
use lp_audit::{AuditFilter, AuditRecord};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The filter from query parameters, each bad one a 422 naming it; the page reads the same.
pub(crate) fn filter_of(params: &HashMap<String, String>) -> Result<AuditFilter, ApiError> {
    Ok(AuditFilter {
        actor: query_param(params, "actor")?,
        object: query_param(params, "object")?,
        object_kind: query_param(params, "object_kind")?,
        action: query_param(params, "action")?,
        from: query_param(params, "from")?,
        to: query_param(params, "to")?,
        limit: query_param(params, "limit")?,
    })
}

/// The audit log
///
/// Who did what to which object, when and from which address, newest first. Changes name the
/// fields changed, never their values. Entries cannot be changed; they are removed when past
/// `retention.audit_days`.
#[utoipa::path(
    get,
    path = "/audit",
    operation_id = "list_audit",
    tag = "audit",
    params(AuditFilter),
    responses(
        (status = 200, description = "The entries that pass the filters", body = Vec<AuditRecord>),
        QueryErrors,
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn list(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    QueryParams(params): QueryParams,
) -> Result<Json<Vec<AuditRecord>>, ApiError> {
    let filter = filter_of(&params)?;
    Ok(Json(lp_audit::list(&state.db, &by, &filter).await?))
}
