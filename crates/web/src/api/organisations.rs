use super::docs::{BodyErrors, Conflict, CoordinatorOnly, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lp_registry::organisations::{self, Organisation, OrganisationInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, list))
}

/// Create an organisation
///
/// The town's integration management, Caritas, a school: caseworkers belong to one.
#[utoipa::path(
    post,
    path = "/organisations",
    operation_id = "create_organisation",
    tag = "organisations",
    request_body = OrganisationInput,
    responses(
        (status = 201, description = "Created", body = Organisation),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    let organisation = organisations::create(&state.db, &by, &input, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(organisation)))
}

/// List organisations
///
/// By name.
#[utoipa::path(
    get,
    path = "/organisations",
    operation_id = "list_organisations",
    tag = "organisations",
    responses(
        (status = 200, description = "All organisations", body = Vec<Organisation>),
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn list(State(state): State<AppState>, _: Coordinator) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(organisations::list(&state.db).await?))
}
