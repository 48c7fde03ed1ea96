//! The rules behind every figure, each in one place, over plain request facts and without I/O:
//! what counts as filled and as unmet, the fill rate, the percentiles of time to fill, and
//! which minutes count as a volunteer's hours.

use lp_core::vocab::RequestStatus;
use lp_requests::facts::RequestFact;
use serde::Serialize;
use uuid::Uuid;

/// How a request ended, as the fill rate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Someone took it: assigned, completed, or cancelled by the caseworker after someone had
    /// accepted (the pool did its part; the appointment fell away).
    Filled,
    /// The deadline passed with nobody.
    Unfilled,
    /// Cancelled before anyone ever accepted: counted as demand the pool did not meet, since a
    /// caseworker who finds no interpreter in time cancels and arranges something else.
    CancelledWithoutInterpreter,
    /// Still open: not yet decided, so in no rate.
    Pending,
}

pub fn outcome(fact: &RequestFact) -> Outcome {
    match fact.status {
        RequestStatus::Assigned | RequestStatus::Completed => Outcome::Filled,
        RequestStatus::Cancelled if fact.ever_assigned => Outcome::Filled,
        RequestStatus::Cancelled => Outcome::CancelledWithoutInterpreter,
        RequestStatus::Unfilled => Outcome::Unfilled,
        RequestStatus::Open => Outcome::Pending,
    }
}

/// No volunteer met the hard rules when it was filed, nor at any later wave: not one offer
/// went out. Overlaps with [`Outcome::Unfilled`] and [`Outcome::CancelledWithoutInterpreter`];
/// it tells where the pool lacks people rather than answers.
pub fn no_one_eligible(fact: &RequestFact) -> bool {
    fact.offers_sent == 0 && !fact.ever_assigned
}

/// Filled among the decided requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FillRate {
    pub filled: u32,
    /// Filled, unfilled and cancelled without an interpreter; open requests wait.
    pub decided: u32,
}

impl FillRate {
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a RequestFact>) -> Self {
        let mut rate = FillRate::default();
        for fact in facts {
            rate.add(outcome(fact));
        }
        rate
    }

    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Filled => {
                self.filled += 1;
                self.decided += 1;
            }
            Outcome::Unfilled | Outcome::CancelledWithoutInterpreter => self.decided += 1,
            Outcome::Pending => {}
        }
    }

    /// A share in [0, 1]; none while nothing is decided.
    pub fn rate(&self) -> Option<f64> {
        (self.decided > 0).then(|| f64::from(self.filled) / f64::from(self.decided))
    }
}

/// From filing to the acceptance that holds, in minutes; for requests someone holds or held
/// at the end (a job given back and taken again counts to the second acceptance).
pub fn minutes_to_fill(fact: &RequestFact) -> Option<i64> {
    fact.assigned_at.map(|at| (at - fact.created_at).num_minutes().max(0))
}

/// The `p`-quantile (0 ≤ p ≤ 1) of ascending `sorted` values, interpolated between the two
/// nearest ranks as Excel's PERZENTIL.INKL / PERCENTILE.INC does, so a reader of the exported
/// table can check it; the median is the 0.5-quantile.
pub fn quantile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = p.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    let value = sorted[below] as f64 + (sorted[above] - sorted[below]) as f64 * fraction;
    // To a tenth of a minute: interpolation leaves float noise (111.79999...) no reader wants.
    Some((value * 10.0).round() / 10.0)
}

/// Upper bounds (exclusive, minutes) of the time-to-fill bands the chart and table show; the
/// last band is open-ended.
pub const FILL_BANDS: [i64; 4] = [60, 4 * 60, 24 * 60, 3 * 24 * 60];

/// Which band of [`FILL_BANDS`] a time to fill falls in (0..=4).
pub fn fill_band(minutes: i64) -> usize {
    FILL_BANDS.iter().take_while(|&&bound| minutes >= bound).count()
}

/// The minutes a volunteer interpreted on this request: those the caseworker confirmed at
/// completion. Nothing else counts as hours (an assignment not yet confirmed has no minutes).
pub fn served(fact: &RequestFact) -> Option<(Uuid, u32)> {
    match (fact.status, fact.assignee_id, fact.actual_minutes) {
        (RequestStatus::Completed, Some(volunteer), Some(minutes)) => Some((volunteer, minutes)),
        _ => None,
    }
}

/// Minutes as hours with one decimal, for display and export.
pub fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 6.0).round() / 10.0
}

/// A fact for the tests of this crate: a request filed at `created_at` in `status`.
#[cfg(test)]
pub(crate) fn fact(status: RequestStatus, created_at: chrono::DateTime<chrono::Utc>) -> RequestFact {
    RequestFact {
        id: Uuid::new_v4(),
        organisation_id: Uuid::from_u128(1),
        language: lp_core::LanguageCode::parse("ara").unwrap(),
        status,
        setting: lp_core::vocab::Setting::Authority,
        mode: lp_core::vocab::Mode::OnSite,
        created_at,
        starts_at: created_at + chrono::Duration::days(7),
        assigned_at: None,
        completed_at: None,
        actual_minutes: None,
        assignee_id: None,
        cancelled_at: None,
        ever_assigned: matches!(status, RequestStatus::Assigned | RequestStatus::Completed),
        offers_sent: 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};

    fn t0() -> DateTime<Utc> {
        "2026-03-02T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn cancelled_counts_as_filled_only_when_someone_had_accepted() {
        let mut taken_then_cancelled = fact(RequestStatus::Cancelled, t0());
        taken_then_cancelled.ever_assigned = true;
        let never_taken = fact(RequestStatus::Cancelled, t0());
        assert_eq!(outcome(&taken_then_cancelled), Outcome::Filled);
        assert_eq!(outcome(&never_taken), Outcome::CancelledWithoutInterpreter);
    }

    #[test]
    fn fill_rate_leaves_open_requests_out() {
        let facts = [
            fact(RequestStatus::Completed, t0()),
            fact(RequestStatus::Assigned, t0()),
            fact(RequestStatus::Unfilled, t0()),
            fact(RequestStatus::Cancelled, t0()),
            fact(RequestStatus::Open, t0()),
        ];
        let rate = FillRate::of(&facts);
        assert_eq!((rate.filled, rate.decided), (2, 4));
        assert_eq!(rate.rate(), Some(0.5));
        assert_eq!(FillRate::of(&[fact(RequestStatus::Open, t0())]).rate(), None);
    }

    #[test]
    fn quantiles_interpolate_like_excel() {
        // PERZENTIL.INKL({10;20;30;40}; 0,5) = 25 and (…; 0,9) = 37.
        let values = [10, 20, 30, 40];
        assert_eq!(quantile(&values, 0.5), Some(25.0));
        assert!((quantile(&values, 0.9).unwrap() - 37.0).abs() < 1e-9);
        assert_eq!(quantile(&[42], 0.9), Some(42.0));
        assert_eq!(quantile(&[], 0.5), None);
        // Odd count: the middle value.
        assert_eq!(quantile(&[5, 60, 600], 0.5), Some(60.0));
    }

    #[test]
    fn time_to_fill_runs_from_filing_to_the_holding_acceptance() {
        let mut filled = fact(RequestStatus::Assigned, t0());
        filled.assigned_at = Some(t0() + Duration::minutes(95));
        assert_eq!(minutes_to_fill(&filled), Some(95));
        assert_eq!(minutes_to_fill(&fact(RequestStatus::Unfilled, t0())), None);
    }

    #[test]
    fn bands_have_exclusive_upper_bounds() {
        assert_eq!(fill_band(0), 0);
        assert_eq!(fill_band(59), 0);
        assert_eq!(fill_band(60), 1);
        assert_eq!(fill_band(24 * 60 - 1), 2);
        assert_eq!(fill_band(3 * 24 * 60), 4);
    }

    #[test]
    fn only_confirmed_minutes_are_hours() {
        let volunteer = Uuid::from_u128(9);
        let mut completed = fact(RequestStatus::Completed, t0());
        completed.assignee_id = Some(volunteer);
        completed.actual_minutes = Some(75);
        let mut awaiting = fact(RequestStatus::Assigned, t0());
        awaiting.assignee_id = Some(volunteer);
        assert_eq!(served(&completed), Some((volunteer, 75)));
        assert_eq!(served(&awaiting), None);
        assert_eq!(hours(75), 1.3);
        assert_eq!(hours(90), 1.5);
    }

    #[test]
    fn no_offer_means_no_one_was_eligible() {
        let mut nobody = fact(RequestStatus::Unfilled, t0());
        nobody.offers_sent = 0;
        assert!(no_one_eligible(&nobody));
        assert!(!no_one_eligible(&fact(RequestStatus::Unfilled, t0())));
    }
}
