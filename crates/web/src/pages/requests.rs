//! Requests in the browser: the dashboard, the new-request form with its live hint, a request's
//! page with its timeline, cancel and complete; for coordinators the candidates view and the
//! board of unfilled and at-risk requests.

use super::{Layout, OrPage, PageError, render};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn, Staff};
use crate::error::ApiError;
use crate::extract::PathParam;
use crate::extract::parse_id;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use lp_core::LanguageCode;
use lp_core::access::Scope;
use lp_core::validation::FieldError;
use lp_core::vocab::{Gender, GenderStrength, Mode, OfferState, RequestStatus, Setting};
use lp_registry::organisations;
use lp_requests::RequestError;
use lp_requests::input::{CompletionInput, GenderPreferenceInput, RequestInput};
use lp_requests::lifecycle::{self, CandidatesView, SearchHint};
use lp_requests::view::RequestView;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/requests/new", get(new_form))
        .route("/requests/new/hint", get(hint))
        .route("/requests", post(create))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/cancel", post(cancel))
        .route("/requests/{id}/complete", post(complete))
        .route("/requests/{id}/candidates", get(candidates))
        .route("/board", get(board))
}

texts! {
    pub struct RequestTexts {
        dashboard: "Übersicht" / "Dashboard",
        open: "Offen – Suche läuft" / "Open – searching",
        assigned: "Vergeben" / "Assigned",
        needs_confirmation: "Bitte bestätigen, dass der Termin stattfand" / "Please confirm the appointment took place",
        unfilled: "Nicht besetzt" / "Unfilled",
        recent: "Zuletzt abgeschlossen" / "Recently closed",
        none: "Keine." / "None.",
        language: "Sprache" / "Language",
        when: "Termin" / "Appointment",
        where_: "Ort / Art" / "Place / mode",
        setting: "Bereich" / "Setting",
        status: "Status" / "Status",
        interpreter: "Dolmetscher/in" / "Interpreter",
        client_ref: "Aktenzeichen" / "Reference",
        new_request: "Dolmetscher anfragen" / "Request an interpreter",
        language_hint: "Name oder ISO-639-3-Code, z. B. „Arabisch“ oder „prs“" / "Name or ISO 639-3 code, e.g. “Arabic” or “prs”",
        dialect: "Dialekt (optional)" / "Dialect (optional)",
        date: "Datum" / "Date",
        time: "Uhrzeit" / "Time",
        duration: "Dauer in Minuten" / "Duration in minutes",
        mode: "Art" / "Mode",
        town: "Ort (bei vor Ort)" / "Town (on site)",
        address: "Adresse (nur die/der Dolmetscher/in sieht sie nach Zusage)" / "Address (shown to the interpreter only after acceptance)",
        gender: "Geschlecht der/des Dolmetschenden" / "Interpreter's gender",
        gender_any: "egal" / "any",
        strength: "Wie wichtig?" / "How important?",
        client_ref_hint: "Aktenzeichen (optional; keine Namen)" / "Reference (optional; no names)",
        notes: "Hinweise (optional)" / "Notes (optional)",
        organisation: "Organisation" / "Organisation",
        submit: "Anfrage senden" / "Send request",
        fix: "Bitte korrigieren:" / "Please correct:",
        created: "Erstellt" / "Created",
        offer_sent: "Angebot gesendet an" / "Offer sent to",
        offer_wave: "Welle" / "wave",
        accepted: "angenommen" / "accepted",
        declined: "abgelehnt" / "declined",
        withdrawn: "zurückgezogen" / "withdrawn",
        expired: "abgelaufen" / "expired",
        assigned_at: "Vergeben" / "Assigned",
        completed_at: "Abgeschlossen" / "Completed",
        cancelled_at: "Abgesagt" / "Cancelled",
        reminded_at: "Erinnerung an die/den Dolmetscher/in gesendet" / "Reminder sent to the interpreter",
        fill_by: "Besetzen bis" / "Fill by",
        timeline: "Verlauf" / "Timeline",
        phone: "Telefon" / "Phone",
        cancel: "Anfrage absagen" / "Cancel the request",
        complete: "Termin hat stattgefunden" / "The appointment took place",
        actual_minutes: "Tatsächliche Dauer in Minuten" / "Actual duration in minutes",
        feedback: "Rückmeldung (optional)" / "Feedback (optional)",
        candidates: "Kandidat/innen" / "Candidates",
        score: "Punkte" / "Score",
        excluded: "Ausgeschlossen" / "Excluded",
        rule: "Regel" / "Rule",
        search_hint_few: "Weniger als zwei Ehrenamtliche kommen in Frage" / "Fewer than two volunteers qualify",
        speakers: "sprechen die Sprache" / "speak the language",
        qualifying: "kommen in Frage" / "qualify",
        excluded_by: "ausgeschlossen durch" / "excluded by",
        board: "Offen & gefährdet" / "Unfilled & at risk",
        at_risk: "Gefährdet: offen, Frist in weniger als 24 Stunden" / "At risk: open, deadline within 24 hours",
        not_speaking: "weitere sprechen die Sprache nicht" / "more do not speak the language",
    }
}

fn status_label(lang: Lang, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Open => lang.pick("offen", "open"),
        RequestStatus::Assigned => lang.pick("vergeben", "assigned"),
        RequestStatus::Completed => lang.pick("abgeschlossen", "completed"),
        RequestStatus::Cancelled => lang.pick("abgesagt", "cancelled"),
        RequestStatus::Unfilled => lang.pick("nicht besetzt", "unfilled"),
    }
}

/// One line of a request list.
struct Row {
    id: String,
    language: String,
    when: String,
    place: String,
    setting: &'static str,
    status: &'static str,
    badge: &'static str,
    interpreter: String,
    client_ref: String,
}

impl Row {
    fn of(lang: Lang, request: &RequestView, now: DateTime<Utc>) -> Self {
        let needs_confirmation = request.awaits_completion(now);
        Row {
            id: request.id.to_string(),
            language: language_label(lang, request.language),
            when: when(lang, request.starts_at),
            place: place(lang, request),
            setting: lang.pick(request.setting.name_de(), request.setting.name_en()),
            status: if needs_confirmation {
                lang.pick("bitte bestätigen", "please confirm")
            } else {
                status_label(lang, request.status)
            },
            badge: if needs_confirmation {
                "confirm"
            } else {
                request.status.as_str()
            },
            interpreter: request.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            client_ref: request.client_ref.clone().unwrap_or_default(),
        }
    }
}

pub(super) fn language_label(lang: Lang, code: LanguageCode) -> String {
    format!("{} ({})", lang.pick(code.name_de(), code.name_en()), code.as_str())
}

fn when(lang: Lang, at: DateTime<FixedOffset>) -> String {
    let at = at.with_timezone(&Utc);
    lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))
}

fn place(lang: Lang, request: &RequestView) -> String {
    let mode = lang.pick(request.mode.name_de(), request.mode.name_en());
    match (&request.town, request.mode) {
        (Some(town), Mode::OnSite) => format!("{town} ({mode})"),
        _ => mode.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    t: &'static RequestTexts,
    sections: Vec<(&'static str, Vec<Row>)>,
}

async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let t = RequestTexts::of(lang);
    let dashboard = lifecycle::dashboard(&state.db, staff.scope(), now)
        .await
        .or_page(lang)?;
    let rows = |requests: &[RequestView]| -> Vec<Row> { requests.iter().map(|r| Row::of(lang, r, now)).collect() };
    let sections = vec![
        (t.needs_confirmation, rows(&dashboard.needs_confirmation)),
        (t.unfilled, rows(&dashboard.unfilled)),
        (t.open, rows(&dashboard.open)),
        (t.assigned, rows(&dashboard.assigned)),
        (t.recent, rows(&dashboard.recent)),
    ];
    Ok(render(&DashboardPage {
        layout: Layout::new(lang, &staff, t.dashboard, "/"),
        t,
        sections,
    }))
}

/// The form's fields as typed, so a refused form comes back filled in.
#[derive(Debug, Default, Deserialize)]
struct RequestForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    dialect: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    strength: String,
    #[serde(default)]
    client_ref: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    organisation_id: String,
}

fn parse<T: std::str::FromStr<Err = lp_core::vocab::UnknownValue>>(field: &str, text: &str) -> Result<T, FieldError> {
    text.trim()
        .parse()
        .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new(field, e.to_string()))
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl RequestForm {
    fn to_input(&self) -> Result<RequestInput, FieldError> {
        let language = lp_core::languages::find(&self.language)
            .ok_or_else(|| FieldError::new("language", "unknown language; pick one from the list"))?;
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new("date", "a date such as 2026-12-03"))?;
        let time = NaiveTime::parse_from_str(self.time.trim(), "%H:%M")
            .map_err(|_| FieldError::new("time", "a time such as 10:00"))?;
        let starts_at = lp_core::time::local_to_utc(date, time).with_timezone(&lp_core::time::POOL_TZ);
        let duration_minutes = self
            .duration_minutes
            .trim()
            .parse()
            .map_err(|_| FieldError::new("duration_minutes", "a number of minutes"))?;
        let mode: Mode = parse("mode", &self.mode)?;
        let setting: Setting = parse("setting", &self.setting)?;
        let gender_preference = match optional(&self.gender) {
            None => None,
            Some(gender) => Some(GenderPreferenceInput {
                gender: parse("gender", &gender)?,
                strength: parse("strength", self.strength.trim()).unwrap_or(GenderStrength::Preferred),
            }),
        };
        let organisation_id = match optional(&self.organisation_id) {
            None => None,
            Some(id) => Some(
                id.parse()
                    .map_err(|_| FieldError::new("organisation_id", "pick an organisation"))?,
            ),
        };
        Ok(RequestInput {
            language,
            dialect: optional(&self.dialect),
            starts_at: starts_at.fixed_offset(),
            duration_minutes,
            mode,
            town: optional(&self.town),
            address: optional(&self.address),
            setting,
            gender_preference,
            client_ref: optional(&self.client_ref),
            notes: optional(&self.notes),
            fill_by: None,
            organisation_id,
        })
    }
}

struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "staff/request_form.html")]
struct RequestFormPage {
    layout: Layout,
    t: &'static RequestTexts,
    form: RequestForm,
    error: Option<FieldError>,
    languages: Vec<String>,
    modes: Vec<Choice>,
    settings: Vec<Choice>,
    genders: Vec<Choice>,
    strengths: Vec<Choice>,
    /// For coordinators, who file requests on behalf of an organisation.
    organisations: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    form: RequestForm,
    error: Option<FieldError>,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let organisations = match staff.scope() {
        Scope::All => organisations::list(&state.db)
            .await
            .or_page(lang)?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
        Scope::Organisation(_) => Vec::new(),
    };
    let languages = lp_core::languages::all()
        .filter(|l| COMMON.contains(&l.as_str()))
        .map(|l| language_label(lang, l))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&RequestFormPage {
        layout: Layout::new(lang, staff, t.new_request, "/requests/new"),
        t,
        form,
        error,
        languages,
        modes: Mode::ALL
            .iter()
            .map(|m| Choice {
                value: m.as_str(),
                label: lang.pick(m.name_de(), m.name_en()),
            })
            .collect(),
        settings: Setting::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: lang.pick(s.name_de(), s.name_en()),
            })
            .collect(),
        genders: Gender::ALL
            .iter()
            .map(|g| Choice {
                value: g.as_str(),
                label: lang.pick(g.name_de(), g.name_en()),
            })
            .collect(),
        strengths: GenderStrength::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: match s {
                    GenderStrength::Preferred => lang.pick("bevorzugt", "preferred"),
                    GenderStrength::Required => lang.pick("erforderlich", "required"),
                },
            })
            .collect(),
        organisations,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// The picker offers the languages newly arrived people in Germany speak most; any other
/// ISO 639-3 language can be typed by code or name.
pub(super) const COMMON: &[&str] = &[
    "ara", "apc", "arz", "acm", "ary", "fas", "prs", "pes", "pus", "kur", "kmr", "ckb", "tur", "ukr", "rus", "tir",
    "amh", "som", "fra", "eng", "sqi", "ron", "bul", "pol", "srp", "hrv", "bos", "urd", "hin", "ben", "tam", "vie",
    "zho", "cmn", "spa", "por", "ita", "ell", "aze", "kat", "hye", "uzb", "tgk", "rom", "lin", "swa", "hau", "yor",
    "ibo", "wol", "ful", "mnk", "bam", "orm", "mkd", "slk", "hun", "ces", "lit", "lav", "est",
];

async fn new_form(State(state): State<AppState>, lang: Lang, SignedIn(staff): SignedIn) -> Result<Response, PageError> {
    let form = RequestForm {
        duration_minutes: "60".to_owned(),
        mode: Mode::OnSite.as_str().to_owned(),
        setting: Setting::Authority.as_str().to_owned(),
        ..RequestForm::default()
    };
    form_page(&state, lang, &staff, form, None).await
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    let input = match form.to_input() {
        Ok(input) => input,
        Err(error) => return form_page(&state, lang, &staff, form, Some(error)).await,
    };
    match lifecycle::create(&state.db, staff.actor(), &input, &state.requests, state.clock.now()).await {
        Ok(created) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/requests/{}", created.id)).into_response())
        }
        Err(RequestError::Invalid(error)) => form_page(&state, lang, &staff, form, Some(error)).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

/// The live hint of the new-request form, as one line of text (empty while the form is
/// incomplete).
async fn hint(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(_staff): SignedIn,
    Query(form): Query<RequestForm>,
) -> Response {
    let text = match form.to_input() {
        Ok(input) => match lifecycle::preview(&state.db, &input, &state.requests, state.clock.now()).await {
            Ok(preview) => lang.pick(
                format!(
                    "{} Ehrenamtliche kommen für diesen Termin in Frage ({} sprechen die Sprache).",
                    preview.qualifying, preview.speakers
                ),
                format!(
                    "{} volunteers qualify for this appointment ({} speak the language).",
                    preview.qualifying, preview.speakers
                ),
            ),
            Err(RequestError::Invalid(_)) => String::new(),
            Err(err) => return ApiError::from(err).into_response(),
        },
        Err(_) => String::new(),
    };
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

struct Event {
    at: String,
    text: String,
}

#[derive(Template)]
#[template(path = "staff/request.html")]
struct RequestPage {
    layout: Layout,
    t: &'static RequestTexts,
    request: RequestView,
    row: Row,
    events: Vec<Event>,
    hint: Option<SearchHint>,
    hint_rules: Vec<(String, usize)>,
    can_cancel: bool,
    can_complete: bool,
    error: Option<String>,
}

fn timeline(lang: Lang, t: &RequestTexts, request: &RequestView) -> Vec<Event> {
    let stamp = |at: DateTime<FixedOffset>| when(lang, at);
    let mut events: Vec<(DateTime<FixedOffset>, String)> = vec![(request.created_at, t.created.to_owned())];
    for offer in &request.offers {
        events.push((
            offer.sent_at,
            format!(
                "{} {} ({} {})",
                t.offer_sent, offer.volunteer_name, t.offer_wave, offer.wave
            ),
        ));
        if let Some(at) = offer.responded_at {
            let what = match offer.state {
                OfferState::Accepted => t.accepted,
                OfferState::Declined => t.declined,
                OfferState::Withdrawn => t.withdrawn,
                OfferState::Expired => t.expired,
                OfferState::Sent => continue,
            };
            events.push((at, format!("{}: {what}", offer.volunteer_name)));
        }
    }
    for (at, label) in [
        (request.assigned_at, t.assigned_at),
        (request.completed_at, t.completed_at),
        (request.cancelled_at, t.cancelled_at),
        (request.reminded_at, t.reminded_at),
    ] {
        if let Some(at) = at {
            events.push((at, label.to_owned()));
        }
    }
    events.sort_by_key(|(at, _)| *at);
    events
        .into_iter()
        .map(|(at, text)| Event { at: stamp(at), text })
        .collect()
}

async fn request_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    id: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let (id, now) = (parse_id(id).or_page(lang)?, state.clock.now());
    let request = lifecycle::get(&state.db, staff.scope(), id, now).await.or_page(lang)?;
    let hint = lifecycle::search_hint(&state.db, staff.scope(), id, &state.requests, now)
        .await
        .or_page(lang)?;
    let hint_rules = hint
        .iter()
        .flat_map(|h| h.excluded_by_rule.iter())
        .map(|(rule, count)| (rule_label(lang, rule), *count))
        .collect();
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let mut response = render(&RequestPage {
        layout: Layout::new(
            lang,
            staff,
            language_label(lang, request.language),
            format!("/requests/{id}"),
        ),
        t,
        row: Row::of(lang, &request, now),
        events: timeline(lang, t, &request),
        // Once it has begun the page offers completing it, not cancelling.
        can_cancel: request.is_cancellable() && request.starts_at > now,
        can_complete: request.awaits_completion(now),
        request,
        hint,
        hint_rules,
        error,
    });
    *response.status_mut() = status;
    Ok(response)
}

fn rule_label(lang: Lang, rule: &str) -> String {
    match lp_matcher::Rule::ALL.iter().find(|r| r.as_str() == rule) {
        Some(rule) => lang.pick(rule.explain_de(), rule.explain_en()).to_owned(),
        None => rule.to_owned(),
    }
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    request_page(&state, lang, &staff, &id, None).await
}

async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    match lifecycle::cancel(&state.db, staff.scope(), parsed, state.clock.now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/requests/{id}")).into_response())
        }
        Err(RequestError::Conflict(message)) => request_page(&state, lang, &staff, &id, Some(message)).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

#[derive(Deserialize)]
struct CompleteForm {
    #[serde(default)]
    actual_minutes: String,
    #[serde(default)]
    feedback: String,
}

async fn complete(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
    Form(form): Form<CompleteForm>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let Ok(actual_minutes) = form.actual_minutes.trim().parse() else {
        let message = FieldError::new("actual_minutes", "a number of minutes").to_string();
        return request_page(&state, lang, &staff, &id, Some(message)).await;
    };
    let input = CompletionInput {
        actual_minutes,
        feedback: optional(&form.feedback),
    };
    match lifecycle::complete(&state.db, staff.scope(), parsed, &input, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
        Err(RequestError::Conflict(message)) => request_page(&state, lang, &staff, &id, Some(message)).await,
        Err(RequestError::Invalid(error)) => request_page(&state, lang, &staff, &id, Some(error.to_string())).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

struct ExcludedRow {
    name: String,
    rule: &'static str,
    explanation: &'static str,
}

#[derive(Template)]
#[template(path = "staff/candidates.html")]
struct CandidatesPage {
    layout: Layout,
    t: &'static RequestTexts,
    id: String,
    view: CandidatesView,
    parts: Vec<&'static str>,
    rows: Vec<(String, String, Vec<String>)>,
    excluded: Vec<ExcludedRow>,
}

async fn candidates(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let parsed = parse_id(&id).or_page(lang)?;
    let view = lifecycle::candidates(&state.db, staff.scope(), parsed, &state.requests, state.clock.now())
        .await
        .or_page(lang)?;
    let parts = vec![
        "language",
        "continuity",
        "fairness",
        "reliability",
        "gender",
        "experience",
    ];
    let rows = view
        .candidates
        .iter()
        .map(|c| {
            let p = &c.ranked.parts;
            // In the order of `parts`, the column headers.
            let cells = [
                p.language,
                p.continuity,
                p.fairness,
                p.reliability,
                p.gender,
                p.experience,
            ]
            .iter()
            .map(|v| format!("{v:.2}"))
            .collect();
            (c.name.clone(), format!("{:.2}", c.ranked.score), cells)
        })
        .collect();
    let excluded = view
        .excluded
        .iter()
        .map(|e| ExcludedRow {
            name: e.name.clone(),
            rule: e.exclusion.rule.as_str(),
            explanation: lang.pick(e.explanation_de, e.explanation_en),
        })
        .collect();
    Ok(render(&CandidatesPage {
        layout: Layout::new(lang, &staff, t.candidates, format!("/requests/{id}/candidates")),
        t,
        id,
        view,
        parts,
        rows,
        excluded,
    }))
}

#[derive(Template)]
#[template(path = "staff/board.html")]
struct BoardPage {
    layout: Layout,
    t: &'static RequestTexts,
    unfilled: Vec<Row>,
    at_risk: Vec<Row>,
}

/// Requests that need a coordinator: unfilled ones still ahead, and open ones whose deadline
/// is less than a day away.
async fn board(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
) -> Result<Response, PageError> {
    let t = RequestTexts::of(lang);
    let now = state.clock.now();
    let board = lifecycle::board(&state.db, &by, now).await.or_page(lang)?;
    let rows = |requests: &[RequestView]| requests.iter().map(|r| Row::of(lang, r, now)).collect();
    Ok(render(&BoardPage {
        layout: Layout::new(lang, &staff, t.board, "/board"),
        t,
        unfilled: rows(&board.unfilled),
        at_risk: rows(&board.at_risk),
    }))
}
