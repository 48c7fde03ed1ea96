use super::docs::{BodyErrors, Conflict, CoordinatorOnly, NotFound, QueryErrors, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::{ApiJson, PathParam, QueryParams, parse_json};
use crate::extract::{parse_id, query_param};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use lp_registry::training::TrainingInfo;
use lp_registry::volunteers::{self, Volunteer, VolunteerFilter, VolunteerInput};
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, update, erase))
        .routes(routes!(export))
}

/// Everything stored about a volunteer (DSGVO Art. 15)
///
/// The registry record, every offer, the appointments they took, their trainings and the
/// audit entries about them; nobody else's data. Making the export is itself audited.
#[utoipa::path(
    get,
    path = "/volunteers/{id}/export",
    operation_id = "export_volunteer",
    tag = "volunteers",
    params(("id" = Uuid, Path, description = "The volunteer's id")),
    responses(
        (status = 200, description = "The volunteer's data", body = lp_requests::access_export::VolunteerExport),
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
    )
)]
async fn export(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let id = parse_id(&id)?;
    let export = lp_requests::access_export::volunteer(&state.db, &by, id, state.clock.now()).await?;
    let disposition = format!("attachment; filename=\"auskunft-{id}.json\"");
    let headers = [
        (axum::http::header::CONTENT_DISPOSITION, disposition),
        (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, Json(export)).into_response())
}

/// A volunteer with the training status derived for today.
#[derive(Serialize, utoipa::ToSchema)]
struct VolunteerView {
    #[serde(flatten)]
    volunteer: Volunteer,
    training: TrainingInfo,
}

fn view(state: &AppState, volunteer: Volunteer) -> VolunteerView {
    let training = volunteer.training(state.today(), state.requests.training_validity_months);
    VolunteerView { volunteer, training }
}

/// Register a volunteer
///
/// Languages, German level, modes, service area, weekly availability (Europe/Berlin), absences
/// and the rest; `status` is `applicant` unless given. The answer adds the derived `training`.
#[utoipa::path(
    post,
    path = "/volunteers",
    operation_id = "create_volunteer",
    tag = "volunteers",
    request_body = VolunteerInput,
    responses(
        (status = 201, description = "Created", body = VolunteerView),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        (status = 409, description = "A volunteer with this email exists already", body = super::docs::ErrorBody),
    )
)]
async fn create(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    ApiJson(input): ApiJson<VolunteerInput>,
) -> Result<(StatusCode, Json<VolunteerView>), ApiError> {
    let valid = input.validate()?;
    let volunteer = volunteers::create(&state.db, &by, valid, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, volunteer))))
}

/// List volunteers
///
/// By name; the filters combine.
#[utoipa::path(
    get,
    path = "/volunteers",
    operation_id = "list_volunteers",
    tag = "volunteers",
    params(VolunteerFilter),
    responses(
        (status = 200, description = "The volunteers that pass the filters", body = Vec<VolunteerView>),
        QueryErrors,
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn list(
    State(state): State<AppState>,
    _: Coordinator,
    QueryParams(params): QueryParams,
) -> Result<Json<Vec<VolunteerView>>, ApiError> {
    let filter = VolunteerFilter {
        language: query_param(&params, "language")?,
        status: query_param(&params, "status")?,
        training: query_param(&params, "training")?,
    };
    let found = volunteers::list(
        &state.db,
        &filter,
        state.today(),
        state.requests.training_validity_months,
    )
    .await?;
    Ok(Json(found.into_iter().map(|v| view(&state, v)).collect()))
}

/// Show a volunteer
#[utoipa::path(
    get,
    path = "/volunteers/{id}",
    operation_id = "show_volunteer",
    tag = "volunteers",
    params(("id" = Uuid, Path, description = "The volunteer's id")),
    responses(
        (status = 200, description = "The volunteer", body = VolunteerView),
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
    )
)]
async fn show(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
) -> Result<Json<VolunteerView>, ApiError> {
    let volunteer = volunteers::view(&state.db, &by, parse_id(&id)?, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, volunteer)))
}

/// Change a volunteer
///
/// A JSON merge patch (RFC 7396), sent as `application/json`: the body's fields replace the
/// stored ones, `null` clears an optional one, and the result is checked like a new volunteer.
#[utoipa::path(
    patch,
    path = "/volunteers/{id}",
    operation_id = "update_volunteer",
    tag = "volunteers",
    params(("id" = Uuid, Path, description = "The volunteer's id")),
    request_body(
        content = ref("#/components/schemas/VolunteerPatch"),
        content_type = "application/json",
        description = "Any fields of a volunteer; `null` clears an optional one",
    ),
    responses(
        (status = 200, description = "The changed volunteer", body = VolunteerView),
        BodyErrors,
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn update(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
    ApiJson(patch): ApiJson<Value>,
) -> Result<Json<VolunteerView>, ApiError> {
    let id = parse_id(&id)?;
    if !patch.is_object() {
        return Err(lp_core::validation::FieldError::new("body", "must be a JSON object").into());
    }
    let current = volunteers::get(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    let mut merged =
        serde_json::to_value(VolunteerInput::from(&current)).map_err(|e| ApiError::Internal(e.to_string()))?;
    merge_patch(&mut merged, patch);
    let input: VolunteerInput = parse_json(merged.to_string().as_bytes())?;
    let volunteer = volunteers::update(&state.db, &by, id, input.validate()?, state.clock.now()).await?;
    Ok(Json(view(&state, volunteer)))
}

fn merge_patch(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge_patch(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

/// Erase a volunteer
///
/// Erasure under the DSGVO: personal data goes, statistics stay; open offers are withdrawn, all
/// in one transaction. A volunteer with a history of offers stays as an anonymised record (name
/// and email replaced, contact data removed), so `GET` still finds it; one without is deleted.
/// Refused with 409 while the volunteer holds an upcoming assignment.
#[utoipa::path(
    delete,
    path = "/volunteers/{id}",
    operation_id = "erase_volunteer",
    tag = "volunteers",
    params(("id" = Uuid, Path, description = "The volunteer's id")),
    responses(
        (status = 204, description = "Erased"),
        Unauthenticated,
        CoordinatorOnly,
        NotFound,
        Conflict,
    )
)]
async fn erase(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    PathParam(id): PathParam,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    lp_requests::erasure::erase_volunteer(&state.db, &by, id, &state.trainings, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn merge_patch_replaces_and_clears() {
        let mut target = json!({"name": "A", "phone": "1", "languages": [{"code": "ara"}]});
        merge_patch(&mut target, json!({"phone": null, "languages": [{"code": "tir"}]}));
        assert_eq!(target, json!({"name": "A", "languages": [{"code": "tir"}]}));
    }
}
