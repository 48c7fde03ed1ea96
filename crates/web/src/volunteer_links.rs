//! The volunteers' own availability pages: `/v/{token}` shows (GET, reading only) and saves
//! (POST, answered for browsers with a redirect (303) to `/v/{token}?saved=1`, which shows what
//! was saved) their weekly times and absences; `/v` mails a fresh link to a registered address,
//! and `/v/nachweis` a year's Ehrenamtsnachweis (see [`lp_reports::nachweis_by_mail`]).
//! The form's rows and their errors are in [`form`]; the page's jobs and calendar
//! subscription in [`mine`].
//!
//! The weekly times are from/to time inputs, several rows per weekday: they work without
//! JavaScript, give phones their native time pickers, and carry any stored slot (09:15–12:45,
//! 18:00–24:00) through unchanged, which a grid of fixed blocks could not. A time input cannot
//! hold 24:00, so an end of 00:00 means midnight at the end of the day.

mod form;
mod mine;

use crate::AppState;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use crate::extract::{PathParam, parse_json};
use crate::links::{page_path, query_value, see_other, wants_json};
use crate::schedule_form::{AbsenceInputs, LINK_FORM, ScheduleRows, hh_mm};
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use form::{DayRows, FormError};
use lp_core::time::WEEKDAYS;
use lp_core::validation::FieldError;
use lp_core::when::{weekday_de, weekday_en};
use lp_registry::RegistryError;
use lp_registry::availability_links::{self, AvailabilityPage, LinkError, ScheduleInput};
use lp_reports::{ReportError, nachweis_by_mail};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v", get(request_form).post(request_link))
        // A static segment wins over `{token}`, and no token (43 characters) is this word.
        .route("/v/nachweis", get(request_form).post(request_nachweis))
        .route("/v/{token}", get(show).post(save))
        .route("/v/{token}/calendar/new", get(to_page).post(mine::renew))
        .route("/v/{token}/calendar/revoke", get(to_page).post(mine::revoke))
}

/// An action's address opened with GET: the link's page.
async fn to_page(PathParam(token): PathParam) -> Response {
    see_other(&page_path("/v", &token))
}

/// The pages carry a secret in the URL: no caching (the security headers add `no-referrer`).
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => private((status, Html(body)).into_response()),
        Err(e) => private(ApiError::Internal(format!("template: {e}")).into_response()),
    }
}

// ---------------------------------------------------------------------------------------------
// Pages

struct ShownError {
    label_de: String,
    label_en: String,
    de: String,
    en: String,
}

#[derive(Template)]
#[template(path = "availability.html")]
struct FormTemplate {
    token: String,
    first_name: String,
    days: Vec<DayRows>,
    absences: Vec<AbsenceInputs>,
    error: Option<ShownError>,
    expires_de: String,
    expires_en: String,
    mine: mine::Mine,
}

struct SavedDay {
    de: &'static str,
    en: &'static str,
    times: String,
}

#[derive(Template)]
#[template(path = "availability_saved.html")]
struct SavedTemplate {
    first_name: String,
    days: Vec<SavedDay>,
    absences: Vec<String>,
}

#[derive(Template)]
#[template(path = "availability_error.html")]
struct ErrorTemplate {
    title_de: &'static str,
    title_en: &'static str,
    detail_de: &'static str,
    detail_en: &'static str,
}

#[derive(Template)]
#[template(path = "availability_request.html")]
struct RequestTemplate {
    sent: bool,
    email: String,
    error: bool,
    nachweis: NachweisForm,
}

/// The `/v` page's second form: an Ehrenamtsnachweis by email.
struct NachweisForm {
    sent: bool,
    email: String,
    /// Latest first.
    years: Vec<i32>,
    /// The one selected (or asked for).
    year: i32,
    /// The field refused: `email` or `year`.
    error: Option<&'static str>,
}

impl NachweisForm {
    fn new(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            sent: false,
            email: String::new(),
            years: nachweis_by_mail::years(now).rev().collect(),
            year: nachweis_by_mail::default_year(now),
            error: None,
        }
    }

    fn first_year(&self) -> i32 {
        self.years.last().copied().unwrap_or(self.year)
    }

    fn last_year(&self) -> i32 {
        self.years.first().copied().unwrap_or(self.year)
    }
}

impl RequestTemplate {
    fn blank(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            sent: false,
            email: String::new(),
            error: false,
            nachweis: NachweisForm::new(now),
        }
    }
}

fn form_page(
    status: StatusCode,
    token: &str,
    page: &AvailabilityPage,
    mine: mine::Mine,
    rows: &ScheduleRows,
    error: Option<&FormError>,
) -> Response {
    let (days, absences) = form::shown(rows, error);
    let error = error.map(|e| {
        let (label_de, label_en) = e.labels();
        ShownError {
            label_de,
            label_en,
            de: e.de.clone(),
            en: e.en.clone(),
        }
    });
    html(
        status,
        &FormTemplate {
            token: token.to_owned(),
            first_name: page.first_name.clone(),
            days,
            absences,
            error,
            expires_de: lp_core::when::de(&page.expires_at),
            expires_en: lp_core::when::en(&page.expires_at),
            mine,
        },
    )
}

fn saved_page(page: &AvailabilityPage) -> Response {
    let days = WEEKDAYS
        .iter()
        .filter_map(|weekday| {
            let times: Vec<String> = page
                .availability
                .iter()
                .filter(|s| s.weekday == *weekday)
                .map(|s| format!("{}–{}", hh_mm(s.start_minute), hh_mm(s.end_minute)))
                .collect();
            (!times.is_empty()).then(|| SavedDay {
                de: weekday_de(*weekday),
                en: weekday_en(*weekday),
                times: times.join(", "),
            })
        })
        .collect();
    let absences = page
        .absences
        .iter()
        .map(|r| format!("{} – {}", r.from.format("%d.%m.%Y"), r.to.format("%d.%m.%Y")))
        .collect();
    html(
        StatusCode::OK,
        &SavedTemplate {
            first_name: page.first_name.clone(),
            days,
            absences,
        },
    )
}

/// Why a link does not open, as a page or in the JSON error shape.
fn refusal(err: LinkError, json: bool) -> Response {
    let (api, template) = match err {
        LinkError::Unknown => (
            ApiError::NotFound,
            ErrorTemplate {
                title_de: "Link unbekannt",
                title_en: "Unknown link",
                detail_de: "Bitte prüfen Sie, ob der Link vollständig kopiert wurde, oder fordern Sie einen neuen an.",
                detail_en: "Please check that the whole link was copied, or ask for a new one.",
            },
        ),
        LinkError::Used => (
            ApiError::Gone(err.to_string()),
            ErrorTemplate {
                title_de: "Link schon verwendet",
                title_en: "Link already used",
                detail_de: "Jeder Link gilt für eine Änderung. Bitte nutzen Sie den Link in Ihrer nächsten E-Mail oder fordern Sie einen neuen an.",
                detail_en: "Each link works for one update. Please use the link in your next email or ask for a new one.",
            },
        ),
        LinkError::Expired => (
            ApiError::Gone(err.to_string()),
            ErrorTemplate {
                title_de: "Link abgelaufen",
                title_en: "Link expired",
                detail_de: "Bitte nutzen Sie den Link in Ihrer nächsten E-Mail oder fordern Sie einen neuen an.",
                detail_en: "Please use the link in your next email or ask for a new one.",
            },
        ),
        LinkError::Registry(err) => {
            let api = ApiError::from(err);
            if json {
                return private(api.into_response());
            }
            if let ApiError::Internal(detail) = &api {
                tracing::error!(%detail, "internal error on an availability page");
            }
            let template = ErrorTemplate {
                title_de: "Fehler",
                title_en: "Error",
                detail_de: "Bitte versuchen Sie es später noch einmal.",
                detail_en: "Please try again later.",
            };
            return html(api.status(), &template);
        }
    };
    if json {
        private(api.into_response())
    } else {
        html(api.status(), &template)
    }
}

async fn show(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let json = wants_json(&headers);
    if !json && query_value(query.as_deref(), "saved") == Some("1") {
        return match availability_links::saved_page(&state.db, &token, state.clock.now()).await {
            Ok(page) => saved_page(&page),
            Err(err) => refusal(err, false),
        };
    }
    match availability_links::page(&state.db, &token, state.clock.now()).await {
        Ok(page) if json => private(Json(page).into_response()),
        Ok(page) => {
            let mine = match mine::load(&state, page.volunteer_id, state.clock.now()).await {
                Ok(mine) => mine,
                Err(err) => return mine::failed(err),
            };
            let rows = LINK_FORM.rows_of(&page.availability, &page.absences);
            form_page(StatusCode::OK, &token, &page, mine, &rows, None)
        }
        Err(err) => refusal(err, json),
    }
}

/// A form-encoded body as its pairs, in order; axum's decoder does the percent-decoding.
async fn form_pairs(body: Bytes) -> Option<Vec<(String, String)>> {
    let request = Request::builder()
        .method("POST")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .ok()?;
    Form::<Vec<(String, String)>>::from_request(request, &())
        .await
        .ok()
        .map(|Form(pairs)| pairs)
}

fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// Saves the schedule and spends the link. A browser sends the form; a client may send the
/// SPEC's JSON shape `{"availability": [...], "absences": [...]}` instead.
async fn save(
    State(state): State<AppState>,
    PathParam(token): PathParam,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = wants_json(&headers);
    let now = state.clock.now();
    // The link is judged first: a spent or unknown link says so whatever the form holds.
    let page = match availability_links::page(&state.db, &token, now).await {
        Ok(page) => page,
        Err(err) => return refusal(err, json),
    };
    let valid = if is_json_body(&headers) {
        match parse_json::<ScheduleInput>(&body).and_then(|input| Ok(input.validate()?)) {
            Ok(valid) => valid,
            Err(err) => return private(err.into_response()),
        }
    } else {
        let Some(pairs) = form_pairs(body).await else {
            return private(ApiError::Malformed("the body is not a form".to_owned()).into_response());
        };
        let (submitted, _) = LINK_FORM.read(pairs);
        match form::schedule(&submitted) {
            Ok(valid) => valid,
            Err(err) if json => return private(err.api().into_response()),
            Err(err) => {
                let mine = match mine::load(&state, page.volunteer_id, now).await {
                    Ok(mine) => mine,
                    Err(err) => return mine::failed(err),
                };
                return form_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &token,
                    &page,
                    mine,
                    &submitted,
                    Some(&err),
                );
            }
        }
    };
    match availability_links::save(&state.db, &token, valid, Some(client), now).await {
        Ok(saved) if json => private(
            Json(json!({
                "result": "saved",
                "availability": saved.availability,
                "absences": saved.absences,
            }))
            .into_response(),
        ),
        Ok(_) => see_other(&format!("{}?saved=1", page_path("/v", &token))),
        Err(err) => refusal(err, json),
    }
}

async fn request_form(State(state): State<AppState>) -> Response {
    html(StatusCode::OK, &RequestTemplate::blank(state.clock.now()))
}

/// Mails a fresh link if the address belongs to an active volunteer. The answer is the same
/// either way, so the form tells nobody who is in the pool.
async fn request_link(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let json = wants_json(&headers);
    let email = form_pairs(body)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let result =
        availability_links::send_on_request(&state.db, &state.requests.server_key, &email, state.clock.now()).await;
    match result {
        Ok(sent) => {
            if sent {
                state.mail_wake.notify_one();
            }
            if json {
                return private(Json(json!({"result": "requested"})).into_response());
            }
            html(
                StatusCode::OK,
                &RequestTemplate {
                    sent: true,
                    ..RequestTemplate::blank(state.clock.now())
                },
            )
        }
        Err(RegistryError::Invalid(_)) if !json => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RequestTemplate {
                email: email.trim().to_owned(),
                error: true,
                ..RequestTemplate::blank(state.clock.now())
            },
        ),
        Err(err) => private(ApiError::from(err).into_response()),
    }
}

/// Mails the year's Ehrenamtsnachweis if the address belongs to a volunteer; the use case is
/// [`nachweis_by_mail::nachweis_by_mail`]. The answer is the same either way. A form sends
/// `email` and `year`; without a year it is last year. A bad address or year is a 422 naming
/// the field, as the page or, for `Accept: application/json`, in the JSON error shape.
async fn request_nachweis(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = wants_json(&headers);
    let now = state.clock.now();
    let pairs = form_pairs(body).await.unwrap_or_default();
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let email = field("email").unwrap_or_default();
    let year = match field("year").filter(|y| !y.is_empty()) {
        None => Ok(nachweis_by_mail::default_year(now)),
        Some(text) => text.parse::<i32>().map_err(|_| {
            let allowed = nachweis_by_mail::years(now);
            FieldError::new(
                "year",
                format!("must be a year from {} to {}", allowed.start(), allowed.end()),
            )
        }),
    };
    let asked = year.as_ref().ok().copied();
    let result = match year {
        Ok(year) => nachweis_by_mail::nachweis_by_mail(&state.db, &email, year, &state.reports, Some(client), now)
            .await
            .map(|sent| (sent, year)),
        Err(err) => Err(ReportError::Invalid(err)),
    };
    let mut nachweis = NachweisForm::new(now);
    match result {
        Ok((sent, year)) => {
            if sent {
                state.mail_wake.notify_one();
            }
            if json {
                return private(Json(json!({"result": "requested"})).into_response());
            }
            nachweis.sent = true;
            nachweis.year = year;
            html(
                StatusCode::OK,
                &RequestTemplate {
                    nachweis,
                    ..RequestTemplate::blank(now)
                },
            )
        }
        Err(ReportError::Invalid(refused)) if !json => {
            nachweis.email = email;
            nachweis.error = Some(if refused.field == "year" { "year" } else { "email" });
            if let Some(year) = asked.filter(|y| nachweis.years.contains(y)) {
                nachweis.year = year;
            }
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RequestTemplate {
                    nachweis,
                    ..RequestTemplate::blank(now)
                },
            )
        }
        Err(err) => private(ApiError::from(err).into_response()),
    }
}

#[cfg(test)]
mod tests;
