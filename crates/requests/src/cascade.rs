//! The search over time, run by the worker from rows in the database: deadlines end searches,
//! due waves send the next offers, lapsed offers are marked expired, and assigned volunteers
//! are reminded the day before. Each step claims its request with a conditional UPDATE in its
//! own transaction, so a restart loses nothing and a second instance doubles nothing.

use crate::entities::{offer, request};
use crate::request::Request;
use crate::search::{continue_search, mark_unfilled};
use crate::settings::RequestSettings;
use crate::{RequestError, mails};
use chrono::{DateTime, Duration, Utc};
use lp_core::vocab::{OfferState, RequestStatus};
use lp_matcher::cascade::Occasion;
use lp_registry::{pool_changes, staff, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// The reminder goes out this long before the appointment.
const REMINDER_LEAD: Duration = Duration::hours(24);
/// How long the pool's change log is kept.
const POOL_CHANGES_KEPT: Duration = Duration::days(2);
/// Requests handled per kind and pass; the rest wait for the next pass.
const BATCH: u64 = 100;

/// What one pass did; `mails` tells the caller whether to wake the mail worker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CascadeReport {
    /// Acceptance windows closed (each gave the job to someone or sent the next wave).
    pub windows: usize,
    pub unfilled: usize,
    pub waves: usize,
    pub expired_offers: u64,
    pub reminders: usize,
}

impl CascadeReport {
    pub fn sent_mail(&self) -> bool {
        self.windows + self.unfilled + self.waves + self.reminders > 0
    }
}

/// Runs everything that is due at `now`.
pub async fn run_due(
    db: &DatabaseConnection,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<CascadeReport, RequestError> {
    let mut report = CascadeReport::default();
    // Windows close first: one closes at the deadline at the latest, and those who accepted
    // in it must not lose the job to the deadline.
    let windows = due(db, request::Column::WindowClosesAt, RequestStatus::Open, now, None).await?;
    report.windows = crate::isolate::each("accept window", windows, |id| close_window(db, id, settings, now)).await?;
    // Deadlines next, so a request past its deadline gets no further wave. Each request's
    // step is isolated: one that panics is retried at the next pass, the others go on.
    let deadlines = due(db, request::Column::FillBy, RequestStatus::Open, now, None).await?;
    report.unfilled = crate::isolate::each("deadline", deadlines, |id| end_search(db, id, settings, now)).await?;
    let waves = due(db, request::Column::NextWaveAt, RequestStatus::Open, now, None).await?;
    report.waves = crate::isolate::each("wave", waves, |id| next_wave(db, id, settings, now)).await?;
    report.expired_offers = expire_offers(db, now).await?;
    // Every process reloads its pool whole each local day, so a change log older than two
    // days is read by nobody.
    pool_changes::prune(db, now - POOL_CHANGES_KEPT).await?;
    let reminders = due(
        db,
        request::Column::StartsAt,
        RequestStatus::Assigned,
        now + REMINDER_LEAD,
        Some(now),
    )
    .await?;
    report.reminders = crate::isolate::each("reminder", reminders, |id| remind(db, id, now)).await?;
    Ok(report)
}

/// Requests in `status` whose `column` has come (at or before `until`); with
/// `reminders_after`, only unreminded ones starting after that instant.
async fn due(
    db: &DatabaseConnection,
    column: request::Column,
    status: RequestStatus,
    until: DateTime<Utc>,
    reminders_after: Option<DateTime<Utc>>,
) -> Result<Vec<Uuid>, RequestError> {
    let mut query = request::Entity::find()
        .select_only()
        .column(request::Column::Id)
        .filter(request::Column::Status.eq(status.as_str()))
        .filter(column.lte(until))
        .order_by_asc(column)
        .limit(BATCH);
    if let Some(reminder_after) = reminders_after {
        // Reminders: not yet sent, for appointments still ahead.
        query = query
            .filter(request::Column::RemindedAt.is_null())
            .filter(request::Column::StartsAt.gt(reminder_after));
    }
    Ok(query.into_tuple().all(db).await?)
}

/// The deadline passed with nobody found: the request is unfilled, people are told.
async fn end_search(
    db: &DatabaseConnection,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    let row = request::Entity::find_by_id(id).lock_exclusive().one(&*txn).await?;
    // A request whose acceptance window is still open waits for its close.
    let Some(row) =
        row.filter(|r| r.status == RequestStatus::Open.as_str() && r.fill_by <= now && r.window_closes_at.is_none())
    else {
        txn.rollback().await?;
        return Ok(false);
    };
    mark_unfilled(&*txn, &Request::from_row(row)?, settings, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// No acceptance within the wave interval: the next wave goes out.
async fn next_wave(
    db: &DatabaseConnection,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let txn = lp_db::begin_write(db).await?;
    // Claiming the wave is the conditional write; a second instance finds nothing due.
    let claim = request::Entity::update_many()
        .col_expr(request::Column::NextWaveAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .filter(request::Column::NextWaveAt.lte(now));
    let Some(row) = claimed(&txn, id, claim).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    continue_search(&*txn, &row, Occasion::WaveDue, &pool, settings, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// An acceptance window's time has come: the best-ranked of those who accepted gets the job.
async fn close_window(
    db: &DatabaseConnection,
    id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let txn = lp_db::begin_write(db).await?;
    // Claiming the close is the conditional write; a second instance finds nothing due.
    let claim = request::Entity::update_many()
        .col_expr(
            request::Column::WindowClosesAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .filter(request::Column::WindowClosesAt.lte(now));
    let Some(row) = claimed(&txn, id, claim).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    crate::accept_window::close(&*txn, &row, &pool, settings, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Runs a conditional UPDATE on one request and returns the row if this caller claimed it.
async fn claimed(
    txn: &lp_db::WriteTransaction,
    id: Uuid,
    claim: sea_orm::UpdateMany<request::Entity>,
) -> Result<Option<Request>, RequestError> {
    let updated = claim.filter(request::Column::Id.eq(id)).exec(&**txn).await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    Ok(Some(crate::request::get(&**txn, id).await?))
}

/// Offers whose link lapsed unanswered are recorded as expired (they count as ignored, so the
/// pool's version moves for their volunteers).
async fn expire_offers(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    let lapsed: Vec<(Uuid, Uuid)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::Id)
        .column(offer::Column::VolunteerId)
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .filter(offer::Column::ExpiresAt.lte(now))
        // An acceptance collected in a window waits for the window's close.
        .filter(offer::Column::WindowAcceptedAt.is_null())
        .limit(BATCH * 10)
        .into_tuple()
        .all(&*txn)
        .await?;
    if lapsed.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let expired = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Expired.as_str()))
        .filter(offer::Column::Id.is_in(lapsed.iter().map(|(id, _)| *id)))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(&*txn)
        .await?;
    let volunteers: Vec<Uuid> = lapsed.iter().map(|(_, volunteer)| *volunteer).collect();
    pool_changes::record(&*txn, &volunteers, now).await?;
    txn.commit().await?;
    Ok(expired.rows_affected)
}

/// The day before, the assigned volunteer gets a reminder, once (none if they accepted within
/// that last day).
async fn remind(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> Result<bool, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    let claim = request::Entity::update_many()
        .col_expr(request::Column::RemindedAt, Expr::value(now))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .filter(request::Column::RemindedAt.is_null())
        .filter(request::Column::StartsAt.gt(now));
    let Some(row) = claimed(&txn, id, claim).await? else {
        txn.rollback().await?;
        return Ok(false);
    };
    // Whoever accepted within the last day has the confirmation fresh in the inbox.
    let accepted_recently = row.assigned_at.is_some_and(|at| at > row.starts_at - REMINDER_LEAD);
    let volunteer = match row.assignee_id {
        Some(assignee) if !accepted_recently => volunteers::get(&*txn, assignee).await?,
        _ => None,
    };
    if let (Some(volunteer), Some(caseworker)) = (volunteer, staff::get(&*txn, row.caseworker_id).await?) {
        mails::reminder(&*txn, &row, &volunteer, &caseworker, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}
