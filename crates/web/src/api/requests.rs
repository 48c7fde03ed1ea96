use super::{parse_id, query_param};
use crate::AppState;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::{ApiJson, PathParam, QueryParams};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lp_requests::input::{CompletionInput, RequestInput};
use lp_requests::lifecycle::{self, CandidatesView, RequestFilter, SearchHint};
use lp_requests::view::RequestView;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", post(create).get(list))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/candidates", get(candidates))
        .route("/requests/{id}/cancel", post(cancel))
        .route("/requests/{id}/complete", post(complete))
}

async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let created = lifecycle::create(&state.db, staff.actor(), &input, &state.requests, state.clock.now()).await?;
    state.mail_wake.notify_one();
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    let filter = RequestFilter {
        status: query_param(&params, "status")?,
        limit: query_param(&params, "limit")?,
    };
    Ok(Json(
        lifecycle::list(&state.db, staff.scope(), &filter, state.clock.now()).await?,
    ))
}

/// A request with, while fewer than two volunteers qualify, a hint of why.
#[derive(Serialize)]
struct RequestDetail {
    #[serde(flatten)]
    request: RequestView,
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<SearchHint>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
) -> Result<Json<RequestDetail>, ApiError> {
    let (id, now) = (parse_id(&id)?, state.clock.now());
    let request = lifecycle::get(&state.db, staff.scope(), id, now).await?;
    let search = lifecycle::search_hint(&state.db, staff.scope(), id, &state.requests, now).await?;
    Ok(Json(RequestDetail { request, search }))
}

async fn candidates(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
) -> Result<Json<CandidatesView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        lifecycle::candidates(&state.db, staff.scope(), id, &state.requests, state.clock.now()).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
) -> Result<Json<RequestView>, ApiError> {
    let cancelled = lifecycle::cancel(&state.db, staff.scope(), parse_id(&id)?, state.clock.now()).await?;
    state.mail_wake.notify_one();
    Ok(Json(cancelled))
}

async fn complete(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
    ApiJson(input): ApiJson<CompletionInput>,
) -> Result<Json<RequestView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        lifecycle::complete(&state.db, staff.scope(), id, &input, state.clock.now()).await?,
    ))
}
