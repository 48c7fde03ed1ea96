use super::docs::{BodyErrors, Conflict, NotFound, QueryErrors, Unauthenticated};
use crate::AppState;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::{ApiJson, PathParam, QueryParams};
use crate::extract::{parse_id, query_param};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lp_requests::input::{CompletionInput, RequestInput};
use lp_requests::lifecycle::{self, CandidatesView, RequestFilter};
use lp_requests::view::RequestView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(candidates))
        .routes(routes!(cancel))
        .routes(routes!(complete))
}

/// Request an interpreter
///
/// The request is ranked at once and the first wave of offers goes out by email. A caseworker
/// requests for its own organisation; a coordinator names the organisation in
/// `organisation_id`.
#[utoipa::path(
    post,
    path = "/requests",
    operation_id = "create_request",
    tag = "requests",
    request_body = RequestInput,
    responses(
        (status = 201, description = "Created; the search has started", body = RequestView),
        BodyErrors,
        Unauthenticated,
    )
)]
async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let created = lifecycle::create(&state.db, staff.actor(), &input, &state.requests, state.clock.now()).await?;
    state.mail_wake.notify_one();
    Ok((StatusCode::CREATED, Json(created)))
}

/// List requests
///
/// A caseworker sees its own organisation's, a coordinator all; newest appointments first.
#[utoipa::path(
    get,
    path = "/requests",
    operation_id = "list_requests",
    tag = "requests",
    params(RequestFilter),
    responses(
        (status = 200, description = "The requests", body = Vec<RequestView>),
        QueryErrors,
        Unauthenticated,
    )
)]
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

/// Show a request
///
/// Its status, the assigned volunteer's name and phone, and the offers sent. Why few or no
/// volunteers qualify is in `GET /requests/{id}/candidates` (`speakers`, `excluded`), which
/// ranks the pool; this read does not, so it stays cheap.
#[utoipa::path(
    get,
    path = "/requests/{id}",
    operation_id = "show_request",
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        Unauthenticated,
        NotFound,
    )
)]
async fn show(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
) -> Result<Json<RequestView>, ApiError> {
    let (id, now) = (parse_id(&id)?, state.clock.now());
    Ok(Json(lifecycle::view(&state.db, staff.actor(), id, now).await?))
}

/// Rank the candidates
///
/// Volunteers who qualify, best first, with the parts of their score; and, of those who speak
/// the language, the excluded with the hard rule that excluded each.
#[utoipa::path(
    get,
    path = "/requests/{id}/candidates",
    operation_id = "rank_candidates",
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The ranking", body = CandidatesView),
        Unauthenticated,
        NotFound,
    )
)]
async fn candidates(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
) -> Result<Json<CandidatesView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        lifecycle::view_candidates(&state.db, staff.actor(), id, &state.requests, state.clock.now()).await?,
    ))
}

/// Cancel a request
///
/// At any time before completion; open offers are withdrawn and an assigned volunteer is told.
/// For a date of a series, `rest_of_series=true` cancels it and every later date too; the first
/// date cancelled alone lets the later dates be searched for one by one.
#[utoipa::path(
    post,
    path = "/requests/{id}/cancel",
    operation_id = "cancel_request",
    tag = "requests",
    params(
        ("id" = Uuid, Path, description = "The request's id"),
        ("rest_of_series" = Option<bool>, Query, description = "Also cancel every later date of its series"),
    ),
    responses(
        (status = 200, description = "Cancelled", body = RequestView),
        QueryErrors,
        Unauthenticated,
        NotFound,
        Conflict,
    )
)]
async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
    QueryParams(params): QueryParams,
) -> Result<Json<RequestView>, ApiError> {
    let rest_of_series = query_param::<bool>(&params, "rest_of_series")?.unwrap_or(false);
    let cancelled = lifecycle::cancel(
        &state.db,
        staff.actor(),
        parse_id(&id)?,
        rest_of_series,
        state.clock.now(),
    )
    .await?;
    state.mail_wake.notify_one();
    Ok(Json(cancelled))
}

/// Confirm that an appointment took place
///
/// For an assigned request whose appointment has started: the actual minutes and optional
/// feedback.
#[utoipa::path(
    post,
    path = "/requests/{id}/complete",
    operation_id = "complete_request",
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    request_body = CompletionInput,
    responses(
        (status = 200, description = "Completed", body = RequestView),
        BodyErrors,
        Unauthenticated,
        NotFound,
        Conflict,
    )
)]
async fn complete(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam,
    ApiJson(input): ApiJson<CompletionInput>,
) -> Result<Json<RequestView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        lifecycle::complete(&state.db, staff.actor(), id, &input, state.clock.now()).await?,
    ))
}
