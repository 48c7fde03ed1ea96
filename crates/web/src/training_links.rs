//! The volunteers' training-invitation pages `/t/{token}`. A GET only shows (mail scanners
//! open links); the POST acts and answers with a redirect to the page (303), so a reload shows
//! the result and acts no twice; a refused action's reason rides along (`?refused=`) and the
//! page says it. A GET of an action's address goes to the page. Clients asking for
//! `application/json` get JSON.

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use crate::extract::PathParam;
use crate::links::{
    LINK_FAILED, UNKNOWN_LINK, page_path, private, query_value, refusal_response, see_other, wants_json,
};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lp_trainings::TrainingError;
use lp_trainings::links::{self, InvitationPage, Outcome};
use lp_trainings::rules::{InvitationPageStatus, InvitationRefusal};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/t/{token}", get(show))
        .route("/t/{token}/register", get(to_page).post(register))
        .route("/t/{token}/decline", get(to_page).post(decline))
}

/// An action's address opened with GET: the invitation's page.
async fn to_page(PathParam(token): PathParam) -> Response {
    see_other(&page_path("/t", &token))
}

#[derive(Template)]
#[template(path = "training_invitation.html")]
struct InvitationTemplate<'a> {
    page: &'a InvitationPage,
    token: &'a str,
    kind_de: &'static str,
    kind_en: &'static str,
    when_de: String,
    when_en: String,
    deadline_de: String,
    deadline_en: String,
    status_de: String,
    status_en: String,
    good: bool,
    decline_de: &'static str,
    decline_en: &'static str,
    /// Why the action just tried did not happen, after the redirect.
    refused: Option<(String, String)>,
}

fn status_text(page: &InvitationPage) -> (String, String) {
    let (de, en) = match page.status {
        InvitationPageStatus::Open => (
            "Sie sind eingeladen. Melden Sie sich bitte an oder sagen Sie ab.",
            "You are invited. Please register or decline.",
        ),
        InvitationPageStatus::Registered => (
            "Sie sind angemeldet. Wir freuen uns auf Sie!",
            "You are registered. We look forward to seeing you!",
        ),
        InvitationPageStatus::Waiting => {
            let position = page.position.unwrap_or(1);
            return (
                format!(
                    "Die Schulung ist voll. Sie stehen auf Platz {position} der Warteliste; wird ein Platz frei, rücken Sie nach und bekommen eine E-Mail."
                ),
                format!(
                    "The training is full. You are number {position} on the waiting list; when a place frees up you move up and get an email."
                ),
            );
        }
        InvitationPageStatus::Declined => ("Sie haben abgesagt.", "You declined."),
        InvitationPageStatus::Closed => ("Die Anmeldefrist ist abgelaufen.", "Registration has closed."),
        InvitationPageStatus::Cancelled => ("Diese Schulung wurde abgesagt.", "This training was cancelled."),
        InvitationPageStatus::Over => (
            "Diese Schulung hat bereits begonnen.",
            "This training has already begun.",
        ),
    };
    (de.to_owned(), en.to_owned())
}

fn render_page(page: &InvitationPage, token: &str, refused: Option<InvitationRefusal>) -> Response {
    let starts_at = page.starts_at.to_utc();
    let deadline = page.registration_deadline.to_utc();
    let (status_de, status_en) = status_text(page);
    let (decline_de, decline_en) = match page.status {
        InvitationPageStatus::Registered => ("Anmeldung zurücknehmen", "Cancel my registration"),
        InvitationPageStatus::Waiting => ("Von der Warteliste nehmen", "Leave the waiting list"),
        _ => ("Absagen", "Decline"),
    };
    let template = InvitationTemplate {
        page,
        token,
        kind_de: page.kind.name_de(),
        kind_en: page.kind.name_en(),
        when_de: lp_core::when::de(&starts_at),
        when_en: lp_core::when::en(&starts_at),
        deadline_de: lp_core::when::de(&deadline),
        deadline_en: lp_core::when::en(&deadline),
        status_de,
        status_en,
        good: matches!(
            page.status,
            InvitationPageStatus::Open | InvitationPageStatus::Registered
        ),
        decline_de,
        decline_en,
        refused: refused.map(|r| {
            (
                format!("{}. {}", r.title_de(), r.detail_de()),
                format!("{}: {}", r.title_en(), r.detail_en()),
            )
        }),
    };
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(err) => ApiError::Internal(format!("template: {err}")).into_response(),
    }
}

fn refusal_page(err: TrainingError) -> Response {
    let (title_de, title_en, detail_de) = match &err {
        TrainingError::NotFound => UNKNOWN_LINK,
        TrainingError::Link(refusal) => (refusal.title_de(), refusal.title_en(), refusal.detail_de()),
        _ => LINK_FAILED,
    };
    refusal_response(ApiError::from(err), title_de, title_en, detail_de.to_owned())
}

async fn show(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = links::page(&state.db, &token, state.clock.now()).await;
    let refused = query_value(query.as_deref(), "refused")
        .and_then(|code| serde_json::from_value::<InvitationRefusal>(json!(code)).ok());
    let response = match (result, wants_json(&headers)) {
        (Ok(page), true) => Json(page).into_response(),
        (Ok(page), false) => render_page(&page, &token, refused),
        (Err(err), true) => ApiError::from(err).into_response(),
        (Err(err), false) => refusal_page(err),
    };
    private(response)
}

async fn register(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    let result = links::register(&state.db, &token, &state.trainings, Some(client), state.clock.now()).await;
    answer(&state, &token, &headers, result)
}

async fn decline(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    let result = links::decline(&state.db, &token, &state.trainings, Some(client), state.clock.now()).await;
    answer(&state, &token, &headers, result)
}

fn answer(state: &AppState, token: &str, headers: &HeaderMap, result: Result<Outcome, TrainingError>) -> Response {
    if result.is_ok() {
        state.mail_wake.notify_one();
    }
    let response = match (result, wants_json(headers)) {
        (Ok(outcome), true) => Json(json!({ "result": outcome.as_str() })).into_response(),
        (Ok(_), false) => return see_other(&page_path("/t", token)),
        (Err(err), true) => ApiError::from(err).into_response(),
        (Err(TrainingError::Link(refusal)), false) => {
            return see_other(&format!("{}?refused={}", page_path("/t", token), refusal.reason()));
        }
        (Err(err), false) => refusal_page(err),
    };
    private(response)
}
