//! The volunteer registry in the browser: its routes, texts and handlers. The filtered list is
//! in [`list`], the one form for a new and an existing volunteer in [`form`].

mod form;
mod list;

use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::error::ApiError;
use crate::extract::{PathParam, parse_id};
use crate::i18n::{Lang, texts};
use crate::pages::{OrPage, PageError};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use form::{HistoryRow, Target, TrainingRecord, VolunteerForm, form_page};
use lp_core::validation::FieldError;
use lp_registry::RegistryError;
use lp_registry::calendar_feeds;
use lp_registry::volunteers::{self, Volunteer};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteers", get(list::list).post(create))
        .route("/volunteers/new", get(new_form))
        .route("/volunteers/{id}", get(edit_form).post(update))
        .route("/volunteers/{id}/calendar/revoke", post(revoke_calendar))
        .route("/volunteers/{id}/bounce/clear", post(clear_bounce))
}

texts! {
    pub struct VolunteerTexts {
        volunteers: "Ehrenamtliche" / "Volunteers",
        new_volunteer: "Neue/r Ehrenamtliche/r" / "New volunteer",
        edit_volunteer: "Ehrenamtliche/n bearbeiten" / "Edit volunteer",
        filter: "Filtern" / "Filter",
        any: "alle" / "any",
        none: "Keine." / "None.",
        found: "gefunden" / "found",
        name: "Name" / "Name",
        email: "E-Mail" / "Email",
        phone: "Telefon (optional)" / "Phone (optional)",
        gender: "Geschlecht (optional; nur für Wünsche der Anfragenden)" / "Gender (optional; only for requests' preferences)",
        no_answer: "keine Angabe" / "not given",
        status: "Status" / "Status",
        person: "Person" / "Person",
        languages: "Sprachen" / "Languages",
        language: "Sprache" / "Language",
        language_hint: "Name oder ISO-639-3-Code, z. B. „Tigrinya“ oder „tir“; leere Zeilen werden ignoriert." / "Name or ISO 639-3 code, e.g. “Tigrinya” or “tir”; blank rows are ignored.",
        language_filter_hint: "Name oder Code; „Arabisch (ara)“ findet auch Sprecher/innen von Levantinischem Arabisch (apc)." / "Name or code; “Arabic (ara)” also finds speakers of Levantine Arabic (apc).",
        proficiency: "Niveau" / "Proficiency",
        choose: "– bitte wählen –" / "– please choose –",
        dialect: "Dialekt / Varietät (optional)" / "Dialect / variety (optional)",
        work: "Deutsch und Einsätze" / "German and assignments",
        german_level: "Deutschniveau" / "German level",
        modes: "Einsatzarten" / "Modes",
        service_area: "Einsatzorte (Orte, durch Komma getrennt)" / "Service area (towns, separated by commas)",
        excluded_settings: "Übernimmt keine Einsätze im Bereich" / "Does not take assignments in",
        max_assignments: "Höchstens Einsätze pro Monat (optional)" / "Maximum assignments per month (optional)",
        availability: "Verfügbarkeit pro Woche" / "Weekly availability",
        availability_hint: "Ortszeit (Europe/Berlin), Format HH:MM, z. B. 09:00 bis 13:00; „bis 00:00“ heißt bis Mitternacht. Leere Zeilen werden ignoriert." / "Local time (Europe/Berlin), format HH:MM, e.g. 09:00 to 13:00; \"to 00:00\" means until midnight. Blank rows are ignored.",
        weekday: "Wochentag" / "Weekday",
        times: "Zeiten" / "Times",
        from: "von" / "from",
        until: "bis" / "until",
        absences: "Abwesenheiten" / "Absences",
        absences_hint: "Beide Tage eingeschlossen; ohne „bis“ gilt ein einzelner Tag." / "Both days included; without “until” a single day.",
        absence: "Abwesenheit" / "Absence",
        pledge_training: "Verschwiegenheit und Schulung" / "Confidentiality and training",
        confidentiality: "Verschwiegenheitserklärung unterschrieben am" / "Confidentiality pledge signed on",
        training_completed: "Grundschulung (auch extern) abgeschlossen am" / "Basic training (also elsewhere) completed on",
        training: "Schulungsstatus" / "Training status",
        valid_until: "gültig bis" / "valid until",
        german: "Deutsch" / "German",
        notes: "Interne Notizen (optional)" / "Internal notes (optional)",
        trainings: "Schulungen" / "Trainings",
        training_elsewhere: "Grundschulung anderswo abgeschlossen am" / "Basic training elsewhere completed on",
        training_here: "Zuletzt hier geschult am" / "Last trained here on",
        not_recorded: "nicht eingetragen" / "not recorded",
        no_trainings: "Noch zu keiner Schulung eingeladen." / "Not invited to any training yet.",
        privacy: "Datenschutz" / "Data protection",
        export_data: "Auskunft nach Art. 15 DSGVO: alle gespeicherten Daten (JSON)" / "Access request (GDPR Art. 15): all data stored (JSON)",
        audit_about: "Protokoll zu dieser Person" / "Audit log about this person",
        calendar_feed: "Kalender-Abo der Person" / "Their calendar subscription",
        calendar_active_since: "aktiv seit" / "active since",
        calendar_none: "keines aktiv (eine Einsatz- oder Schulungsbestätigung richtet es ein)" / "none active (a job or training confirmation sets one up)",
        calendar_revoke: "Adresse sperren" / "Revoke the address",
        training_title: "Schulung" / "Training",
        training_kind: "Art" / "Kind",
        training_date: "Termin" / "When",
        invitation_state: "Stand" / "State",
        attended: "Teilgenommen" / "Attended",
        yes: "ja" / "yes",
        no: "nein" / "no",
        certificate: "Teilnahmebescheinigung" / "Certificate",
        hours: "Einsätze und Stunden pro Jahr" / "Assignments and hours per year",
        hours_note: "Erledigte Einsätze mit der bestätigten Dauer, nach Jahr des Termins." / "Completed assignments with their confirmed time, by the year of the appointment.",
        year: "Jahr" / "Year",
        assignments: "Einsätze" / "Assignments",
        hours_column: "Stunden" / "Hours",
        by_setting: "nach Bereich" / "by setting",
        trainings_attended: "Schulungen besucht" / "Trainings attended",
        nachweis: "Ehrenamtsnachweis" / "Confirmation of volunteer work",
        nothing: "keine Tätigkeit erfasst" / "no activity recorded",
        save: "Speichern" / "Save",
        saved: "Gespeichert." / "Saved.",
        fix: "Bitte korrigieren:" / "Please correct:",
        bouncing: "Die E-Mail-Adresse wird vom Mailserver dauerhaft abgewiesen, seit" / "The mail server refuses this email address for good, since",
        bouncing_note: "Bis die Adresse geändert (Feld „E-Mail“, dann Speichern) oder diese Markierung aufgehoben ist, bekommt die Person keine Einsatzangebote; auf der Kandidatenliste steht sie unter „E-Mail-Adresse“." / "Until the address is changed (the “Email” field, then Save) or this flag is cleared, they get no offers; the candidates list shows them excluded by “email address”.",
        bouncing_clear: "Markierung aufheben (Adresse stimmt doch)" / "Clear the flag (the address is right after all)",
    }
}

/// A training status as the pages show it: its name and, if any, the day it runs out.
fn training_shown(lang: Lang, info: &lp_registry::training::TrainingInfo) -> (&'static str, String) {
    let until = info.valid_until.map(|d| lang.day(d)).unwrap_or_default();
    (lang.pick(info.status.name_de(), info.status.name_en()), until)
}

async fn new_form(lang: Lang, SignedIn(staff): SignedIn, _: CoordinatorPage) -> Response {
    let form = VolunteerForm::new_volunteer();
    form_page(lang, &staff, form, Target::new(), Vec::new(), StatusCode::OK)
}

/// A refusal from the registry, shown on the form: bad input is 422 naming the field; a
/// taken email address is a 409 on the `email` field.
fn refusal(err: RegistryError) -> Result<(FieldError, StatusCode), ApiError> {
    match err {
        RegistryError::Invalid(error) => Ok((error, StatusCode::UNPROCESSABLE_ENTITY)),
        RegistryError::Conflict(message) => Ok((FieldError::new("email", message), StatusCode::CONFLICT)),
        other => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = VolunteerForm::from_pairs(pairs);
    let mode = Target::new();
    let valid = match form.validate() {
        Ok(valid) => valid,
        Err(errors) => {
            return Ok(form_page(
                lang,
                &staff,
                form,
                mode,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match volunteers::create(&state.db, &by, valid, state.clock.now()).await {
        Ok(created) => Ok(Redirect::to(&format!("/volunteers/{}?saved=1", created.id)).into_response()),
        Err(err) => {
            let (error, status) = refusal(err).or_page(lang)?;
            Ok(form_page(lang, &staff, form, mode, vec![error], status))
        }
    }
}

#[derive(Deserialize)]
struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

fn training_of(state: &AppState, lang: Lang, v: &Volunteer) -> (&'static str, String) {
    training_shown(
        lang,
        &v.training(state.today(), state.requests.training_validity_months),
    )
}

/// The page of a stored volunteer: its training status, the basic training recorded from
/// elsewhere, and every training it was invited to here.
async fn existing(
    state: &AppState,
    lang: Lang,
    by: &lp_core::access::Coordinator,
    v: &Volunteer,
    saved: bool,
) -> Result<Target, PageError> {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| lang.day(d));
    let history = lp_trainings::record::history(&state.db, v.id)
        .await
        .or_page(lang)?
        .into_iter()
        .map(|entry| HistoryRow {
            training_id: entry.training_id.to_string(),
            title: entry.title,
            kind: lang.pick(entry.kind.name_de(), entry.kind.name_en()),
            when: {
                let at = entry.starts_at.to_utc();
                lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))
            },
            state: lang.pick(entry.state.name_de(), entry.state.name_en()),
            attended: entry.attended,
        })
        .collect();
    Ok(Target {
        id: Some(v.id.to_string()),
        training: Some(training_of(state, lang, v)),
        saved,
        record: Some(TrainingRecord {
            volunteer_id: v.id.to_string(),
            completed_elsewhere: day(v.training_completed_on),
            attended_here: day(v.training_attended_on),
            history,
        }),
        years: crate::pages::reports::volunteer_years(state, lang, by, v).await?,
        calendar_since: calendar_feeds::shown(&state.db, &state.requests.calendar_feeds(), v.id)
            .await
            .or_page(lang)?
            .map(|feed| lp_core::when::date(&feed.created_at)),
        bounced_since: v
            .email_bounced_at
            .map(|at| lang.pick(lp_core::when::de(&at), lp_core::when::en(&at))),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let volunteer = volunteers::view(&state.db, &by, parsed, state.clock.now())
        .await
        .or_page(lang)?
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    let mode = existing(&state, lang, &by, &volunteer, saved.saved.is_some()).await?;
    let form = VolunteerForm::of(lang, &volunteer);
    Ok(form_page(lang, &staff, form, mode, Vec::new(), StatusCode::OK))
}

async fn update(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let current = volunteers::get(&state.db, parsed)
        .await
        .or_page(lang)?
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    let form = VolunteerForm::from_pairs(pairs);
    let mode = existing(&state, lang, &by, &current, false).await?;
    let valid = match form.validate() {
        Ok(valid) => valid,
        Err(errors) => {
            return Ok(form_page(
                lang,
                &staff,
                form,
                mode,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match volunteers::update(&state.db, &by, parsed, valid, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{parsed}?saved=1")).into_response()),
        Err(err) => {
            let (error, status) = refusal(err).or_page(lang)?;
            Ok(form_page(lang, &staff, form, mode, vec![error], status))
        }
    }
}

/// The coordinator says the address works after all: the volunteer is asked again.
async fn clear_bounce(
    State(state): State<AppState>,
    lang: Lang,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    volunteers::get(&state.db, parsed)
        .await
        .or_page(lang)?
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    lp_registry::bounces::clear(&state.db, &by, parsed, state.clock.now())
        .await
        .or_page(lang)?;
    Ok(Redirect::to(&format!("/volunteers/{parsed}?saved=1")).into_response())
}

/// Stops the volunteer's calendar feed, e.g. when they lost the phone it was subscribed on; the
/// next confirmation mail brings a new address. Back to the page's data protection section.
async fn revoke_calendar(
    State(state): State<AppState>,
    lang: Lang,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    volunteers::get(&state.db, parsed)
        .await
        .or_page(lang)?
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    calendar_feeds::revoke(&state.db, parsed, by.who(), by.addr(), state.clock.now())
        .await
        .or_page(lang)?;
    Ok(Redirect::to(&format!("/volunteers/{parsed}#privacy")).into_response())
}
