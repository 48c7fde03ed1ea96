use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use lp_registry::organisations::{self, Organisation, OrganisationInput};

pub fn routes() -> Router<AppState> {
    Router::new().route("/organisations", post(create).get(list))
}

async fn create(
    State(state): State<AppState>,
    _: Coordinator,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    let organisation = organisations::create(&state.db, &input, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(organisation)))
}

async fn list(State(state): State<AppState>, _: Coordinator) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(organisations::list(&state.db).await?))
}
