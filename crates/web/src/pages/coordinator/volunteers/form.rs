//! The coordinator's volunteer form: every field of the SPEC's volunteer as typed, read into the
//! registry's input, and shown again (a few blank rows, so it works without JavaScript).

use super::VolunteerTexts;
use crate::auth::Staff;
use crate::i18n::Lang;
use crate::pages::form_errors::FormErrors;
use crate::pages::requests::{common_languages, language_label};
use crate::pages::{Layout, Opt, choose, render};
use crate::schedule_form::{
    AbsenceInputs, Input, Padding, Problem, Row, RowError, STAFF_FORM, ScheduleRows, SlotInputs, concerns, id_of,
    indexed, parse_date,
};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use lp_core::time::{DateRange, TimeError, WeeklySlot};
use lp_core::validation::{FieldError, FieldErrors};
use lp_core::vocab::{Gender, GermanLevel, Mode, Proficiency, Setting, VolunteerStatus};
use lp_core::when::{weekday_de, weekday_en};
use lp_registry::volunteers::{ValidVolunteer, Volunteer, VolunteerInput, VolunteerLanguage};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq)]
struct LanguageRow {
    code: String,
    proficiency: String,
    dialect: String,
}

/// The form as typed, blank rows dropped, so a refused form comes back filled in and a row's
/// index is the same in the page, in the input and in the registry's error (`languages[1].code`).
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct VolunteerForm {
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
    /// Weekly slots and absences.
    schedule: ScheduleRows,
    confidentiality_signed_on: String,
    training_completed_on: String,
    notes: String,
}

impl VolunteerForm {
    /// The blank form for a new volunteer: an applicant, on site.
    pub(super) fn new_volunteer() -> Self {
        VolunteerForm {
            status: VolunteerStatus::Applicant.as_str().to_owned(),
            modes: vec![Mode::OnSite.as_str().to_owned()],
            ..VolunteerForm::default()
        }
    }

    /// Reads the posted pairs. Unknown names are ignored, as a browser form may carry more
    /// (the submit button); values are trimmed so that a row of blanks counts as blank.
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let (schedule, pairs) = STAFF_FORM.read(pairs);
        let mut form = VolunteerForm {
            schedule,
            ..VolunteerForm::default()
        };
        let mut languages: BTreeMap<usize, LanguageRow> = BTreeMap::new();
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
                    }
                }
            }
        }
        form.languages = languages
            .into_values()
            .filter(|row| *row != LanguageRow::default())
            .collect();
        form
    }

    /// The form as it shows a stored volunteer; submitted unchanged it gives the same input.
    pub(super) fn of(lang: Lang, v: &Volunteer) -> Self {
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
            schedule: STAFF_FORM.rows_of(&v.availability, &v.absences),
            confidentiality_signed_on: date(v.confidentiality_signed_on),
            training_completed_on: date(v.training_completed_on),
            notes: v.notes.clone().unwrap_or_default(),
        }
    }

    /// The typed values read into the registry's input, with an error for each that does not
    /// read. Such a value is left out of the input, or a stand-in takes its place, so that the
    /// registry's rules can still be checked for the others (see [`validate`](Self::validate));
    /// and for each language of the input, the row of the page it was typed in.
    fn to_input(&self) -> (VolunteerInput, Vec<usize>, Vec<FieldError>) {
        let mut errors = FieldErrors::new();
        let mut languages = Vec::with_capacity(self.languages.len());
        let mut language_rows = Vec::with_capacity(self.languages.len());
        for (i, row) in self.languages.iter().enumerate() {
            let field = format!("languages[{i}].code");
            let code = errors.check(match row.code.as_str() {
                "" => Err(FieldError::new(field, "pick a language for this row")),
                text => lp_core::languages::find(text).ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!("`{text}` is not a known language name or ISO 639-3 code"),
                    )
                }),
            });
            let proficiency = errors.check(vocab(&format!("languages[{i}].proficiency"), &row.proficiency));
            if let Some(code) = code {
                languages.push(VolunteerLanguage {
                    code,
                    proficiency: proficiency.unwrap_or(Proficiency::ALL[0]),
                    dialect: optional(&row.dialect),
                });
                language_rows.push(i);
            }
        }
        let (availability, absences) = self.schedule_rows(&mut errors);
        let max_assignments_per_month = match self.max_assignments_per_month.as_str() {
            "" => None,
            text => errors.check(
                text.parse()
                    .map_err(|_| FieldError::new("max_assignments_per_month", "must be a whole number")),
            ),
        };
        let german_level = errors.check(vocab("german_level", &self.german_level));
        let modes = self
            .modes
            .iter()
            .filter_map(|m| errors.check(vocab::<Mode>("modes", m)))
            .collect();
        let excluded_settings = self
            .excluded_settings
            .iter()
            .filter_map(|s| errors.check(vocab::<Setting>("excluded_settings", s)))
            .collect();
        let gender = match self.gender.as_str() {
            "" => None,
            text => errors.check(vocab("gender", text)),
        };
        let confidentiality_signed_on = errors
            .check(date("confidentiality_signed_on", &self.confidentiality_signed_on))
            .flatten();
        let training_completed_on = errors
            .check(date("training_completed_on", &self.training_completed_on))
            .flatten();
        let status = errors.check(vocab("status", &self.status));
        let input = VolunteerInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: optional(&self.phone),
            languages,
            german_level: german_level.unwrap_or(GermanLevel::ALL[0]),
            modes,
            service_area: self
                .service_area
                .split([',', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            excluded_settings,
            gender,
            availability,
            absences,
            max_assignments_per_month,
            confidentiality_signed_on,
            training_completed_on,
            status: status.unwrap_or(VolunteerStatus::Applicant),
            notes: optional(&self.notes),
        };
        (input, language_rows, errors.into_vec())
    }

    /// The weekly slots and absences, each row read on its own so that every wrong row is named.
    fn schedule_rows(&self, errors: &mut FieldErrors) -> (Vec<WeeklySlot>, Vec<DateRange>) {
        let mut availability = Vec::new();
        for (day, slots) in self.schedule.slots.iter().enumerate() {
            for (&i, slot) in slots {
                let mut one = ScheduleRows::default();
                one.slots[day].insert(i, slot.clone());
                if let Some((slots, _)) = errors.check(STAFF_FORM.schedule(&one).map_err(schedule_error)) {
                    availability.extend(slots);
                }
            }
        }
        let mut absences = Vec::new();
        for (&i, absence) in &self.schedule.absences {
            let mut one = ScheduleRows::default();
            one.absences.insert(i, absence.clone());
            if let Some((_, ranges)) = errors.check(STAFF_FORM.schedule(&one).map_err(schedule_error)) {
                absences.extend(ranges);
            }
        }
        (availability, absences)
    }

    /// Every error of the form: the values that do not read, and the registry's rules
    /// ([`VolunteerInput::validate_all`], no second copy of them here) broken by the others;
    /// or the checked input.
    pub(super) fn validate(&self) -> Result<ValidVolunteer, Vec<FieldError>> {
        let (input, language_rows, mut errors) = self.to_input();
        let broken = match input.validate_all() {
            Ok(valid) if errors.is_empty() => return Ok(valid),
            Ok(_) => Vec::new(),
            Err(broken) => broken,
        };
        let unread: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        for error in broken {
            let error = on_its_row(error, &language_rows);
            // What the registry says of a field that did not read (no language, no mode) is
            // about the stand-in, not about what was typed.
            let about_unread = unread.iter().any(|field| {
                field == &error.field
                    || field.starts_with(&format!("{}[", error.field))
                    || field.starts_with(&format!("{}.", error.field))
            });
            if !about_unread {
                errors.push(error);
            }
        }
        Err(errors)
    }
}

/// The registry names a language by its place in the input; the page by its row, which differs
/// once a row that did not read is left out.
fn on_its_row(error: FieldError, language_rows: &[usize]) -> FieldError {
    match indexed(&error.field, "languages") {
        Some((at, part)) if at < language_rows.len() => {
            FieldError::new(format!("languages[{}].{part}", language_rows[at]), error.message)
        }
        _ => error,
    }
}

/// A wrong slot names its row (both times are marked) with the core's message; a wrong
/// absence names its date.
fn schedule_error(err: RowError) -> FieldError {
    match err.row {
        Row::Slot(..) => {
            let message = match err.problem {
                Problem::NotATime { error, .. } | Problem::Order(error) => error.to_string(),
                // What the core says of an empty time.
                Problem::Missing | Problem::NotADate { .. } => TimeError::TimeOfDay(String::new()).to_string(),
            };
            FieldError::new(STAFF_FORM.names.row(err.row), message)
        }
        Row::Absence(_) => {
            let message = match err.problem {
                Problem::Order(error) => error.to_string(),
                Problem::Missing => "must be a date".to_owned(),
                Problem::NotADate { .. } | Problem::NotATime { .. } => DATE_EXAMPLE.to_owned(),
            };
            FieldError::new(STAFF_FORM.names.field(err.row, err.part), message)
        }
    }
}

const DATE_EXAMPLE: &str = "a date such as 2026-12-21";

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
        text => parse_date(text)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, DATE_EXAMPLE)),
    }
}

// ---------------------------------------------------------------------------------------------
// The page

/// Whether one of the errors concerns an input, by its name.
fn marked(errors: &[FieldError]) -> impl Fn(&str) -> bool + use<> {
    let fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
    move |name| fields.iter().any(|field| concerns(field, name))
}

struct LanguageView {
    code: Input,
    proficiency: Input,
    proficiencies: Vec<Opt>,
    dialect: Input,
}

struct DayView {
    label: &'static str,
    rows: Vec<SlotInputs>,
}

/// Blank language rows offered after the filled ones, and the fewest rows shown.
const LANGUAGE_ROWS: Padding = Padding { extra: 2, min: 4 };

#[derive(Template)]
#[template(path = "staff/volunteer_form.html")]
struct FormPage {
    layout: Layout,
    t: &'static VolunteerTexts,
    heading: &'static str,
    action: String,
    saved: bool,
    /// The refusal's errors, as the registry and the form name their fields.
    refused: Vec<FieldError>,
    /// The same errors as shown: named by their field's label, linked and tied to its input.
    errors: FormErrors,
    form: VolunteerForm,
    training: Option<(&'static str, String)>,
    record: Option<TrainingRecord>,
    years: Vec<crate::pages::reports::YearView>,
    calendar_since: Option<String>,
    bounced_since: Option<String>,
    statuses: Vec<Opt>,
    genders: Vec<Opt>,
    german_levels: Vec<Opt>,
    modes: Vec<Opt>,
    settings: Vec<Opt>,
    languages: Vec<LanguageView>,
    language_list: Vec<String>,
    days: Vec<DayView>,
    absences: Vec<AbsenceInputs>,
}

impl FormPage {
    fn invalid(&self, name: &str) -> bool {
        marked(&self.refused)(name)
    }
}

/// Where an error's field is on the page: its position, its input's id and its label
/// (a row's input is named by its section and row number).
fn place(t: &'static VolunteerTexts, field: &str) -> (usize, Option<String>, String) {
    const SIMPLE: [&str; 14] = [
        "name",
        "email",
        "phone",
        "gender",
        "status",
        "german_level",
        "max_assignments_per_month",
        "service_area",
        "modes",
        "excluded_settings",
        "confidentiality_signed_on",
        "training_completed_on",
        "notes",
        "languages",
    ];
    let labels = [
        t.name,
        t.email,
        t.phone,
        t.gender,
        t.status,
        t.german_level,
        t.max_assignments,
        t.service_area,
        t.modes,
        t.excluded_settings,
        t.confidentiality,
        t.training_completed,
        t.notes,
        t.languages,
    ];
    if let Some(at) = SIMPLE.iter().position(|name| *name == field) {
        return (at, Some(field.to_owned()), labels[at].to_owned());
    }
    let row = |rest: &str| {
        rest.split(['[', ']'])
            .nth(1)
            .and_then(|i| i.parse::<usize>().ok())
            .map_or(String::new(), |i| format!(" {}", i + 1))
    };
    if field.starts_with("languages[") {
        let label = match field.rsplit('.').next() {
            Some("proficiency") => t.proficiency,
            Some("dialect") => t.dialect,
            _ => t.language,
        };
        return (SIMPLE.len(), Some(id_of(field)), format!("{label}{}", row(field)));
    }
    if field.starts_with("availability") {
        // A slot's error names its row; the summary links to the row's first input.
        return (
            SIMPLE.len() + 1,
            Some(id_of(&format!("{field}.start"))),
            t.availability.to_owned(),
        );
    }
    if field.starts_with("absences") {
        return (
            SIMPLE.len() + 2,
            Some(id_of(field)),
            format!("{}{}", t.absence, row(field)),
        );
    }
    (SIMPLE.len() + 3, None, field.to_owned())
}

/// Which volunteer the form is for: none yet, or an existing one with its training status
/// and record.
pub(super) struct Target {
    pub id: Option<String>,
    pub training: Option<(&'static str, String)>,
    pub saved: bool,
    pub record: Option<TrainingRecord>,
    /// Assignments, hours and trainings per year, latest first.
    pub years: Vec<crate::pages::reports::YearView>,
    /// Since when the volunteer's calendar feed works (`DD.MM.YYYY`), if they have one.
    pub calendar_since: Option<String>,
    /// Since when their address bounces, if it does.
    pub bounced_since: Option<String>,
}

impl Target {
    /// A new volunteer.
    pub(super) fn new() -> Self {
        Target {
            id: None,
            training: None,
            saved: false,
            record: None,
            years: Vec::new(),
            calendar_since: None,
            bounced_since: None,
        }
    }
}

/// An existing volunteer's trainings: dates formatted `DD.MM.YYYY`, the latest training first.
pub(super) struct TrainingRecord {
    pub volunteer_id: String,
    pub completed_elsewhere: Option<String>,
    pub attended_here: Option<String>,
    pub history: Vec<HistoryRow>,
}

/// One training the volunteer was invited to.
pub(super) struct HistoryRow {
    pub training_id: String,
    pub title: String,
    pub kind: &'static str,
    pub when: String,
    pub state: &'static str,
    pub attended: bool,
}

pub(super) fn form_page(
    lang: Lang,
    staff: &Staff,
    form: VolunteerForm,
    mode: Target,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let t = VolunteerTexts::of(lang);
    let invalid = marked(&errors);
    let blank_language = LanguageRow::default();
    let filled = form.languages.len();
    let languages = (0..filled + LANGUAGE_ROWS.blanks(filled, 0))
        .map(|i| {
            let row = form.languages.get(i).unwrap_or(&blank_language);
            LanguageView {
                code: Input::new(format!("languages[{i}].code"), &row.code, &invalid),
                proficiency: Input::new(format!("languages[{i}].proficiency"), &row.proficiency, &invalid),
                proficiencies: choose(
                    Proficiency::ALL,
                    |p| p.as_str(),
                    |p| lang.pick(p.name_de(), p.name_en()),
                    &[row.proficiency.as_str()],
                )
                .into_iter()
                .rev()
                .collect(),
                dialect: Input::new(format!("languages[{i}].dialect"), &row.dialect, &invalid),
            }
        })
        .collect();
    let (days, absences) = STAFF_FORM.inputs(&form.schedule, &invalid);
    let days = days
        .into_iter()
        .map(|(day, rows)| DayView {
            label: lang.pick(weekday_de(day), weekday_en(day)),
            rows,
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
        record: mode.record,
        years: mode.years,
        calendar_since: mode.calendar_since,
        bounced_since: mode.bounced_since,
        statuses: choose(
            VolunteerStatus::ALL,
            |s| s.as_str(),
            |s| lang.pick(s.name_de(), s.name_en()),
            &[form.status.as_str()],
        ),
        genders: choose(
            Gender::ALL,
            |g| g.as_str(),
            |g| lang.pick(g.name_de(), g.name_en()),
            &[form.gender.as_str()],
        ),
        german_levels: choose(
            GermanLevel::ALL,
            |g| g.as_str(),
            |g| lang.pick(g.name_de(), g.name_en()),
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
        errors: FormErrors::placed(lang, errors.clone(), |field| place(t, field)),
        refused: errors,
        form,
    });
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule_form::TimeRow;

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
            form.schedule.slots[1],
            BTreeMap::from([(
                0,
                TimeRow {
                    start: "9:00".into(),
                    end: "24:00".into()
                }
            )])
        );
        let (_, _, errors) = form.to_input();
        assert_eq!(
            errors[0].field, "languages[1].proficiency",
            "the row's index after dropping blanks"
        );
    }

    #[test]
    fn a_wrong_slot_names_its_row_and_a_wrong_absence_its_date() {
        let form = |pairs: &[(&str, &str)]| {
            let mut all = vec![("languages[0].code", "tir"), ("languages[0].proficiency", "native")];
            all.extend_from_slice(pairs);
            VolunteerForm::from_pairs(all.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        };
        let cases = [
            (
                vec![
                    ("availability.mon[0].start", "14:00"),
                    ("availability.mon[0].end", "13:30"),
                ],
                "availability.mon[0]",
                "the end 13:30 is not after the start 14:00",
            ),
            (
                vec![("availability.mon[0].start", "9:00"), ("availability.mon[0].end", "")],
                "availability.mon[0]",
                "`` is not a time of day in the form HH:MM",
            ),
            (
                vec![("absences[0].to", "2026-12-21")],
                "absences[0].from",
                "must be a date",
            ),
            (
                vec![("absences[0].from", "morgen")],
                "absences[0].from",
                "a date such as 2026-12-21",
            ),
        ];
        for (pairs, field, message) in cases {
            let (_, _, errors) = form(&pairs).to_input();
            let err = &errors[0];
            assert_eq!(
                (err.field.as_str(), err.message.as_str()),
                (field, message),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn every_error_of_the_form_and_the_registry_is_listed_on_its_row_in_german() {
        let pairs = [
            ("name", " "),
            ("email", "selam@example.org"),
            ("status", "active"),
            ("languages[0].code", "Quatschisch"),
            ("languages[0].proficiency", "native"),
            ("languages[1].code", "tir"),
            ("languages[1].proficiency", "native"),
            ("languages[2].code", "tir"),
            ("languages[2].proficiency", "working"),
            ("german_level", "B2"),
            ("modes", "on_site"),
            ("modes", "by_pigeon"),
            ("service_area", "Winnenden"),
            ("max_assignments_per_month", "viele"),
            ("availability.mon[0].start", "14:00"),
            ("availability.mon[0].end", "13:00"),
            ("availability.tue[0].start", "9:00"),
            ("availability.tue[0].end", "12:00"),
            ("availability.fri[0].start", "25:00"),
            ("availability.fri[0].end", "26:00"),
            ("absences[0].from", "morgen"),
            ("absences[1].from", "2026-12-21"),
            ("absences[1].to", "2026-12-20"),
            ("training_completed_on", "gestern"),
        ];
        let form = VolunteerForm::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let errors = form.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "languages[0].code",
                "availability.mon[0]",
                "availability.fri[0]",
                "absences[0].from",
                "absences[1].to",
                "max_assignments_per_month",
                "modes",
                "training_completed_on",
                "name",
                // The second Tigrinya is the input's second language, the page's third row.
                "languages[2].code",
            ]
        );
        let t = VolunteerTexts::of(Lang::De);
        let shown = FormErrors::placed(Lang::De, errors, |field| place(t, field));
        for e in &shown.items {
            assert_eq!(e.message_lang, None, "{}: {} has no German wording", e.label, e.message);
        }
        let fixed: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| !k.starts_with("availability.mon") && !k.starts_with("availability.fri"))
            .filter(|(k, _)| !k.starts_with("absences") && *k != "training_completed_on")
            .map(|&(k, v)| match k {
                "name" => (k.to_owned(), "Selam T.".to_owned()),
                "languages[0].code" => (k.to_owned(), "amh".to_owned()),
                "languages[2].code" => (k.to_owned(), "ara".to_owned()),
                "max_assignments_per_month" => (k.to_owned(), "4".to_owned()),
                "modes" => (k.to_owned(), "phone".to_owned()),
                _ => (k.to_owned(), v.to_owned()),
            })
            .collect();
        assert!(VolunteerForm::from_pairs(fixed).validate().is_ok());
    }
}
