//! The retention job (DSGVO Art. 5(1)(e), storage limitation). Run in the workers' pass, on
//! every instance: each step is a conditional write that a second instance finds done.
//!
//! A request keeps what the figures need (language, times, setting, organisation, outcome)
//! and loses what identifies the appointment: the client reference, notes, the address, a
//! video meeting link and the caseworker's feedback, a set number of days after the
//! appointment; the keyed hash of the client reference goes when its continuity period ends.

use crate::RequestError;
use crate::entities::request;
use chrono::{DateTime, Duration, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Retention periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionSettings {
    /// After the appointment's start, a request's personal details go.
    pub request_details_days: u32,
    /// Audit entries older than this go.
    pub audit_days: u32,
    /// Used or expired password and availability links, and sent mails (whose bodies hold
    /// links and appointment details), go this long after.
    pub spent_links_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            request_details_days: 90,
            audit_days: 730,
            spent_links_days: 30,
        }
    }
}

/// What one pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub requests_cleared: u64,
    /// Keyed hashes of client references whose continuity period ended.
    pub client_keys: u64,
    pub audit_entries: u64,
    pub sessions: u64,
    pub links: u64,
    pub sent_mails: u64,
}

impl RetentionReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Requests cleared per transaction, so a first run over years of history does not hold the
/// write lock for long; the next pass goes on.
const BATCH: u64 = 500;

pub async fn run(
    db: &DatabaseConnection,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> Result<RetentionReport, RequestError> {
    let mut report = RetentionReport {
        requests_cleared: clear_request_details(db, settings, now).await?,
        client_keys: clear_client_keys(db, now).await?,
        ..RetentionReport::default()
    };
    let days = |n: u32| Duration::days(i64::from(n));
    let txn = lp_db::begin_write(db).await?;
    report.audit_entries = lp_audit::purge_before(&*txn, now - days(settings.audit_days)).await?;
    let purged = lp_registry::retention::purge(&*txn, now - days(settings.spent_links_days), now).await?;
    report.sessions = purged.sessions;
    report.links = purged.password_links + purged.availability_links;
    report.sent_mails = lp_notify::purge_sent_before(&*txn, now - days(settings.spent_links_days)).await?;
    txn.commit().await?;
    Ok(report)
}

/// Whether an appointment lies far enough back for its request's details to go.
pub fn details_due(starts_at: DateTime<Utc>, settings: &RetentionSettings, now: DateTime<Utc>) -> bool {
    starts_at < details_cutoff(settings, now)
}

fn details_cutoff(settings: &RetentionSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(i64::from(settings.request_details_days))
}

/// Removes the keyed hashes of client references whose continuity period (set at filing, see
/// `continuity::key_until`) has ended, in batches like the details.
async fn clear_client_keys(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    let due = claim_batch(
        &txn,
        request::Entity::find().filter(request::Column::ClientKeyUntil.lte(now)),
        request::Column::ClientKeyUntil,
    )
    .await?;
    if due.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let cleared = request::Entity::update_many()
        .col_expr(request::Column::ClientKey, Expr::value(Option::<String>::None))
        .col_expr(
            request::Column::ClientKeyUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(request::Column::Id.is_in(due.iter().copied()))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(cleared.rows_affected)
}

/// The ids of the next [`BATCH`] requests of `due`, oldest `by` first, claimed with SKIP LOCKED
/// on PostgreSQL so that two instances clear different requests (SQLite has one writer and
/// ignores the lock clause).
async fn claim_batch(
    txn: &lp_db::WriteTransaction,
    due: sea_orm::Select<request::Entity>,
    by: request::Column,
) -> Result<Vec<Uuid>, RequestError> {
    Ok(due
        .select_only()
        .column(request::Column::Id)
        .order_by_asc(by)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple()
        .all(&**txn)
        .await?)
}

async fn clear_request_details(
    db: &DatabaseConnection,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> Result<u64, RequestError> {
    let cutoff = details_cutoff(settings, now);
    let txn = lp_db::begin_write(db).await?;
    let due = claim_batch(
        &txn,
        request::Entity::find()
            .filter(request::Column::StartsAt.lt(cutoff))
            .filter(request::Column::DetailsRemovedAt.is_null()),
        request::Column::StartsAt,
    )
    .await?;
    if due.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let cleared = request::Entity::update_many()
        .col_expr(request::Column::ClientRef, Expr::value(Option::<String>::None))
        .col_expr(request::Column::Notes, Expr::value(Option::<String>::None))
        .col_expr(request::Column::Address, Expr::value(Option::<String>::None))
        .col_expr(request::Column::Feedback, Expr::value(Option::<String>::None))
        .col_expr(request::Column::VideoUrl, Expr::value(Option::<String>::None))
        .col_expr(request::Column::DetailsRemovedAt, Expr::value(now))
        .filter(request::Column::Id.is_in(due.iter().copied()))
        .filter(request::Column::DetailsRemovedAt.is_null())
        .exec(&*txn)
        .await?;
    let entries: Vec<AuditEntry> = due
        .iter()
        .map(|id| {
            AuditEntry::new(Who::System, AuditAction::Retention, AuditObject::Request, *id).fields([
                "client_ref",
                "notes",
                "address",
                "feedback",
                "video_url",
            ])
        })
        .collect();
    lp_audit::record_all(&*txn, &entries, now).await?;
    txn.commit().await?;
    Ok(cleared.rows_affected)
}
