//! What the volunteer's own page shows beside the schedule form: their jobs (upcoming, the past
//! twelve months, this year's confirmed hours by the Ehrenamtsnachweis's own rule) and their
//! calendar subscription, which they make, renew or revoke here (`POST /v/{token}/calendar/…`,
//! answered with a redirect back to the page). Opening the page changes nothing.

use super::{ErrorTemplate, html, private, refusal};
use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use crate::extract::PathParam;
use crate::links::wants_json;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, Duration, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::Who;
use lp_core::time::POOL_TZ;
use lp_core::vocab::RequestStatus;
use lp_registry::availability_links;
use lp_registry::calendar_feeds;
use lp_reports::tables::{Cell, Locale};
use lp_requests::assignments::{self, VolunteerAssignment};
use serde_json::json;
use uuid::Uuid;

/// How far back "past jobs" reach.
const PAST_DAYS: i64 = 365;

/// One job as a line of the page, in both languages.
pub(super) struct JobLine {
    pub when_de: String,
    pub when_en: String,
    pub what_de: String,
    pub what_en: String,
    /// For past jobs: done with the confirmed hours, or waiting for the confirmation.
    pub outcome: Option<(String, String)>,
}

pub(super) struct CalendarShown {
    pub url: String,
    /// The same address as `webcal://`, which phones open in their calendar app; only for an
    /// https address, since apps fetch `webcal://` over https.
    pub webcal: Option<String>,
    pub since_de: String,
    pub since_en: String,
}

pub(super) struct Mine {
    pub upcoming: Vec<JobLine>,
    pub past: Vec<JobLine>,
    pub year: i32,
    /// Completed jobs of this year, and their confirmed hours worded as the Nachweis words them.
    pub year_jobs: u32,
    pub hours_de: String,
    pub hours_en: String,
    pub calendar: Option<CalendarShown>,
}

fn line(a: &VolunteerAssignment, past: bool) -> JobLine {
    let town = a.town.as_deref().map(|t| format!(" · {t}")).unwrap_or_default();
    let outcome = past.then(|| match (a.status, a.actual_minutes) {
        (RequestStatus::Completed, Some(minutes)) => {
            let hours = Cell::hours(u64::from(minutes));
            (
                format!("erledigt, {} Std.", hours.display(Locale::De)),
                format!("done, {} h", hours.display(Locale::En)),
            )
        }
        _ => (
            "Bestätigung durch die Stelle steht aus".to_owned(),
            "awaiting the organisation's confirmation".to_owned(),
        ),
    });
    JobLine {
        when_de: lp_core::when::de(&a.starts_at),
        when_en: lp_core::when::en(&a.starts_at),
        what_de: format!("{} · {}{town}", a.language.name_de(), a.mode.name_de()),
        what_en: format!("{} · {}{town}", a.language.name_en(), a.mode.name_en()),
        outcome,
    }
}

fn webcal(url: &str) -> Option<String> {
    url.strip_prefix("https://").map(|rest| format!("webcal://{rest}"))
}

/// The volunteer's jobs and calendar at `now`.
pub(super) async fn load(state: &AppState, volunteer_id: Uuid, now: DateTime<Utc>) -> Result<Mine, ApiError> {
    let jobs = assignments::of_volunteer(&state.db, volunteer_id, now - Duration::days(PAST_DAYS), None).await?;
    let (past, upcoming): (Vec<_>, Vec<_>) = jobs.iter().partition(|a| a.starts_at < now);
    let year = now.with_timezone(&POOL_TZ).year();
    // The volunteer's own figures, read on their behalf as the Nachweis mail reads them.
    let record = lp_reports::volunteer_year::volunteer_year(
        &state.db,
        &Coordinator::operator(),
        volunteer_id,
        year,
        &state.reports,
    )
    .await?;
    let hours = Cell::hours(record.minutes);
    let addresses = state.requests.calendar_feeds();
    let calendar = calendar_feeds::shown(&state.db, &addresses, volunteer_id)
        .await?
        .map(|feed| {
            let url = addresses.url(&feed);
            CalendarShown {
                webcal: webcal(&url),
                url,
                since_de: lp_core::when::date(&feed.created_at),
                since_en: feed.created_at.with_timezone(&POOL_TZ).format("%-d %B %Y").to_string(),
            }
        });
    Ok(Mine {
        upcoming: upcoming.into_iter().map(|a| line(a, false)).collect(),
        // Latest first: last week's job is the one looked for.
        past: past.into_iter().rev().map(|a| line(a, true)).collect(),
        year,
        year_jobs: record.assignments,
        hours_de: hours.display(Locale::De),
        hours_en: hours.display(Locale::En),
        calendar,
    })
}

/// A page for an error of ours while reading the volunteer's figures.
pub(super) fn failed(err: ApiError) -> Response {
    if let ApiError::Internal(detail) = &err {
        tracing::error!(%detail, "internal error on an availability page");
    }
    let template = ErrorTemplate {
        title_de: "Fehler",
        title_en: "Error",
        detail_de: "Bitte versuchen Sie es später noch einmal.",
        detail_en: "Please try again later.",
    };
    html(err.status(), &template)
}

#[derive(Clone, Copy)]
enum Action {
    Renew,
    Revoke,
}

/// A new calendar address (the old one, if any, stops working).
pub(super) async fn renew(
    state: State<AppState>,
    token: PathParam,
    client: ClientAddr,
    headers: HeaderMap,
) -> Response {
    act(state, token, client, headers, Action::Renew).await
}

/// The calendar address stops working; a new one can be made here again.
pub(super) async fn revoke(
    state: State<AppState>,
    token: PathParam,
    client: ClientAddr,
    headers: HeaderMap,
) -> Response {
    act(state, token, client, headers, Action::Revoke).await
}

/// Acts if the page's link still works (it is not spent by this: it is for one schedule save).
async fn act(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    action: Action,
) -> Response {
    let json = wants_json(&headers);
    let now = state.clock.now();
    let page = match availability_links::page(&state.db, &token, now).await {
        Ok(page) => page,
        Err(err) => return refusal(err, json),
    };
    let who = Who::Volunteer(page.volunteer_id);
    let done = match action {
        Action::Renew => calendar_feeds::renew(
            &state.db,
            &state.requests.calendar_feeds(),
            page.volunteer_id,
            who,
            Some(client),
            now,
        )
        .await
        .map(|url| json!({"result": "renewed", "calendar_url": url})),
        Action::Revoke => calendar_feeds::revoke(&state.db, page.volunteer_id, who, Some(client), now)
            .await
            .map(|_| json!({"result": "revoked"})),
    };
    match done {
        Ok(answer) if json => private(Json(answer).into_response()),
        Ok(_) => private(Redirect::to(&format!("{}#kalender", crate::links::page_path("/v", &token))).into_response()),
        Err(err) if json => private(ApiError::from(err).into_response()),
        Err(err) => failed(ApiError::from(err)),
    }
}
