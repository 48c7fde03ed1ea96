//! Instants as people in the pool read them: local time in Europe/Berlin, spelled out in German
//! and in English. The German names are a small table because chrono formats English only.

use crate::time::POOL_TZ;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

const WEEKDAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// "Donnerstag, 3. Dezember 2026, 10:00 Uhr"
pub fn de(t: &DateTime<Utc>) -> String {
    let local = t.with_timezone(&POOL_TZ);
    format!(
        "{}, {}. {} {}, {} Uhr",
        weekday_de(local.weekday()),
        local.day(),
        MONTHS_DE[local.month0() as usize],
        local.year(),
        local.format("%H:%M")
    )
}

/// "Montag"
/// The month's German name, 1 = "Januar".
pub fn month_de(month: u32) -> &'static str {
    MONTHS_DE[(month.clamp(1, 12) - 1) as usize]
}

/// The month's English name, 1 = "January" (chrono's `%B` spelling).
pub fn month_en(month: u32) -> &'static str {
    const MONTHS_EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    MONTHS_EN[(month.clamp(1, 12) - 1) as usize]
}

pub fn weekday_de(day: Weekday) -> &'static str {
    WEEKDAYS_DE[day.num_days_from_monday() as usize]
}

/// "Monday"
pub fn weekday_en(day: Weekday) -> &'static str {
    WEEKDAYS_EN[day.num_days_from_monday() as usize]
}

/// "Thursday, 3 December 2026, 10:00"
pub fn en(t: &DateTime<Utc>) -> String {
    t.with_timezone(&POOL_TZ).format("%A, %-d %B %Y, %H:%M").to_string()
}

/// "03.12.2026", for subjects.
pub fn date(t: &DateTime<Utc>) -> String {
    t.with_timezone(&POOL_TZ).format("%d.%m.%Y").to_string()
}

/// A day as German readers write it: "03.12.2026".
pub fn day_de(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

/// A day as English readers read it unambiguously: "3 Dec 2026" (never 12/3 or 3/12).
pub fn day_en(day: NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

/// "10:15", the local time of day, for a moment later today.
pub fn clock(t: &DateTime<Utc>) -> String {
    t.with_timezone(&POOL_TZ).format("%H:%M").to_string()
}

/// "03.12.2026, 10:00 Uhr", short for tables and facts.
pub fn short_de(t: &DateTime<Utc>) -> String {
    t.with_timezone(&POOL_TZ).format("%d.%m.%Y, %H:%M Uhr").to_string()
}

/// "3 Dec 2026, 10:00"
pub fn short_en(t: &DateTime<Utc>) -> String {
    t.with_timezone(&POOL_TZ).format("%-d %b %Y, %H:%M").to_string()
}

/// "60 Minuten"
pub fn minutes_de(minutes: &u32) -> String {
    format!("{minutes} Minuten")
}

/// "60 minutes"
pub fn minutes_en(minutes: &u32) -> String {
    format!("{minutes} minutes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_spelled_out_in_berlin_time() {
        // 09:00 UTC is 10:00 in Berlin in winter.
        let t: DateTime<Utc> = "2026-12-03T09:00:00Z".parse().unwrap();
        assert_eq!(de(&t), "Donnerstag, 3. Dezember 2026, 10:00 Uhr");
        assert_eq!(en(&t), "Thursday, 3 December 2026, 10:00");
        assert_eq!(date(&t), "03.12.2026");
        assert_eq!(short_de(&t), "03.12.2026, 10:00 Uhr");
        assert_eq!(short_en(&t), "3 Dec 2026, 10:00");
        let day = t.date_naive();
        assert_eq!(
            (day_de(day), day_en(day)),
            ("03.12.2026".to_owned(), "3 Dec 2026".to_owned())
        );
    }

    #[test]
    fn summer_time_and_umlauts_are_right() {
        // 22:30 UTC on 31 March is already 1 April in Berlin (UTC+2).
        let t: DateTime<Utc> = "2027-03-31T22:30:00Z".parse().unwrap();
        assert_eq!(de(&t), "Donnerstag, 1. April 2027, 00:30 Uhr");
        let march: DateTime<Utc> = "2027-03-01T08:00:00Z".parse().unwrap();
        assert_eq!(de(&march), "Montag, 1. März 2027, 09:00 Uhr");
        assert_eq!(date(&t), "01.04.2027");
    }
}
