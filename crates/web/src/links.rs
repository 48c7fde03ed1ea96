//! The volunteers' secret-link pages. A GET only shows (mail scanners open links); the POST
//! acts and answers a browser with a redirect to the link's page (303), which shows the result
//! from the database, or why the action was refused; a reload shows it again and acts no twice.
//! A GET of an action's address (a phone reloading it) goes to the page too. Clients asking for
//! `application/json` get JSON.

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use crate::extract::PathParam;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use lp_requests::RequestError;
use lp_requests::offers::{self, Accepted, OfferPage};
use lp_requests::rules::OfferPageStatus;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{token}", get(show))
        .route("/o/{token}/accept", get(to_page).post(accept))
        .route("/o/{token}/decline", get(to_page).post(decline))
        .route("/o/{token}/withdraw", get(to_page).post(withdraw))
}

/// A link's page, `prefix` and the token, safe as a `Location` whatever the path held.
pub(crate) fn page_path(prefix: &str, token: &str) -> String {
    format!("{prefix}/{}", crate::page::url_encode(token).replace('/', "%2F"))
}

/// 303 to `location`, not cached.
pub(crate) fn see_other(location: &str) -> Response {
    private(Redirect::to(location).into_response())
}

/// An action's address opened with GET (a reloaded or shared URL): the link's page.
async fn to_page(PathParam(token): PathParam) -> Response {
    see_other(&page_path("/o", &token))
}

/// The `name=value` pairs of a query string, undecoded: the values read here are codes.
pub(crate) fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Link actions answer JSON to clients that ask for it, HTML to browsers.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

#[derive(Template)]
#[template(path = "offer.html")]
struct OfferTemplate<'a> {
    page: &'a OfferPage,
    token: &'a str,
    when_de: String,
    when_en: String,
    open_until_de: String,
    open_until_en: String,
    /// The series' later dates: (German, English, free or taken).
    series: Vec<(String, String, bool)>,
    mode_de: &'static str,
    mode_en: &'static str,
    setting_de: &'static str,
    setting_en: &'static str,
    open: bool,
    accepted: bool,
    pending: bool,
    status_de: String,
    status_en: String,
    message: Option<(String, String)>,
    success: bool,
}

#[derive(Template)]
#[template(path = "link_error.html")]
struct LinkErrorTemplate {
    title_de: &'static str,
    title_en: &'static str,
    detail_de: String,
    detail_en: String,
}

fn status_text(page: &OfferPage) -> (String, String) {
    if let (OfferPageStatus::Pending, Some(by)) = (page.status, page.confirm_by) {
        let by = by.to_utc();
        return (
            format!(
                "Danke – wir bestätigen bis {} Uhr per E-Mail, ob der Einsatz Ihnen gehört.",
                lp_core::when::clock(&by)
            ),
            format!(
                "Thank you – we confirm by {} by email whether the job is yours.",
                lp_core::when::clock(&by)
            ),
        );
    }
    let (de, en) = match page.status {
        OfferPageStatus::Open => ("Dieser Einsatz ist noch offen.", "This job is still open."),
        OfferPageStatus::Pending => (
            "Danke – wir bestätigen bald per E-Mail.",
            "Thank you – we confirm soon by email.",
        ),
        OfferPageStatus::Accepted => (
            "Sie haben diesen Einsatz übernommen. Vielen Dank!",
            "You have this job. Thank you!",
        ),
        OfferPageStatus::Declined => ("Sie haben dieses Angebot abgelehnt.", "You declined this offer."),
        OfferPageStatus::Filled => (
            "Dieser Einsatz ist bereits vergeben. Danke für Ihre Bereitschaft!",
            "This job has been filled by someone else. Thank you for your willingness!",
        ),
        OfferPageStatus::Withdrew => (
            "Sie haben den Einsatz zurückgegeben. Danke, dass Sie Bescheid gesagt haben.",
            "You gave this job back. Thank you for letting us know.",
        ),
        OfferPageStatus::Cancelled => ("Dieser Termin wurde abgesagt.", "This appointment was cancelled."),
        OfferPageStatus::Expired => ("Dieses Angebot ist abgelaufen.", "This offer has expired."),
    };
    (de.to_owned(), en.to_owned())
}

fn render_offer(
    page: &OfferPage,
    token: &str,
    message: Option<(String, String)>,
    success: bool,
) -> Result<String, ApiError> {
    let starts_at = page.starts_at.to_utc();
    let (status_de, status_en) = status_text(page);
    let template = OfferTemplate {
        page,
        token,
        when_de: lp_core::when::de(&starts_at),
        when_en: lp_core::when::en(&starts_at),
        open_until_de: lp_core::when::de(&page.open_until.to_utc()),
        open_until_en: lp_core::when::en(&page.open_until.to_utc()),
        series: page
            .series
            .iter()
            .map(|d| {
                let at = d.starts_at.to_utc();
                (lp_core::when::de(&at), lp_core::when::en(&at), d.free)
            })
            .collect(),
        mode_de: page.mode.name_de(),
        mode_en: page.mode.name_en(),
        setting_de: page.setting.name_de(),
        setting_en: page.setting.name_en(),
        open: page.status == OfferPageStatus::Open,
        accepted: page.status == OfferPageStatus::Accepted,
        pending: page.status == OfferPageStatus::Pending,
        status_de,
        status_en,
        message,
        success,
    };
    template
        .render()
        .map_err(|e| ApiError::Internal(format!("template: {e}")))
}

/// Link pages carry a secret in the URL: no caching by proxies or the browser's back button.
pub(crate) fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The German title, English title and German detail of an unknown link's page.
pub(crate) const UNKNOWN_LINK: (&str, &str, &str) = (
    "Link unbekannt",
    "Unknown link",
    "Bitte prüfen Sie, ob der Link vollständig kopiert wurde.",
);
/// The same for a failure on our side.
pub(crate) const LINK_FAILED: (&str, &str, &str) = ("Fehler", "Error", "Bitte versuchen Sie es später noch einmal.");

/// The page a volunteer sees when a link action does not happen, with the matching status.
fn refusal_page(err: RequestError) -> Response {
    let (title_de, title_en, detail_de) = match &err {
        RequestError::NotFound => (UNKNOWN_LINK.0, UNKNOWN_LINK.1, UNKNOWN_LINK.2.to_owned()),
        RequestError::Link(refusal) => (refusal.title_de(), refusal.title_en(), refusal.detail_de().to_owned()),
        RequestError::NotEligible { rule } => (
            "Übernahme nicht möglich",
            "You cannot take this job",
            format!(
                "Sie können diesen Einsatz gerade nicht übernehmen: {}",
                rule.explain_de()
            ),
        ),
        _ => (LINK_FAILED.0, LINK_FAILED.1, LINK_FAILED.2.to_owned()),
    };
    refusal_response(ApiError::from(err), title_de, title_en, detail_de)
}

/// A refused link action as a page, for every kind of volunteer link: the German title and
/// detail the caller gives, the error's English message, and its status. Not cached.
pub(crate) fn refusal_response(
    err: ApiError,
    title_de: &'static str,
    title_en: &'static str,
    detail_de: String,
) -> Response {
    let template = LinkErrorTemplate {
        title_de,
        title_en,
        detail_de,
        detail_en: err.to_string(),
    };
    if let ApiError::Internal(detail) = &err {
        tracing::error!(%detail, "internal error on a link page");
    }
    match template.render() {
        Ok(body) => private((err.status(), Html(body)).into_response()),
        Err(_) => err.status().into_response(),
    }
}

/// What the page says above the offer after a redirect from an action: `done` (the action
/// that happened, shown while the offer still reads so) or `refused` (why it did not happen).
/// The German and English text, and whether it is good news.
fn note(page: &OfferPage, query: Option<&str>) -> Option<((String, String), bool)> {
    if let Some(done) = query_value(query, "done") {
        let (status, de, en) = match done {
            "accepted" => (
                OfferPageStatus::Accepted,
                "Zusage gespeichert – der Einsatz gehört Ihnen.",
                "Accepted – the job is yours.",
            ),
            // The page's status says until when the window runs.
            "pending" => (OfferPageStatus::Pending, "Zusage gespeichert.", "Acceptance saved."),
            "declined" => (
                OfferPageStatus::Declined,
                "Absage gespeichert. Danke für die Rückmeldung!",
                "Declined. Thank you for letting us know!",
            ),
            "withdrawn" => (
                OfferPageStatus::Withdrew,
                "Sie haben den Einsatz zurückgegeben; wir suchen jemand anderen.",
                "You gave the job back; we are looking for someone else.",
            ),
            _ => return None,
        };
        return (page.status == status).then(|| ((de.to_owned(), en.to_owned()), true));
    }
    let refused = query_value(query, "refused")?;
    if refused == "not_eligible" {
        let rule = query_value(query, "rule")
            .and_then(|code| lp_matcher::Rule::ALL.iter().copied().find(|r| r.as_str() == code))?;
        return Some((
            (
                format!(
                    "Übernahme nicht möglich. Sie können diesen Einsatz gerade nicht übernehmen: {}",
                    rule.explain_de()
                ),
                format!("You cannot take this job: {}", rule.explain_en()),
            ),
            false,
        ));
    }
    let refusal: lp_requests::rules::LinkRefusal = serde_json::from_value(json!(refused)).ok()?;
    Some((
        (
            format!("{}. {}", refusal.title_de(), refusal.detail_de()),
            format!("{}: {}.", refusal.title_en(), refusal.detail_en()),
        ),
        false,
    ))
}

async fn show(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = offers::page(&state.db, &token, &state.requests, state.clock.now()).await;
    let response = match (result, wants_json(&headers)) {
        (Ok(page), true) => Json(page).into_response(),
        (Ok(page), false) => {
            let (message, success) = note(&page, query.as_deref()).map_or((None, false), |(m, good)| (Some(m), good));
            match render_offer(&page, &token, message, success) {
                Ok(body) => Html(body).into_response(),
                Err(err) => err.into_response(),
            }
        }
        (Err(err), true) => ApiError::from(err).into_response(),
        (Err(err), false) => refusal_page(err),
    };
    private(response)
}

async fn accept(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let result = offers::accept(&state.db, &token, &state.requests, Some(client), now).await;
    if result.is_ok() {
        state.mail_wake.notify_one();
    }
    match result {
        Ok(Accepted::Pending { confirm_by, .. }) if wants_json(&headers) => {
            private(Json(json!({ "result": "pending", "confirm_by": confirm_by })).into_response())
        }
        Ok(Accepted::Pending { .. }) => answer(&token, &headers, Ok("pending")),
        result => answer(&token, &headers, result.map(|_| "accepted")),
    }
}

async fn decline(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let result = offers::decline(&state.db, &token, &state.requests, Some(client), now).await;
    if result.is_ok() {
        state.mail_wake.notify_one();
    }
    answer(&token, &headers, result.map(|_| "declined"))
}

async fn withdraw(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let result = offers::withdraw(&state.db, &token, &state.requests, Some(client), now).await;
    if result.is_ok() {
        state.mail_wake.notify_one();
    }
    answer(&token, &headers, result.map(|_| "withdrawn"))
}

/// JSON for clients; for browsers a 303 to the link's page, saying what happened (`done`) or
/// why not (`refused`). An unknown link has no page to go to: its 404 page, as for a GET.
fn answer(token: &str, headers: &HeaderMap, result: Result<&'static str, RequestError>) -> Response {
    let page = page_path("/o", token);
    let response = match (result, wants_json(headers)) {
        (Ok(done), true) => (StatusCode::OK, Json(json!({ "result": done }))).into_response(),
        (Ok(done), false) => return see_other(&format!("{page}?done={done}")),
        (Err(err), true) => ApiError::from(err).into_response(),
        (Err(RequestError::Link(refusal)), false) => {
            return see_other(&format!("{page}?refused={}", refusal.code()));
        }
        (Err(RequestError::NotEligible { rule }), false) => {
            return see_other(&format!("{page}?refused=not_eligible&rule={}", rule.as_str()));
        }
        (Err(err), false) => refusal_page(err),
    };
    private(response)
}

#[cfg(test)]
mod tests;
