//! A refused form's errors as the page shows them (WCAG 3.3.1 and 3.3.3): a summary at the top
//! that links to each field, and beside each field its message, tied to it by
//! `aria-describedby`, with the field marked `aria-invalid`. Fields are named by their visible
//! label and messages are in the page's language; a rule's English message with no German
//! wording here is shown as it is, marked `lang="en"` (3.1.2).

use crate::i18n::Lang;
use lp_core::validation::FieldError;

/// One error as the page shows it.
pub(crate) struct ShownError {
    /// The id of the field's input, when the form has one: the summary links to it.
    pub input: Option<String>,
    pub label: String,
    pub message: String,
    /// `Some("en")` for an English message on a German page.
    pub message_lang: Option<&'static str>,
}

/// A field of the input as the form shows it: its name in the input (the [`FieldError`]'s
/// `field`), the id of its input if the form has one, and its visible label.
pub(crate) type FieldPlace = (&'static str, Option<&'static str>, &'static str);

/// The errors of one refused form, in the order of the form's fields.
#[derive(Default)]
pub(crate) struct FormErrors {
    pub items: Vec<ShownError>,
}

impl FormErrors {
    /// Orders `errors` as `places` lists the fields (unknown fields last, named as they are)
    /// and words them for `lang`.
    pub(crate) fn new(lang: Lang, errors: Vec<FieldError>, places: &[FieldPlace]) -> Self {
        Self::placed(lang, errors, |field| {
            match places.iter().position(|(name, ..)| *name == field) {
                Some(at) => (at, places[at].1.map(str::to_owned), places[at].2.to_owned()),
                None => (places.len(), None, field.to_owned()),
            }
        })
    }

    /// The same for a form whose inputs are made per row: `place` gives a field's position
    /// in the form, its input's id and its label.
    pub(crate) fn placed(
        lang: Lang,
        errors: Vec<FieldError>,
        place: impl Fn(&str) -> (usize, Option<String>, String),
    ) -> Self {
        let mut errors: Vec<(usize, Option<String>, String, FieldError)> = errors
            .into_iter()
            .map(|e| {
                let (at, input, label) = place(&e.field);
                (at, input, label, e)
            })
            .collect();
        errors.sort_by_key(|(at, ..)| *at);
        let items = errors
            .into_iter()
            .map(|(_, input, label, error)| {
                let (message, message_lang) = match lang {
                    Lang::En => (error.message, None),
                    Lang::De => match german(&error.message) {
                        Some(message) => (message, None),
                        None => (error.message, Some("en")),
                    },
                };
                ShownError {
                    input,
                    label,
                    message,
                    message_lang,
                }
            })
            .collect();
        Self { items }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The first error of the input with this id.
    pub(crate) fn get(&self, input: &str) -> Option<&ShownError> {
        self.items.iter().find(|e| e.input.as_deref() == Some(input))
    }

    /// Only the `aria-describedby` part of [`attrs`](Self::attrs), for a form that marks its
    /// inputs invalid itself.
    pub(crate) fn described(&self, input: &str, help: &str) -> String {
        self.attrs(input, help).replace(" aria-invalid=\"true\"", "")
    }

    /// The input's ARIA attributes, with a leading space: `aria-invalid` and its message's id
    /// when it has an error, followed by `help`, the id of its hint ("" for none).
    pub(crate) fn attrs(&self, input: &str, help: &str) -> String {
        let mut described: Vec<String> = Vec::new();
        let invalid = self.get(input).is_some();
        if invalid {
            described.push(format!("{input}-error"));
        }
        if !help.is_empty() {
            described.push(help.to_owned());
        }
        let mut attrs = String::new();
        if invalid {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        if !described.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", described.join(" ")));
        }
        attrs
    }
}

/// The German wording of the rules' messages (the crates word them in English for the API).
fn german(message: &str) -> Option<String> {
    let exact = match message {
        "must be in the future" => "muss in der Zukunft liegen",
        "must not be after starts_at" => "darf nicht nach dem Beginn liegen",
        "is required for an on-site appointment" => "ist bei einem Termin vor Ort nötig",
        "must not be empty" => "darf nicht leer sein",
        "must not contain control characters" => "darf keine Steuerzeichen enthalten",
        "must be a pseudonymous reference of letters, digits and - _ / . # (no names, no spaces)" => {
            "nur ein Aktenzeichen aus Buchstaben, Ziffern und - _ / . # (keine Namen, keine Leerzeichen)"
        }
        "unknown language; pick one from the list" => "unbekannte Sprache; bitte eine aus der Liste wählen",
        "a date such as 2026-12-03" => "bitte ein Datum angeben, z. B. 03.12.2026",
        "a time such as 10:00" => "bitte eine Uhrzeit angeben, z. B. 10:00",
        "a number of minutes" => "bitte eine Zahl von Minuten angeben",
        "a whole number of places" => "bitte eine ganze Zahl von Plätzen angeben",
        "pick an organisation" | "is required when a coordinator creates a request" => "bitte eine Organisation wählen",
        "a caseworker can ask only for its own organisation" => "nur für die eigene Organisation möglich",
        "no organisation has this id" => "diese Organisation gibt es nicht",
        // The volunteer form and the registry's rules for volunteers.
        "may contain only digits, spaces and + - / ( )" => "darf nur Ziffern, Leerzeichen und + - / ( ) enthalten",
        "must name at least one language" => "bitte mindestens eine Sprache angeben",
        "is listed twice" => "ist doppelt angegeben",
        "must name at least one of on_site, phone, video" => "bitte mindestens eine Einsatzart wählen",
        "must name at least one town for on-site work" => "bitte für Einsätze vor Ort mindestens einen Ort angeben",
        "pick a language for this row" => "bitte eine Sprache für diese Zeile wählen",
        "please choose a value" => "bitte einen Wert wählen",
        "must be a whole number" => "bitte eine ganze Zahl angeben",
        "must be a date" => "bitte ein Datum angeben",
        "a date such as 2026-12-21" => "bitte ein Datum angeben, z. B. 21.12.2026",
        "`` is not a time of day in the form HH:MM" => "bitte eine Uhrzeit im Format HH:MM angeben",
        // The staff invitation.
        "pick an organisation from the list" => "bitte eine Organisation aus der Liste wählen",
        "a caseworker must belong to an organisation" => "für die Fallbearbeitung bitte eine Organisation wählen",
        _ => "",
    };
    if !exact.is_empty() {
        return Some(exact.to_owned());
    }
    if let Some(rest) = message.strip_prefix("may hold at most ") {
        if let Some(count) = rest.strip_suffix(" time ranges") {
            return Some(format!("höchstens {count} Zeitfenster möglich"));
        }
        if let Some(count) = rest.strip_suffix(" date ranges") {
            return Some(format!("höchstens {count} Abwesenheiten möglich"));
        }
    }
    if let Some((end, start)) = message
        .strip_prefix("the end ")
        .and_then(|rest| rest.split_once(" is not after the start "))
    {
        // An absence's days (it may be a single day), shown as the page shows dates.
        let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        if let (Some(end), Some(start)) = (day(end), day(start)) {
            return Some(format!(
                "der letzte Tag {} liegt vor dem ersten Tag {}",
                end.format("%d.%m.%Y"),
                start.format("%d.%m.%Y")
            ));
        }
        return Some(format!("das Ende {end} liegt nicht nach dem Beginn {start}"));
    }
    // Quoting what was typed: `…` becomes „…“.
    let quoted = |suffix: &str| {
        message
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix(suffix))
            .filter(|given| !given.contains('`'))
    };
    if let Some(given) = quoted("` is not an email address") {
        return Some(format!("„{given}“ ist keine gültige E-Mail-Adresse"));
    }
    if let Some(given) = quoted("` is not a known language name or ISO 639-3 code") {
        return Some(format!(
            "„{given}“ ist weder ein bekannter Sprachname noch ein ISO-639-3-Code"
        ));
    }
    if let Some(given) = quoted("` is not a time of day in the form HH:MM") {
        return Some(format!("„{given}“ ist keine Uhrzeit im Format HH:MM"));
    }
    // The registry's conflicts, shown on the field they are about.
    let taken = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix("` exists already"))
    };
    if let Some(email) = taken("a volunteer with email `") {
        return Some(format!(
            "es gibt schon eine/n Ehrenamtliche/n mit der E-Mail-Adresse „{email}“"
        ));
    }
    if let Some(email) = taken("a staff user with email `") {
        return Some(format!(
            "es gibt schon eine/n Mitarbeitende/n mit der E-Mail-Adresse „{email}“"
        ));
    }
    if let Some(name) = taken("an organisation named `") {
        return Some(format!("es gibt schon eine Organisation namens „{name}“"));
    }
    if let Some(rest) = message.strip_prefix("must be between ")
        && let Some((low, high)) = rest.split_once(" and ")
    {
        return Some(match high.strip_suffix(" minutes") {
            Some(high) => format!("muss zwischen {low} und {high} Minuten liegen"),
            None => format!("muss zwischen {low} und {high} liegen"),
        });
    }
    if let Some(count) = message
        .strip_prefix("must be at most ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return Some(format!("darf höchstens {count} Zeichen lang sein"));
    }
    if let Some(given) = message
        .strip_prefix('`')
        .and_then(|rest| rest.split_once("` is not one of: "))
        .map(|(given, _)| given)
    {
        return Some(format!(
            "„{given}“ ist kein gültiger Wert; bitte einen aus der Liste wählen"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACES: &[FieldPlace] = &[
        ("language", Some("language"), "Sprache"),
        ("starts_at", Some("date"), "Datum"),
        ("fill_by", None, "Besetzen bis"),
    ];

    #[test]
    fn errors_follow_the_form_named_by_label_in_german_and_tied_to_their_input() {
        let errors = FormErrors::new(
            Lang::De,
            vec![
                FieldError::new("unknown_thing", "something odd"),
                FieldError::new("starts_at", "must be in the future"),
                FieldError::new("language", "unknown language; pick one from the list"),
                FieldError::new("fill_by", "must not be after starts_at"),
            ],
            PLACES,
        );
        let shown: Vec<(Option<&str>, &str, &str, Option<&str>)> = errors
            .items
            .iter()
            .map(|e| (e.input.as_deref(), e.label.as_str(), e.message.as_str(), e.message_lang))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Some("language"),
                    "Sprache",
                    "unbekannte Sprache; bitte eine aus der Liste wählen",
                    None
                ),
                (Some("date"), "Datum", "muss in der Zukunft liegen", None),
                (None, "Besetzen bis", "darf nicht nach dem Beginn liegen", None),
                (None, "unknown_thing", "something odd", Some("en")),
            ]
        );
        assert_eq!(
            errors.attrs("language", "language-help"),
            " aria-invalid=\"true\" aria-describedby=\"language-error language-help\""
        );
        assert_eq!(errors.attrs("time", "time-help"), " aria-describedby=\"time-help\"");
        assert_eq!(errors.attrs("time", ""), "");
        assert_eq!(errors.described("language", ""), " aria-describedby=\"language-error\"");
    }

    #[test]
    fn an_english_page_keeps_the_rules_words() {
        let errors = FormErrors::new(
            Lang::En,
            vec![FieldError::new("starts_at", "must be in the future")],
            PLACES,
        );
        assert_eq!(errors.items[0].message, "must be in the future");
        assert_eq!(errors.items[0].message_lang, None);
    }

    /// Every message the request form can show has its German wording.
    #[test]
    fn every_request_rule_has_a_german_message() {
        let input: lp_requests::input::RequestInput = serde_json::from_value(serde_json::json!({
            "language": "tir", "starts_at": "2026-11-20T10:00:00+01:00", "duration_minutes": 5,
            "mode": "on_site", "address": "x".repeat(201), "setting": "authority",
            "client_ref": "Ahmad Karimi", "notes": "\u{7}", "dialect": "x".repeat(101),
            "fill_by": "2026-11-19T10:00:00+01:00"
        }))
        .unwrap();
        let now = "2026-11-21T12:00:00Z".parse().unwrap();
        let mut messages: Vec<String> = input
            .validate_all(now)
            .unwrap_err()
            .into_iter()
            .map(|e| e.message)
            .collect();
        let mut late = input.clone();
        late.starts_at = "2026-12-03T10:00:00+01:00".parse().unwrap();
        late.fill_by = Some("2026-12-04T10:00:00+01:00".parse().unwrap());
        late.town = Some("Winnenden".to_owned());
        messages.extend(late.validate_all(now).unwrap_err().into_iter().map(|e| e.message));
        messages.extend(
            [
                "unknown language; pick one from the list",
                "a date such as 2026-12-03",
                "a time such as 10:00",
                "a number of minutes",
                "pick an organisation",
                "is required when a coordinator creates a request",
                "a caseworker can ask only for its own organisation",
                "no organisation has this id",
            ]
            .map(str::to_owned),
        );
        messages.push("mode".parse::<lp_core::vocab::Mode>().unwrap_err().to_string());
        assert!(messages.len() >= 16, "{messages:?}");
        for message in &messages {
            assert!(german(message).is_some(), "no German for {message:?}");
        }
        assert_eq!(
            german("must be between 15 and 480 minutes").unwrap(),
            "muss zwischen 15 und 480 Minuten liegen"
        );
        assert_eq!(
            german("must be between 1 and 500").unwrap(),
            "muss zwischen 1 und 500 liegen"
        );
        assert_eq!(
            german("must be at most 100 characters").unwrap(),
            "darf höchstens 100 Zeichen lang sein"
        );
    }

    /// Every message the volunteer, training, organisation and staff forms can show has its
    /// German wording: the rules' own messages where they can be had without a database, the
    /// forms' and the conflicts' as they word them.
    #[tokio::test]
    async fn every_volunteer_training_and_staff_rule_has_a_german_message() {
        use lp_core::time::{DateRange, TimeError, WeeklySlot};
        let mut messages: Vec<String> = Vec::new();
        let volunteer: lp_registry::volunteers::VolunteerInput = serde_json::from_value(serde_json::json!({
            "name": " ", "email": "selam", "phone": "call me",
            "languages": [
                {"code": "tir", "proficiency": "native"},
                {"code": "tir", "proficiency": "native", "dialect": "x".repeat(101)}
            ],
            "german_level": "B2", "modes": ["on_site"], "service_area": ["Winnenden", " "],
            "max_assignments_per_month": 0, "notes": "\u{7}"
        }))
        .unwrap();
        let mut empty = volunteer.clone();
        empty.languages.clear();
        empty.modes.clear();
        let mut no_town = volunteer.clone();
        no_town.service_area.clear();
        let slot = WeeklySlot::parse("mon", "09:00", "13:00").unwrap();
        no_town.availability = vec![slot; lp_registry::volunteers::MAX_SLOTS + 1];
        let day = "2026-12-21".parse().unwrap();
        no_town.absences = vec![DateRange::new(day, day).unwrap(); lp_registry::volunteers::MAX_ABSENCES + 1];
        for input in [volunteer, empty, no_town] {
            messages.extend(input.validate_all().unwrap_err().into_iter().map(|e| e.message));
        }
        let training: lp_trainings::input::TrainingInput = serde_json::from_value(serde_json::json!({
            "title": " ", "kind": "basic", "starts_at": "2026-11-20T10:00:00+01:00",
            "duration_minutes": 5, "location": "x".repeat(201), "capacity": 0,
            "registration_deadline": "2026-11-21T10:00:00+01:00", "description": "\u{7}", "trainer": " "
        }))
        .unwrap();
        let now = "2026-11-21T12:00:00Z".parse().unwrap();
        messages.extend(training.validate_all(now).unwrap_err().into_iter().map(|e| e.message));
        let staff = |email: &str, name: &str| lp_registry::staff::StaffUserInput {
            email: email.to_owned(),
            name: name.to_owned(),
            role: lp_core::vocab::Role::Caseworker,
            organisation_id: None,
            password: None,
        };
        for input in [
            staff("nora", "Nora"),
            staff("nora@example.org", " "),
            staff("nora@example.org", "Nora"),
        ] {
            match lp_registry::staff::prepare(&input, false).await {
                Err(lp_registry::RegistryError::Invalid(error)) => messages.push(error.message),
                _ => panic!("{} is refused", input.email),
            }
        }
        // The schedule's rows, worded by the core.
        messages.push(WeeklySlot::parse("mon", "14:00", "13:30").unwrap_err().to_string());
        messages.push(WeeklySlot::parse("mon", "25:00", "26:00").unwrap_err().to_string());
        messages.push(TimeError::TimeOfDay(String::new()).to_string());
        let before = "2026-12-20".parse().unwrap();
        messages.push(DateRange::new(day, before).unwrap_err().to_string());
        messages.push("x".parse::<lp_core::vocab::Mode>().unwrap_err().to_string());
        messages.push("x".parse::<lp_core::vocab::Role>().unwrap_err().to_string());
        messages.push("x".parse::<lp_core::vocab::TrainingKind>().unwrap_err().to_string());
        messages.extend(
            [
                // The forms' own readings.
                "pick a language for this row",
                "`Quatschisch` is not a known language name or ISO 639-3 code",
                "please choose a value",
                "must be a whole number",
                "must be a date",
                "a date such as 2026-12-21",
                "a date such as 2026-12-03",
                "a time such as 10:00",
                "a number of minutes",
                "a whole number of places",
                "pick an organisation from the list",
                "no organisation has this id",
                // The registry's conflicts, shown on their field.
                "a volunteer with email `selam@example.org` exists already",
                "a staff user with email `nora@example.org` exists already",
                "an organisation named `Caritas Winnenden` exists already",
            ]
            .map(str::to_owned),
        );
        assert!(messages.len() >= 40, "{messages:?}");
        for message in &messages {
            assert!(german(message).is_some(), "no German for {message:?}");
        }
        assert_eq!(
            german("`selam` is not an email address").unwrap(),
            "„selam“ ist keine gültige E-Mail-Adresse"
        );
        assert_eq!(
            german("the end 13:30 is not after the start 14:00").unwrap(),
            "das Ende 13:30 liegt nicht nach dem Beginn 14:00"
        );
        assert_eq!(
            german("the end 2026-12-01 is not after the start 2026-12-21").unwrap(),
            "der letzte Tag 01.12.2026 liegt vor dem ersten Tag 21.12.2026"
        );
        assert_eq!(
            german("may hold at most 50 time ranges").unwrap(),
            "höchstens 50 Zeitfenster möglich"
        );
        assert_eq!(
            german("an organisation named `Caritas` exists already").unwrap(),
            "es gibt schon eine Organisation namens „Caritas“"
        );
    }
}
