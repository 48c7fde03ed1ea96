//! The compiled pool each process keeps for ranking: built once from the database, then kept
//! current by the pool's version (`lp_registry::pool_changes`), which every change to what the
//! matcher reads bumps in its own transaction. A ranking reads the version (one indexed row)
//! and, when it moved, reloads only the volunteers changed since; a new local day reloads all,
//! since training and pledge status depend on the date. The recent demand per language (for
//! the scarcity part) is counted at the day's full load and summarised over the current
//! profiles at every reload.

use crate::pool::{self, Which};
use chrono::{DateTime, NaiveDate, Utc};
use lp_core::LanguageCode;
use lp_matcher::{CompiledPool, MatchConfig, Profile, Ranking, RecentDemand, RequestSpec};
use lp_registry::pool_changes;
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};

/// A process's cache of the compiled pool; clones share it.
#[derive(Clone, Default)]
pub struct Ranker {
    cached: Arc<Mutex<Option<Arc<PoolSnapshot>>>>,
}

impl std::fmt::Debug for Ranker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = self.lock().as_ref().map(|s| s.version);
        f.debug_struct("Ranker").field("version", &version).finish()
    }
}

/// The pool as of one version: every volunteer not retired, as profiles and compiled.
pub struct PoolSnapshot {
    pub version: i64,
    day: NaiveDate,
    /// Sorted by volunteer id.
    pub profiles: Vec<Profile>,
    pub compiled: CompiledPool,
    /// The languages of the requests filed in the demand window before the day's full load.
    requested: Arc<Vec<LanguageCode>>,
    /// Their summary over `profiles`: what the matcher's scarcity part reads.
    pub demand: Arc<RecentDemand>,
}

impl Ranker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<PoolSnapshot>>> {
        // A panic while holding the lock leaves a whole value behind (it is only ever
        // replaced), so a poisoned lock is still good.
        self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The pool as committed now. Call with the connection pool, not inside a transaction:
    /// a transaction's own uncommitted changes must never be cached.
    pub async fn pool(
        &self,
        db: &impl ConnectionTrait,
        validity_months: u32,
        now: DateTime<Utc>,
    ) -> Result<Arc<PoolSnapshot>, crate::RequestError> {
        let version = pool_changes::current(db).await?;
        let day = now.with_timezone(&lp_core::time::POOL_TZ).date_naive();
        let cached = self.lock().clone();
        let reloaded = match cached {
            Some(snapshot) if snapshot.day == day && snapshot.version == version => return Ok(snapshot),
            Some(snapshot) if snapshot.day == day && snapshot.version < version => {
                match pool_changes::changed_between(db, snapshot.version, version).await? {
                    Some(changed) => {
                        let fresh = pool::profiles(db, Which::Only(&changed), validity_months, now, None).await?;
                        let mut profiles: Vec<Profile> = snapshot
                            .profiles
                            .iter()
                            .filter(|p| changed.binary_search(&p.volunteer_id).is_err())
                            .cloned()
                            .collect();
                        profiles.extend(fresh);
                        PoolSnapshot::new(version, day, profiles, snapshot.requested.clone(), now)
                    }
                    None => PoolSnapshot::load(db, version, day, validity_months, now).await?,
                }
            }
            _ => PoolSnapshot::load(db, version, day, validity_months, now).await?,
        };
        let reloaded = Arc::new(reloaded);
        let mut slot = self.lock();
        // Of two reloads racing, the newer stays.
        if slot
            .as_ref()
            .is_none_or(|held| (held.day, held.version) <= (reloaded.day, reloaded.version))
        {
            *slot = Some(reloaded.clone());
        }
        Ok(reloaded)
    }
}

impl PoolSnapshot {
    /// Labelled with the version read before loading: what was loaded is at least that new, and
    /// anything later is reloaded once its version is seen.
    async fn load(
        db: &impl ConnectionTrait,
        version: i64,
        day: NaiveDate,
        validity_months: u32,
        now: DateTime<Utc>,
    ) -> Result<Self, crate::RequestError> {
        let profiles = pool::profiles(db, Which::Pool, validity_months, now, None).await?;
        let requested = pool::recently_requested(db, now).await?;
        Ok(Self::new(version, day, profiles, Arc::new(requested), now))
    }

    fn new(
        version: i64,
        day: NaiveDate,
        mut profiles: Vec<Profile>,
        requested: Arc<Vec<LanguageCode>>,
        now: DateTime<Utc>,
    ) -> Self {
        profiles.sort_by_key(|p| p.volunteer_id);
        let compiled = CompiledPool::new(&profiles, now);
        let demand = Arc::new(RecentDemand::new(requested.iter().copied(), &profiles));
        Self {
            version,
            day,
            profiles,
            compiled,
            requested,
            demand,
        }
    }

    /// `config` with this pool's recent demand, as every ranking of the service uses it.
    pub fn matching(&self, config: &MatchConfig) -> MatchConfig {
        MatchConfig {
            demand: self.demand.clone(),
            ..config.clone()
        }
    }

    /// [`CompiledPool::rank`] with this pool's recent demand.
    pub fn rank(
        &self,
        request: &RequestSpec,
        now: DateTime<Utc>,
        config: &MatchConfig,
        limit: Option<usize>,
    ) -> Ranking {
        self.compiled.rank(request, now, &self.matching(config), limit)
    }
}
