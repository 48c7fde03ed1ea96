//! The new-request form: the fields as typed, read into the requests crate's input, shown
//! again with every error; its live hint of how many volunteers qualify, why not more, and
//! what would work instead; and the question before filing a request nobody qualifies for.

use super::{RequestTexts, common_languages, optional};
use crate::AppState;
use crate::auth::{SignedIn, Staff};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::form_errors::{FieldPlace, FormErrors};
use crate::pages::local_time::{parse_date, parse_time};
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use lp_core::access::Scope;
use lp_core::time::{local, local_to_utc};
use lp_core::validation::{FieldError, FieldErrors};
use lp_core::vocab::{Gender, GenderStrength, Mode, Setting};
use lp_registry::organisations;
use lp_requests::RequestError;
use lp_requests::input::{GenderPreferenceInput, RepeatInput, RequestInput};
use lp_requests::lifecycle;
use lp_requests::view::RequestView;
use serde::Deserialize;
use serde_json::json;

use super::way_forward::{HintBox, SuggestionView, headline, rule_lines, suggestions};

/// The form's fields as typed, so a refused form comes back filled in.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RequestForm {
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
    /// A series: every this many weeks ("" for a single appointment) ...
    #[serde(default)]
    repeat_every_weeks: String,
    /// ... this many dates in all.
    #[serde(default)]
    repeat_count: String,
    /// "1" once the caseworker said to file it although nobody qualifies.
    #[serde(default)]
    confirm: String,
    /// A suggestion taken without JavaScript: `mode|date|time`.
    #[serde(default)]
    apply: String,
}

fn parse<T: std::str::FromStr<Err = lp_core::vocab::UnknownValue>>(field: &str, text: &str) -> Result<T, FieldError> {
    text.trim()
        .parse()
        .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new(field, e.to_string()))
}

impl RequestForm {
    /// The typed values read into the requests crate's input, with an error for each that does
    /// not read. A field that does not read holds a stand-in, so that the input's own rules can
    /// still be checked for the others (see [`errors_of`](Self::errors_of)).
    fn to_input(&self, now: DateTime<Utc>) -> (RequestInput, Vec<FieldError>) {
        let mut errors = FieldErrors::new();
        let language = errors.check(
            lp_core::languages::find(&self.language)
                .ok_or_else(|| FieldError::new("language", "unknown language; pick one from the list")),
        );
        let date = errors.check(parse_date("date", &self.date));
        let time = errors.check(parse_time("time", &self.time));
        let starts_at = match (date, time) {
            (Some(date), Some(time)) => Some(local(local_to_utc(date, time))),
            _ => None,
        };
        let duration_minutes = errors.check(
            self.duration_minutes
                .trim()
                .parse()
                .map_err(|_| FieldError::new("duration_minutes", "a number of minutes")),
        );
        let mode: Option<Mode> = errors.check(parse("mode", &self.mode));
        let setting: Option<Setting> = errors.check(parse("setting", &self.setting));
        let gender_preference = match optional(&self.gender) {
            None => None,
            Some(gender) => errors
                .check(parse("gender", &gender))
                .map(|gender| GenderPreferenceInput {
                    gender,
                    strength: parse("strength", self.strength.trim()).unwrap_or(GenderStrength::Preferred),
                }),
        };
        let organisation_id = match optional(&self.organisation_id) {
            None => None,
            Some(id) => errors.check(
                id.parse()
                    .map_err(|_| FieldError::new("organisation_id", "pick an organisation")),
            ),
        };
        let repeat = match optional(&self.repeat_every_weeks) {
            None => None,
            Some(weeks) => {
                let every_weeks = errors.check(
                    weeks
                        .parse()
                        .map_err(|_| FieldError::new("repeat.every_weeks", "a number of weeks")),
                );
                let count = errors.check(
                    self.repeat_count
                        .trim()
                        .parse()
                        .map_err(|_| FieldError::new("repeat.count", "a number of dates from 2 to 12")),
                );
                every_weeks
                    .zip(count)
                    .map(|(every_weeks, count)| RepeatInput { every_weeks, count })
            }
        };
        let input = RequestInput {
            language: match language {
                Some(language) => language,
                None => lp_core::languages::all().next().expect("a language table"),
            },
            dialect: optional(&self.dialect),
            // A day ahead: not itself an error while the date or time is the one to fix.
            starts_at: starts_at.unwrap_or_else(|| local(now + chrono::Duration::days(1))),
            duration_minutes: duration_minutes.unwrap_or(60),
            // By phone, which needs no town: an unreadable mode says nothing about the town.
            mode: mode.unwrap_or(Mode::Phone),
            town: optional(&self.town),
            address: optional(&self.address),
            setting: setting.unwrap_or(Setting::Authority),
            gender_preference,
            client_ref: optional(&self.client_ref),
            notes: optional(&self.notes),
            fill_by: None,
            organisation_id,
            repeat,
        };
        (input, errors.into_vec())
    }

    /// Every error of the form at `now`: the fields that do not read, and the input's rules
    /// broken by the others; or the input, which may be filed.
    fn errors_of(&self, now: DateTime<Utc>) -> Result<RequestInput, Vec<FieldError>> {
        let (input, mut errors) = self.to_input(now);
        let unread: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        let starts_unread = unread.iter().any(|f| f == "date" || f == "time");
        if let Err(broken) = input.validate_all(now) {
            errors.extend(broken.into_iter().filter(|e| {
                !unread.contains(&e.field) && !(starts_unread && (e.field == "starts_at" || e.field == "fill_by"))
            }));
        }
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }
}

/// The form's fields in page order: the name in the input, the input's id, the visible label.
fn places(t: &'static RequestTexts, organisation_input: bool) -> Vec<FieldPlace> {
    vec![
        (
            "organisation_id",
            organisation_input.then_some("organisation_id"),
            t.organisation,
        ),
        ("language", Some("language"), t.language),
        ("dialect", Some("dialect"), t.dialect),
        ("date", Some("date"), t.date),
        ("starts_at", Some("date"), t.date),
        ("time", Some("time"), t.time),
        ("duration_minutes", Some("duration_minutes"), t.duration),
        ("mode", Some("mode"), t.mode),
        ("town", Some("town"), t.town),
        ("address", Some("address"), t.address),
        ("setting", Some("setting"), t.setting),
        ("gender", Some("gender"), t.gender),
        ("strength", Some("strength"), t.strength),
        ("client_ref", Some("client_ref"), t.client_ref_hint),
        ("notes", Some("notes"), t.notes),
        ("repeat.every_weeks", Some("repeat_every_weeks"), t.repeat_every),
        ("repeat.count", Some("repeat_count"), t.repeat_count),
        ("fill_by", None, t.fill_by),
    ]
}

#[derive(Template)]
#[template(path = "staff/request_form.html")]
struct RequestFormPage {
    layout: Layout,
    t: &'static RequestTexts,
    form: RequestForm,
    errors: FormErrors,
    languages: Vec<String>,
    modes: Vec<Opt>,
    settings: Vec<Opt>,
    genders: Vec<Opt>,
    strengths: Vec<Opt>,
    repeats: Vec<Opt>,
    /// For coordinators, who file requests on behalf of an organisation.
    organisations: Vec<(String, String)>,
    /// How the request as filled in would fare, when it reads.
    hint: Option<HintBox>,
}

async fn form_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    form: RequestForm,
    errors: Vec<FieldError>,
    hint: Option<HintBox>,
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
    let languages = common_languages(lang);
    let status = if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&RequestFormPage {
        layout: Layout::new(lang, staff, t.new_request, "/requests/new"),
        t,
        errors: FormErrors::new(lang, errors, &places(t, !organisations.is_empty())),
        languages,
        modes: choose(
            Mode::ALL,
            |m| m.as_str(),
            |m| lang.pick(m.name_de(), m.name_en()),
            &[form.mode.as_str()],
        ),
        settings: choose(
            Setting::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[form.setting.as_str()],
        ),
        genders: choose(
            Gender::ALL,
            |g| g.as_str(),
            |g| lang.pick(g.name_de(), g.name_en()),
            &[form.gender.as_str()],
        ),
        strengths: choose(
            GenderStrength::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[form.strength.as_str()],
        ),
        repeats: [
            ("", t.repeat_none),
            ("1", t.repeat_weekly),
            ("2", t.repeat_two_weeks),
            ("4", t.repeat_four_weeks),
        ]
        .into_iter()
        .map(|(value, label)| Opt {
            value,
            label,
            selected: value == form.repeat_every_weeks.trim(),
        })
        .collect(),
        organisations,
        form,
        hint,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// What a link to the form may fill in: a suggestion for a request already filed (`from`, the
/// request whose fields are copied, with another `mode`, `date` and `time`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Prefill {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    Query(prefill): Query<Prefill>,
) -> Result<Response, PageError> {
    let mut form = RequestForm {
        duration_minutes: "60".to_owned(),
        mode: Mode::OnSite.as_str().to_owned(),
        setting: Setting::Authority.as_str().to_owned(),
        ..RequestForm::default()
    };
    let now = state.clock.now();
    if let Some(from) = prefill.from.as_deref().filter(|f| !f.is_empty()) {
        let id = crate::extract::parse_id(from).or_page(lang)?;
        let request = lifecycle::get(&state.db, staff.scope(), id, now).await.or_page(lang)?;
        form = RequestForm::from_request(&request);
    }
    if let Some(mode) = prefill.mode {
        form.mode = mode;
    }
    if let Some(date) = prefill.date {
        form.date = date;
    }
    if let Some(time) = prefill.time {
        form.time = time;
    }
    let hint = server_hint(&state, lang, &form, false).await?;
    form_page(&state, lang, &staff, form, Vec::new(), hint).await
}

impl RequestForm {
    /// A filed request's fields, to file it again with a change.
    fn from_request(request: &RequestView) -> Self {
        let local = request.starts_at;
        RequestForm {
            language: request.language.as_str().to_owned(),
            dialect: request.dialect.clone().unwrap_or_default(),
            date: local.format("%Y-%m-%d").to_string(),
            time: local.format("%H:%M").to_string(),
            duration_minutes: request.duration_minutes.to_string(),
            mode: request.mode.as_str().to_owned(),
            town: request.town.clone().unwrap_or_default(),
            address: request.address.clone().unwrap_or_default(),
            setting: request.setting.as_str().to_owned(),
            gender: request
                .gender_preference
                .map(|g| g.gender.as_str().to_owned())
                .unwrap_or_default(),
            strength: request
                .gender_preference
                .map(|g| g.strength.as_str().to_owned())
                .unwrap_or_default(),
            client_ref: request.client_ref.clone().unwrap_or_default(),
            notes: request.notes.clone().unwrap_or_default(),
            organisation_id: request.organisation_id.to_string(),
            repeat_every_weeks: String::new(),
            repeat_count: String::new(),
            confirm: String::new(),
            apply: String::new(),
        }
    }
}

/// The hint for the form as filled in, if it reads; `None` while it does not.
async fn server_hint(
    state: &AppState,
    lang: Lang,
    form: &RequestForm,
    asking: bool,
) -> Result<Option<HintBox>, PageError> {
    let now = state.clock.now();
    let Ok(input) = form.errors_of(now) else {
        return Ok(None);
    };
    match lifecycle::preview(&state.db, &input, &state.requests, now).await {
        Ok(hint) => Ok(Some(HintBox::of(lang, &hint, asking))),
        Err(RequestError::Invalid(_)) => Ok(None),
        Err(err) => Err(PageError::new(lang, err)),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    let input = match form.errors_of(state.clock.now()) {
        Ok(input) => input,
        Err(errors) => return form_page(&state, lang, &staff, form, errors, None).await,
    };
    // Asked once: a request nobody qualifies for goes straight to "unfilled", so the caseworker
    // sees why and what would work before filing it anyway (once it could be filed at all).
    match lifecycle::organisation_for(&state.db, staff.actor(), &input).await {
        Ok(_) => {}
        Err(RequestError::Invalid(error)) => return form_page(&state, lang, &staff, form, vec![error], None).await,
        Err(err) => return Err(PageError::new(lang, err)),
    }
    if form.confirm != "1"
        && let Some(hint) = server_hint(&state, lang, &form, true).await?
        && hint.ask_to_confirm
    {
        return form_page(&state, lang, &staff, form, Vec::new(), Some(hint)).await;
    }
    match lifecycle::create(&state.db, staff.actor(), &input, &state.requests, state.clock.now()).await {
        Ok(created) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to(&format!("/requests/{}", created.id)).into_response())
        }
        Err(RequestError::Invalid(error)) => form_page(&state, lang, &staff, form, vec![error], None).await,
        Err(err) => Err(PageError::new(lang, err)),
    }
}

/// Takes a suggestion into the form without JavaScript: the form comes back with the
/// suggestion's mode, date and time, and the hint for them; nothing is filed.
pub(super) async fn apply(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    Form(mut form): Form<RequestForm>,
) -> Result<Response, PageError> {
    if let Some((mode, date, time)) = SuggestionView::parse_value(&form.apply) {
        form.mode = mode.as_str().to_owned();
        form.date = date;
        form.time = time;
    }
    form.apply.clear();
    form.confirm.clear();
    let hint = server_hint(&state, lang, &form, false).await?;
    form_page(&state, lang, &staff, form, Vec::new(), hint).await
}

/// The live hint of the new-request form, as JSON for its script: the headline, the rules that
/// keep the speakers out and the suggestions when fewer than two qualify; all empty while the
/// form is incomplete.
pub(super) async fn hint(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(_staff): SignedIn,
    Query(form): Query<RequestForm>,
) -> Response {
    let hint = match form.errors_of(state.clock.now()) {
        Ok(input) => match lifecycle::preview(&state.db, &input, &state.requests, state.clock.now()).await {
            Ok(hint) => Some(hint),
            Err(RequestError::Invalid(_)) => None,
            Err(err) => return ApiError::from(err).into_response(),
        },
        Err(_) => None,
    };
    let t = RequestTexts::of(lang);
    let body = match hint {
        Some(hint) => json!({
            "instead": t.instead,
            "take": t.take,
            "text": headline(lang, &hint),
            "rules": if hint.too_few() { rule_lines(lang, &hint) } else { Vec::new() },
            "suggestions": suggestions(lang, &hint),
            "qualifying": hint.qualifying,
        }),
        None => json!({ "text": "", "rules": [], "suggestions": [], "qualifying": null }),
    };
    axum::Json(body).into_response()
}
