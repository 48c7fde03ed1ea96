//! The volunteer registry in the browser: the filtered list, and one form for a new volunteer
//! and an existing one that covers every field of the SPEC's volunteer and works without
//! JavaScript (a few blank rows for languages, weekly slots and absences).

use super::{Opt, choose};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn, Staff};
use crate::error::ApiError;
use crate::extract::PathParam;
use crate::extract::parse_id;
use crate::i18n::{Lang, texts};
use crate::pages::requests::{COMMON, language_label};
use crate::pages::{Layout, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, Weekday};
use lp_core::time::{DateRange, WEEKDAYS, WeeklySlot, weekday_code};
use lp_core::validation::FieldError;
use lp_core::vocab::{Gender, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus};
use lp_registry::RegistryError;
use lp_registry::volunteers::{self, Volunteer, VolunteerFilter, VolunteerInput, VolunteerLanguage};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteers", get(list).post(create))
        .route("/volunteers/new", get(new_form))
        .route("/volunteers/{id}", get(edit_form).post(update))
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
        availability_hint: "Ortszeit (Europe/Berlin), Format HH:MM, z. B. 09:00 bis 13:00; 24:00 für das Tagesende. Leere Zeilen werden ignoriert." / "Local time (Europe/Berlin), format HH:MM, e.g. 09:00 to 13:00; 24:00 for the end of the day. Blank rows are ignored.",
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
        save: "Speichern" / "Save",
        saved: "Gespeichert." / "Saved.",
        fix: "Bitte korrigieren:" / "Please correct:",
    }
}

fn proficiency_label(lang: Lang, p: Proficiency) -> &'static str {
    match p {
        Proficiency::Native => lang.pick("Muttersprache", "native"),
        Proficiency::Fluent => lang.pick("fließend", "fluent"),
        Proficiency::Working => lang.pick("arbeitsfähig", "working"),
        Proficiency::Basic => lang.pick("Grundkenntnisse", "basic"),
    }
}

pub(super) fn status_label(lang: Lang, s: VolunteerStatus) -> &'static str {
    match s {
        VolunteerStatus::Applicant => lang.pick("Bewerbung", "applicant"),
        VolunteerStatus::Active => lang.pick("aktiv", "active"),
        VolunteerStatus::Paused => lang.pick("pausiert", "paused"),
        VolunteerStatus::Retired => lang.pick("ausgeschieden", "retired"),
    }
}

fn training_label(lang: Lang, s: TrainingStatus) -> &'static str {
    match s {
        TrainingStatus::Untrained => lang.pick("nicht geschult", "untrained"),
        TrainingStatus::Trained => lang.pick("geschult", "trained"),
        TrainingStatus::Expired => lang.pick("abgelaufen", "expired"),
    }
}

fn german_label(lang: Lang, level: GermanLevel) -> &'static str {
    match level {
        GermanLevel::Native => lang.pick("Muttersprache", "native"),
        other => other.as_str(),
    }
}

fn gender_label(lang: Lang, g: Gender) -> &'static str {
    lang.pick(g.name_de(), g.name_en())
}

fn weekday_label(lang: Lang, day: Weekday) -> &'static str {
    lang.pick(lp_core::when::weekday_de(day), lp_core::when::weekday_en(day))
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    language: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    training: String,
}

struct ListRow {
    id: String,
    name: String,
    languages: Vec<(String, &'static str)>,
    status: &'static str,
    training: &'static str,
    valid_until: String,
    german_level: &'static str,
}

#[derive(Template)]
#[template(path = "staff/volunteers.html")]
struct ListPage {
    layout: Layout,
    t: &'static VolunteerTexts,
    query: ListQuery,
    statuses: Vec<Opt>,
    trainings: Vec<Opt>,
    languages: Vec<String>,
    rows: Vec<ListRow>,
    error: Option<FieldError>,
}

impl ListQuery {
    fn filter(&self) -> Result<VolunteerFilter, FieldError> {
        let language = match self.language.trim() {
            "" => None,
            text => Some(lp_core::languages::find(text).ok_or_else(|| {
                FieldError::new(
                    "language",
                    format!("`{text}` is not a known language name or ISO 639-3 code"),
                )
            })?),
        };
        let status = match self.status.trim() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("status", e.to_string()))?,
            ),
        };
        let training = match self.training.trim() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("training", e.to_string()))?,
            ),
        };
        Ok(VolunteerFilter {
            language,
            status,
            training,
        })
    }
}

async fn list(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = VolunteerTexts::of(lang);
    let (filter, error) = match query.filter() {
        Ok(filter) => (Some(filter), None),
        Err(error) => (None, Some(error)),
    };
    let validity = state.requests.training_validity_months;
    let rows = match &filter {
        Some(filter) => volunteers::list(&state.db, filter, state.today(), validity)
            .await
            .or_page(lang)?,
        None => Vec::new(),
    };
    let rows = rows
        .iter()
        .map(|v| {
            let training = v.training(state.today(), validity);
            ListRow {
                id: v.id.to_string(),
                name: v.name.clone(),
                languages: v
                    .languages
                    .iter()
                    .map(|l| (language_label(lang, l.code), proficiency_label(lang, l.proficiency)))
                    .collect(),
                status: status_label(lang, v.status),
                training: training_label(lang, training.status),
                valid_until: training
                    .valid_until
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_default(),
                german_level: german_label(lang, v.german_level),
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&ListPage {
        layout: Layout::new(lang, &staff, t.volunteers, "/volunteers"),
        t,
        statuses: choose(
            VolunteerStatus::ALL,
            |s| s.as_str(),
            |s| status_label(lang, s),
            &[query.status.trim()],
        ),
        trainings: choose(
            TrainingStatus::ALL,
            |s| s.as_str(),
            |s| training_label(lang, s),
            &[query.training.trim()],
        ),
        languages: common_languages(lang),
        query,
        rows,
        error,
    });
    *response.status_mut() = status;
    Ok(response)
}

fn common_languages(lang: Lang) -> Vec<String> {
    lp_core::languages::all()
        .filter(|l| COMMON.contains(&l.as_str()))
        .map(|l| language_label(lang, l))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The form

#[derive(Debug, Default, Clone, PartialEq)]
struct LanguageRow {
    code: String,
    proficiency: String,
    dialect: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct SlotRow {
    start: String,
    end: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct AbsenceRow {
    from: String,
    to: String,
}

/// The form as typed, blank rows dropped, so a refused form comes back filled in and a row's
/// index is the same in the page, in the input and in the registry's error (`languages[1].code`).
#[derive(Debug, Default, Clone, PartialEq)]
struct VolunteerForm {
    name: String,
    email: String,
    phone: String,
    gender: String,
    status: String,
    languages: Vec<LanguageRow>,
    german_level: String,
    modes: Vec<String>,
    service_area: String,
    excluded_settings: Vec<String>,
    max_assignments_per_month: String,
    /// One list per weekday, Monday first.
    availability: [Vec<SlotRow>; 7],
    absences: Vec<AbsenceRow>,
    confidentiality_signed_on: String,
    training_completed_on: String,
    notes: String,
}

/// `languages[3].code` -> `(3, "code")`.
fn indexed<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('[')?;
    let (index, field) = rest.split_once(']')?;
    Some((index.parse().ok()?, field.strip_prefix('.')?))
}

fn compact<T: Default + PartialEq>(rows: BTreeMap<usize, T>) -> Vec<T> {
    rows.into_values().filter(|row| *row != T::default()).collect()
}

impl VolunteerForm {
    /// Reads the posted pairs. Unknown names are ignored, as a browser form may carry more
    /// (the submit button); values are trimmed so that a row of blanks counts as blank.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = VolunteerForm::default();
        let mut languages: BTreeMap<usize, LanguageRow> = BTreeMap::new();
        let mut slots: [BTreeMap<usize, SlotRow>; 7] = Default::default();
        let mut absences: BTreeMap<usize, AbsenceRow> = BTreeMap::new();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "name" => form.name = value,
                "email" => form.email = value,
                "phone" => form.phone = value,
                "gender" => form.gender = value,
                "status" => form.status = value,
                "german_level" => form.german_level = value,
                "modes" => form.modes.push(value),
                "service_area" => form.service_area = value,
                "excluded_settings" => form.excluded_settings.push(value),
                "max_assignments_per_month" => form.max_assignments_per_month = value,
                "confidentiality_signed_on" => form.confidentiality_signed_on = value,
                "training_completed_on" => form.training_completed_on = value,
                // Browsers send a textarea's line breaks as CRLF; stored text uses LF.
                "notes" => form.notes = value.replace("\r\n", "\n"),
                _ => {
                    if let Some((i, field)) = indexed(&key, "languages") {
                        let row = languages.entry(i).or_default();
                        match field {
                            "code" => row.code = value,
                            "proficiency" => row.proficiency = value,
                            "dialect" => row.dialect = value,
                            _ => {}
                        }
                    } else if let Some((i, field)) = indexed(&key, "absences") {
                        let row = absences.entry(i).or_default();
                        match field {
                            "from" => row.from = value,
                            "to" => row.to = value,
                            _ => {}
                        }
                    } else if let Some(rest) = key.strip_prefix("availability.") {
                        let day = WEEKDAYS.iter().position(|d| rest.starts_with(weekday_code(*d)));
                        if let Some((day, (i, field))) = day.and_then(|d| Some((d, indexed(&rest[3..], "")?))) {
                            let row = slots[day].entry(i).or_default();
                            match field {
                                "start" => row.start = value,
                                "end" => row.end = value,
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        form.languages = compact(languages);
        form.absences = compact(absences);
        form.availability = slots.map(compact);
        form
    }

    /// The form as it shows a stored volunteer; submitted unchanged it gives the same input.
    fn of(lang: Lang, v: &Volunteer) -> Self {
        let mut availability: [Vec<SlotRow>; 7] = Default::default();
        for slot in &v.availability {
            availability[slot.weekday.num_days_from_monday() as usize].push(SlotRow {
                start: hh_mm(slot.start_minute),
                end: hh_mm(slot.end_minute),
            });
        }
        for day in &mut availability {
            day.sort_by(|a, b| a.start.cmp(&b.start));
        }
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        VolunteerForm {
            name: v.name.clone(),
            email: v.email.clone(),
            phone: v.phone.clone().unwrap_or_default(),
            gender: v.gender.map(|g| g.as_str().to_owned()).unwrap_or_default(),
            status: v.status.as_str().to_owned(),
            languages: v
                .languages
                .iter()
                .map(|l| LanguageRow {
                    code: language_label(lang, l.code),
                    proficiency: l.proficiency.as_str().to_owned(),
                    dialect: l.dialect.clone().unwrap_or_default(),
                })
                .collect(),
            german_level: v.german_level.as_str().to_owned(),
            modes: v.modes.iter().map(|m| m.as_str().to_owned()).collect(),
            service_area: v.service_area.join(", "),
            excluded_settings: v.excluded_settings.iter().map(|s| s.as_str().to_owned()).collect(),
            max_assignments_per_month: v.max_assignments_per_month.map(|m| m.to_string()).unwrap_or_default(),
            availability,
            absences: v
                .absences
                .iter()
                .map(|a| AbsenceRow {
                    from: a.from.to_string(),
                    to: a.to.to_string(),
                })
                .collect(),
            confidentiality_signed_on: date(v.confidentiality_signed_on),
            training_completed_on: date(v.training_completed_on),
            notes: v.notes.clone().unwrap_or_default(),
        }
    }

    /// Parses the typed values into the registry's input; the registry's
    /// [`VolunteerInput::validate`] then applies its rules (no second copy of them here).
    fn to_input(&self) -> Result<VolunteerInput, FieldError> {
        let mut languages = Vec::with_capacity(self.languages.len());
        for (i, row) in self.languages.iter().enumerate() {
            let field = format!("languages[{i}].code");
            let code = match row.code.as_str() {
                "" => return Err(FieldError::new(field, "pick a language for this row")),
                text => lp_core::languages::find(text).ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!("`{text}` is not a known language name or ISO 639-3 code"),
                    )
                })?,
            };
            languages.push(VolunteerLanguage {
                code,
                proficiency: vocab(&format!("languages[{i}].proficiency"), &row.proficiency)?,
                dialect: optional(&row.dialect),
            });
        }
        let mut availability = Vec::new();
        for (day, rows) in WEEKDAYS.iter().zip(&self.availability) {
            let code = weekday_code(*day);
            for (i, row) in rows.iter().enumerate() {
                let slot = WeeklySlot::parse(code, &pad_hour(&row.start), &pad_hour(&row.end))
                    .map_err(|e| FieldError::new(format!("availability.{code}[{i}]"), e.to_string()))?;
                availability.push(slot);
            }
        }
        let mut absences = Vec::with_capacity(self.absences.len());
        for (i, row) in self.absences.iter().enumerate() {
            let from = date(&format!("absences[{i}].from"), &row.from)?
                .ok_or_else(|| FieldError::new(format!("absences[{i}].from"), "must be a date"))?;
            let to = date(&format!("absences[{i}].to"), &row.to)?.unwrap_or(from);
            absences.push(
                DateRange::new(from, to).map_err(|e| FieldError::new(format!("absences[{i}].to"), e.to_string()))?,
            );
        }
        let max_assignments_per_month = match self.max_assignments_per_month.as_str() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|_| FieldError::new("max_assignments_per_month", "must be a whole number"))?,
            ),
        };
        Ok(VolunteerInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: optional(&self.phone),
            languages,
            german_level: vocab("german_level", &self.german_level)?,
            modes: self
                .modes
                .iter()
                .map(|m| vocab::<Mode>("modes", m))
                .collect::<Result<_, _>>()?,
            service_area: self
                .service_area
                .split([',', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            excluded_settings: self
                .excluded_settings
                .iter()
                .map(|s| vocab::<Setting>("excluded_settings", s))
                .collect::<Result<_, _>>()?,
            gender: match self.gender.as_str() {
                "" => None,
                text => Some(vocab("gender", text)?),
            },
            availability,
            absences,
            max_assignments_per_month,
            confidentiality_signed_on: date("confidentiality_signed_on", &self.confidentiality_signed_on)?,
            training_completed_on: date("training_completed_on", &self.training_completed_on)?,
            status: vocab("status", &self.status)?,
            notes: optional(&self.notes),
        })
    }
}

fn vocab<T: std::str::FromStr<Err = lp_core::vocab::UnknownValue>>(field: &str, text: &str) -> Result<T, FieldError> {
    if text.is_empty() {
        return Err(FieldError::new(field, "please choose a value"));
    }
    text.parse()
        .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new(field, e.to_string()))
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn date(field: &str, text: &str) -> Result<Option<NaiveDate>, FieldError> {
    match text {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(field, "a date such as 2026-12-21")),
    }
}

/// `9:00` is read as `09:00`; everything else goes to the core's strict `HH:MM` parser.
fn pad_hour(text: &str) -> String {
    if text.len() == 4 && text.as_bytes()[1] == b':' {
        format!("0{text}")
    } else {
        text.to_owned()
    }
}

fn hh_mm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// One input of the page: its name, the id its label points to, its value, and whether the
/// error names it.
struct Input {
    name: String,
    id: String,
    value: String,
    invalid: bool,
}

fn id_of(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// Whether an error about `field` concerns the input `name`: the same name, a part of it
/// (`availability.mon[0]` for its start and end), or one item of it (`service_area[1]`).
fn concerns(error: Option<&FieldError>, name: &str) -> bool {
    error.is_some_and(|e| {
        e.field == name || name.starts_with(&format!("{}.", e.field)) || e.field.starts_with(&format!("{name}["))
    })
}

fn input(error: Option<&FieldError>, name: String, value: &str) -> Input {
    Input {
        id: id_of(&name),
        invalid: concerns(error, &name),
        value: value.to_owned(),
        name,
    }
}

struct LanguageView {
    code: Input,
    proficiency: Input,
    proficiencies: Vec<Opt>,
    dialect: Input,
}

struct DayView {
    label: &'static str,
    rows: Vec<(Input, Input)>,
}

/// Blank rows offered after the filled ones, and the fewest rows shown.
const EXTRA_LANGUAGES: usize = 2;
const MIN_LANGUAGES: usize = 4;
const EXTRA_SLOTS: usize = 1;
const MIN_SLOTS: usize = 2;
const EXTRA_ABSENCES: usize = 2;
const MIN_ABSENCES: usize = 3;

fn rows_for(filled: usize, extra: usize, min: usize) -> usize {
    (filled + extra).max(min)
}

#[derive(Template)]
#[template(path = "staff/volunteer_form.html")]
struct FormPage {
    layout: Layout,
    t: &'static VolunteerTexts,
    heading: &'static str,
    action: String,
    saved: bool,
    error: Option<FieldError>,
    form: VolunteerForm,
    training: Option<(&'static str, String)>,
    statuses: Vec<Opt>,
    genders: Vec<Opt>,
    german_levels: Vec<Opt>,
    modes: Vec<Opt>,
    settings: Vec<Opt>,
    languages: Vec<LanguageView>,
    language_list: Vec<String>,
    days: Vec<DayView>,
    absences: Vec<(Input, Input)>,
}

impl FormPage {
    fn invalid(&self, name: &str) -> bool {
        concerns(self.error.as_ref(), name)
    }
}

/// Which volunteer the form is for: none yet, or an existing one with its training status.
struct Target {
    id: Option<String>,
    training: Option<(&'static str, String)>,
    saved: bool,
}

fn form_page(
    lang: Lang,
    staff: &Staff,
    form: VolunteerForm,
    mode: Target,
    error: Option<FieldError>,
    status: StatusCode,
) -> Response {
    let t = VolunteerTexts::of(lang);
    let e = error.as_ref();
    let blank_language = LanguageRow::default();
    let languages = (0..rows_for(form.languages.len(), EXTRA_LANGUAGES, MIN_LANGUAGES))
        .map(|i| {
            let row = form.languages.get(i).unwrap_or(&blank_language);
            LanguageView {
                code: input(e, format!("languages[{i}].code"), &row.code),
                proficiency: input(e, format!("languages[{i}].proficiency"), &row.proficiency),
                proficiencies: choose(
                    Proficiency::ALL,
                    |p| p.as_str(),
                    |p| proficiency_label(lang, p),
                    &[row.proficiency.as_str()],
                )
                .into_iter()
                .rev()
                .collect(),
                dialect: input(e, format!("languages[{i}].dialect"), &row.dialect),
            }
        })
        .collect();
    let blank_slot = SlotRow::default();
    let days = WEEKDAYS
        .iter()
        .zip(&form.availability)
        .map(|(day, filled)| {
            let code = weekday_code(*day);
            DayView {
                label: weekday_label(lang, *day),
                rows: (0..rows_for(filled.len(), EXTRA_SLOTS, MIN_SLOTS))
                    .map(|i| {
                        let row = filled.get(i).unwrap_or(&blank_slot);
                        (
                            input(e, format!("availability.{code}[{i}].start"), &row.start),
                            input(e, format!("availability.{code}[{i}].end"), &row.end),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let blank_absence = AbsenceRow::default();
    let absences = (0..rows_for(form.absences.len(), EXTRA_ABSENCES, MIN_ABSENCES))
        .map(|i| {
            let row = form.absences.get(i).unwrap_or(&blank_absence);
            (
                input(e, format!("absences[{i}].from"), &row.from),
                input(e, format!("absences[{i}].to"), &row.to),
            )
        })
        .collect();
    let modes: Vec<&str> = form.modes.iter().map(String::as_str).collect();
    let settings: Vec<&str> = form.excluded_settings.iter().map(String::as_str).collect();
    let (heading, action, here) = match &mode.id {
        Some(id) => (
            t.edit_volunteer,
            format!("/volunteers/{id}"),
            format!("/volunteers/{id}"),
        ),
        None => (t.new_volunteer, "/volunteers".to_owned(), "/volunteers/new".to_owned()),
    };
    let title = if form.name.is_empty() || mode.id.is_none() {
        heading.to_owned()
    } else {
        form.name.clone()
    };
    let mut response = render(&FormPage {
        layout: Layout::new(lang, staff, title, here),
        t,
        heading,
        action,
        saved: mode.saved,
        training: mode.training,
        statuses: choose(
            VolunteerStatus::ALL,
            |s| s.as_str(),
            |s| status_label(lang, s),
            &[form.status.as_str()],
        ),
        genders: choose(
            Gender::ALL,
            |g| g.as_str(),
            |g| gender_label(lang, g),
            &[form.gender.as_str()],
        ),
        german_levels: choose(
            GermanLevel::ALL,
            |g| g.as_str(),
            |g| g.as_str(),
            &[form.german_level.as_str()],
        ),
        modes: choose(
            Mode::ALL,
            |m| m.as_str(),
            |m| lang.pick(m.name_de(), m.name_en()),
            &modes,
        ),
        settings: choose(
            Setting::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &settings,
        ),
        languages,
        language_list: common_languages(lang),
        days,
        absences,
        error,
        form,
    });
    *response.status_mut() = status;
    response
}

async fn new_form(lang: Lang, SignedIn(staff): SignedIn, _: CoordinatorPage) -> Response {
    let form = VolunteerForm {
        status: VolunteerStatus::Applicant.as_str().to_owned(),
        modes: vec![Mode::OnSite.as_str().to_owned()],
        ..VolunteerForm::default()
    };
    let mode = Target {
        id: None,
        training: None,
        saved: false,
    };
    form_page(lang, &staff, form, mode, None, StatusCode::OK)
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
    let mode = Target {
        id: None,
        training: None,
        saved: false,
    };
    let valid = match form.to_input().and_then(VolunteerInput::validate) {
        Ok(valid) => valid,
        Err(error) => {
            return Ok(form_page(
                lang,
                &staff,
                form,
                mode,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match volunteers::create(&state.db, &by, valid, state.clock.now()).await {
        Ok(created) => Ok(Redirect::to(&format!("/volunteers/{}?saved=1", created.id)).into_response()),
        Err(err) => {
            let (error, status) = refusal(err).or_page(lang)?;
            Ok(form_page(lang, &staff, form, mode, Some(error), status))
        }
    }
}

#[derive(Deserialize)]
struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

fn training_of(state: &AppState, lang: Lang, v: &Volunteer) -> (&'static str, String) {
    let info = v.training(state.today(), state.requests.training_validity_months);
    let until = info
        .valid_until
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default();
    (training_label(lang, info.status), until)
}

async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    _: CoordinatorPage,
    PathParam(id): PathParam,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let parsed = parse_id(&id).or_page(lang)?;
    let volunteer = volunteers::get(&state.db, parsed)
        .await
        .or_page(lang)?
        .ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    let mode = Target {
        id: Some(parsed.to_string()),
        training: Some(training_of(&state, lang, &volunteer)),
        saved: saved.saved.is_some(),
    };
    let form = VolunteerForm::of(lang, &volunteer);
    Ok(form_page(lang, &staff, form, mode, None, StatusCode::OK))
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
    let mode = Target {
        id: Some(parsed.to_string()),
        training: Some(training_of(&state, lang, &current)),
        saved: false,
    };
    let valid = match form.to_input().and_then(VolunteerInput::validate) {
        Ok(valid) => valid,
        Err(error) => {
            return Ok(form_page(
                lang,
                &staff,
                form,
                mode,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match volunteers::update(&state.db, &by, parsed, valid, state.clock.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{parsed}?saved=1")).into_response()),
        Err(err) => {
            let (error, status) = refusal(err).or_page(lang)?;
            Ok(form_page(lang, &staff, form, mode, Some(error), status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_names_are_read_and_blank_rows_dropped() {
        let pairs = [
            ("languages[0].code", "tir"),
            ("languages[0].proficiency", "native"),
            ("languages[1].code", " "),
            ("languages[1].proficiency", ""),
            ("languages[2].code", "amh"),
            ("availability.tue[0].start", "9:00"),
            ("availability.tue[0].end", "24:00"),
            ("availability.tue[1].start", ""),
            ("modes", "on_site"),
            ("modes", "phone"),
            ("languages[x].code", "ignored"),
        ];
        let form = VolunteerForm::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(form.languages.len(), 2);
        assert_eq!(form.languages[1].code, "amh");
        assert_eq!(form.modes, ["on_site", "phone"]);
        assert_eq!(
            form.availability[1],
            [SlotRow {
                start: "9:00".into(),
                end: "24:00".into()
            }]
        );
        let err = form.to_input().unwrap_err();
        assert_eq!(
            err.field, "languages[1].proficiency",
            "the row's index after dropping blanks"
        );
    }

    #[test]
    fn ids_are_safe_for_labels() {
        assert_eq!(id_of("languages[1].code"), "languages-1-code");
        assert_eq!(id_of("availability.mon[0].start"), "availability-mon-0-start");
    }

    #[test]
    fn an_error_concerns_its_input_and_its_parts() {
        let slot = FieldError::new("availability.mon[0]", "x");
        assert!(concerns(Some(&slot), "availability.mon[0].start"));
        assert!(!concerns(Some(&slot), "availability.mon[1].start"));
        let town = FieldError::new("service_area[1]", "x");
        assert!(concerns(Some(&town), "service_area"));
        assert!(!concerns(None, "name"));
    }
}
