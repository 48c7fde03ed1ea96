use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use lp_registry::staff::{self, StaffUser, StaffUserInput};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/users", post(create).get(list))
}

#[derive(Serialize)]
struct CreatedUser {
    #[serde(flatten)]
    user: StaffUser,
    /// Shown once; only its hash is stored.
    api_token: String,
}

/// The password is optional: without one the user is mailed a single-use link to choose one.
async fn create(
    State(state): State<AppState>,
    _: Coordinator,
    ApiJson(input): ApiJson<StaffUserInput>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let created = crate::invitations::create_staff_user(&state, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: created.user,
            api_token: created.api_token,
        }),
    ))
}

async fn list(State(state): State<AppState>, _: Coordinator) -> Result<Json<Vec<StaffUser>>, ApiError> {
    Ok(Json(staff::list(&state.db).await?))
}
