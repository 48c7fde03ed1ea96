//! Weekly availability and absences, read in the pool's local time (Europe/Berlin), so an
//! appointment at 09:00 local is judged as 09:00 on both sides of a DST change.

use chrono::{
    DateTime, Datelike, DurationRound, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Volunteers, requests and trainings all live in one German town or district.
pub const POOL_TZ: Tz = chrono_tz::Europe::Berlin;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not a weekday (mon, tue, wed, thu, fri, sat, sun)")]
    Weekday(String),
    #[error("`{0}` is not a time of day in the form HH:MM")]
    TimeOfDay(String),
    #[error("the end {end} is not after the start {start}")]
    EndNotAfterStart { start: String, end: String },
}

/// One recurring window of a week, e.g. Monday 09:00–13:00 local time. Times are minutes
/// since local midnight so that a window can end at 24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawSlot", into = "RawSlot")]
pub struct WeeklySlot {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

/// The wire form `{"weekday": "mon", "start": "09:00", "end": "13:00"}`, which serde reads
/// through [`WeeklySlot::parse`]; the schema describes that form.
impl utoipa::PartialSchema for WeeklySlot {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let time = |example: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))
                .description(Some(
                    "Local time (Europe/Berlin), HH:MM; `24:00` is the end of the day.",
                ))
                .examples([example])
        };
        ObjectBuilder::new()
            .description(Some(
                "A recurring weekly window in local time (Europe/Berlin); `end` is after `start`.",
            ))
            .property(
                "weekday",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(WEEKDAYS.map(weekday_code))),
            )
            .required("weekday")
            .property("start", time("09:00"))
            .required("start")
            .property("end", time("13:00"))
            .required("end")
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for WeeklySlot {}

/// The pool's week, Monday first.
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    weekday: String,
    start: String,
    end: String,
}

impl TryFrom<RawSlot> for WeeklySlot {
    type Error = TimeError;
    fn try_from(raw: RawSlot) -> Result<Self, TimeError> {
        WeeklySlot::parse(&raw.weekday, &raw.start, &raw.end)
    }
}

impl From<WeeklySlot> for RawSlot {
    fn from(slot: WeeklySlot) -> Self {
        RawSlot {
            weekday: weekday_code(slot.weekday).to_owned(),
            start: format_minute(slot.start_minute),
            end: format_minute(slot.end_minute),
        }
    }
}

impl WeeklySlot {
    pub fn parse(weekday: &str, start: &str, end: &str) -> Result<Self, TimeError> {
        let weekday = parse_weekday(weekday)?;
        let start_minute = parse_minute(start)?;
        let end_minute = parse_minute(end)?;
        if end_minute <= start_minute {
            return Err(TimeError::EndNotAfterStart {
                start: start.to_owned(),
                end: end.to_owned(),
            });
        }
        Ok(Self {
            weekday,
            start_minute,
            end_minute,
        })
    }
}

/// `HH:MM` as minutes since midnight; `24:00` is the end of the day.
fn parse_minute(text: &str) -> Result<u16, TimeError> {
    if text == "24:00" {
        return Ok(24 * 60);
    }
    parse_time_of_day(text).map(|t| minute_of_day(t) as u16)
}

fn format_minute(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

pub fn parse_weekday(text: &str) -> Result<Weekday, TimeError> {
    Ok(match text {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return Err(TimeError::Weekday(text.to_owned())),
    })
}

pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

pub fn parse_time_of_day(text: &str) -> Result<NaiveTime, TimeError> {
    let valid = text.len() == 5 && text.as_bytes()[2] == b':';
    valid
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| TimeError::TimeOfDay(text.to_owned()))
}

/// An absence, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawRange")]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl TryFrom<RawRange> for DateRange {
    type Error = TimeError;
    fn try_from(raw: RawRange) -> Result<Self, TimeError> {
        DateRange::new(raw.from, raw.to)
    }
}

impl DateRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, TimeError> {
        if to < from {
            return Err(TimeError::EndNotAfterStart {
                start: from.to_string(),
                end: to.to_string(),
            });
        }
        Ok(Self { from, to })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Whether any local day of the interval `[start, end)` falls into this range.
    pub fn overlaps_local(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let first = start.with_timezone(&POOL_TZ).date_naive();
        let last = last_local_day(start, end);
        first <= self.to && self.from <= last
    }
}

/// The local day of the last instant of `[start, end)`.
pub fn last_local_day(start: DateTime<Utc>, end: DateTime<Utc>) -> NaiveDate {
    // An appointment ending exactly at midnight does not touch the next day.
    let probe = if end > start {
        end - chrono::Duration::nanoseconds(1)
    } else {
        start
    };
    probe.with_timezone(&POOL_TZ).date_naive()
}

/// Minutes since local midnight.
fn minute_of_day(time: NaiveTime) -> u32 {
    time.hour() * 60 + time.minute()
}

/// Whether the weekly slots cover every wall-clock minute that `[start, end)` actually spans
/// in the pool's zone. Adjacent or overlapping slots of one weekday join, so 09:00–12:00 and
/// 12:00–15:00 cover 11:00–13:00. An appointment over midnight needs both days covered to the
/// day's edge. On the spring change day the skipped hour is not needed (no minute of the
/// appointment falls into it); on the autumn one the repeated hour is needed once, however
/// often the appointment passes through it. An empty interval is covered by nothing.
pub fn slots_cover(slots: &[WeeklySlot], start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    end > start
        && local_spans(start, end)
            .iter()
            .all(|span| day_covered(slots, span.day.weekday(), span.from_minute, span.to_minute))
}

/// A stretch of one local day's wall clock, in minutes since local midnight: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalSpan {
    pub day: NaiveDate,
    pub from_minute: u32,
    pub to_minute: u32,
}

/// The wall-clock minutes that `[start, end)` spans in the pool's zone, day by day, in the
/// order they are lived; seconds are cut off both ends, as availability is kept in minutes.
///
/// Read in real time, not from the local start to the local end: on the autumn change night
/// 02:30 CEST + 45 minutes ends at 02:15 CET, and the appointment spans 02:30–03:00 and then
/// 02:00–02:15 (two spans of one day); in spring 01:30 CET + 60 minutes spans 01:30–02:00 and
/// 03:00–03:30, never the skipped hour. Empty for an empty interval.
pub fn local_spans(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<LocalSpan> {
    let mut spans = Vec::new();
    if end <= start {
        return spans;
    }
    // Cut the interval where the zone's offset changes; between the cuts local time runs
    // straight. Offsets at both ends equal and less than a month apart means no change in
    // between (Berlin's changes are months apart). Otherwise look at every whole UTC hour,
    // where the pool's zone changes its offset.
    let offset = |at: DateTime<Utc>| POOL_TZ.offset_from_utc_datetime(&at.naive_utc()).fix();
    let mut piece_start = start;
    let mut piece_offset = offset(start);
    if offset(end) != piece_offset || end - start >= chrono::Duration::days(30) {
        let hour = chrono::Duration::hours(1);
        let mut cut = start.duration_trunc(hour).expect("hour in range") + hour;
        while cut < end {
            let at_cut = offset(cut);
            if at_cut != piece_offset {
                push_local_spans(&mut spans, piece_start, cut, piece_offset);
                (piece_start, piece_offset) = (cut, at_cut);
            }
            cut += hour;
        }
    }
    push_local_spans(&mut spans, piece_start, end, piece_offset);
    spans
}

/// The spans of `[start, end)`, throughout which the zone's offset is `offset`.
fn push_local_spans(spans: &mut Vec<LocalSpan>, start: DateTime<Utc>, end: DateTime<Utc>, offset: FixedOffset) {
    let local_start = start.with_timezone(&offset).naive_local();
    let local_end = end.with_timezone(&offset).naive_local();
    let mut day = local_start.date();
    while day <= local_end.date() {
        let from_minute = if day == local_start.date() {
            minute_of_day(local_start.time())
        } else {
            0
        };
        let to_minute = if day == local_end.date() {
            minute_of_day(local_end.time())
        } else {
            24 * 60
        };
        if from_minute < to_minute {
            spans.push(LocalSpan {
                day,
                from_minute,
                to_minute,
            });
        }
        day = day.succ_opt().expect("date in range");
    }
}

fn day_covered(slots: &[WeeklySlot], weekday: Weekday, from: u32, to: u32) -> bool {
    let mut windows: Vec<(u32, u32)> = slots
        .iter()
        .filter(|slot| slot.weekday == weekday)
        .map(|slot| (u32::from(slot.start_minute), u32::from(slot.end_minute)))
        .collect();
    windows.sort_unstable();
    let mut reached = from;
    for (start, end) in windows {
        if start > reached {
            break;
        }
        reached = reached.max(end);
        if reached >= to {
            return true;
        }
    }
    reached >= to
}

/// A local date and time in the pool's zone, as an instant. A time skipped by the spring DST
/// change resolves to the instant after the gap; an ambiguous autumn time to the earlier one.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match POOL_TZ.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = naive + chrono::Duration::hours(1);
            POOL_TZ
                .from_local_datetime(&later)
                .earliest()
                .expect("one hour after a DST gap exists")
                .with_timezone(&Utc)
        }
    }
}

/// An instant as the pool's wall clock shows it, with its UTC offset: how the API prints times.
pub fn local(at: DateTime<Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    at.with_timezone(&POOL_TZ).fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(day: &str, start: &str, end: &str) -> WeeklySlot {
        WeeklySlot::parse(day, start, end).unwrap()
    }

    fn local(date: &str, time: &str) -> DateTime<Utc> {
        local_to_utc(date.parse().unwrap(), parse_time_of_day(time).unwrap())
    }

    #[test]
    fn slot_must_end_after_it_starts() {
        assert!(matches!(
            WeeklySlot::parse("mon", "13:00", "09:00"),
            Err(TimeError::EndNotAfterStart { .. })
        ));
        assert!(matches!(
            WeeklySlot::parse("monday", "09:00", "13:00"),
            Err(TimeError::Weekday(_))
        ));
        assert!(matches!(
            WeeklySlot::parse("mon", "9", "13:00"),
            Err(TimeError::TimeOfDay(_))
        ));
    }

    #[test]
    fn appointment_inside_a_slot_is_covered() {
        let slots = [slot("thu", "09:00", "13:00")];
        // 2026-12-03 is a Thursday.
        assert!(slots_cover(
            &slots,
            local("2026-12-03", "10:00"),
            local("2026-12-03", "11:00")
        ));
        assert!(slots_cover(
            &slots,
            local("2026-12-03", "09:00"),
            local("2026-12-03", "13:00")
        ));
        assert!(!slots_cover(
            &slots,
            local("2026-12-03", "12:30"),
            local("2026-12-03", "13:30")
        ));
        assert!(!slots_cover(
            &slots,
            local("2026-12-04", "10:00"),
            local("2026-12-04", "11:00")
        ));
    }

    #[test]
    fn adjacent_slots_join() {
        let slots = [slot("mon", "12:00", "15:00"), slot("mon", "09:00", "12:00")];
        assert!(slots_cover(
            &slots,
            local("2026-11-23", "11:00"),
            local("2026-11-23", "13:00")
        ));
    }

    #[test]
    fn wall_clock_holds_across_spring_dst_change() {
        // 2027-03-28 is the last Sunday of March: clocks go from 02:00 to 03:00.
        let slots = [slot("sun", "09:00", "12:00"), slot("mon", "09:00", "12:00")];
        assert!(slots_cover(
            &slots,
            local("2027-03-28", "09:00"),
            local("2027-03-28", "12:00")
        ));
        assert!(slots_cover(
            &slots,
            local("2027-03-29", "09:00"),
            local("2027-03-29", "12:00")
        ));
        // The UTC hours differ by one across the change, the local hours do not.
        assert_eq!(local("2027-03-27", "09:00").hour(), 8);
        assert_eq!(local("2027-03-29", "09:00").hour(), 7);
    }

    #[test]
    fn wall_clock_holds_across_autumn_dst_change() {
        // 2026-10-25 is the last Sunday of October: 03:00 goes back to 02:00.
        let slots = [slot("sun", "01:00", "04:00")];
        let start = local("2026-10-25", "01:30");
        // Three hours of real time end at 03:30 local: inside the slot.
        assert!(slots_cover(&slots, start, start + chrono::Duration::hours(3)));
        // Four hours end at 04:30 local: outside it.
        assert!(!slots_cover(&slots, start, start + chrono::Duration::hours(4)));
    }

    /// The last Sundays of March (02:00 CET → 03:00 CEST) and October (03:00 CEST → 02:00 CET).
    const SPRING: [&str; 2] = ["2026-03-29", "2027-03-28"];
    const AUTUMN: [&str; 2] = ["2026-10-25", "2027-10-31"];

    #[test]
    fn autumn_appointment_ending_before_it_starts_on_the_clock_needs_both_stretches() {
        for day in AUTUMN {
            // 02:30 CEST (the first 02:30) + 45 min = 02:15 CET.
            let start = local(day, "02:30");
            let end = start + chrono::Duration::minutes(45);
            assert_eq!(end.with_timezone(&POOL_TZ).format("%H:%M %Z").to_string(), "02:15 CET");
            assert!(!slots_cover(&[], start, end), "{day}: covered by no slots");
            assert!(!slots_cover(&[slot("sun", "02:30", "03:00")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "02:00", "02:15")], start, end), "{day}");
            assert!(slots_cover(&[slot("sun", "02:00", "03:00")], start, end), "{day}");
            assert!(
                slots_cover(
                    &[slot("sun", "02:00", "02:15"), slot("sun", "02:30", "03:00")],
                    start,
                    end
                ),
                "{day}"
            );
            let day = day.parse().unwrap();
            let span = |from_minute, to_minute| LocalSpan {
                day,
                from_minute,
                to_minute,
            };
            assert_eq!(local_spans(start, end), [span(150, 180), span(120, 135)]);
        }
    }

    #[test]
    fn autumn_appointment_across_the_change_needs_the_repeated_hour_once() {
        for day in AUTUMN {
            // 01:30 CEST to 03:30 CET: three hours of real time, two hours on the clock.
            let (start, end) = (local(day, "01:30"), local(day, "03:30"));
            assert_eq!(end - start, chrono::Duration::hours(3));
            assert!(slots_cover(&[slot("sun", "01:30", "03:30")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "01:30", "03:00")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "02:00", "03:30")], start, end), "{day}");
            let weekday_before = [slot("sat", "00:00", "24:00")];
            assert!(!slots_cover(&weekday_before, start, end), "{day}");
        }
    }

    #[test]
    fn spring_appointment_across_the_change_does_not_need_the_skipped_hour() {
        for day in SPRING {
            // 01:30 CET to 03:30 CEST: one hour of real time.
            let (start, end) = (local(day, "01:30"), local(day, "03:30"));
            assert_eq!(end - start, chrono::Duration::hours(1));
            let around_the_gap = [slot("sun", "01:00", "02:00"), slot("sun", "03:00", "04:00")];
            assert!(slots_cover(&around_the_gap, start, end), "{day}");
            assert!(slots_cover(&[slot("sun", "01:30", "03:30")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "01:30", "02:00")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "03:00", "03:30")], start, end), "{day}");
            assert!(!slots_cover(&[slot("sun", "01:45", "04:00")], start, end), "{day}");
            let day = day.parse().unwrap();
            let span = |from_minute, to_minute| LocalSpan {
                day,
                from_minute,
                to_minute,
            };
            assert_eq!(local_spans(start, end), [span(90, 120), span(180, 210)]);
        }
    }

    #[test]
    fn change_days_read_like_any_other_day_away_from_the_night() {
        for day in SPRING.into_iter().chain(AUTUMN) {
            let slots = [slot("sun", "09:00", "12:00")];
            assert!(slots_cover(&slots, local(day, "09:00"), local(day, "12:00")), "{day}");
            assert!(!slots_cover(&slots, local(day, "11:30"), local(day, "12:30")), "{day}");
        }
    }

    #[test]
    fn long_interval_over_a_change_spans_every_day() {
        // Saturday before the autumn change to Tuesday after, each day in one piece but Sunday.
        let spans = local_spans(local("2026-10-24", "12:00"), local("2026-10-27", "12:00"));
        let days: Vec<String> = spans
            .iter()
            .map(|s| format!("{} {}-{}", s.day, s.from_minute, s.to_minute))
            .collect();
        assert_eq!(
            days,
            [
                "2026-10-24 720-1440",
                "2026-10-25 0-180",
                "2026-10-25 120-1440",
                "2026-10-26 0-1440",
                "2026-10-27 0-720"
            ]
        );
    }

    #[test]
    fn appointment_over_midnight_needs_both_days() {
        let friday_night = [slot("fri", "20:00", "24:00")];
        let (start, end) = (local("2026-11-27", "23:00"), local("2026-11-28", "01:00"));
        assert!(!slots_cover(&friday_night, start, end));
        let both = [slot("fri", "20:00", "24:00"), slot("sat", "00:00", "02:00")];
        assert!(slots_cover(&both, start, end));
        assert!(slots_cover(
            &friday_night,
            local("2026-11-27", "23:00"),
            local("2026-11-28", "00:00")
        ));
    }

    #[test]
    fn slot_serialises_as_spec_shape() {
        let json = serde_json::to_value(slot("mon", "09:00", "24:00")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"weekday": "mon", "start": "09:00", "end": "24:00"})
        );
    }

    #[test]
    fn absence_covers_its_last_day() {
        let range = DateRange::new("2026-12-21".parse().unwrap(), "2027-01-06".parse().unwrap()).unwrap();
        assert!(range.overlaps_local(local("2027-01-06", "10:00"), local("2027-01-06", "11:00")));
        assert!(!range.overlaps_local(local("2027-01-07", "10:00"), local("2027-01-07", "11:00")));
        assert!(DateRange::new("2026-12-21".parse().unwrap(), "2026-12-20".parse().unwrap()).is_err());
    }
}
