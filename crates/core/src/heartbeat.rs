//! Whether a background worker of this process still makes progress: the worker beats after
//! each pass (and each job), readiness asks how long ago the last beat was.
//!
//! Monotonic process time, not the injected [`Clock`](crate::Clock): it measures this
//! process's own loop, which a wall-clock jump must neither hide nor fake. Several instances
//! on one database each watch their own workers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// No worker counts as stuck sooner than this, however short its interval: a pass may meet a
/// slow database or SMTP server without the instance leaving the load balancer.
pub const MIN_STUCK_AFTER: Duration = Duration::from_secs(60);

/// How many of its intervals a worker may miss before it counts as stuck.
const MISSED_INTERVALS: u32 = 5;

#[derive(Debug)]
pub struct Heartbeat {
    name: &'static str,
    stuck_after: Duration,
    origin: Instant,
    /// Nanoseconds from `origin` to the last beat.
    last_beat: AtomicU64,
}

impl Heartbeat {
    /// A worker that should beat at least every `interval`: stuck after five intervals
    /// without a beat, and never sooner than [`MIN_STUCK_AFTER`]. Creation counts as a beat,
    /// so a worker that never finishes its first pass turns stuck too.
    pub fn new(name: &'static str, interval: Duration) -> Self {
        let stuck_after = interval.saturating_mul(MISSED_INTERVALS).max(MIN_STUCK_AFTER);
        Self::stuck_after(name, stuck_after)
    }

    /// A heartbeat that is stuck after exactly `stuck_after` without a beat.
    pub fn stuck_after(name: &'static str, stuck_after: Duration) -> Self {
        Self {
            name,
            stuck_after,
            origin: Instant::now(),
            last_beat: AtomicU64::new(0),
        }
    }

    /// The worker made progress.
    pub fn beat(&self) {
        let nanos = u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_beat.fetch_max(nanos, Ordering::Relaxed);
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn stuck_limit(&self) -> Duration {
        self.stuck_after
    }

    pub fn since_last_beat(&self) -> Duration {
        self.since_last_beat_at(Instant::now())
    }

    pub fn is_stuck(&self) -> bool {
        self.since_last_beat() > self.stuck_after
    }

    fn since_last_beat_at(&self, now: Instant) -> Duration {
        let last = Duration::from_nanos(self.last_beat.load(Ordering::Relaxed));
        now.saturating_duration_since(self.origin).saturating_sub(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_intervals_with_a_floor_of_a_minute() {
        let cascade = Heartbeat::new("cascade", Duration::from_secs(30));
        assert_eq!(cascade.stuck_limit(), Duration::from_secs(150));
        let mail = Heartbeat::new("mail", Duration::from_millis(500));
        assert_eq!(mail.stuck_limit(), MIN_STUCK_AFTER);
        assert_eq!(mail.name(), "mail");
    }

    #[test]
    fn a_fresh_heartbeat_is_alive() {
        let heartbeat = Heartbeat::new("mail", Duration::from_millis(500));
        assert!(!heartbeat.is_stuck());
        assert!(heartbeat.since_last_beat() < MIN_STUCK_AFTER);
    }

    #[test]
    fn without_beats_it_turns_stuck_and_a_beat_revives_it() {
        let heartbeat = Heartbeat::new("cascade", Duration::from_secs(30));
        let later = |seconds| Instant::now() + Duration::from_secs(seconds);
        assert!(heartbeat.since_last_beat_at(later(149)) < heartbeat.stuck_limit());
        assert!(heartbeat.since_last_beat_at(later(151)) > heartbeat.stuck_limit());
        std::thread::sleep(Duration::from_millis(10));
        let then = later(151);
        let before = heartbeat.since_last_beat_at(then);
        heartbeat.beat();
        assert!(heartbeat.since_last_beat_at(then) <= before - Duration::from_millis(10));
    }

    #[test]
    fn a_zero_limit_is_stuck_as_soon_as_time_passes() {
        let heartbeat = Heartbeat::stuck_after("mail", Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        assert!(heartbeat.is_stuck());
    }
}
