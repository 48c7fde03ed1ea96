//! The acceptance window (`matching.accept_window_minutes`, off at 0): the first acceptance
//! of an open request opens it, later acceptances until it closes are collected on their
//! offers, and when it closes the worker gives the job to the best-ranked of them by the
//! matcher's ranking at that moment, fairness included ([`lp_matcher::accept_window`]). The
//! others hear "filled, thank you" like everyone else who held an offer.
//!
//! The close is a due time on the request's row (`window_closes_at`), claimed by one
//! conditional UPDATE like a wave: a restart closes it late but once, and of several
//! instances exactly one closes it. Giving the job away is the same conditional write on the
//! request as an acceptance without a window.

use crate::RequestError;
use crate::entities::{offer, request};
use crate::offers::{complete_acceptance, win_request};
use crate::pool::{Standing, standing};
use crate::ranker::PoolSnapshot;
use crate::request::{Offer, Request};
use crate::search::continue_search;
use crate::settings::RequestSettings;
use chrono::{DateTime, Utc};
use lp_core::vocab::{OfferState, RequestStatus};
use lp_db::secret_link;
use lp_matcher::cascade::Occasion;
use lp_registry::volunteers;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Collects this acceptance, opening the window if it is the first. `Some(closes_at)` when
/// collected; `None` when the request or the offer was no longer open (nothing written).
pub(crate) async fn collect(
    db: &DatabaseConnection,
    offer: &Offer,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    // The request's row first, as every acceptance takes it: rivals queue here.
    let row = request::Entity::find_by_id(offer.request_id)
        .lock_exclusive()
        .one(&*txn)
        .await?;
    let Some(row) = row.filter(|r| r.status == RequestStatus::Open.as_str()) else {
        txn.rollback().await?;
        return Ok(None);
    };
    let closes_at = match row.window_closes_at {
        Some(closes_at) => closes_at,
        None => {
            let Some(closes_at) = lp_matcher::cascade::window_closes_at(now, row.fill_by, &settings.cascade())
                .filter(|closes_at| *closes_at > now)
            else {
                txn.rollback().await?;
                return Ok(None);
            };
            // No wave while acceptances are collected: someone said yes.
            request::Entity::update_many()
                .col_expr(request::Column::WindowClosesAt, Expr::value(closes_at))
                .col_expr(request::Column::NextWaveAt, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(request::Column::UpdatedAt, Expr::value(now))
                .filter(request::Column::Id.eq(row.id))
                .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
                .exec(&*txn)
                .await?;
            closes_at
        }
    };
    let unspent = Condition::all()
        .add(offer::Column::State.eq(OfferState::Sent.as_str()))
        .add(offer::Column::WindowAcceptedAt.is_null());
    let changes = [(offer::Column::WindowAcceptedAt, Expr::value(now))];
    if !secret_link::spend::<offer::Entity>(&*txn, token, unspent, changes, now).await? {
        txn.rollback().await?;
        return Ok(None);
    }
    // Nobody hears "we confirm by" for a job a hard rule keeps from them now.
    let request = Request::from_row(row)?;
    volunteers::lock(&*txn, offer.volunteer_id).await?;
    if let Standing::Breaks(rule) =
        standing(&*txn, offer.volunteer_id, &request.spec(), request.id, settings, now).await?
    {
        txn.rollback().await?;
        return Err(RequestError::NotEligible { rule });
    }
    txn.commit().await?;
    Ok(Some(closes_at))
}

/// Decides the window of `request`, claimed by the caller in `txn`: the best-ranked of those
/// who accepted and still pass every hard rule gets the job; if none does, their acceptances
/// lapse and the search goes on. `pool` is the committed pool, read before `txn` began.
pub(crate) async fn close(
    txn: &impl ConnectionTrait,
    request: &Request,
    pool: &PoolSnapshot,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, RequestError> {
    let collected = crate::request::offers(
        offer::Entity::find()
            .filter(offer::Column::RequestId.eq(request.id))
            .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
            .filter(offer::Column::WindowAcceptedAt.is_not_null())
            .all(txn)
            .await?,
    )?;
    let spec = crate::continuity::spec_of(txn, request, settings, now).await?;
    // The hard rules on each one's calendar now, read in the transaction before choosing.
    let mut qualified = HashSet::new();
    for offer in &collected {
        if let Standing::May = standing(txn, offer.volunteer_id, &spec, request.id, settings, now).await? {
            qualified.insert(offer.volunteer_id);
        }
    }
    let ranking = pool.rank(&spec, now, &settings.matching, None);
    let accepted: Vec<Uuid> = collected.iter().map(|o| o.volunteer_id).collect();
    let winner =
        lp_matcher::cascade::window_winner(ranking.candidates.iter().map(|c| c.volunteer_id), &accepted, |id| {
            qualified.contains(&id)
        })
        .and_then(|id| collected.iter().find(|o| o.volunteer_id == id));
    let Some(winner) = winner else {
        // Nobody may take it now: their yes lapses (they are not asked again) and the next
        // wave goes out.
        offer::Entity::update_many()
            .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
            .filter(offer::Column::Id.is_in(collected.iter().map(|o| o.id)))
            .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
            .exec(txn)
            .await?;
        continue_search(txn, request, Occasion::WaveDue, pool, settings, now).await?;
        return Ok(None);
    };
    if !win_request(txn, winner, now).await? {
        return Ok(None);
    }
    offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Accepted.as_str()))
        .col_expr(offer::Column::RespondedAt, Expr::value(winner.window_accepted_at))
        .filter(offer::Column::Id.eq(winner.id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(txn)
        .await?;
    complete_acceptance(txn, winner, settings, None, now).await?;
    Ok(Some(winner.volunteer_id))
}
