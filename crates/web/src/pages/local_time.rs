//! A date input and a time input read as one instant in the pool's zone, and an instant written
//! back into them: the request form and the training form share these.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use lp_core::time::{POOL_TZ, local, local_to_utc};
use lp_core::validation::FieldError;

/// `<input type="date">` sends `YYYY-MM-DD`.
pub(crate) fn parse_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(field, "a date such as 2026-12-03"))
}

/// `<input type="time">` sends `HH:MM`.
pub(crate) fn parse_time(field: &str, text: &str) -> Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| FieldError::new(field, "a time such as 10:00"))
}

/// The instant a local date and time name, with its offset; each input is named by its own
/// field when it does not parse.
pub(crate) fn local_instant(
    date_field: &str,
    date: &str,
    time_field: &str,
    time: &str,
) -> Result<DateTime<FixedOffset>, FieldError> {
    let date = parse_date(date_field, date)?;
    let time = parse_time(time_field, time)?;
    Ok(local(local_to_utc(date, time)))
}

/// The values a date and a time input show for an instant: what [`local_instant`] reads back.
pub(crate) fn inputs_of(at: DateTime<Utc>) -> (String, String) {
    let at = at.with_timezone(&POOL_TZ);
    (at.format("%Y-%m-%d").to_string(), at.format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winter_and_summer_times_round_trip_in_the_pool_zone() {
        for (date, time, utc) in [
            ("2026-12-03", "10:00", "2026-12-03T09:00:00Z"),
            ("2027-07-01", "18:30", "2027-07-01T16:30:00Z"),
        ] {
            let at = local_instant("date", date, "time", time).unwrap();
            assert_eq!(at.to_utc(), utc.parse::<DateTime<Utc>>().unwrap());
            assert_eq!(inputs_of(at.to_utc()), (date.to_owned(), time.to_owned()));
        }
    }

    #[test]
    fn each_input_is_named_by_its_own_field() {
        assert_eq!(local_instant("d", "morgen", "t", "10:00").unwrap_err().field, "d");
        assert_eq!(local_instant("d", "2026-12-03", "t", "10").unwrap_err().field, "t");
    }
}
