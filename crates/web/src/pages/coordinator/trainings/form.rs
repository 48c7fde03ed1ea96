//! The one form for a new and an existing training: the fields as typed, read into the
//! domain's [`TrainingInput`] and checked by its own `validate_all`, shown again with every error.

use super::{TrainingTexts, kind_name};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn, Staff};
use crate::error::ApiError;
use crate::extract::{PathParam, parse_id};
use crate::i18n::Lang;
use crate::pages::form_errors::{FieldPlace, FormErrors};
use crate::pages::local_time::{inputs_of, local_instant};
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use lp_core::time::local;
use lp_core::validation::{FieldError, FieldErrors};
use lp_core::vocab::TrainingKind;
use lp_trainings::TrainingError;
use lp_trainings::input::{MIN_DURATION_MINUTES, TrainingInput, ValidTraining};
use lp_trainings::trainings::{self, Training};
use serde::Deserialize;
use uuid::Uuid;

/// The form's fields as typed, so a refused form comes back filled in.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TrainingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    deadline_date: String,
    #[serde(default)]
    deadline_time: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    trainer: String,
}

fn whole_number(field: &str, text: &str, what: &str) -> Result<i64, FieldError> {
    text.trim().parse().map_err(|_| FieldError::new(field, what))
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.replace("\r\n", "\n"))
}

impl TrainingForm {
    /// A new training: a basic course of three hours, registration until the evening before.
    fn blank() -> Self {
        TrainingForm {
            kind: TrainingKind::Basic.as_str().to_owned(),
            time: "10:00".to_owned(),
            duration_minutes: "180".to_owned(),
            capacity: "20".to_owned(),
            deadline_time: "23:59".to_owned(),
            ..TrainingForm::default()
        }
    }

    /// The form as it shows a stored training; submitted unchanged it gives the same input.
    fn of(training: &Training) -> Self {
        let (date, time) = inputs_of(training.starts_at_utc());
        let (deadline_date, deadline_time) = inputs_of(training.registration_deadline.to_utc());
        TrainingForm {
            title: training.title.clone(),
            kind: training.kind.as_str().to_owned(),
            date,
            time,
            duration_minutes: training.duration_minutes.to_string(),
            location: training.location.clone(),
            capacity: training.capacity.to_string(),
            deadline_date,
            deadline_time,
            description: training.description.clone().unwrap_or_default(),
            trainer: training.trainer.clone().unwrap_or_default(),
        }
    }

    /// Reads what the inputs hold into the domain's input, with an error for each that does not
    /// read. A stand-in takes the place of such a value, so that the domain's rules can still be
    /// checked for the others (see [`validate`](Self::validate)).
    fn to_input(&self, now: DateTime<Utc>) -> (TrainingInput, Vec<FieldError>) {
        let mut errors = FieldErrors::new();
        let kind = errors.check(
            self.kind
                .trim()
                .parse()
                .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("kind", e.to_string())),
        );
        let starts_at = errors.check(local_instant("date", &self.date, "time", &self.time));
        let duration_minutes = errors.check(whole_number(
            "duration_minutes",
            &self.duration_minutes,
            "a number of minutes",
        ));
        let capacity = errors.check(whole_number("capacity", &self.capacity, "a whole number of places"));
        let registration_deadline = errors.check(local_instant(
            "deadline_date",
            &self.deadline_date,
            "deadline_time",
            &self.deadline_time,
        ));
        // A day ahead, and the deadline at the start: not themselves errors while the date or
        // time is the one to fix.
        let starts_at = starts_at.unwrap_or_else(|| local(now + chrono::Duration::days(1)));
        let input = TrainingInput {
            title: self.title.clone(),
            kind: kind.unwrap_or(TrainingKind::Basic),
            starts_at,
            duration_minutes: duration_minutes.unwrap_or(MIN_DURATION_MINUTES),
            location: self.location.clone(),
            capacity: capacity.unwrap_or(1),
            registration_deadline: registration_deadline.unwrap_or(starts_at),
            description: optional(&self.description),
            trainer: optional(&self.trainer),
        };
        (input, errors.into_vec())
    }

    /// Every error of the form at `now`: the inputs that do not read, and the domain's rules
    /// ([`TrainingInput::validate_all`], no second copy of them here) broken by the others; or
    /// the checked training.
    fn validate(&self, now: DateTime<Utc>) -> Result<ValidTraining, Vec<FieldError>> {
        let (input, mut errors) = self.to_input(now);
        let broken = match input.validate_all(now) {
            Ok(valid) if errors.is_empty() => return Ok(valid),
            Ok(_) => Vec::new(),
            Err(broken) => broken,
        };
        let unread = |inputs: &[&str]| errors.iter().any(|e| inputs.contains(&e.field.as_str()));
        let (start_unread, deadline_unread) = (unread(&["date", "time"]), unread(&["deadline_date", "deadline_time"]));
        let unread: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(broken.into_iter().filter(|e| match e.field.as_str() {
            "starts_at" => !start_unread,
            "registration_deadline" => !start_unread && !deadline_unread,
            field => !unread.iter().any(|u| u == field),
        }));
        Err(errors)
    }
}

/// Whether the error concerns an input: the domain names the instants, the page has a date
/// and a time input for each.
fn concerns(field: &str, input: &str) -> bool {
    match field {
        "starts_at" => matches!(input, "date" | "time"),
        "registration_deadline" => matches!(input, "deadline_date" | "deadline_time"),
        field => field == input,
    }
}

#[derive(Template)]
#[template(path = "staff/training_form.html")]
struct FormPage {
    layout: Layout,
    t: &'static TrainingTexts,
    heading: &'static str,
    action: String,
    back: String,
    back_label: &'static str,
    submit: &'static str,
    form: TrainingForm,
    kinds: Vec<Opt>,
    /// The refusal's errors: named by their field's label, linked and tied to their input.
    errors: FormErrors,
    /// The same errors as the domain and the form name their fields.
    refused: Vec<FieldError>,
    /// Why the training cannot be changed (cancelled, begun), shown above the form.
    problem: Option<String>,
}

impl FormPage {
    fn invalid(&self, input: &str) -> bool {
        self.refused.iter().any(|e| concerns(&e.field, input))
    }

    /// The input's ARIA attributes: `aria-invalid` when an error concerns it, and its
    /// described-by ids: the error's message (beside the input the summary links to) and `help`.
    fn aria(&self, input: &str, help: &str) -> String {
        let mut attrs = self.errors.attrs(input, help);
        if self.invalid(input) && !attrs.contains("aria-invalid") {
            attrs.insert_str(0, " aria-invalid=\"true\"");
        }
        attrs
    }
}

/// The form's fields in page order: the name in the input, the input's id, the visible label.
fn places(t: &'static TrainingTexts) -> [FieldPlace; 13] {
    [
        ("title", Some("title"), t.title),
        ("kind", Some("kind"), t.kind),
        ("location", Some("location"), t.location),
        ("trainer", Some("trainer"), t.trainer),
        ("date", Some("date"), t.date),
        ("starts_at", Some("date"), t.date),
        ("time", Some("time"), t.start_time),
        ("duration_minutes", Some("duration_minutes"), t.duration),
        ("capacity", Some("capacity"), t.capacity),
        ("deadline_date", Some("deadline_date"), t.deadline_date),
        ("registration_deadline", Some("deadline_date"), t.deadline_date),
        ("deadline_time", Some("deadline_time"), t.deadline_time),
        ("description", Some("description"), t.description),
    ]
}

/// What the form is refused for, and the status that says so.
enum Refusal {
    Fields(Vec<FieldError>),
    Conflict(String),
}

fn form_page(lang: Lang, staff: &Staff, form: TrainingForm, id: Option<Uuid>, refusal: Option<Refusal>) -> Response {
    let t = TrainingTexts::of(lang);
    let (heading, action, here) = match id {
        Some(id) => (
            t.edit_training,
            format!("/trainings/{id}/edit"),
            format!("/trainings/{id}/edit"),
        ),
        None => (t.new_training, "/trainings".to_owned(), "/trainings/new".to_owned()),
    };
    let (back, back_label, submit) = match id {
        Some(id) => (format!("/trainings/{id}"), t.back_to_training, t.save),
        None => ("/trainings".to_owned(), t.trainings, t.create),
    };
    let (refused, problem, status) = match refusal {
        None => (Vec::new(), None, StatusCode::OK),
        Some(Refusal::Fields(errors)) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY),
        Some(Refusal::Conflict(message)) => (Vec::new(), Some(message), StatusCode::CONFLICT),
    };
    let mut response = render(&FormPage {
        layout: Layout::new(lang, staff, heading, here),
        t,
        heading,
        action,
        back,
        back_label,
        submit,
        kinds: choose(
            TrainingKind::ALL,
            |k| k.as_str(),
            |k| kind_name(lang, k),
            &[form.kind.as_str()],
        ),
        form,
        errors: FormErrors::new(lang, refused.clone(), &places(t)),
        refused,
        problem,
    });
    *response.status_mut() = status;
    response
}

/// The domain's refusal of a save, for the form; anything else is an error page.
fn refusal(lang: Lang, err: TrainingError) -> Result<Refusal, PageError> {
    match err {
        TrainingError::Invalid(error) => Ok(Refusal::Fields(vec![error])),
        TrainingError::Conflict(message) => Ok(Refusal::Conflict(message)),
        other => Err(PageError::new(lang, other)),
    }
}

pub(super) async fn new_form(lang: Lang, SignedIn(staff): SignedIn, _: CoordinatorPage) -> Response {
    form_page(lang, &staff, TrainingForm::blank(), None, None)
}

pub(super) async fn create(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    Form(form): Form<TrainingForm>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let valid = match form.validate(now) {
        Ok(valid) => valid,
        Err(errors) => return Ok(form_page(lang, &staff, form, None, Some(Refusal::Fields(errors)))),
    };
    match trainings::create(&state.db, &by, valid, now).await {
        Ok(created) => Ok(Redirect::to(&format!("/trainings/{}?saved=1", created.id)).into_response()),
        Err(err) => Ok(form_page(lang, &staff, form, None, Some(refusal(lang, err)?))),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    let training = trainings::get(&state.db, id).await.or_page(lang)?;
    if let Some(reason) = lp_trainings::trainings::change_refused(&training, state.clock.now()) {
        return Err(PageError::new(lang, ApiError::Conflict(reason.to_owned())));
    }
    Ok(form_page(lang, &staff, TrainingForm::of(&training), Some(id), None))
}

pub(super) async fn update(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Form(form): Form<TrainingForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    let now = state.clock.now();
    // An unknown training is a 404 before the form's errors are.
    trainings::get(&state.db, id).await.or_page(lang)?;
    let valid = match form.validate(now) {
        Ok(valid) => valid,
        Err(errors) => return Ok(form_page(lang, &staff, form, Some(id), Some(Refusal::Fields(errors)))),
    };
    match trainings::update(&state.db, &by, id, valid, &state.trainings, now).await {
        Ok(_) => {
            // A higher capacity may have moved the waiting list up, with mails.
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/trainings/{id}?saved=1")).into_response())
        }
        Err(err) => Ok(form_page(lang, &staff, form, Some(id), Some(refusal(lang, err)?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn training() -> Training {
        let at = |text: &str| text.parse::<DateTime<chrono::FixedOffset>>().unwrap();
        Training {
            id: Uuid::nil(),
            title: "Grundschulung".to_owned(),
            kind: TrainingKind::Refresher,
            starts_at: at("2027-07-03T10:30:00+02:00"),
            duration_minutes: 150,
            location: "Rathaus".to_owned(),
            capacity: 12,
            seats_taken: 0,
            registration_deadline: at("2027-07-01T23:59:00+02:00"),
            description: Some("Zeile 1\nZeile 2".to_owned()),
            trainer: None,
            status: lp_core::vocab::TrainingState::Scheduled,
            created_at: at("2026-11-01T10:00:00+01:00"),
            updated_at: at("2026-11-01T10:00:00+01:00"),
        }
    }

    #[test]
    fn a_stored_training_round_trips_through_the_form() {
        let stored = training();
        let (input, errors) = TrainingForm::of(&stored).to_input(stored.starts_at_utc());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.starts_at, stored.starts_at);
        assert_eq!(input.registration_deadline, stored.registration_deadline);
        assert_eq!(
            (input.kind, input.duration_minutes, input.capacity),
            (TrainingKind::Refresher, 150, 12)
        );
        assert_eq!(input.description, stored.description);
        assert_eq!(input.trainer, None);
    }

    #[test]
    fn the_domain_names_the_instant_and_the_page_marks_both_inputs() {
        assert!(concerns("starts_at", "date") && concerns("starts_at", "time"));
        assert!(concerns("registration_deadline", "deadline_time"));
        assert!(concerns("capacity", "capacity") && !concerns("capacity", "date"));
        let mut form = TrainingForm::of(&training());
        form.capacity = "zwölf".to_owned();
        let now = training().created_at.to_utc();
        let (_, errors) = form.to_input(now);
        assert_eq!(errors[0].field, "capacity");
    }

    #[test]
    fn every_error_of_the_inputs_and_the_domain_is_listed() {
        let now = training().created_at.to_utc();
        let mut form = TrainingForm::of(&training());
        form.title = " ".to_owned();
        form.kind = "picnic".to_owned();
        form.date = "2026-10-01".to_owned();
        form.duration_minutes = "5".to_owned();
        form.capacity = "viele".to_owned();
        form.deadline_time = "spät".to_owned();
        let errors = form.validate(now).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        // The deadline did not read: the domain's word on it is left out.
        assert_eq!(
            fields,
            [
                "kind",
                "capacity",
                "deadline_time",
                "title",
                "starts_at",
                "duration_minutes"
            ]
        );
        // A start that does not read says nothing of the deadline either.
        let mut form = TrainingForm::of(&training());
        form.time = "10 Uhr".to_owned();
        form.location = String::new();
        let fields: Vec<String> = form.validate(now).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["time", "location"]);
        assert!(TrainingForm::of(&training()).validate(now).is_ok());
    }
}
