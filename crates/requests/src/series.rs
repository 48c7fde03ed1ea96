//! Series of appointments (weekly psychotherapy, a course of school meetings): each date is a
//! request of its own, tied to the first date. The first date's offers are for the whole
//! series, to volunteers ordered by how many of its dates they can take; the later dates wait
//! ("held"). Accepting takes every waiting date the volunteer may take by the hard rules; the
//! rest go out as single requests, whose continuity part then prefers who served the client.
//! When the first date's search ends without anyone, or it is cancelled, the waiting dates go
//! out as single requests too.

use crate::entities::{offer, request};
use crate::request::Request;
use crate::settings::RequestSettings;
use crate::{RequestError, pool};
use chrono::{DateTime, Utc};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::vocab::{OfferState, RequestStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// The dates of `first`'s series that wait for its offer, in order.
pub(crate) async fn held_dates(db: &impl ConnectionTrait, first: &Request) -> Result<Vec<Request>, RequestError> {
    if first.series.is_none_or(|s| s.id != first.id) {
        return Ok(Vec::new());
    }
    let rows = request::Entity::find()
        .filter(request::Column::SeriesId.eq(first.id))
        .filter(request::Column::HeldForSeries.eq(true))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .order_by_asc(request::Column::SeriesPosition)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Request::from_row).collect::<Result<_, _>>()?)
}

/// Every date of a series, in order.
pub(crate) async fn dates(db: &impl ConnectionTrait, series_id: Uuid) -> Result<Vec<Request>, RequestError> {
    Ok(dates_of(db, &[series_id]).await?.remove(&series_id).unwrap_or_default())
}

/// Every date of each of these series, in order, by one query.
pub(crate) async fn dates_of(
    db: &impl ConnectionTrait,
    series_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Request>>, RequestError> {
    let mut by_series: HashMap<Uuid, Vec<Request>> = HashMap::new();
    if series_ids.is_empty() {
        return Ok(by_series);
    }
    let rows = request::Entity::find()
        .filter(request::Column::SeriesId.is_in(series_ids.iter().copied()))
        .order_by_asc(request::Column::SeriesId)
        .order_by_asc(request::Column::SeriesPosition)
        .all(db)
        .await?;
    for row in rows {
        let date = Request::from_row(row)?;
        if let Some(place) = date.series {
            by_series.entry(place.id).or_default().push(date);
        }
    }
    Ok(by_series)
}

/// The waiting dates of `first`'s series go out as single requests: the worker sends each its
/// first wave at its next pass. Their ids.
pub(crate) async fn release(
    txn: &impl ConnectionTrait,
    first: &Request,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, RequestError> {
    let held = held_dates(txn, first).await?;
    let ids: Vec<Uuid> = held.iter().map(|r| r.id).collect();
    if !ids.is_empty() {
        request::Entity::update_many()
            .col_expr(request::Column::HeldForSeries, Expr::value(false))
            .col_expr(request::Column::NextWaveAt, Expr::value(now))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.is_in(ids.iter().copied()))
            .filter(request::Column::HeldForSeries.eq(true))
            .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

/// A later date the volunteer took with the series, with the link that manages it.
pub(crate) struct TakenDate {
    pub request: Request,
    pub link: LinkSeed,
}

/// What accepting the series' offer did to its waiting dates.
#[derive(Default)]
pub(crate) struct Outcome {
    pub taken: Vec<TakenDate>,
    /// Gone out as single requests.
    pub released: Vec<Request>,
}

/// The volunteer who accepted `first` (already assigned to it in `txn`) takes every waiting
/// date they may take by the hard rules, judged one after the other so that each date taken
/// counts for the next (the monthly maximum); each gets an accepted offer of its own, whose
/// link manages that date. The others are released.
pub(crate) async fn take(
    txn: &impl ConnectionTrait,
    first: &Request,
    volunteer_id: Uuid,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Outcome, RequestError> {
    let mut outcome = Outcome::default();
    for date in held_dates(txn, first).await? {
        let may = matches!(
            pool::standing(txn, volunteer_id, &date.spec(), date.id, settings, now).await?,
            pool::Standing::May
        );
        if may && assign(txn, &date, volunteer_id, now).await? {
            let link = LinkSeed::fresh(LinkKind::Offer, Uuid::new_v4());
            offer::Entity::insert(offer::ActiveModel {
                id: Set(link.id()),
                request_id: Set(date.id),
                volunteer_id: Set(volunteer_id),
                state: Set(OfferState::Accepted.as_str().to_owned()),
                token_hash: Set(link.hash(&settings.server_key)),
                link_nonce: Set(Some(link.nonce().to_owned())),
                wave: Set(1),
                sent_at: Set(now),
                expires_at: Set(crate::rules::accepted_link_until(date.starts_at)),
                responded_at: Set(Some(now)),
                withdrew_at: Set(None),
                window_accepted_at: Set(None),
            })
            .exec_without_returning(txn)
            .await?;
            let request = crate::request::get(txn, date.id).await?;
            outcome.taken.push(TakenDate { request, link });
        } else {
            outcome.released.push(date);
        }
    }
    let released: Vec<Uuid> = outcome.released.iter().map(|r| r.id).collect();
    if !released.is_empty() {
        request::Entity::update_many()
            .col_expr(request::Column::HeldForSeries, Expr::value(false))
            .col_expr(request::Column::NextWaveAt, Expr::value(now))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.is_in(released))
            .filter(request::Column::HeldForSeries.eq(true))
            .exec(txn)
            .await?;
    }
    Ok(outcome)
}

/// One conditional write, as for any acceptance: the date must still be open and waiting.
async fn assign(
    txn: &impl ConnectionTrait,
    date: &Request,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let updated = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Assigned.as_str()))
        .col_expr(request::Column::AssigneeId, Expr::value(volunteer_id))
        .col_expr(request::Column::AssignedAt, Expr::value(now))
        .col_expr(request::Column::HeldForSeries, Expr::value(false))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(date.id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .filter(request::Column::HeldForSeries.eq(true))
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}
