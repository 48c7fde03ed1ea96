//! The coordinator's training endpoints. Caseworkers get 403 on every one.

use super::docs::{BodyErrors, Conflict, CoordinatorOnly, NotFound, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::{ApiJson, PathParam, parse_id};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lp_trainings::input::{AttendanceInput, InvitationInput, TrainingInput};
use lp_trainings::invitations::{self, InvitationReport};
use lp_trainings::needs::LanguageNeed;
use lp_trainings::trainings::{self, Training, TrainingDetail};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(needs_by_language))
        .routes(routes!(show, edit))
        .routes(routes!(cancel))
        .routes(routes!(invite))
        .routes(routes!(attendance))
}

/// Schedule a training
///
/// Kind `basic` or `refresher` makes those who attend trained; `topic` is a topic evening.
/// Nobody is invited yet: that is `POST /trainings/{id}/invitations`.
#[utoipa::path(
    post,
    path = "/trainings",
    operation_id = "create_training",
    tag = "trainings",
    request_body = TrainingInput,
    responses(
        (status = 201, description = "Scheduled", body = Training),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn create(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    ApiJson(input): ApiJson<TrainingInput>,
) -> Result<(StatusCode, Json<Training>), ApiError> {
    let now = state.clock.now();
    let valid = input.validate(now)?;
    Ok((
        StatusCode::CREATED,
        Json(trainings::create(&state.db, &by, valid, now).await?),
    ))
}

/// List trainings
///
/// The upcoming ones first (soonest first), then the past ones (latest first).
#[utoipa::path(
    get,
    path = "/trainings",
    operation_id = "list_trainings",
    tag = "trainings",
    responses(
        (status = 200, description = "The trainings", body = Vec<Training>),
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn list(State(state): State<AppState>, Coordinator(by): Coordinator) -> Result<Json<Vec<Training>>, ApiError> {
    Ok(Json(trainings::list(&state.db, &by, state.clock.now()).await?))
}

/// Show a training
///
/// With everyone invited: `registered`, `waiting` (in the order they move up), `declined`,
/// `invited` (no answer yet) and `attended`.
#[utoipa::path(
    get,
    path = "/trainings/{id}",
    operation_id = "show_training",
    tag = "trainings",
    params(("id" = Uuid, Path, description = "The training's id")),
    responses(
        (status = 200, description = "The training", body = TrainingDetail),
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
    )
)]
async fn show(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
) -> Result<Json<TrainingDetail>, ApiError> {
    Ok(Json(trainings::detail(&state.db, &by, parse_id(&id)?).await?))
}

/// Change a training
///
/// The whole training, as for creating it, before it begins. Capacity may not fall below the
/// places taken; a higher one moves the waiting list up at once (they are mailed).
#[utoipa::path(
    put,
    path = "/trainings/{id}",
    operation_id = "edit_training",
    tag = "trainings",
    params(("id" = Uuid, Path, description = "The training's id")),
    request_body = TrainingInput,
    responses(
        (status = 200, description = "Changed", body = Training),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn edit(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
    ApiJson(input): ApiJson<TrainingInput>,
) -> Result<Json<Training>, ApiError> {
    let (id, now) = (parse_id(&id)?, state.clock.now());
    let valid = input.validate(now)?;
    let training = trainings::update(&state.db, &by, id, valid, &state.trainings, now).await?;
    state.mail_wake.notify_one();
    Ok(Json(training))
}

/// Cancel a training
///
/// Before it begins; everyone registered or on the waiting list is mailed.
#[utoipa::path(
    post,
    path = "/trainings/{id}/cancel",
    operation_id = "cancel_training",
    tag = "trainings",
    params(("id" = Uuid, Path, description = "The training's id")),
    responses(
        (status = 200, description = "Cancelled", body = Training),
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn cancel(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
) -> Result<Json<Training>, ApiError> {
    let training = trainings::cancel(&state.db, &by, parse_id(&id)?, state.clock.now()).await?;
    state.mail_wake.notify_one();
    Ok(Json(training))
}

/// Invite volunteers
///
/// `volunteer_ids`, or a `filter` (`training`: `untrained` or `expiring` with `within_days`;
/// `language`; `status`). Each new invitee gets one mail with their own link; someone invited
/// before is not mailed again. With `dry_run`, only counts.
#[utoipa::path(
    post,
    path = "/trainings/{id}/invitations",
    operation_id = "invite_to_training",
    tag = "trainings",
    params(("id" = Uuid, Path, description = "The training's id")),
    request_body = InvitationInput,
    responses(
        (status = 200, description = "Invited (or, with dry_run, would be)", body = InvitationReport),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn invite(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<Json<InvitationReport>, ApiError> {
    let (id, now) = (parse_id(&id)?, state.clock.now());
    let dry_run = input.dry_run;
    let invitees = input.validate()?;
    let report = if dry_run {
        invitations::preview(&state.db, &by, id, invitees, &state.trainings, now).await?
    } else {
        let report = invitations::invite(&state.db, &by, id, invitees, &state.trainings, now).await?;
        state.mail_wake.notify_one();
        report
    };
    Ok(Json(report))
}

/// Record attendance
///
/// Everyone who came (whoever is left out did not), once the training has begun. Attending a
/// `basic` or `refresher` training makes a volunteer trained from that day.
#[utoipa::path(
    post,
    path = "/trainings/{id}/attendance",
    operation_id = "record_attendance",
    tag = "trainings",
    params(("id" = Uuid, Path, description = "The training's id")),
    request_body = AttendanceInput,
    responses(
        (status = 200, description = "Recorded", body = TrainingDetail),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn attendance(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
    ApiJson(input): ApiJson<AttendanceInput>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let id = parse_id(&id)?;
    lp_trainings::record::record_attendance(&state.db, &by, id, &input, state.clock.now()).await?;
    Ok(Json(trainings::detail(&state.db, &by, id).await?))
}

/// Who needs training, per language
///
/// Active volunteers per language, how many are untrained or lose their training within 90
/// days, and how many requests came in the last 90 days; the thinnest first.
#[utoipa::path(
    get,
    path = "/trainings/needs",
    operation_id = "training_needs",
    tag = "trainings",
    responses(
        (status = 200, description = "Per language", body = Vec<LanguageNeed>),
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn needs_by_language(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
) -> Result<Json<Vec<LanguageNeed>>, ApiError> {
    let months = state.trainings.validity_months;
    Ok(Json(
        lp_requests::lifecycle::training_needs(&state.db, &by, months, state.clock.now()).await?,
    ))
}
