//! A reporting period: whole days in the pool's zone (Europe/Berlin), both ends included, and
//! the month, quarter and year presets the reports page offers.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use lp_core::time::local_to_utc;
use lp_core::validation::FieldError;

/// Longer periods are refused: ten years of a large pool are still one page of figures, more
/// is a mistyped year.
pub const MAX_DAYS: i64 = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// `to` may equal `from` (one day) but not lie before it.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, FieldError> {
        if to < from {
            return Err(FieldError::new("to", "lies before `from`"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(FieldError::new("to", "the period may span at most ten years"));
        }
        Ok(Self { from, to })
    }

    /// From the query parameters `from` and `to`, each `YYYY-MM-DD`; the error names the one
    /// that is missing or wrong.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, FieldError> {
        let day = |field: &str, text: Option<&str>| {
            let text = text.map(str::trim).filter(|t| !t.is_empty());
            let text = text.ok_or_else(|| FieldError::new(field, "is required, as YYYY-MM-DD"))?;
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| FieldError::new(field, format!("`{text}` is not a date YYYY-MM-DD")))
        };
        Self::new(day("from", from)?, day("to", to)?)
    }

    pub fn year(year: i32) -> Option<Self> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1)?;
        Some(Self {
            from,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    pub fn month(year: i32, month: u32) -> Option<Self> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let to = from.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Self { from, to })
    }

    /// Quarter 1 to 4.
    pub fn quarter(year: i32, quarter: u32) -> Option<Self> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
        let to = from.checked_add_months(Months::new(3))?.pred_opt()?;
        Some(Self { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The instants `[start, end)`: local midnight of `from` to local midnight after `to`.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = self.to.checked_add_days(Days::new(1)).unwrap_or(self.to);
        (
            local_to_utc(self.from, NaiveTime::MIN),
            local_to_utc(after, NaiveTime::MIN),
        )
    }

    /// Each calendar month the period touches, as (year, month), in order.
    pub fn months(&self) -> Vec<(i32, u32)> {
        let mut months = Vec::new();
        let mut at = self.from.with_day(1).unwrap_or(self.from);
        while at <= self.to {
            months.push((at.year(), at.month()));
            match at.checked_add_months(Months::new(1)) {
                Some(next) => at = next,
                None => break,
            }
        }
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn parse_names_the_wrong_field() {
        assert_eq!(Period::parse(None, Some("2026-01-31")).unwrap_err().field, "from");
        assert_eq!(
            Period::parse(Some("2026-01-01"), Some("31.01.2026")).unwrap_err().field,
            "to"
        );
        assert_eq!(
            Period::parse(Some("2026-02-01"), Some("2026-01-31")).unwrap_err().field,
            "to"
        );
        let one_day = Period::parse(Some("2026-02-01"), Some("2026-02-01")).unwrap();
        assert_eq!((one_day.from(), one_day.to()), (day("2026-02-01"), day("2026-02-01")));
    }

    #[test]
    fn bounds_are_local_midnights() {
        // Winter time at the start (UTC+1), summer time at the end (UTC+2).
        let period = Period::new(day("2026-01-01"), day("2026-06-30")).unwrap();
        let (start, end) = period.bounds();
        assert_eq!(start, "2025-12-31T23:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(end, "2026-06-30T22:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn presets_cover_whole_months() {
        assert_eq!(Period::month(2028, 2).unwrap().to(), day("2028-02-29"));
        assert_eq!(Period::quarter(2026, 4).unwrap().from(), day("2026-10-01"));
        assert_eq!(Period::quarter(2026, 4).unwrap().to(), day("2026-12-31"));
        assert!(Period::quarter(2026, 5).is_none());
        assert_eq!(Period::year(2026).unwrap().months().len(), 12);
        let spanning = Period::new(day("2026-01-31"), day("2026-03-01")).unwrap();
        assert_eq!(spanning.months(), vec![(2026, 1), (2026, 2), (2026, 3)]);
    }
}
