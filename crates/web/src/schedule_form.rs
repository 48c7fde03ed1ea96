//! Weekly slots and absences as form rows, one set of rules for the coordinator's volunteer form
//! and the volunteer's own `/v/{token}` page: input names, blank rows, typed times, errors, padding.
//! Also the indexed names, input views and error marking the coordinator's language rows share.
//!
//! Both forms send indexed names (`availability.mon[3].start`, `mon.3.start`), several rows a
//! weekday, and rows left blank for a second window without JavaScript. What differs between
//! them is declared once per form in a [`ScheduleForm`], each difference with its reason; the
//! words of an error stay with each page, which gets a typed [`RowError`] to word.
//!
//! The end of the day is 00:00 on both forms: a time picker cannot hold 24:00, so the
//! volunteer's page must show midnight as 00:00, and the coordinator's form says the same (it
//! still takes a typed 24:00). An end of 00:00 is midnight at the end of the day.

use chrono::{NaiveDate, Weekday};
use lp_core::time::{DateRange, TimeError, WEEKDAYS, WeeklySlot, parse_weekday, weekday_code};
use std::collections::BTreeMap;

/// Form rows from this index on are ignored: the registry keeps far fewer slots, absences or
/// languages, and padding numbers its blank rows after the highest index.
pub(crate) const MAX_ROWS: usize = 100;

/// `languages[3].code` -> `(3, "code")`.
pub(crate) fn indexed<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('[')?;
    let (index, field) = rest.split_once(']')?;
    Some((row_index(index)?, field.strip_prefix('.')?))
}

fn row_index(text: &str) -> Option<usize> {
    text.parse().ok().filter(|i| *i < MAX_ROWS)
}

/// Which row of the schedule: a weekday's n-th slot, or the n-th absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    Slot(Weekday, usize),
    Absence(usize),
}

/// One input of a row: a slot's start and end, an absence's first and last day and its
/// "remove" box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Start,
    End,
    From,
    To,
    Remove,
}

impl Part {
    fn as_str(self) -> &'static str {
        match self {
            Part::Start => "start",
            Part::End => "end",
            Part::From => "from",
            Part::To => "to",
            Part::Remove => "remove",
        }
    }
}

/// How a form names the inputs of its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    /// The coordinator's form, beside `languages[0].code`: `availability.mon[0].start`,
    /// `absences[0].from`.
    Staff,
    /// The volunteer's page: `mon.0.start`, `absence.0.from`, `absence.0.remove`.
    Link,
}

impl Names {
    /// The input's name.
    pub(crate) fn field(self, row: Row, part: Part) -> String {
        format!("{}.{}", self.row(row), part.as_str())
    }

    /// The row's name, which an error about both of its inputs gives.
    pub(crate) fn row(self, row: Row) -> String {
        match (self, row) {
            (Names::Staff, Row::Slot(day, i)) => format!("availability.{}[{i}]", weekday_code(day)),
            (Names::Staff, Row::Absence(i)) => format!("absences[{i}]"),
            (Names::Link, Row::Slot(day, i)) => format!("{}.{i}", weekday_code(day)),
            (Names::Link, Row::Absence(i)) => format!("absence.{i}"),
        }
    }

    /// The row a posted name belongs to, and what follows the row's name.
    fn parse(self, key: &str) -> Option<(Row, &str)> {
        match self {
            Names::Staff => {
                if let Some((i, part)) = indexed(key, "absences") {
                    return Some((Row::Absence(i), part));
                }
                let rest = key.strip_prefix("availability.")?;
                let code = &rest[..rest.find('[')?];
                let (i, part) = indexed(rest, code)?;
                Some((Row::Slot(parse_weekday(code).ok()?, i), part))
            }
            Names::Link => {
                let mut parts = key.splitn(3, '.');
                let (group, index, part) = (parts.next()?, parts.next()?, parts.next()?);
                let index = row_index(index)?;
                match group {
                    "absence" => Some((Row::Absence(index), part)),
                    code => Some((Row::Slot(parse_weekday(code).ok()?, index), part)),
                }
            }
        }
    }
}

/// A weekly slot as typed.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct TimeRow {
    pub start: String,
    pub end: String,
}

impl TimeRow {
    fn is_blank(&self) -> bool {
        self.start.is_empty() && self.end.is_empty()
    }
}

/// An absence as typed, and whether its "remove" box is ticked.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct DateRow {
    pub from: String,
    pub to: String,
    pub remove: bool,
}

impl DateRow {
    fn is_blank(&self) -> bool {
        self.from.is_empty() && self.to.is_empty()
    }
}

/// A form's weekly slots and absences as typed, by row index, so a refused form comes back as
/// it was sent and an error names the input it is about.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ScheduleRows {
    /// One map a weekday, Monday first.
    pub slots: [BTreeMap<usize, TimeRow>; 7],
    pub absences: BTreeMap<usize, DateRow>,
}

fn day_index(day: Weekday) -> usize {
    day.num_days_from_monday() as usize
}

/// What is wrong with one input of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// Empty, while the row's other input is filled.
    Missing,
    /// Not a time of day: `typed` as sent, `error` from the core's parser of the normalised text.
    NotATime {
        typed: String,
        error: TimeError,
    },
    NotADate {
        typed: String,
    },
    /// The end is not after the start, or the last day comes before the first; on the end.
    Order(TimeError),
}

/// The first wrong input of a schedule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    pub row: Row,
    pub part: Part,
    pub problem: Problem,
}

/// The blank rows a form without JavaScript offers: at least `extra` beyond the filled ones,
/// and `min` rows in all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Padding {
    pub extra: usize,
    pub min: usize,
}

impl Padding {
    /// How many blank rows to add to `filled` filled and `blank` blank ones.
    pub(crate) fn blanks(self, filled: usize, blank: usize) -> usize {
        self.extra.max(self.min.saturating_sub(filled)).saturating_sub(blank)
    }

    /// The rows, then the blank ones to add, numbered after the highest index.
    fn apply<T: Default + Clone>(self, rows: &BTreeMap<usize, T>, is_blank: impl Fn(&T) -> bool) -> Vec<(usize, T)> {
        let blank = rows.values().filter(|row| is_blank(row)).count();
        let next = rows.keys().next_back().map_or(0, |last| last + 1);
        let added = self.blanks(rows.len() - blank, blank);
        rows.iter()
            .map(|(&i, row)| (i, row.clone()))
            .chain((next..next + added).map(|i| (i, T::default())))
            .collect()
    }
}

/// One input of a page: its name, the id its label points to, its value, and whether the
/// error names it.
pub(crate) struct Input {
    pub name: String,
    pub id: String,
    pub value: String,
    pub invalid: bool,
}

impl Input {
    pub(crate) fn new(name: String, value: &str, invalid: &impl Fn(&str) -> bool) -> Self {
        Input {
            id: id_of(&name),
            invalid: invalid(&name),
            value: value.to_owned(),
            name,
        }
    }
}

/// `languages[1].code` -> `languages-1-code`, an id a label can point to.
pub(crate) fn id_of(name: &str) -> String {
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
pub(crate) fn concerns(field: &str, name: &str) -> bool {
    field == name || name.starts_with(&format!("{field}.")) || field.starts_with(&format!("{name}["))
}

pub(crate) struct SlotInputs {
    pub start: Input,
    pub end: Input,
}

pub(crate) struct AbsenceInputs {
    pub from: Input,
    pub to: Input,
    pub remove: Input,
    pub removed: bool,
}

impl AbsenceInputs {
    /// A filled row can be removed with a tick instead of emptying both dates.
    pub(crate) fn filled(&self) -> bool {
        !self.from.value.is_empty() || !self.to.value.is_empty()
    }
}

/// What differs between the forms that carry a schedule, and why.
pub(crate) struct ScheduleForm {
    pub names: Names,
    /// Time pickers (`<input type="time">`) may send seconds; text inputs take `HH:MM` only.
    pub time_pickers: bool,
    /// An absence without a last day is that one day, or its last day is asked for.
    pub single_days: bool,
    /// Blank rows are dropped as the form is read and the others renumbered, so an error's
    /// index is the one the page shows it at again; otherwise rows keep their posted index.
    pub renumber: bool,
    pub slot_rows: Padding,
    pub absence_rows: Padding,
}

/// The coordinator's volunteer form: text inputs (24:00 may be typed too); "without “until”
/// a single day", as its hint says; a refused form comes back renumbered.
pub(crate) const STAFF_FORM: ScheduleForm = ScheduleForm {
    names: Names::Staff,
    time_pickers: false,
    single_days: true,
    renumber: true,
    slot_rows: Padding { extra: 1, min: 2 },
    absence_rows: Padding { extra: 2, min: 3 },
};

/// The volunteer's page on a phone: native time pickers; both days of an absence; rows keep
/// their posted index, so a refused form comes back exactly as typed, "remove" ticks included.
pub(crate) const LINK_FORM: ScheduleForm = ScheduleForm {
    names: Names::Link,
    time_pickers: true,
    single_days: false,
    renumber: false,
    slot_rows: Padding { extra: 1, min: 2 },
    absence_rows: Padding { extra: 2, min: 0 },
};

impl ScheduleForm {
    /// Takes the schedule's pairs out of a posted form; the others come back in their order.
    /// Values are trimmed, so a row of blanks counts as blank.
    pub(crate) fn read(&self, pairs: Vec<(String, String)>) -> (ScheduleRows, Vec<(String, String)>) {
        let mut rows = ScheduleRows::default();
        let mut rest = Vec::new();
        for (key, value) in pairs {
            let Some((row, part)) = self.names.parse(&key) else {
                rest.push((key, value));
                continue;
            };
            let value = value.trim().to_owned();
            match row {
                Row::Slot(day, i) => {
                    let slot = rows.slots[day_index(day)].entry(i).or_default();
                    match part {
                        "start" => slot.start = value,
                        "end" => slot.end = value,
                        _ => {}
                    }
                }
                Row::Absence(i) => {
                    let absence = rows.absences.entry(i).or_default();
                    match part {
                        "from" => absence.from = value,
                        "to" => absence.to = value,
                        "remove" => absence.remove = true,
                        _ => {}
                    }
                }
            }
        }
        if self.renumber {
            rows.slots = rows.slots.map(|day| renumbered(day, TimeRow::is_blank));
            rows.absences = renumbered(rows.absences, DateRow::is_blank);
        }
        (rows, rest)
    }

    /// A stored schedule as rows, each weekday's slots by start time; submitted unchanged
    /// they give the same schedule.
    pub(crate) fn rows_of(&self, availability: &[WeeklySlot], absences: &[DateRange]) -> ScheduleRows {
        let mut rows = ScheduleRows::default();
        let mut sorted = availability.to_vec();
        sorted.sort_by_key(|slot| slot.start_minute);
        for slot in sorted {
            let day = &mut rows.slots[day_index(slot.weekday)];
            // The end of the day shows as 00:00 (see the module).
            let end = if slot.end_minute == 24 * 60 {
                "00:00".to_owned()
            } else {
                hh_mm(slot.end_minute)
            };
            day.insert(
                day.len(),
                TimeRow {
                    start: hh_mm(slot.start_minute),
                    end,
                },
            );
        }
        for (i, range) in absences.iter().enumerate() {
            rows.absences.insert(
                i,
                DateRow {
                    from: range.from.to_string(),
                    to: range.to.to_string(),
                    remove: false,
                },
            );
        }
        rows
    }

    /// The schedule the rows describe, checked by the core's own rules ([`WeeklySlot::parse`],
    /// [`DateRange::new`]), or the first wrong input: slots before absences, a row's first
    /// input before its second.
    pub(crate) fn schedule(&self, rows: &ScheduleRows) -> Result<(Vec<WeeklySlot>, Vec<DateRange>), RowError> {
        let mut availability = Vec::new();
        for (day, slots) in WEEKDAYS.iter().zip(&rows.slots) {
            for (&i, slot) in slots {
                if let Some(slot) = self.slot(*day, i, slot)? {
                    availability.push(slot);
                }
            }
        }
        let mut absences = Vec::new();
        for (&i, absence) in &rows.absences {
            if let Some(range) = self.absence(Row::Absence(i), absence)? {
                absences.push(range);
            }
        }
        Ok((availability, absences))
    }

    fn slot(&self, day: Weekday, i: usize, typed: &TimeRow) -> Result<Option<WeeklySlot>, RowError> {
        let error = |part, problem| RowError {
            row: Row::Slot(day, i),
            part,
            problem,
        };
        if typed.is_blank() {
            return Ok(None);
        }
        if typed.start.is_empty() {
            return Err(error(Part::Start, Problem::Missing));
        }
        let (start, end) = (self.time(&typed.start, false), self.time(&typed.end, true));
        match WeeklySlot::parse(weekday_code(day), &start, &end) {
            Ok(slot) => Ok(Some(slot)),
            // The start is read first: an error about its text is about the start.
            Err(TimeError::TimeOfDay(text)) if text == start => Err(error(
                Part::Start,
                Problem::NotATime {
                    typed: typed.start.clone(),
                    error: TimeError::TimeOfDay(text),
                },
            )),
            Err(TimeError::TimeOfDay(_)) if typed.end.is_empty() => Err(error(Part::End, Problem::Missing)),
            Err(err @ TimeError::TimeOfDay(_)) => Err(error(
                Part::End,
                Problem::NotATime {
                    typed: typed.end.clone(),
                    error: err,
                },
            )),
            Err(err) => Err(error(Part::End, Problem::Order(err))),
        }
    }

    fn absence(&self, row: Row, typed: &DateRow) -> Result<Option<DateRange>, RowError> {
        let error = |part, problem| RowError { row, part, problem };
        if typed.remove || typed.is_blank() {
            return Ok(None);
        }
        if typed.from.is_empty() {
            return Err(error(Part::From, Problem::Missing));
        }
        if typed.to.is_empty() && !self.single_days {
            return Err(error(Part::To, Problem::Missing));
        }
        let date = |part, text: &str| {
            parse_date(text).ok_or_else(|| error(part, Problem::NotADate { typed: text.to_owned() }))
        };
        let first = date(Part::From, &typed.from)?;
        let last = match typed.to.as_str() {
            "" => first,
            text => date(Part::To, text)?,
        };
        DateRange::new(first, last)
            .map(Some)
            .map_err(|err| error(Part::To, Problem::Order(err)))
    }

    /// `9:00` is read as `09:00`; from a time picker `09:00:00` as `09:00`; an end of `00:00`
    /// as the end of the day. Everything else goes to the core's strict `HH:MM`.
    fn time(&self, text: &str, is_end: bool) -> String {
        let text = match self.time_pickers {
            true => text.strip_suffix(":00").filter(|t| t.len() == 5).unwrap_or(text),
            false => text,
        };
        let text = if text.len() == 4 && text.as_bytes()[1] == b':' {
            format!("0{text}")
        } else {
            text.to_owned()
        };
        if is_end && text == "00:00" {
            "24:00".to_owned()
        } else {
            text
        }
    }

    /// The rows as inputs, with the blank rows to add, each marked when `invalid` says the
    /// error concerns its name: the weekdays Monday first, then the absences.
    pub(crate) fn inputs(
        &self,
        rows: &ScheduleRows,
        invalid: impl Fn(&str) -> bool,
    ) -> (Vec<(Weekday, Vec<SlotInputs>)>, Vec<AbsenceInputs>) {
        let input = |row, part, value: &str| Input::new(self.names.field(row, part), value, &invalid);
        let days = WEEKDAYS
            .iter()
            .zip(&rows.slots)
            .map(|(&day, slots)| {
                let shown = self.slot_rows.apply(slots, TimeRow::is_blank);
                let inputs = shown
                    .into_iter()
                    .map(|(i, slot)| SlotInputs {
                        start: input(Row::Slot(day, i), Part::Start, &slot.start),
                        end: input(Row::Slot(day, i), Part::End, &slot.end),
                    })
                    .collect();
                (day, inputs)
            })
            .collect();
        let absences = self
            .absence_rows
            .apply(&rows.absences, DateRow::is_blank)
            .into_iter()
            .map(|(i, absence)| AbsenceInputs {
                from: input(Row::Absence(i), Part::From, &absence.from),
                to: input(Row::Absence(i), Part::To, &absence.to),
                remove: input(Row::Absence(i), Part::Remove, "1"),
                removed: absence.remove,
            })
            .collect();
        (days, absences)
    }
}

fn renumbered<T>(rows: BTreeMap<usize, T>, is_blank: impl Fn(&T) -> bool) -> BTreeMap<usize, T> {
    rows.into_values().filter(|row| !is_blank(row)).enumerate().collect()
}

/// Date inputs send `YYYY-MM-DD`; where a browser shows a text box, people type `21.12.2026`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}

/// Minutes since midnight as `HH:MM`, 24:00 included.
pub(crate) fn hh_mm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests;
