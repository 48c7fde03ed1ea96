//! The offer cascade's timing: how many offers a wave sends and how long the search waits
//! for an answer before the next wave. Pure, so the service and `simulate` share it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeConfig {
    /// Offers per wave.
    pub wave_size: u32,
    /// Wait for an answer before the next wave, when the deadline is far.
    pub wave_interval_minutes: u32,
}

impl Default for CascadeConfig {
    fn default() -> Self {
        Self {
            wave_size: 3,
            wave_interval_minutes: 60,
        }
    }
}

/// When no `fill_by` is given, the search ends this long before the appointment.
const DEFAULT_FILL_BY_LEAD: Duration = Duration::hours(2);

/// The search's deadline when the caseworker names none: two hours before the appointment,
/// but never before half-way from filing to the appointment, so a short-notice request still
/// gets a search.
pub fn default_fill_by(filed_at: DateTime<Utc>, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    (starts_at - DEFAULT_FILL_BY_LEAD).max(filed_at + (starts_at - filed_at) / 2)
}

/// Never wait less than this for an answer: people need a moment to read a mail.
pub const MIN_WAVE_INTERVAL: Duration = Duration::minutes(5);

/// The waves left before the deadline should be at least this many, so a request that comes
/// in late still reaches several groups of candidates.
const WAVES_BEFORE_DEADLINE: i32 = 4;

/// How long to wait for an answer to the wave sent at `now`: the configured interval, shrunk
/// so that at least four waves fit before `fill_by`, but never under five minutes.
pub fn wave_interval(now: DateTime<Utc>, fill_by: DateTime<Utc>, config: &CascadeConfig) -> Duration {
    let configured = Duration::minutes(i64::from(config.wave_interval_minutes.max(1)));
    let left = fill_by - now;
    (left / WAVES_BEFORE_DEADLINE).clamp(MIN_WAVE_INTERVAL, configured.max(MIN_WAVE_INTERVAL))
}

/// Offers in a wave. Constant: a shorter interval, not a bigger wave, answers urgency, so
/// volunteers are not mailed for jobs others have long taken.
pub fn wave_size(config: &CascadeConfig) -> usize {
    config.wave_size.max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn far_deadline_waits_the_configured_interval() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-12-01T10:00:00Z"), &config);
        assert_eq!(interval, Duration::minutes(60));
    }

    #[test]
    fn interval_shrinks_as_the_deadline_nears() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T12:00:00Z"), &config);
        assert_eq!(interval, Duration::minutes(30));
    }

    #[test]
    fn interval_never_drops_under_five_minutes() {
        let config = CascadeConfig::default();
        let interval = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T10:08:00Z"), &config);
        assert_eq!(interval, MIN_WAVE_INTERVAL);
        let past = wave_interval(at("2026-11-21T10:00:00Z"), at("2026-11-21T09:00:00Z"), &config);
        assert_eq!(past, MIN_WAVE_INTERVAL);
    }
}
