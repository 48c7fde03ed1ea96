//! The new-request form: the fields as typed, read into the requests crate's input, shown
//! again with the error; and its live hint of how many volunteers qualify.

use super::{RequestTexts, common_languages, optional};
use crate::AppState;
use crate::auth::{SignedIn, Staff};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::local_time::local_instant;
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use lp_core::access::Scope;
use lp_core::validation::FieldError;
use lp_core::vocab::{Gender, GenderStrength, Mode, Setting};
use lp_registry::organisations;
use lp_requests::RequestError;
use lp_requests::input::{GenderPreferenceInput, RequestInput};
use lp_requests::lifecycle;
use serde::Deserialize;

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
}

fn parse<T: std::str::FromStr<Err = lp_core::vocab::UnknownValue>>(field: &str, text: &str) -> Result<T, FieldError> {
    text.trim()
        .parse()
        .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new(field, e.to_string()))
}

impl RequestForm {
    fn to_input(&self) -> Result<RequestInput, FieldError> {
        let language = lp_core::languages::find(&self.language)
            .ok_or_else(|| FieldError::new("language", "unknown language; pick one from the list"))?;
        let starts_at = local_instant("date", &self.date, "time", &self.time)?;
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
            starts_at,
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

#[derive(Template)]
#[template(path = "staff/request_form.html")]
struct RequestFormPage {
    layout: Layout,
    t: &'static RequestTexts,
    form: RequestForm,
    error: Option<FieldError>,
    languages: Vec<String>,
    modes: Vec<Opt>,
    settings: Vec<Opt>,
    genders: Vec<Opt>,
    strengths: Vec<Opt>,
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
    let languages = common_languages(lang);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&RequestFormPage {
        layout: Layout::new(lang, staff, t.new_request, "/requests/new"),
        t,
        error,
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
        organisations,
        form,
    });
    *response.status_mut() = status;
    Ok(response)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
) -> Result<Response, PageError> {
    let form = RequestForm {
        duration_minutes: "60".to_owned(),
        mode: Mode::OnSite.as_str().to_owned(),
        setting: Setting::Authority.as_str().to_owned(),
        ..RequestForm::default()
    };
    form_page(&state, lang, &staff, form, None).await
}

pub(super) async fn create(
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
pub(super) async fn hint(
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
