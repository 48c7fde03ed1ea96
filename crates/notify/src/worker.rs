//! The delivery worker: claims due outbox rows one by one, sends each through the [`Mailer`] and
//! records the outcome, with exponential backoff on failure.
//!
//! No database transaction is held across a send. A row is protected instead by a lease taken
//! with one conditional update; the lease outlasts the send timeout, so no second worker (in this
//! process or another instance) can take a row while its send is in flight. The one duplicate
//! left is a crash after the SMTP server accepted a message and before the row was marked: the
//! row is sent again once its lease lapses, with the same Message-ID (see [`Mailer`]).
//!
//! Leases and due times are compared with the database's clock ([`lp_db::database_now`]), read
//! at each step, never with this instance's: instances whose clocks are minutes apart still see
//! one lease the same way. (Tests may put an injected clock in its place.)
//!
//! The links in a message are written in at send time ([`LinkResolver`]): the outbox holds
//! placeholders, never a token. A recipient refused for good (550, 551, 553) dead-letters the
//! mail at once and is reported to [`Bounces`] in the same transaction.
//!
//! A send that panics counts as a failed send: the row backs off and is retried like after an
//! SMTP error, and the pass goes on with the other rows. A panic anywhere else in a pass ends
//! only that pass; a row it had claimed waits for its lease to lapse, as after a crash.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lp_core::Clock;
use lp_core::heartbeat::Heartbeat;
use lp_core::isolate::catch_panic;
use lp_core::link::LinkResolver;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::mailer::SendError;
use crate::outbox::{self, Failure, Row};
use crate::{Mailer, NotifyError};

/// A claim covers one send, so by default its lease is the send timeout and the margin: after
/// a crash another instance (or the restarted one) sends the row soon, not minutes later.
const DEFAULT_LEASE: Duration = Duration::ZERO;
/// What a lease keeps beyond the send timeout: the time to mark the row after the send.
const LEASE_MARGIN: Duration = Duration::from_secs(10);
const DEFAULT_BATCH_SIZE: u64 = 50;
/// 30 s, 1, 2, 4 ... 32 min, then hourly for a week: an SMTP outage delays mail, it does not
/// lose it. After a week the appointments it was about are past; the row stays, `dead`, with
/// its body, for staff to see.
const DEFAULT_MAX_ATTEMPTS: u32 = 7 + 7 * 24;
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Failed and rescheduled.
    pub retried: usize,
    /// Failed for good: refused permanently or out of attempts.
    pub dead: usize,
}

/// Told, inside the transaction that dead-letters a mail, that its recipient's address was
/// refused for good, so whoever owns the address can flag it (the registry flags a volunteer,
/// whom the cascade then skips until the address is fixed).
pub trait Bounces: Send + Sync + 'static {
    fn bounced<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        address: &'a str,
        at: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>>;
}

/// The leases one worker holds, to hand them back when it stops ([`LeaseHolder::release`]);
/// kept apart from the worker, which [`DeliveryWorker::run`] consumes.
#[derive(Clone)]
pub struct LeaseHolder {
    db: DatabaseConnection,
    owner: String,
}

impl LeaseHolder {
    /// Releases every lease of this worker's, so its rows are due again for any worker at once
    /// instead of after the lease. Call it when the worker's sends have stopped (after
    /// [`DeliveryWorker::run`] returned, or was given up on): a row whose send was cut off may
    /// then go out a second time, with the same Message-ID, as after a crash.
    pub async fn release(&self) -> Result<u64, NotifyError> {
        let released = outbox::release_leases(&self.db, &self.owner).await?;
        if released > 0 {
            tracing::info!(owner = %self.owner, released, "email leases released");
        }
        Ok(released)
    }
}

pub struct DeliveryWorker {
    db: DatabaseConnection,
    mailer: Mailer,
    links: LinkResolver,
    /// `None`: the database's clock, as in production. Tests inject one to step through
    /// backoffs.
    clock: Option<Arc<dyn Clock>>,
    bounces: Option<Arc<dyn Bounces>>,
    /// Who holds a lease; random per worker, so instances sharing a database never mistake
    /// each other's leases for their own.
    owner: String,
    lease: Duration,
    batch_size: u64,
    max_attempts: u32,
    poll_interval: Duration,
    /// Beaten after every pass and every row, for readiness.
    heartbeat: Option<Arc<Heartbeat>>,
    /// Runs before each send; a test makes it panic to stand for a panicking transport.
    #[cfg(test)]
    before_send: Option<SendHook>,
}

#[cfg(test)]
type SendHook = Arc<dyn Fn(&Row) + Send + Sync>;

impl DeliveryWorker {
    /// A worker on the database's clock, writing links with `links`.
    pub fn new(db: DatabaseConnection, mailer: Mailer, links: LinkResolver) -> Self {
        Self {
            db,
            mailer,
            links,
            clock: None,
            bounces: None,
            owner: Uuid::new_v4().to_string(),
            lease: DEFAULT_LEASE,
            batch_size: DEFAULT_BATCH_SIZE,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            poll_interval: DEFAULT_POLL_INTERVAL,
            heartbeat: None,
            #[cfg(test)]
            before_send: None,
        }
    }

    /// Uses `clock` instead of the database's, for tests that step through time.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Reports addresses refused for good to `bounces`.
    pub fn with_bounces(mut self, bounces: Arc<dyn Bounces>) -> Self {
        self.bounces = Some(bounces);
        self
    }

    /// What hands this worker's leases back; take it before [`run`](Self::run).
    pub fn lease_holder(&self) -> LeaseHolder {
        LeaseHolder {
            db: self.db.clone(),
            owner: self.owner.clone(),
        }
    }

    /// Releases every lease this worker holds (see [`LeaseHolder::release`]).
    pub async fn release_leases(&self) -> Result<u64, NotifyError> {
        self.lease_holder().release().await
    }

    /// The time leases and due times are judged by: the database's, unless a test injected a
    /// clock.
    async fn now(&self) -> Result<DateTime<Utc>, NotifyError> {
        match &self.clock {
            Some(clock) => Ok(clock.now()),
            None => Ok(lp_db::database_now(&self.db).await?),
        }
    }

    /// How long a claimed row stays reserved for this worker. Never shorter than the mailer's
    /// send timeout plus a margin, whatever is asked: a lease lapsing mid-send could let a
    /// second worker send the same row.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How many due rows one pass looks at.
    pub fn with_batch_size(mut self, batch_size: u64) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// After this many failed attempts a row is `dead`.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// How long [`run`](Self::run) sleeps when nothing wakes it.
    pub fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }

    /// Beats `heartbeat` after every pass and every row it handles.
    pub fn with_heartbeat(mut self, heartbeat: Arc<Heartbeat>) -> Self {
        self.heartbeat = Some(heartbeat);
        self
    }

    /// The longest the worker should go without a beat while it is healthy: the poll interval
    /// between passes, or one send (bounded by the send timeout) within a pass.
    pub fn beat_interval(&self) -> Duration {
        self.poll_interval.max(self.mailer.send_timeout())
    }

    fn beat(&self) {
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat.beat();
        }
    }

    fn lease(&self) -> Duration {
        self.lease.max(self.mailer.send_timeout() + LEASE_MARGIN)
    }

    /// One pass: claims the due rows one at a time, sends each, and marks it.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, NotifyError> {
        Ok(self.deliver(None).await?.0)
    }

    /// Delivers until `shutdown` turns true (or its sender is dropped): a pass, then a wait for
    /// `wake`, the poll interval or the shutdown. Callers wake it with `notify_one` after
    /// committing an email, so mail leaves at once; a wake during a pass is kept for the next.
    pub async fn run(self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(owner = %self.owner, "email delivery worker started");
        while !*shutdown.borrow() {
            let more_due = match catch_panic(self.deliver(Some(&shutdown))).await {
                Ok(Ok((_, full_batch))) => full_batch,
                Ok(Err(e)) => {
                    tracing::warn!("email delivery pass failed: {e}");
                    false
                }
                Err(panic) => {
                    tracing::error!(%panic, "email delivery pass panicked; the worker goes on");
                    false
                }
            };
            self.beat();
            if more_due {
                continue;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(self.poll_interval) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!(owner = %self.owner, "email delivery worker stopped");
    }

    /// A pass; also says whether the batch was full, i.e. more rows may be due already.
    async fn deliver(&self, shutdown: Option<&watch::Receiver<bool>>) -> Result<(DeliveryReport, bool), NotifyError> {
        let mut report = DeliveryReport::default();
        let ids = outbox::due_ids(&self.db, self.now().await?, self.batch_size).await?;
        for id in &ids {
            if shutdown.is_some_and(|s| *s.borrow()) {
                break;
            }
            let now = self.now().await?;
            let lease = chrono::Duration::from_std(self.lease()).unwrap_or(chrono::Duration::MAX);
            let lease_until = now.checked_add_signed(lease).unwrap_or(DateTime::<Utc>::MAX_UTC);
            if !outbox::claim(&self.db, id, &self.owner, now, lease_until).await? {
                continue; // another worker has it, or it was rescheduled meanwhile
            }
            let Some(row) = outbox::load(&self.db, id).await? else {
                continue;
            };
            let sent = self.send(&row).await;
            self.beat();
            match sent {
                Ok(()) => {
                    self.mark_sent(&row).await?;
                    tracing::info!("sent email {} kind={}", row.id, row.kind);
                    report.sent += 1;
                }
                Err(error) => {
                    if self.mark_failed(&row, &error).await? {
                        report.dead += 1;
                    } else {
                        report.retried += 1;
                    }
                }
            }
        }
        Ok((report, ids.len() as u64 == self.batch_size))
    }

    /// Sends one row. A panic in the send becomes a failed attempt: the row backs off and in
    /// the end goes dead like any message that keeps failing, instead of being tried again at
    /// every pass. Retrying it is the same bet as after a timeout: the panic came before the
    /// transport reported the server's acceptance, and only that acceptance marks a row sent.
    async fn send(&self, row: &Row) -> Result<(), SendError> {
        let send = async {
            #[cfg(test)]
            if let Some(hook) = &self.before_send {
                hook(row);
            }
            self.mailer.send_row(row, &self.links).await
        };
        catch_panic(send).await.unwrap_or_else(|panic| {
            tracing::error!(email = %row.id, kind = %row.kind, %panic, "sending an email panicked");
            // Its connection may be parked mid-dialogue, like after a timeout.
            self.mailer.discard_connections();
            Err(SendError::transient("the send panicked (see the log)"))
        })
    }

    /// The message is out: the row must say so, or it will go out again when the lease lapses.
    /// So a passing database hiccup is retried a few times before giving up.
    async fn mark_sent(&self, row: &Row) -> Result<(), NotifyError> {
        let mut tries = 0;
        loop {
            let marked = match self.now().await {
                Ok(now) => outbox::mark_sent(&self.db, &row.id, now).await,
                Err(e) => Err(e),
            };
            match marked {
                Ok(_) => return Ok(()),
                Err(e) if tries < 3 => {
                    tries += 1;
                    tracing::warn!("email {} sent but not yet marked (try {tries}): {e}", row.id);
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reschedules the row or gives it up; `true` if it is now dead. A bounced address is
    /// reported in the transaction that dead-letters the row, so the flag and the dead mail
    /// exist together.
    async fn mark_failed(&self, row: &Row, error: &SendError) -> Result<bool, NotifyError> {
        let attempts = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
        let give_up = error.permanent || attempts >= self.max_attempts;
        let now = self.now().await?;
        let failure = if give_up {
            tracing::warn!(
                "email {} kind={} failed for good after {attempts} attempt(s): {}",
                row.id,
                row.kind,
                error.message
            );
            Failure::Dead { error: &error.message }
        } else {
            let next_attempt_at = next_attempt(now, attempts);
            tracing::warn!(
                "email {} kind={} failed (attempt {attempts}), retrying at {next_attempt_at}: {}",
                row.id,
                row.kind,
                error.message
            );
            Failure::Retry {
                next_attempt_at,
                error: &error.message,
            }
        };
        match (&self.bounces, error.bounced) {
            (Some(bounces), true) => {
                let txn = lp_db::begin_write(&self.db).await?;
                if outbox::mark_failed(&*txn, &row.id, &self.owner, failure).await? {
                    bounces.bounced(&txn, &row.to_address, now).await?;
                }
                txn.commit().await?;
            }
            _ => {
                outbox::mark_failed(&self.db, &row.id, &self.owner, failure).await?;
            }
        }
        Ok(give_up)
    }
}

/// Exponential backoff from 30 s, doubling per failed attempt, capped at an hour.
fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_BACKOFF * 2u32.pow(doublings)).min(MAX_BACKOFF)
}

fn next_attempt(now: DateTime<Utc>, attempts: u32) -> DateTime<Utc> {
    now + chrono::Duration::from_std(backoff(attempts)).expect("backoff is at most an hour")
}

#[cfg(test)]
mod tests;
