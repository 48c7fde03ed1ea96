use super::docs::{BodyErrors, Conflict, CoordinatorOnly, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lp_registry::invitations;
use lp_registry::staff::{self, StaffUser, StaffUserInput};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, list))
}

#[derive(Serialize, utoipa::ToSchema)]
struct CreatedUser {
    #[serde(flatten)]
    user: StaffUser,
    /// Shown once; only its hash is stored.
    api_token: String,
}

/// Create a staff user
///
/// A coordinator, or a caseworker of an organisation. The answer carries the user's API token,
/// once. The password is optional: without one the user is mailed a single-use link to
/// choose one.
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "create_user",
    tag = "users",
    request_body = StaffUserInput,
    responses(
        (status = 201, description = "Created; `api_token` is shown this once", body = CreatedUser),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        Conflict,
    )
)]
async fn create(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    ApiJson(input): ApiJson<StaffUserInput>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let (key, base) = (&state.requests.server_key, &state.requests.public_base_url);
    let created = invitations::invite(&state.db, &by, &input, key, base, state.clock.now()).await?;
    state.mail_wake.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: created.user,
            api_token: created.api_token,
        }),
    ))
}

/// List staff users
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "users",
    responses(
        (status = 200, description = "All staff users", body = Vec<StaffUser>),
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn list(State(state): State<AppState>, _: Coordinator) -> Result<Json<Vec<StaffUser>>, ApiError> {
    Ok(Json(staff::list(&state.db).await?))
}
