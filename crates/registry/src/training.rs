//! Training status, derived from the date of the last basic or refresher training and the
//! validity period in config; never stored, so it cannot go stale.

use chrono::{Months, NaiveDate};
use lp_core::vocab::TrainingStatus;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrainingInfo {
    pub status: TrainingStatus,
    pub completed_on: Option<NaiveDate>,
    /// The last day the training counts.
    pub valid_until: Option<NaiveDate>,
}

pub fn training_info(completed_on: Option<NaiveDate>, today: NaiveDate, validity_months: u32) -> TrainingInfo {
    let Some(completed_on) = completed_on else {
        return TrainingInfo {
            status: TrainingStatus::Untrained,
            completed_on: None,
            valid_until: None,
        };
    };
    let valid_until = completed_on
        .checked_add_months(Months::new(validity_months))
        .unwrap_or(NaiveDate::MAX);
    let status = if completed_on > today {
        // A date in the future is a typo or a plan; it does not count yet.
        TrainingStatus::Untrained
    } else if today <= valid_until {
        TrainingStatus::Trained
    } else {
        TrainingStatus::Expired
    };
    TrainingInfo {
        status,
        completed_on: Some(completed_on),
        valid_until: Some(valid_until),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn training_counts_for_the_validity_period() {
        let info = training_info(Some(day("2026-02-01")), day("2026-11-21"), 24);
        assert_eq!(info.status, TrainingStatus::Trained);
        assert_eq!(info.valid_until, Some(day("2028-02-01")));
        assert_eq!(
            training_info(Some(day("2026-02-01")), day("2028-02-01"), 24).status,
            TrainingStatus::Trained
        );
    }

    #[test]
    fn training_expires_after_the_validity_period() {
        assert_eq!(
            training_info(Some(day("2024-02-01")), day("2026-11-21"), 24).status,
            TrainingStatus::Expired
        );
    }

    #[test]
    fn no_training_is_untrained() {
        assert_eq!(
            training_info(None, day("2026-11-21"), 24).status,
            TrainingStatus::Untrained
        );
        assert_eq!(
            training_info(Some(day("2027-01-01")), day("2026-11-21"), 24).status,
            TrainingStatus::Untrained
        );
    }
}
