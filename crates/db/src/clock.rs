//! The database's clock for every instance: leases and due times are written by one instance
//! and compared by another, so they must be read off one clock. Asking the database at every
//! use would cost a round trip per request; instead each instance measures how far its own
//! clock is from the database's (at start and then every minute) and adds that offset.

use chrono::{DateTime, Duration, Utc};
use lp_core::Clock;
use sea_orm::{ConnectionTrait, DbErr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// How often an instance measures its distance from the database's clock again.
pub const RESYNC: std::time::Duration = std::time::Duration::from_secs(60);

/// This instance's clock, moved onto the database's.
pub struct DatabaseClock {
    local: Arc<dyn Clock>,
    /// Database time minus local time, in microseconds.
    offset_micros: AtomicI64,
}

impl DatabaseClock {
    /// Starts at offset zero; call [`sync`](Self::sync) before relying on it.
    pub fn new(local: Arc<dyn Clock>) -> Self {
        Self {
            local,
            offset_micros: AtomicI64::new(0),
        }
    }

    /// Measures the offset: the database's time against the middle of the local times read
    /// just before and after asking, so the round trip does not count as skew. The offset
    /// it set.
    pub async fn sync(&self, db: &impl ConnectionTrait) -> Result<Duration, DbErr> {
        let before = self.local.now();
        let database = crate::database_now(db).await?;
        let after = self.local.now();
        let middle = before + (after - before) / 2;
        let offset = database - middle;
        self.offset_micros
            .store(offset.num_microseconds().unwrap_or(0), Ordering::Relaxed);
        Ok(offset)
    }

    pub fn offset(&self) -> Duration {
        Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }
}

impl Clock for DatabaseClock {
    fn now(&self) -> DateTime<Utc> {
        self.local.now() + self.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_core::clock::ManualClock;

    #[test]
    fn the_offset_moves_every_reading() {
        let local = Arc::new(ManualClock::new("2026-12-05T10:00:00Z".parse().unwrap()));
        let clock = DatabaseClock::new(local.clone());
        assert_eq!(clock.now(), local.now());
        clock
            .offset_micros
            .store(Duration::minutes(-7).num_microseconds().unwrap(), Ordering::Relaxed);
        assert_eq!(clock.now(), local.now() - Duration::minutes(7));
        local.advance(Duration::seconds(30));
        assert_eq!(clock.now(), "2026-12-05T09:53:30Z".parse::<DateTime<Utc>>().unwrap());
    }
}
