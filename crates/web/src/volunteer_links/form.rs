//! The `/v/{token}` form: the rows as the page shows them, the schedule they describe, and what
//! is wrong with them in German and English. The row rules are [`crate::schedule_form`]'s.

use crate::error::ApiError;
use crate::schedule_form::{
    AbsenceInputs, LINK_FORM, Part, Problem, Row, RowError, ScheduleRows, SlotInputs, concerns,
};
use lp_core::validation::FieldError;
use lp_core::when::{weekday_de, weekday_en};
use lp_registry::availability_links::{ScheduleInput, ValidSchedule};

/// One weekday of the form.
pub(super) struct DayRows {
    pub de: &'static str,
    pub en: &'static str,
    pub rows: Vec<SlotInputs>,
}

/// The rows to show, the error's input marked, with blank rows to add times and absences.
pub(super) fn shown(rows: &ScheduleRows, error: Option<&FormError>) -> (Vec<DayRows>, Vec<AbsenceInputs>) {
    let (days, absences) = LINK_FORM.inputs(rows, |name| error.is_some_and(|e| concerns(&e.field, name)));
    let days = days
        .into_iter()
        .map(|(day, rows)| DayRows {
            de: weekday_de(day),
            en: weekday_en(day),
            rows,
        })
        .collect();
    (days, absences)
}

/// The schedule the rows describe, or the first row that is wrong, checked by the registry's
/// own rules ([`ScheduleInput::validate`]) after the rows' own.
pub(super) fn schedule(rows: &ScheduleRows) -> Result<ValidSchedule, FormError> {
    let (availability, absences) = LINK_FORM.schedule(rows).map_err(FormError::of_row)?;
    ScheduleInput { availability, absences }
        .validate()
        .map_err(FormError::from_registry)
}

/// A wrong form field, named by its input's name, explained in German and in English.
#[derive(Debug)]
pub(super) struct FormError {
    pub field: String,
    /// The row and input, for the label; none for the registry's rules on the whole schedule.
    at: Option<(Row, Part)>,
    pub de: String,
    pub en: String,
}

impl FormError {
    fn of_row(err: RowError) -> Self {
        let (de, en) = match (err.problem, err.row) {
            (Problem::Missing, _) => (
                "Bitte beide Felder ausfüllen oder beide leer lassen.".to_owned(),
                "fill in both fields or leave both empty".to_owned(),
            ),
            (Problem::NotATime { typed, .. }, _) => (
                format!("„{typed}“ ist keine Uhrzeit (SS:MM)."),
                format!("`{typed}` is not a time of day (HH:MM)"),
            ),
            (Problem::NotADate { typed }, _) => (
                format!("„{typed}“ ist kein Datum."),
                format!("`{typed}` is not a date (YYYY-MM-DD)"),
            ),
            (Problem::Order(err), Row::Slot(..)) => (
                "Das Ende („bis“) muss nach dem Beginn („von“) liegen.".to_owned(),
                err.to_string(),
            ),
            (Problem::Order(err), Row::Absence(_)) => (
                "Der letzte Tag darf nicht vor dem ersten liegen.".to_owned(),
                err.to_string(),
            ),
        };
        Self {
            field: LINK_FORM.names.field(err.row, err.part),
            at: Some((err.row, err.part)),
            de,
            en,
        }
    }

    fn from_registry(err: FieldError) -> Self {
        let de = match err.field.as_str() {
            "availability" => "Zu viele Zeiträume – bitte fassen Sie welche zusammen.",
            "absences" => "Zu viele Abwesenheiten – bitte fassen Sie welche zusammen.",
            _ => "Bitte prüfen Sie diese Angabe.",
        };
        Self {
            field: err.field,
            at: None,
            de: de.to_owned(),
            en: err.message,
        }
    }

    /// "Montag, Zeile 2, „bis“" / "Monday, row 2, \"to\"", for the page.
    pub(super) fn labels(&self) -> (String, String) {
        let Some((row, part)) = self.at else {
            return match self.field.as_str() {
                "availability" => ("Jede Woche".to_owned(), "Every week".to_owned()),
                _ => ("Abwesenheiten".to_owned(), "Absences".to_owned()),
            };
        };
        let (group_de, group_en, index) = match row {
            Row::Slot(day, i) => (weekday_de(day), weekday_en(day), i),
            Row::Absence(i) => ("Abwesenheit", "Absence", i),
        };
        let (part_de, part_en) = match part {
            Part::Start | Part::From => ("von", "from"),
            Part::End | Part::To | Part::Remove => ("bis", "to"),
        };
        let row = index + 1;
        (
            format!("{group_de}, Zeile {row}, „{part_de}“"),
            format!("{group_en}, row {row}, \"{part_en}\""),
        )
    }

    pub(super) fn api(&self) -> ApiError {
        ApiError::Invalid(FieldError::new(self.field.clone(), self.en.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_core::time::{DateRange, WeeklySlot};

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn read(items: &[(&str, &str)]) -> ScheduleRows {
        LINK_FORM.read(pairs(items)).0
    }

    /// The rows a browser sends back for an unchanged form.
    fn echoed(rows: &ScheduleRows) -> Vec<(String, String)> {
        let (days, absences) = shown(rows, None);
        let mut out = Vec::new();
        for row in days.into_iter().flat_map(|day| day.rows) {
            out.push((row.start.name, row.start.value));
            out.push((row.end.name, row.end.value));
        }
        for row in absences {
            out.push((row.from.name, row.from.value));
            out.push((row.to.name, row.to.value));
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
        let shown = LINK_FORM.rows_of(&slots, &absences);
        let back = schedule(&LINK_FORM.read(echoed(&shown)).0).unwrap();
        let again = ScheduleInput {
            availability: slots,
            absences,
        };
        assert_eq!(format!("{back:?}"), format!("{:?}", again.validate().unwrap()));
    }

    #[test]
    fn end_before_start_names_the_end_field_of_its_row() {
        let err = schedule(&read(&[("tue.1.start", "13:00"), ("tue.1.end", "09:00")])).unwrap_err();
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
            let err = schedule(&read(&items)).unwrap_err();
            assert_eq!(err.field, field, "{items:?}");
        }
    }

    #[test]
    fn empty_and_removed_rows_drop_out_and_typed_times_are_accepted() {
        let rows = read(&[
            ("fri.0.start", "9:00"),
            ("fri.0.end", "12:00:00"),
            ("fri.1.start", ""),
            ("fri.1.end", ""),
            ("absence.0.from", "2026-12-21"),
            ("absence.0.to", "2027-01-06"),
            ("absence.0.remove", "1"),
            ("unknown", "x"),
        ]);
        let shown = format!("{:?}", schedule(&rows).unwrap());
        let expected = ScheduleInput {
            availability: vec![WeeklySlot::parse("fri", "09:00", "12:00").unwrap()],
            absences: Vec::new(),
        };
        assert_eq!(shown, format!("{:?}", expected.validate().unwrap()));
    }

    #[test]
    fn too_many_slots_is_the_registrys_error_on_the_whole_week() {
        let names: Vec<(String, String)> = (0..60)
            .flat_map(|i| {
                [
                    (format!("thu.{i}.start"), "09:00".to_owned()),
                    (format!("thu.{i}.end"), "10:00".to_owned()),
                ]
            })
            .collect();
        let err = schedule(&LINK_FORM.read(names).0).unwrap_err();
        assert_eq!(err.field, "availability");
        assert_eq!(err.labels(), ("Jede Woche".to_owned(), "Every week".to_owned()));
    }
}
