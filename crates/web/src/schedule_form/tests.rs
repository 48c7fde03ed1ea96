//! The shared row rules, on both forms' names.

use super::*;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn slot(day: &str, start: &str, end: &str) -> WeeklySlot {
    WeeklySlot::parse(day, start, end).unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn each_form_reads_its_own_names_and_hands_back_the_rest() {
    let (rows, rest) = STAFF_FORM.read(pairs(&[
        ("availability.tue[0].start", " 9:00 "),
        ("availability.tue[0].end", "12:00"),
        ("absences[0].from", "2026-12-21"),
        ("tue.0.start", "10:00"),
        ("name", "Selam"),
    ]));
    assert_eq!(rows.slots[1][&0].start, "9:00", "trimmed, kept as typed");
    assert_eq!(rows.absences[&0].from, "2026-12-21");
    assert_eq!(rest, pairs(&[("tue.0.start", "10:00"), ("name", "Selam")]));

    let (rows, rest) = LINK_FORM.read(pairs(&[
        ("tue.2.start", "10:00"),
        ("absence.1.remove", "1"),
        ("availability.tue[0].start", "9:00"),
        ("monday.0.start", "9:00"),
    ]));
    assert_eq!(rows.slots[1][&2].start, "10:00", "the posted index");
    assert!(rows.absences[&1].remove);
    assert_eq!(rest.len(), 2);
}

#[test]
fn rows_past_the_limit_and_odd_indexes_are_ignored() {
    let (rows, rest) = LINK_FORM.read(pairs(&[("mon.100.start", "09:00"), ("mon.99.start", "09:00")]));
    assert_eq!(rows.slots[0].keys().collect::<Vec<_>>(), [&99]);
    assert_eq!(rest.len(), 1);
    assert_eq!(indexed("languages[x].code", "languages"), None);
    assert_eq!(indexed("languages[2].code", "languages"), Some((2, "code")));
}

#[test]
fn renumbering_drops_blank_rows_so_errors_name_the_row_shown() {
    let (rows, _) = STAFF_FORM.read(pairs(&[
        ("availability.mon[0].start", ""),
        ("availability.mon[0].end", ""),
        ("availability.mon[1].start", "13:00"),
        ("availability.mon[1].end", "09:00"),
    ]));
    let err = STAFF_FORM.schedule(&rows).unwrap_err();
    assert_eq!(err.row, Row::Slot(Weekday::Mon, 0));
    assert_eq!(STAFF_FORM.names.row(err.row), "availability.mon[0]");

    let (rows, _) = LINK_FORM.read(pairs(&[("mon.1.start", "13:00"), ("mon.1.end", "09:00")]));
    let err = LINK_FORM.schedule(&rows).unwrap_err();
    assert_eq!(LINK_FORM.names.field(err.row, err.part), "mon.1.end");
    assert!(matches!(
        err.problem,
        Problem::Order(TimeError::EndNotAfterStart { .. })
    ));
}

#[test]
fn typed_times_are_normalised_as_each_input_kind_sends_them() {
    let monday = |form: &ScheduleForm, start: &str, end: &str| {
        let name = |part| form.names.field(Row::Slot(Weekday::Mon, 0), part);
        let (rows, _) = form.read(vec![
            (name(Part::Start), start.to_owned()),
            (name(Part::End), end.to_owned()),
        ]);
        form.schedule(&rows).map(|(slots, _)| slots)
    };
    assert_eq!(
        monday(&STAFF_FORM, "9:00", "24:00"),
        Ok(vec![slot("mon", "09:00", "24:00")])
    );
    assert_eq!(
        monday(&LINK_FORM, "9:00", "12:00:00"),
        Ok(vec![slot("mon", "09:00", "12:00")])
    );
    assert_eq!(
        monday(&LINK_FORM, "18:00", "00:00"),
        Ok(vec![slot("mon", "18:00", "24:00")])
    );
    // One convention on both forms: an end of 00:00 is midnight; the staff form takes 24:00 too.
    assert_eq!(
        monday(&STAFF_FORM, "18:00", "00:00"),
        Ok(vec![slot("mon", "18:00", "24:00")])
    );
    let err = monday(&STAFF_FORM, "9:00:00", "12:00").unwrap_err();
    assert_eq!(err.part, Part::Start);
    assert_eq!(
        err.problem,
        Problem::NotATime {
            typed: "9:00:00".to_owned(),
            error: TimeError::TimeOfDay("9:00:00".to_owned())
        }
    );
}

#[test]
fn half_filled_and_wrong_inputs_are_named_first_input_first() {
    let cases = [
        (
            vec![("wed.0.start", "09:00"), ("wed.0.end", "")],
            "wed.0.end",
            "missing",
        ),
        (
            vec![("wed.0.start", ""), ("wed.0.end", "09:00")],
            "wed.0.start",
            "missing",
        ),
        (vec![("wed.0.start", "25:00"), ("wed.0.end", "")], "wed.0.start", "time"),
        (
            vec![("wed.0.start", "09:00"), ("wed.0.end", "26:00")],
            "wed.0.end",
            "time",
        ),
        (vec![("absence.0.from", "2026-12-21")], "absence.0.to", "missing"),
        (vec![("absence.0.to", "2026-12-21")], "absence.0.from", "missing"),
        (
            vec![("absence.0.from", "morgen"), ("absence.0.to", "2026-12-21")],
            "absence.0.from",
            "date",
        ),
        (
            vec![("absence.0.from", "2026-12-21"), ("absence.0.to", "2026-12-20")],
            "absence.0.to",
            "order",
        ),
    ];
    for (items, field, kind) in cases {
        let (rows, _) = LINK_FORM.read(pairs(&items));
        let err = LINK_FORM.schedule(&rows).unwrap_err();
        assert_eq!(LINK_FORM.names.field(err.row, err.part), field, "{items:?}");
        let found = match err.problem {
            Problem::Missing => "missing",
            Problem::NotATime { .. } => "time",
            Problem::NotADate { .. } => "date",
            Problem::Order(_) => "order",
        };
        assert_eq!(found, kind, "{items:?}");
    }
}

#[test]
fn absences_take_german_dates_and_the_staff_form_single_days() {
    let (rows, _) = STAFF_FORM.read(pairs(&[
        ("absences[0].from", "21.12.2026"),
        ("absences[1].from", "2027-01-06"),
    ]));
    let (_, absences) = STAFF_FORM.schedule(&rows).unwrap();
    assert_eq!(
        absences,
        [
            DateRange::new(date("2026-12-21"), date("2026-12-21")).unwrap(),
            DateRange::new(date("2027-01-06"), date("2027-01-06")).unwrap(),
        ]
    );
    let (rows, _) = LINK_FORM.read(pairs(&[
        ("absence.0.from", "2026-12-21"),
        ("absence.0.to", "2026-12-01"),
        ("absence.0.remove", "1"),
    ]));
    assert_eq!(
        LINK_FORM.schedule(&rows),
        Ok((Vec::new(), Vec::new())),
        "a removed row is not read"
    );
}

#[test]
fn stored_schedule_shows_by_start_and_comes_back_unchanged() {
    let stored = [
        slot("mon", "14:00", "17:30"),
        slot("mon", "09:15", "12:45"),
        slot("sun", "00:00", "24:00"),
    ];
    let absences = [DateRange::new(date("2026-12-21"), date("2027-01-06")).unwrap()];
    for form in [&STAFF_FORM, &LINK_FORM] {
        let rows = form.rows_of(&stored, &absences);
        assert_eq!(rows.slots[0][&0].start, "09:15");
        let (slots, back) = form.schedule(&rows).unwrap();
        assert_eq!(slots, [stored[1], stored[0], stored[2]]);
        assert_eq!(back, absences);
    }
    for form in [&STAFF_FORM, &LINK_FORM] {
        assert_eq!(
            form.rows_of(&stored, &[]).slots[6][&0].end,
            "00:00",
            "the end of the day reads alike on both forms (a time input cannot hold 24:00)"
        );
    }
}

#[test]
fn blank_rows_are_added_after_the_highest_index() {
    let padding = Padding { extra: 1, min: 2 };
    assert_eq!(padding.blanks(0, 0), 2);
    assert_eq!(padding.blanks(1, 0), 1);
    assert_eq!(padding.blanks(3, 0), 1);
    assert_eq!(padding.blanks(1, 1), 0, "a blank row sent back counts");
    let (rows, _) = LINK_FORM.read(pairs(&[
        ("mon.0.start", ""),
        ("mon.4.start", "09:00"),
        ("absence.2.from", "x"),
    ]));
    let (days, absences) = LINK_FORM.inputs(&rows, |name| name == "mon.4.start");
    let monday: Vec<(&str, bool)> = days[0]
        .1
        .iter()
        .map(|r| (r.start.name.as_str(), r.start.invalid))
        .collect();
    assert_eq!(monday, [("mon.0.start", false), ("mon.4.start", true)]);
    assert_eq!(days[1].1.len(), 2, "two rows on an empty day");
    let names: Vec<&str> = absences.iter().map(|r| r.from.name.as_str()).collect();
    assert_eq!(names, ["absence.2.from", "absence.3.from", "absence.4.from"]);
    assert!(absences[0].filled() && !absences[1].filled());
    assert_eq!(absences[0].remove.name, "absence.2.remove");
}

#[test]
fn ids_are_safe_for_labels() {
    assert_eq!(id_of("languages[1].code"), "languages-1-code");
    assert_eq!(id_of("availability.mon[0].start"), "availability-mon-0-start");
}

#[test]
fn an_error_concerns_its_input_and_its_parts() {
    assert!(concerns("availability.mon[0]", "availability.mon[0].start"));
    assert!(!concerns("availability.mon[0]", "availability.mon[1].start"));
    assert!(concerns("service_area[1]", "service_area"));
    assert!(concerns("mon.0.end", "mon.0.end"));
    assert!(!concerns("mon.0.end", "mon.0.start"));
}
