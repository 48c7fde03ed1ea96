//! The volunteers' own availability pages: `/v/{token}` shows (GET, reading only) and saves
//! (POST) their weekly times and absences; `/v` mails a fresh link to a registered address.
//!
//! The weekly times are from/to time inputs, several rows per weekday: they work without
//! JavaScript, give phones their native time pickers, and carry any stored slot (09:15–12:45,
//! 18:00–24:00) through unchanged, which a grid of fixed blocks could not. A time input cannot
//! hold 24:00, so an end of 00:00 means midnight at the end of the day.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PathParam, parse_json};
use crate::links::wants_json;
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::{NaiveDate, Weekday};
use lp_core::time::{DateRange, TimeError, WeeklySlot, weekday_code};
use lp_core::validation::FieldError;
use lp_registry::RegistryError;
use lp_registry::availability_links::{self, AvailabilityPage, LinkError, ScheduleInput, ValidSchedule};
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v", get(request_form).post(request_link))
        .route("/v/{token}", get(show).post(save))
}

/// The week, Monday first, with each day's German and English name.
fn days() -> [(Weekday, &'static str, &'static str); 7] {
    lp_core::time::WEEKDAYS.map(|day| (day, lp_core::when::weekday_de(day), lp_core::when::weekday_en(day)))
}
/// Form rows beyond these are ignored: the registry allows far fewer slots and absences.
const MAX_ROWS: usize = 100;

/// The pages carry a secret in the URL: no caching, and no Referer to any other site.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => private((status, Html(body)).into_response()),
        Err(e) => private(ApiError::Internal(format!("template: {e}")).into_response()),
    }
}

// ---------------------------------------------------------------------------------------------
// The form's rows

struct SlotRow {
    index: usize,
    start: String,
    end: String,
    start_error: bool,
    end_error: bool,
}

struct DayRows {
    code: &'static str,
    de: &'static str,
    en: &'static str,
    rows: Vec<SlotRow>,
}

struct AbsenceRow {
    index: usize,
    from: String,
    to: String,
    remove: bool,
    from_error: bool,
    to_error: bool,
}

impl AbsenceRow {
    fn filled(&self) -> bool {
        !self.from.is_empty() || !self.to.is_empty()
    }
}

/// What the volunteer typed, by row: `mon.0.start`, `absence.1.to`, `absence.1.remove`.
#[derive(Default)]
struct Submitted {
    slots: BTreeMap<(usize, usize), (String, String)>,
    absences: BTreeMap<usize, (String, String, bool)>,
}

impl Submitted {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut submitted = Submitted::default();
        for (key, value) in pairs {
            let mut parts = key.splitn(3, '.');
            let (Some(group), Some(index), Some(part)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let Some(index) = index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS) else {
                continue;
            };
            let value = value.trim().to_owned();
            if group == "absence" {
                let row = submitted.absences.entry(index).or_default();
                match part {
                    "from" => row.0 = value,
                    "to" => row.1 = value,
                    "remove" => row.2 = true,
                    _ => {}
                }
            } else if let Some(day) = days().iter().position(|(d, _, _)| weekday_code(*d) == group) {
                let row = submitted.slots.entry((day, index)).or_default();
                match part {
                    "start" => row.0 = value,
                    "end" => row.1 = value,
                    _ => {}
                }
            }
        }
        submitted
    }

    /// The rows as the volunteer sent them, to show again with the error marked.
    fn rows(&self, error: Option<&FormError>) -> (Vec<DayRows>, Vec<AbsenceRow>) {
        let marked = |name: String| error.is_some_and(|e| e.field == name);
        let days = days()
            .iter()
            .enumerate()
            .map(|(day, (weekday, de, en))| {
                let code = weekday_code(*weekday);
                let mut rows: Vec<SlotRow> = self
                    .slots
                    .range((day, 0)..(day + 1, 0))
                    .map(|(&(_, index), (start, end))| SlotRow {
                        index,
                        start: start.clone(),
                        end: end.clone(),
                        start_error: marked(format!("{code}.{index}.start")),
                        end_error: marked(format!("{code}.{index}.end")),
                    })
                    .collect();
                pad_slots(&mut rows);
                DayRows { code, de, en, rows }
            })
            .collect();
        let mut absences: Vec<AbsenceRow> = self
            .absences
            .iter()
            .map(|(&index, (from, to, remove))| AbsenceRow {
                index,
                from: from.clone(),
                to: to.clone(),
                remove: *remove,
                from_error: marked(format!("absence.{index}.from")),
                to_error: marked(format!("absence.{index}.to")),
            })
            .collect();
        pad_absences(&mut absences);
        (days, absences)
    }

    /// The schedule the rows describe, or the first row that is wrong, checked by the
    /// registry's own rules (`WeeklySlot::parse`, `DateRange::new`, `ScheduleInput::validate`).
    fn schedule(&self) -> Result<ValidSchedule, FormError> {
        let mut availability = Vec::new();
        for (&(day, index), (start, end)) in &self.slots {
            let code = weekday_code(days()[day].0);
            let field = |part: &str| format!("{code}.{index}.{part}");
            match (start.is_empty(), end.is_empty()) {
                (true, true) => continue,
                (true, false) => return Err(FormError::missing(field("start"))),
                (false, true) => return Err(FormError::missing(field("end"))),
                (false, false) => {}
            }
            let (start_n, end_n) = (normalise_time(start, false), normalise_time(end, true));
            let slot = WeeklySlot::parse(code, &start_n, &end_n).map_err(|err| match err {
                TimeError::TimeOfDay(text) if text == start_n => FormError::bad_time(field("start"), start),
                TimeError::TimeOfDay(_) => FormError::bad_time(field("end"), end),
                TimeError::EndNotAfterStart { .. } | TimeError::Weekday(_) => FormError::new(
                    field("end"),
                    "Das Ende („bis“) muss nach dem Beginn („von“) liegen.".to_owned(),
                    err.to_string(),
                ),
            })?;
            availability.push(slot);
        }
        let mut absences = Vec::new();
        for (&index, (from, to, remove)) in &self.absences {
            let field = |part: &str| format!("absence.{index}.{part}");
            if *remove {
                continue;
            }
            match (from.is_empty(), to.is_empty()) {
                (true, true) => continue,
                (true, false) => return Err(FormError::missing(field("from"))),
                (false, true) => return Err(FormError::missing(field("to"))),
                (false, false) => {}
            }
            let first = parse_date(from).ok_or_else(|| FormError::bad_date(field("from"), from))?;
            let last = parse_date(to).ok_or_else(|| FormError::bad_date(field("to"), to))?;
            let range = DateRange::new(first, last).map_err(|err| {
                FormError::new(
                    field("to"),
                    "Der letzte Tag darf nicht vor dem ersten liegen.".to_owned(),
                    err.to_string(),
                )
            })?;
            absences.push(range);
        }
        ScheduleInput { availability, absences }
            .validate()
            .map_err(FormError::from_registry)
    }
}

/// At least one empty row a day, and two rows in all, so a second window fits without
/// JavaScript adding rows.
fn pad_slots(rows: &mut Vec<SlotRow>) {
    let first = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    let filled = rows.iter().filter(|r| !r.start.is_empty() || !r.end.is_empty()).count();
    let empty = rows.len() - filled;
    let missing = 1.max(2usize.saturating_sub(filled)).saturating_sub(empty);
    rows.extend((first..first + missing).map(|index| SlotRow {
        index,
        start: String::new(),
        end: String::new(),
        start_error: false,
        end_error: false,
    }));
}

/// Two empty rows to add absences with.
fn pad_absences(rows: &mut Vec<AbsenceRow>) {
    let first = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    let missing = 2usize.saturating_sub(rows.iter().filter(|r| !r.filled()).count());
    rows.extend((first..first + missing).map(|index| AbsenceRow {
        index,
        from: String::new(),
        to: String::new(),
        remove: false,
        from_error: false,
        to_error: false,
    }));
}

/// The stored schedule as form rows: each slot exactly, an end of 24:00 as 00:00.
fn rows_of(page: &AvailabilityPage) -> Submitted {
    let mut submitted = Submitted::default();
    for (day, (weekday, _, _)) in days().iter().enumerate() {
        for (index, slot) in page.availability.iter().filter(|s| s.weekday == *weekday).enumerate() {
            let end = if slot.end_minute == 24 * 60 {
                "00:00".to_owned()
            } else {
                hhmm(slot.end_minute)
            };
            submitted.slots.insert((day, index), (hhmm(slot.start_minute), end));
        }
    }
    for (index, range) in page.absences.iter().enumerate() {
        submitted
            .absences
            .insert(index, (range.from.to_string(), range.to.to_string(), false));
    }
    submitted
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Browsers send `HH:MM` (some `HH:MM:SS`), people without a time picker type `9:00`; an end
/// of `00:00` is midnight at the end of the day.
fn normalise_time(text: &str, is_end: bool) -> String {
    let text = text.strip_suffix(":00").filter(|t| t.len() == 5).unwrap_or(text);
    let text = if text.len() == 4 && text.as_bytes()[1] == b':' {
        format!("0{text}")
    } else {
        text.to_owned()
    };
    if is_end && text == "00:00" {
        "24:00".to_owned()
    } else {
        text
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}

/// A wrong form field, named by its input's name, explained in German and in English.
#[derive(Debug)]
struct FormError {
    field: String,
    de: String,
    en: String,
}

impl FormError {
    fn new(field: String, de: String, en: String) -> Self {
        Self { field, de, en }
    }

    fn missing(field: String) -> Self {
        Self::new(
            field,
            "Bitte beide Felder ausfüllen oder beide leer lassen.".to_owned(),
            "fill in both fields or leave both empty".to_owned(),
        )
    }

    fn bad_time(field: String, text: &str) -> Self {
        Self::new(
            field,
            format!("„{text}“ ist keine Uhrzeit (SS:MM)."),
            format!("`{text}` is not a time of day (HH:MM)"),
        )
    }

    fn bad_date(field: String, text: &str) -> Self {
        Self::new(
            field,
            format!("„{text}“ ist kein Datum."),
            format!("`{text}` is not a date (YYYY-MM-DD)"),
        )
    }

    fn from_registry(err: FieldError) -> Self {
        let de = match err.field.as_str() {
            "availability" => "Zu viele Zeiträume – bitte fassen Sie welche zusammen.",
            "absences" => "Zu viele Abwesenheiten – bitte fassen Sie welche zusammen.",
            _ => "Bitte prüfen Sie diese Angabe.",
        };
        Self::new(err.field, de.to_owned(), err.message)
    }

    /// "Montag, Zeile 2, bis" / "Monday, row 2, to", for the page.
    fn labels(&self) -> (String, String) {
        let parts: Vec<&str> = self.field.split('.').collect();
        let [group, index, part] = parts[..] else {
            return match self.field.as_str() {
                "availability" => ("Jede Woche".to_owned(), "Every week".to_owned()),
                _ => ("Abwesenheiten".to_owned(), "Absences".to_owned()),
            };
        };
        let row = index.parse::<usize>().map_or(0, |i| i + 1);
        let (part_de, part_en) = match part {
            "start" | "from" => ("von", "from"),
            _ => ("bis", "to"),
        };
        let (group_de, group_en) = days()
            .iter()
            .find(|(d, _, _)| weekday_code(*d) == group)
            .map_or(("Abwesenheit", "Absence"), |(_, de, en)| (*de, *en));
        (
            format!("{group_de}, Zeile {row}, „{part_de}“"),
            format!("{group_en}, row {row}, \"{part_en}\""),
        )
    }

    fn api(&self) -> ApiError {
        ApiError::Invalid(FieldError::new(self.field.clone(), self.en.clone()))
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
    absences: Vec<AbsenceRow>,
    error: Option<ShownError>,
    expires_de: String,
    expires_en: String,
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
}

fn form_page(
    status: StatusCode,
    token: &str,
    page: &AvailabilityPage,
    rows: &Submitted,
    error: Option<&FormError>,
) -> Response {
    let (days, absences) = rows.rows(error);
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
        },
    )
}

fn saved_page(page: &AvailabilityPage) -> Response {
    let days = days()
        .iter()
        .filter_map(|(weekday, de, en)| {
            let times: Vec<String> = page
                .availability
                .iter()
                .filter(|s| s.weekday == *weekday)
                .map(|s| format!("{}–{}", hhmm(s.start_minute), hhmm(s.end_minute)))
                .collect();
            (!times.is_empty()).then(|| SavedDay {
                de,
                en,
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

async fn show(State(state): State<AppState>, PathParam(token): PathParam, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    match availability_links::page(&state.db, &token, state.clock.now()).await {
        Ok(page) if json => private(Json(page).into_response()),
        Ok(page) => form_page(StatusCode::OK, &token, &page, &rows_of(&page), None),
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
async fn save(State(state): State<AppState>, PathParam(token): PathParam, headers: HeaderMap, body: Bytes) -> Response {
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
        let submitted = Submitted::from_pairs(pairs);
        match submitted.schedule() {
            Ok(valid) => valid,
            Err(err) if json => return private(err.api().into_response()),
            Err(err) => return form_page(StatusCode::UNPROCESSABLE_ENTITY, &token, &page, &submitted, Some(&err)),
        }
    };
    match availability_links::save(&state.db, &token, valid, now).await {
        Ok(saved) if json => private(
            Json(json!({
                "result": "saved",
                "availability": saved.availability,
                "absences": saved.absences,
            }))
            .into_response(),
        ),
        Ok(saved) => saved_page(&saved),
        Err(err) => refusal(err, json),
    }
}

async fn request_form() -> Response {
    html(
        StatusCode::OK,
        &RequestTemplate {
            sent: false,
            email: String::new(),
            error: false,
        },
    )
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
        availability_links::send_on_request(&state.db, &email, &state.requests.public_base_url, state.clock.now())
            .await;
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
                    email: String::new(),
                    error: false,
                },
            )
        }
        Err(RegistryError::Invalid(_)) if !json => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RequestTemplate {
                sent: false,
                email: email.trim().to_owned(),
                error: true,
            },
        ),
        Err(err) => private(ApiError::from(err).into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn page(availability: Vec<WeeklySlot>, absences: Vec<DateRange>) -> AvailabilityPage {
        AvailabilityPage {
            first_name: "Selam".to_owned(),
            availability,
            absences,
            expires_at: chrono::Utc::now(),
        }
    }

    /// The rows a browser sends back for an unchanged form.
    fn echoed(rows: &Submitted) -> Vec<(String, String)> {
        let (days, absences) = rows.rows(None);
        let mut out = Vec::new();
        for day in days {
            for row in day.rows {
                out.push((format!("{}.{}.start", day.code, row.index), row.start));
                out.push((format!("{}.{}.end", day.code, row.index), row.end));
            }
        }
        for row in absences {
            out.push((format!("absence.{}.from", row.index), row.from));
            out.push((format!("absence.{}.to", row.index), row.to));
        }
        out
    }

    #[test]
    fn stored_slots_survive_an_unchanged_form_exactly() {
        let slots = vec![
            WeeklySlot::parse("mon", "09:15", "12:45").unwrap(),
            WeeklySlot::parse("mon", "14:00", "17:30").unwrap(),
            WeeklySlot::parse("sat", "18:00", "24:00").unwrap(),
            WeeklySlot::parse("sun", "00:00", "24:00").unwrap(),
        ];
        let absences = vec![DateRange::new("2026-12-21".parse().unwrap(), "2027-01-06".parse().unwrap()).unwrap()];
        let shown = rows_of(&page(slots.clone(), absences.clone()));
        let back = Submitted::from_pairs(echoed(&shown)).schedule().unwrap();
        let again = availability_links::ScheduleInput {
            availability: slots,
            absences,
        };
        assert_eq!(format!("{back:?}"), format!("{:?}", again.validate().unwrap()));
    }

    #[test]
    fn end_before_start_names_the_end_field_of_its_row() {
        let form = Submitted::from_pairs(pairs(&[("tue.1.start", "13:00"), ("tue.1.end", "09:00")]));
        let err = form.schedule().unwrap_err();
        assert_eq!(err.field, "tue.1.end");
        assert_eq!(
            err.labels(),
            (
                "Dienstag, Zeile 2, „bis“".to_owned(),
                "Tuesday, row 2, \"to\"".to_owned()
            )
        );
    }

    #[test]
    fn half_filled_rows_and_bad_values_are_named() {
        let cases = [
            (vec![("wed.0.start", "09:00"), ("wed.0.end", "")], "wed.0.end"),
            (vec![("wed.0.start", "25:00"), ("wed.0.end", "26:00")], "wed.0.start"),
            (
                vec![("absence.0.from", "2026-12-21"), ("absence.0.to", "")],
                "absence.0.to",
            ),
            (
                vec![("absence.0.from", "morgen"), ("absence.0.to", "2026-12-21")],
                "absence.0.from",
            ),
            (
                vec![("absence.0.from", "2026-12-21"), ("absence.0.to", "2026-12-20")],
                "absence.0.to",
            ),
        ];
        for (items, field) in cases {
            let err = Submitted::from_pairs(pairs(&items)).schedule().unwrap_err();
            assert_eq!(err.field, field, "{items:?}");
        }
    }

    #[test]
    fn empty_and_removed_rows_drop_out_and_typed_times_are_accepted() {
        let form = Submitted::from_pairs(pairs(&[
            ("fri.0.start", "9:00"),
            ("fri.0.end", "12:00:00"),
            ("fri.1.start", ""),
            ("fri.1.end", ""),
            ("absence.0.from", "2026-12-21"),
            ("absence.0.to", "2027-01-06"),
            ("absence.0.remove", "1"),
            ("unknown", "x"),
        ]));
        let shown = format!("{:?}", form.schedule().unwrap());
        let expected = availability_links::ScheduleInput {
            availability: vec![WeeklySlot::parse("fri", "09:00", "12:00").unwrap()],
            absences: Vec::new(),
        };
        assert_eq!(shown, format!("{:?}", expected.validate().unwrap()));
    }
}
