//! A volunteer's private calendar subscription, `GET /calendar/{token}.ics`: their assignments
//! and the trainings they hold a place in, as iCalendar, for calendar apps that poll it without
//! cookies. An unknown or revoked address is a 404. The feed rows are the registry's
//! (`lp_registry::calendar_feeds`); the entries are built where the mails' entries are
//! (`lp_notify::templates::CalendarFeed`).

use crate::AppState;
use crate::error::ApiError;
use crate::extract::PathParam;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, REFERRER_POLICY};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use lp_notify::templates::{CalendarFeed, FeedAssignment};
use lp_registry::calendar_feeds;
use lp_requests::assignments::{self, VolunteerAssignment};
use uuid::Uuid;

/// How far back the feed reaches: a calendar keeps last week's job rather than seeing it
/// vanish the moment it starts.
pub const FEED_PAST_DAYS: i64 = 30;

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(feed))
}

/// The address is the secret: nobody but the volunteer's own calendar keeps the answer, and it
/// names no other site.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, max-age=0"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn feed(State(state): State<AppState>, PathParam(file): PathParam) -> Response {
    match body(&state, &file).await {
        Ok(ics) => private(
            (
                [
                    (CONTENT_TYPE, HeaderValue::from_static(CalendarFeed::CONTENT_TYPE)),
                    (
                        CONTENT_DISPOSITION,
                        HeaderValue::from_static("inline; filename=\"dolmetscherpool.ics\""),
                    ),
                ],
                ics,
            )
                .into_response(),
        ),
        Err(err) => private(err.into_response()),
    }
}

async fn body(state: &AppState, file: &str) -> Result<String, ApiError> {
    let token = calendar_feeds::token_of_file(file).ok_or(ApiError::NotFound)?;
    let feed = calendar_feeds::find(&state.db, token)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = state.clock.now();
    Ok(calendar(state, feed.volunteer_id, now).await?.ics(now))
}

/// What the volunteer's calendar holds at `now`: the last [`FEED_PAST_DAYS`] and everything ahead.
async fn calendar(state: &AppState, volunteer_id: Uuid, now: DateTime<Utc>) -> Result<CalendarFeed, ApiError> {
    let from = now - Duration::days(FEED_PAST_DAYS);
    let assignments = assignments::of_volunteer(&state.db, volunteer_id, from, None).await?;
    let trainings = lp_trainings::record::registered_from(&state.db, volunteer_id, from).await?;
    Ok(CalendarFeed {
        assignments: assignments.iter().map(entry).collect(),
        trainings: trainings.iter().map(lp_trainings::trainings::Training::facts).collect(),
    })
}

fn entry(a: &VolunteerAssignment) -> FeedAssignment {
    FeedAssignment {
        request_id: a.request_id.to_string(),
        language_de: a.language.name_de().to_owned(),
        language_en: a.language.name_en().to_owned(),
        starts_at: a.starts_at,
        duration_minutes: a.duration_minutes,
        mode_de: a.mode.name_de().to_owned(),
        mode_en: a.mode.name_en().to_owned(),
        town: a.town.clone(),
        address: a.address.clone(),
        organisation_name: a.organisation_name.clone(),
        video_url: a.video_url.clone(),
    }
}

#[cfg(test)]
mod tests;
