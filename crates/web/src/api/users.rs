use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use lp_core::vocab::Role;
use lp_notify::templates::StaffWelcomeMail;
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

/// Without a password in the body, a one-time password is generated and mailed in the same
/// transaction as the new user.
async fn create(
    State(state): State<AppState>,
    _: Coordinator,
    ApiJson(input): ApiJson<StaffUserInput>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let now = state.clock.now();
    let txn = lp_core::db::begin_write(&state.db).await?;
    let created = staff::create(&*txn, &input, now).await?;
    if let Some(password) = &created.one_time_password {
        let (role_de, role_en) = match created.user.role {
            Role::Coordinator => ("Koordination", "coordinator"),
            Role::Caseworker => ("Fachkraft", "caseworker"),
        };
        let mail = StaffWelcomeMail {
            to: created.user.email.clone(),
            name: created.user.name.clone(),
            role_de: role_de.to_owned(),
            role_en: role_en.to_owned(),
            login_url: format!("{}/login", state.requests.public_base_url),
            one_time_password: password.clone(),
        };
        lp_notify::enqueue(&*txn, &mail.email(), now)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
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
