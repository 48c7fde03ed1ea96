//! Who needs training, per language: how many active volunteers speak it, how many of them are
//! untrained and how many lose their training within 90 days, next to how many requests of
//! that language came in recently, so the next basic course goes where the pool is thin.

use crate::TrainingError;
use chrono::{DateTime, Duration, Utc};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::time::POOL_TZ;
use lp_core::vocab::{TrainingStatus, VolunteerStatus};
use lp_registry::volunteers;
use serde::Serialize;
use std::collections::BTreeMap;

/// "Expire soon" looks this far ahead.
pub const EXPIRING_WITHIN_DAYS: i64 = 90;
/// Demand is counted over this window (the caller's query uses it too).
pub const DEMAND_WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LanguageNeed {
    pub language: LanguageCode,
    pub language_de: &'static str,
    pub language_en: &'static str,
    /// Active volunteers who speak it (at any level).
    pub active: u32,
    /// Of those, without a valid training (untrained or expired).
    pub untrained: u32,
    /// Of those, trained but ending within 90 days.
    pub expiring: u32,
    /// Requests for it in the last 90 days.
    pub recent_requests: u32,
}

impl LanguageNeed {
    /// Active and trained beyond the next 90 days.
    pub fn ready(&self) -> u32 {
        self.active - self.untrained - self.expiring
    }
}

/// `demand`: requests per language over the last [`DEMAND_WINDOW_DAYS`] (from the requests
/// crate, which owns them). Sorted by demand per ready volunteer, the thinnest first.
pub async fn by_language(
    db: &impl sea_orm::ConnectionTrait,
    _by: &Coordinator,
    demand: &[(LanguageCode, u32)],
    validity_months: u32,
    now: DateTime<Utc>,
) -> Result<Vec<LanguageNeed>, TrainingError> {
    let today = now.with_timezone(&POOL_TZ).date_naive();
    let horizon = today + Duration::days(EXPIRING_WITHIN_DAYS);
    let active = volunteers::with_status(db, &[VolunteerStatus::Active]).await?;
    let mut by_code: BTreeMap<LanguageCode, LanguageNeed> = BTreeMap::new();
    let blank = |language: LanguageCode| LanguageNeed {
        language,
        language_de: language.name_de(),
        language_en: language.name_en(),
        active: 0,
        untrained: 0,
        expiring: 0,
        recent_requests: 0,
    };
    for volunteer in &active {
        let training = volunteer.training(today, validity_months);
        for spoken in &volunteer.languages {
            let need = by_code.entry(spoken.code).or_insert_with(|| blank(spoken.code));
            need.active += 1;
            if training.status != TrainingStatus::Trained {
                need.untrained += 1;
            } else if training.valid_until.is_some_and(|until| until <= horizon) {
                need.expiring += 1;
            }
        }
    }
    for (language, count) in demand {
        by_code
            .entry(*language)
            .or_insert_with(|| blank(*language))
            .recent_requests += count;
    }
    let mut needs: Vec<LanguageNeed> = by_code.into_values().collect();
    // Demand per ready volunteer, compared without division: a/b > c/d  ⇔  a·d > c·b.
    needs.sort_by(|a, b| {
        let (ra, rb) = (u64::from(a.ready()) + 1, u64::from(b.ready()) + 1);
        (u64::from(b.recent_requests) * ra)
            .cmp(&(u64::from(a.recent_requests) * rb))
            .then(b.untrained.cmp(&a.untrained))
            .then(a.language.cmp(&b.language))
    });
    Ok(needs)
}
