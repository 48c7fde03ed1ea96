//! The optional expense allowance (Aufwandsentschädigung): a fixed amount per completed
//! assignment, or per started block of actual minutes, paid out once a year.

use serde::Serialize;

/// How much one completed assignment earns. Off unless configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Allowance {
    /// Per assignment, or per started block when `per_started_minutes` is set.
    pub cents: u32,
    /// When set, the amount is paid for every started block of this many actual minutes
    /// (1200 cents per started 90 minutes: 90 minutes earn 12 €, 91 minutes 24 €).
    pub per_started_minutes: Option<u32>,
}

/// A block length of zero minutes would divide by zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("allowance.per_started_minutes must be at least 1")]
pub struct ZeroMinutes;

impl Allowance {
    pub fn new(cents: u32, per_started_minutes: Option<u32>) -> Result<Self, ZeroMinutes> {
        if per_started_minutes == Some(0) {
            return Err(ZeroMinutes);
        }
        Ok(Self {
            cents,
            per_started_minutes,
        })
    }

    /// The amount for one completed assignment of `actual_minutes`, in cents.
    pub fn for_assignment(&self, actual_minutes: u32) -> u64 {
        let units = match self.per_started_minutes {
            Some(block) => actual_minutes.div_ceil(block),
            None => 1,
        };
        u64::from(self.cents) * u64::from(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_assignment_ignores_the_minutes() {
        let flat = Allowance::new(1500, None).unwrap();
        assert_eq!(flat.for_assignment(30), 1500);
        assert_eq!(flat.for_assignment(240), 1500);
    }

    #[test]
    fn every_started_block_is_paid() {
        let blocks = Allowance::new(1200, Some(90)).unwrap();
        assert_eq!(blocks.for_assignment(1), 1200);
        assert_eq!(blocks.for_assignment(90), 1200);
        assert_eq!(blocks.for_assignment(91), 2400);
        assert_eq!(blocks.for_assignment(180), 2400);
        assert_eq!(blocks.for_assignment(181), 3600);
    }

    #[test]
    fn a_zero_block_is_refused() {
        assert_eq!(Allowance::new(1200, Some(0)), Err(ZeroMinutes));
    }
}
