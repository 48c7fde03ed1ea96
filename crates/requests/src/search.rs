//! The service's side of the offer cascade: it asks the matcher's policy
//! ([`lp_matcher::cascade::next_step`]) what to do and carries the answer out in the caller's
//! transaction: offers with their mails, the time of the next look, or the end of the search.

use crate::entities::{offer, request};
use crate::ranker::PoolSnapshot;
use crate::request::{Offer, Request};
use crate::settings::RequestSettings;
use crate::{RequestError, mails};
use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::vocab::{OfferState, RequestStatus};
use lp_matcher::cascade::{EarlierOffer, Occasion, Step, next_step, series_order, wave_size};
use lp_registry::{availability_links, pool_changes, staff, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Takes the search one step on: whatever the policy decides for `occasion`. `pool` is the
/// committed pool, read before the caller's transaction began.
pub(crate) async fn continue_search(
    txn: &impl ConnectionTrait,
    request: &Request,
    occasion: Occasion,
    pool: &PoolSnapshot,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let earlier = crate::request::offers(
        offer::Entity::find()
            .filter(offer::Column::RequestId.eq(request.id))
            .all(txn)
            .await?,
    )?;
    let cascade = settings.cascade();
    let spec = crate::continuity::spec_of(txn, request, settings, now).await?;
    let held = crate::series::held_dates(txn, request).await?;
    let ranked: Vec<Uuid> = if held.is_empty() {
        // Only the best (already asked + one wave) can be chosen, so only they are scored.
        let enough = earlier.len().saturating_add(wave_size(&cascade));
        let ranking = pool.rank(&spec, now, &settings.matching, Some(enough));
        ranking.candidates.iter().map(|c| c.volunteer_id).collect()
    } else {
        // The offer is for the series: who can take most of its dates first.
        let ranking = pool.rank(&spec, now, &settings.matching, None);
        let later: Vec<HashSet<Uuid>> = held
            .iter()
            .map(|date| {
                let ranking = pool.rank(&date.spec(), now, &settings.matching, None);
                ranking.candidates.iter().map(|c| c.volunteer_id).collect()
            })
            .collect();
        series_order(ranking.candidates.iter().map(|c| c.volunteer_id), &later)
    };
    let answered: Vec<EarlierOffer> = earlier.iter().map(Offer::earlier).collect();
    let step = next_step(occasion, ranked, &answered, request.fill_by, now, &cascade);
    match step {
        Step::Unfilled => mark_unfilled(txn, request, settings, now).await,
        Step::Wait { next_wave_at } => set_next_wave(txn, request.id, next_wave_at).await,
        Step::Offer { to, next_wave_at } => {
            set_next_wave(txn, request.id, next_wave_at).await?;
            let series_dates: Vec<DateTime<Utc>> = held.iter().map(|d| d.starts_at).collect();
            send_offers(txn, request, &to, &earlier, &series_dates, settings, now).await
        }
    }
}

async fn set_next_wave(txn: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<(), RequestError> {
    request::Entity::update_many()
        .col_expr(request::Column::NextWaveAt, Expr::value(at))
        .filter(request::Column::Id.eq(id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn send_offers(
    txn: &impl ConnectionTrait,
    request: &Request,
    to: &[Uuid],
    earlier: &[Offer],
    series_dates: &[DateTime<Utc>],
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let wave = earlier.iter().map(|o| o.wave).max().unwrap_or(0) + 1;
    let recipients = volunteers::get_many(txn, to).await?;
    let recipients: Vec<_> = to
        .iter()
        .filter_map(|id| recipients.iter().find(|v| v.id == *id))
        .collect();
    let ids: Vec<Uuid> = recipients.iter().map(|v| v.id).collect();
    let key = &settings.server_key;
    let availability = availability_links::issue_each(txn, key, &ids, availability_links::Reason::Offer, now).await?;
    let expires_at = crate::rules::offer_open_until(request.fill_by);
    let mut new_rows = Vec::with_capacity(recipients.len());
    for (volunteer, availability) in recipients.into_iter().zip(&availability) {
        // Asking again (after a give-back) renews the old row with a fresh link (a new nonce);
        // the old link stays dead.
        let renewed = earlier.iter().find(|o| o.volunteer_id == volunteer.id).map(|o| o.id);
        let link = LinkSeed::fresh(LinkKind::Offer, renewed.unwrap_or_else(Uuid::new_v4));
        let row = offer::ActiveModel {
            id: Set(link.id()),
            request_id: Set(request.id),
            volunteer_id: Set(volunteer.id),
            state: Set(OfferState::Sent.as_str().to_owned()),
            token_hash: Set(link.hash(key)),
            link_nonce: Set(Some(link.nonce().to_owned())),
            wave: Set(wave as i32),
            sent_at: Set(now),
            expires_at: Set(expires_at),
            responded_at: Set(None),
            withdrew_at: Set(None),
            window_accepted_at: Set(None),
        };
        if renewed.is_some() {
            offer::Entity::update(row).exec(txn).await?;
        } else {
            new_rows.push(row);
        }
        mails::offer(
            txn,
            request,
            volunteer,
            &link,
            availability,
            (expires_at, series_dates),
            settings.accept_window_minutes,
            now,
        )
        .await?;
    }
    if !new_rows.is_empty() {
        offer::Entity::insert_many(new_rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Ends the search without an interpreter: outstanding offers lapse, and the caseworker and
/// every coordinator are told.
pub(crate) async fn mark_unfilled(
    txn: &impl ConnectionTrait,
    request: &Request,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let updated = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Unfilled.as_str()))
        .col_expr(request::Column::NextWaveAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(request.id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        // Nobody took the series' offer: its waiting dates are searched for one by one.
        crate::series::release(txn, request, now).await?;
        let entry = AuditEntry::new(Who::System, AuditAction::Unfilled, AuditObject::Request, request.id);
        lp_audit::record(txn, &entry, now).await?;
        // Offers still out when the search ends went unanswered: they lapse, and count as
        // ignored in their volunteers' reliability.
        let lapsed: Vec<Uuid> = offer::Entity::find()
            .select_only()
            .column(offer::Column::VolunteerId)
            .filter(offer::Column::RequestId.eq(request.id))
            .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
            .into_tuple()
            .all(txn)
            .await?;
        offer::Entity::update_many()
            .col_expr(offer::Column::State, Expr::value(OfferState::Expired.as_str()))
            .filter(offer::Column::RequestId.eq(request.id))
            .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
            .exec(txn)
            .await?;
        pool_changes::record(txn, &lapsed, now).await?;
        let mut recipients = staff::coordinators(txn).await?;
        if let Some(caseworker) = staff::get(txn, request.caseworker_id).await?
            && !recipients.iter().any(|r| r.id == caseworker.id)
        {
            recipients.insert(0, caseworker);
        }
        mails::unfilled(txn, request, &recipients, settings, now).await?;
    }
    Ok(())
}

/// Withdraws the offers still out for a request that was filled, cancelled or given up.
pub(crate) async fn withdraw_outstanding(txn: &impl ConnectionTrait, request_id: Uuid) -> Result<u64, DbErr> {
    let withdrawn = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
        .filter(offer::Column::RequestId.eq(request_id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(txn)
        .await?;
    Ok(withdrawn.rows_affected)
}
