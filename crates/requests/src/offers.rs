//! Offers: who gets one (the search), what the secret link shows, and what accepting or
//! declining does. Accepting is a race that exactly one offer wins, decided by one conditional
//! UPDATE of the request and backed by a unique index on accepted offers.

use crate::entities::{offer, request};
use crate::pool::{Reach, parse, profile_of, profiles, request_spec};
use crate::settings::RequestSettings;
use crate::view::local;
use crate::{RequestError, mails};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::secret::{hash_token, new_token};
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_db::is_unique_violation;
use lp_matcher::cascade::{wave_interval, wave_size};
use lp_registry::{organisations, staff, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A sent offer whose link has passed its expiry counts as expired, whether or not a sweep
/// has written that down yet.
pub(crate) fn effective_state(row: &offer::Model, now: DateTime<Utc>) -> Result<OfferState, DbErr> {
    let state: OfferState = parse(&row.state, "offers.state")?;
    Ok(if state == OfferState::Sent && row.expires_at <= now {
        OfferState::Expired
    } else {
        state
    })
}

/// What happened when the search for an interpreter went on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOutcome {
    /// This many new offers went out.
    Offered(usize),
    /// No new candidate, but offers are still out.
    Waiting,
    /// No candidate left and nothing out: the request is now unfilled.
    Unfilled,
}

/// Offers the request to up to `how_many` of the best-ranked candidates who have not had an
/// offer for it yet. Call inside the transaction of the change that caused the search.
pub(crate) async fn continue_search(
    txn: &impl ConnectionTrait,
    row: &request::Model,
    how_many: usize,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<SearchOutcome, RequestError> {
    let earlier = offer::Entity::find()
        .filter(offer::Column::RequestId.eq(row.id))
        .all(txn)
        .await?;
    // Offers withdrawn because someone else took the job may be made again once that person
    // gave it back; everyone else is asked at most once per request.
    let askable_again: HashMap<Uuid, Uuid> = earlier
        .iter()
        .filter(|o| o.state == OfferState::Withdrawn.as_str() && o.withdrew_at.is_none())
        .map(|o| (o.volunteer_id, o.id))
        .collect();
    let already_offered: HashSet<Uuid> = earlier
        .iter()
        .map(|o| o.volunteer_id)
        .filter(|id| !askable_again.contains_key(id))
        .collect();
    let outstanding = earlier
        .iter()
        .filter(|o| o.state == OfferState::Sent.as_str() && o.expires_at > now)
        .count();
    let wave = earlier.iter().map(|o| o.wave).max().unwrap_or(0) + 1;

    let spec = request_spec(row)?;
    let pool = profiles(txn, Reach::Active, settings, now, Some(row.id)).await?;
    let ranking = lp_matcher::rank(&spec, &pool, now, &settings.matching);
    let chosen: Vec<Uuid> = ranking
        .candidates
        .iter()
        .map(|c| c.volunteer_id)
        .filter(|id| !already_offered.contains(id))
        .take(how_many)
        .collect();

    if chosen.is_empty() && outstanding == 0 {
        mark_unfilled(txn, row, settings, now).await?;
        return Ok(SearchOutcome::Unfilled);
    }
    // While the request is open the worker looks again after the wave interval: answers may
    // not come, and volunteers joining or coming back from absence become candidates.
    let next_wave_at = now + wave_interval(now, row.fill_by, &settings.cascade());
    request::Entity::update_many()
        .col_expr(request::Column::NextWaveAt, Expr::value(next_wave_at))
        .filter(request::Column::Id.eq(row.id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(txn)
        .await?;
    if chosen.is_empty() {
        return Ok(SearchOutcome::Waiting);
    }

    let recipients = volunteers::get_many(txn, &chosen).await?;
    // Offer links stop working when the appointment starts.
    let expires_at = row.starts_at;
    for volunteer_id in &chosen {
        let Some(volunteer) = recipients.iter().find(|v| v.id == *volunteer_id) else {
            continue;
        };
        let token = new_token();
        let offer = offer::ActiveModel {
            id: Set(askable_again.get(&volunteer.id).copied().unwrap_or_else(Uuid::new_v4)),
            request_id: Set(row.id),
            volunteer_id: Set(volunteer.id),
            state: Set(OfferState::Sent.as_str().to_owned()),
            token_hash: Set(token.hash.clone()),
            wave: Set(wave),
            sent_at: Set(now),
            expires_at: Set(expires_at),
            responded_at: Set(None),
            withdrew_at: Set(None),
        };
        // Asking again renews the offer row with a fresh link; the old link stays dead.
        if askable_again.contains_key(&volunteer.id) {
            offer::Entity::update(offer).exec(txn).await?;
        } else {
            offer::Entity::insert(offer).exec_without_returning(txn).await?;
        }
        mails::offer(txn, row, volunteer, &token.plain, expires_at, settings, now).await?;
    }
    Ok(SearchOutcome::Offered(chosen.len()))
}

/// Ends the search without an interpreter: outstanding offers are withdrawn, and the
/// caseworker and every coordinator are told.
pub(crate) async fn mark_unfilled(
    txn: &impl ConnectionTrait,
    row: &request::Model,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let updated = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Unfilled.as_str()))
        .col_expr(request::Column::NextWaveAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(row.id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        withdraw_outstanding(txn, row.id).await?;
        let mut recipients = staff::coordinators(txn).await?;
        if let Some(caseworker) = staff::get(txn, row.caseworker_id).await?
            && !recipients.iter().any(|r| r.id == caseworker.id)
        {
            recipients.insert(0, caseworker);
        }
        mails::unfilled(txn, row, &recipients, settings, now).await?;
    }
    Ok(())
}

/// What a volunteer's offer link shows. The street address and the notes appear only once
/// this volunteer has the job.
#[derive(Debug, Clone, Serialize)]
pub struct OfferPage {
    pub status: OfferPageStatus,
    pub volunteer_name: String,
    pub language: LanguageCode,
    pub language_de: &'static str,
    pub language_en: &'static str,
    pub starts_at: DateTime<FixedOffset>,
    pub duration_minutes: u32,
    pub mode: Mode,
    pub town: Option<String>,
    pub setting: Setting,
    pub address: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferPageStatus {
    /// The volunteer can accept or decline.
    Open,
    /// This volunteer has the job.
    Accepted,
    Declined,
    /// Someone else has the job.
    Filled,
    /// This volunteer accepted, then took it back.
    Withdrew,
    Cancelled,
    Expired,
}

async fn find_offer(db: &impl ConnectionTrait, token: &str) -> Result<(offer::Model, request::Model), RequestError> {
    let offer = offer::Entity::find()
        .filter(offer::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    let request = request::Entity::find_by_id(offer.request_id)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    Ok((offer, request))
}

/// Reads only: mail scanners open links, so a GET must never act.
pub async fn page(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> Result<OfferPage, RequestError> {
    let (offer, request) = find_offer(db, token).await?;
    let status = page_status(&offer, &request, now)?;
    let volunteer = volunteers::get(db, offer.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let spec = request_spec(&request)?;
    let has_job = status == OfferPageStatus::Accepted;
    Ok(OfferPage {
        status,
        volunteer_name: volunteer.name,
        language: spec.language,
        language_de: spec.language.name_de(),
        language_en: spec.language.name_en(),
        starts_at: local(request.starts_at),
        duration_minutes: spec.duration_minutes,
        mode: spec.mode,
        town: request.town.clone(),
        setting: spec.setting,
        address: if has_job { request.address.clone() } else { None },
        notes: if has_job { request.notes.clone() } else { None },
    })
}

fn page_status(offer: &offer::Model, request: &request::Model, now: DateTime<Utc>) -> Result<OfferPageStatus, DbErr> {
    let request_status: RequestStatus = parse(&request.status, "status")?;
    if offer.withdrew_at.is_some() {
        return Ok(OfferPageStatus::Withdrew);
    }
    Ok(match effective_state(offer, now)? {
        OfferState::Accepted if request_status == RequestStatus::Cancelled => OfferPageStatus::Cancelled,
        OfferState::Accepted => OfferPageStatus::Accepted,
        OfferState::Declined => OfferPageStatus::Declined,
        OfferState::Expired => OfferPageStatus::Expired,
        OfferState::Sent | OfferState::Withdrawn => match request_status {
            RequestStatus::Open if offer.state == OfferState::Sent.as_str() => OfferPageStatus::Open,
            RequestStatus::Assigned | RequestStatus::Completed => OfferPageStatus::Filled,
            RequestStatus::Cancelled => OfferPageStatus::Cancelled,
            RequestStatus::Open | RequestStatus::Unfilled => OfferPageStatus::Expired,
        },
    })
}

/// Why a link action did not happen, as the volunteer should hear it.
fn refusal(offer: &offer::Model, request: &request::Model, now: DateTime<Utc>) -> Result<RequestError, DbErr> {
    Ok(match page_status(offer, request, now)? {
        OfferPageStatus::Filled => RequestError::Conflict("this job has been filled by someone else".to_owned()),
        OfferPageStatus::Accepted => RequestError::Gone("you have accepted this job already".to_owned()),
        OfferPageStatus::Withdrew => RequestError::Gone("you have withdrawn from this job".to_owned()),
        OfferPageStatus::Declined => RequestError::Gone("you have declined this offer already".to_owned()),
        OfferPageStatus::Cancelled => RequestError::Gone("the appointment was cancelled".to_owned()),
        OfferPageStatus::Expired => RequestError::Gone("this offer has expired".to_owned()),
        // Still open, yet the write lost: a concurrent answer on this very link got there first.
        OfferPageStatus::Open => RequestError::Gone("this link has been used already".to_owned()),
    })
}

/// The first accept wins the request; every later one gets a conflict.
pub async fn accept(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Uuid, RequestError> {
    let (offer_row, _) = find_offer(db, token).await?;
    match try_accept(db, &offer_row, token, settings, now).await {
        Ok(true) => Ok(offer_row.request_id),
        Ok(false) => Err(refusal_now(db, offer_row.id, now).await?),
        Err(RequestError::Db(err)) if is_unique_violation(&err) => Err(RequestError::Conflict(
            "this job has been filled by someone else".to_owned(),
        )),
        Err(err) => Err(err),
    }
}

async fn refusal_now(
    db: &DatabaseConnection,
    offer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<RequestError, RequestError> {
    let offer = offer::Entity::find_by_id(offer_id)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    let request = request::Entity::find_by_id(offer.request_id)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    Ok(refusal(&offer, &request, now)?)
}

/// Ok(false) when the offer or the request was no longer open; the transaction is then
/// rolled back and nothing changed.
async fn try_accept(
    db: &DatabaseConnection,
    offer_row: &offer::Model,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    // The one conditional write that decides the race. It comes first: every rival then
    // queues on the request's row and finds it no longer open (on PostgreSQL taking the offer
    // row first deadlocks against the rival's withdrawal of it), and SQLite takes its write
    // lock at once instead of failing to upgrade a read lock.
    let request_won = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Assigned.as_str()))
        .col_expr(request::Column::AssigneeId, Expr::value(offer_row.volunteer_id))
        .col_expr(request::Column::AssignedAt, Expr::value(now))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(offer_row.request_id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(&*txn)
        .await?;
    if request_won.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    // The offer itself must still be open: not declined, withdrawn or expired meanwhile.
    if !answer(&*txn, offer_row.id, OfferState::Accepted, now).await? {
        txn.rollback().await?;
        return Ok(false);
    }

    let request = request::Entity::find_by_id(offer_row.request_id)
        .one(&*txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    // Since the offer went out the volunteer may have taken another job at that time, reached
    // the monthly maximum or been paused: the hard rules are checked again, with the
    // volunteer's row locked so that two of their acceptances are judged one after the other.
    volunteers::lock(&*txn, offer_row.volunteer_id).await?;
    let spec = request_spec(&request)?;
    if let Some(profile) = profile_of(&*txn, offer_row.volunteer_id, settings, now, request.id).await?
        && let Some(rule) = lp_matcher::first_violation(&spec, &profile, now, &settings.matching)
    {
        txn.rollback().await?;
        return Err(RequestError::NotEligible { rule });
    }
    let others = offer::Entity::find()
        .filter(offer::Column::RequestId.eq(request.id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .all(&*txn)
        .await?;
    withdraw_outstanding(&*txn, request.id).await?;

    let volunteer = volunteers::get(&*txn, offer_row.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let caseworker = staff::get(&*txn, request.caseworker_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let organisation = organisations::get(&*txn, request.organisation_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let parties = mails::Parties {
        volunteer: &volunteer,
        caseworker: &caseworker,
        organisation_name: &organisation.name,
    };
    mails::assignment(&*txn, &request, parties, token, settings, now).await?;
    let other_ids: Vec<Uuid> = others.iter().map(|o| o.volunteer_id).collect();
    for other in volunteers::get_many(&*txn, &other_ids).await? {
        mails::filled_by_someone_else(&*txn, &request, &other, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Records the volunteer's answer if the offer is still open and unexpired; `false` if not.
async fn answer(
    txn: &impl ConnectionTrait,
    offer_id: Uuid,
    answer: OfferState,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let answered = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(answer.as_str()))
        .col_expr(offer::Column::RespondedAt, Expr::value(now))
        .filter(offer::Column::Id.eq(offer_id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .filter(offer::Column::ExpiresAt.gt(now))
        .exec(txn)
        .await?;
    Ok(answered.rows_affected == 1)
}

/// A decline passes the offer on to the next candidate at once.
pub async fn decline(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Uuid, RequestError> {
    let (offer_row, _) = find_offer(db, token).await?;
    let txn = lp_db::begin_write(db).await?;
    // The request's row first, as every change of a request's offers does: concurrent
    // declines then pick next candidates one after the other, and a decline cannot interleave
    // with an acceptance's withdrawal of the remaining offers.
    let request = request::Entity::find_by_id(offer_row.request_id)
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    if !answer(&*txn, offer_row.id, OfferState::Declined, now).await? {
        txn.rollback().await?;
        return Err(refusal_now(db, offer_row.id, now).await?);
    }
    if request.status == RequestStatus::Open.as_str() {
        continue_search(&*txn, &request, 1, settings, now).await?;
    }
    txn.commit().await?;
    Ok(offer_row.request_id)
}

/// The assigned volunteer takes back an acceptance: the request is open again, the
/// caseworker is told, and the search goes on at once with candidates not yet asked.
pub async fn withdraw(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<Uuid, RequestError> {
    let (offer_row, _) = find_offer(db, token).await?;
    let txn = lp_db::begin_write(db).await?;
    let reopened = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Open.as_str()))
        .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
        .col_expr(request::Column::AssignedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(offer_row.request_id))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .filter(request::Column::AssigneeId.eq(offer_row.volunteer_id))
        .filter(request::Column::StartsAt.gt(now))
        .exec(&*txn)
        .await?;
    let withdrawn = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
        .col_expr(offer::Column::WithdrewAt, Expr::value(now))
        .filter(offer::Column::Id.eq(offer_row.id))
        .filter(offer::Column::State.eq(OfferState::Accepted.as_str()))
        .exec(&*txn)
        .await?;
    if reopened.rows_affected != 1 || withdrawn.rows_affected != 1 {
        txn.rollback().await?;
        let offer = offer::Entity::find_by_id(offer_row.id)
            .one(db)
            .await?
            .ok_or(RequestError::NotFound)?;
        let request = request::Entity::find_by_id(offer.request_id)
            .one(db)
            .await?
            .ok_or(RequestError::NotFound)?;
        return Err(match page_status(&offer, &request, now)? {
            OfferPageStatus::Accepted => {
                RequestError::Gone("the appointment has begun; please call the caseworker".to_owned())
            }
            _ => refusal(&offer, &request, now)?,
        });
    }
    let request = request::Entity::find_by_id(offer_row.request_id)
        .one(&*txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    let volunteer = volunteers::get(&*txn, offer_row.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    if let Some(caseworker) = staff::get(&*txn, request.caseworker_id).await? {
        mails::withdrawn(&*txn, &request, &volunteer, &caseworker, settings, now).await?;
    }
    continue_search(&*txn, &request, wave_size(&settings.cascade()), settings, now).await?;
    txn.commit().await?;
    Ok(request.id)
}

/// Withdraws the offers still out for a request that was filled or cancelled.
pub(crate) async fn withdraw_outstanding(txn: &impl ConnectionTrait, request_id: Uuid) -> Result<u64, DbErr> {
    let withdrawn = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
        .filter(offer::Column::RequestId.eq(request_id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(txn)
        .await?;
    Ok(withdrawn.rows_affected)
}

/// Offers of several requests at once, for listing them.
pub(crate) async fn of_requests(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<offer::Model>, DbErr> {
    let mut all = Vec::new();
    for chunk in ids.chunks(500) {
        let mut rows = offer::Entity::find()
            .filter(offer::Column::RequestId.is_in(chunk.iter().copied()))
            .order_by_asc(offer::Column::SentAt)
            .order_by_asc(offer::Column::Id)
            .all(db)
            .await?;
        all.append(&mut rows);
    }
    Ok(all)
}

/// Before a volunteer's personal data is erased: refuses while they hold an upcoming
/// assignment (the caseworker must know first), withdraws their open offers, and tells
/// whether they have a history, in which case they are anonymised rather than deleted.
pub async fn release_volunteer(
    txn: &impl ConnectionTrait,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let upcoming = request::Entity::find()
        .filter(request::Column::AssigneeId.eq(volunteer_id))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .filter(request::Column::StartsAt.gt(now))
        .count(txn)
        .await?;
    if upcoming > 0 {
        return Err(RequestError::Conflict(format!(
            "the volunteer holds {upcoming} upcoming assignment(s); cancel them first so the caseworkers know"
        )));
    }
    offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(OfferState::Withdrawn.as_str()))
        .filter(offer::Column::VolunteerId.eq(volunteer_id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .exec(txn)
        .await?;
    Ok(offer::Entity::find()
        .filter(offer::Column::VolunteerId.eq(volunteer_id))
        .one(txn)
        .await?
        .is_some())
}
