//! The volunteer's offer link: what it shows, and what accepting, declining and giving a job
//! back do. Accepting is a race that exactly one offer wins, decided by one conditional UPDATE
//! of the request and backed by a unique index on accepted offers.

use crate::accept_turns;
use crate::entities::{offer, request};
use crate::pool::{Standing, standing};
use crate::request::{Offer, Request};
use crate::rules::{LinkRefusal, OfferPageStatus, offer_page_status};
use crate::search::{continue_search, withdraw_outstanding};
use crate::settings::RequestSettings;
use crate::view::local;
use crate::{RequestError, mails};
use chrono::{DateTime, FixedOffset, Utc};
use lp_core::LanguageCode;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use lp_core::vocab::{Mode, OfferState, RequestStatus, Setting};
use lp_db::is_unique_violation;
use lp_db::secret_link;
use lp_matcher::cascade::Occasion;
use lp_registry::{organisations, pool_changes, staff, volunteers};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
};
use serde::Serialize;
use std::net::IpAddr;
use uuid::Uuid;

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
    /// The meeting link of a video appointment, once this volunteer has the job.
    pub video_url: Option<String>,
    /// Until when the offer can be accepted (the search's deadline).
    pub open_until: DateTime<FixedOffset>,
    /// For the offer of a series: its later dates, and whether this volunteer may take each
    /// (while the offer is open), or the later dates they took (once accepted).
    pub series: Vec<OfferSeriesDate>,
    /// While this volunteer's acceptance waits in an acceptance window: when it closes and
    /// they hear whether the job is theirs.
    pub confirm_by: Option<DateTime<FixedOffset>>,
    /// The pool's acceptance window: 0 when the first to accept gets the job.
    pub accept_window_minutes: u32,
}

/// What an acceptance did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The job is this volunteer's.
    Assigned { request_id: Uuid },
    /// Collected in the acceptance window: the best-ranked of those who accepted gets the job
    /// at `confirm_by`.
    Pending {
        request_id: Uuid,
        confirm_by: DateTime<Utc>,
    },
}

impl Accepted {
    pub fn request_id(self) -> Uuid {
        match self {
            Accepted::Assigned { request_id } | Accepted::Pending { request_id, .. } => request_id,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OfferSeriesDate {
    pub starts_at: DateTime<FixedOffset>,
    /// Free by the hard rules as of now, so accepting takes it.
    pub free: bool,
}

/// The offer a token names and its request, in one statement: every rival of an accept race
/// reads them, most of them twice.
async fn find_offer(db: &impl ConnectionTrait, token: &str) -> Result<(Offer, Request), RequestError> {
    let its_request = offer::Entity::belongs_to(request::Entity)
        .from(offer::Column::RequestId)
        .to(request::Column::Id)
        .into();
    let (offer, request) = secret_link::select::<offer::Entity>(token)
        .select_also(request::Entity)
        .join(JoinType::InnerJoin, its_request)
        .one(db)
        .await?
        .ok_or(RequestError::NotFound)?;
    let request = request.ok_or(RequestError::NotFound)?;
    Ok((Offer::from_row(offer)?, Request::from_row(request)?))
}

/// Reads only: mail scanners open links, so a GET must never act.
pub async fn page(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    now: DateTime<Utc>,
) -> Result<OfferPage, RequestError> {
    let (offer, request) = find_offer(db, token).await?;
    let status = offer_page_status(&offer, request.status, now);
    let volunteer = volunteers::get(db, offer.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let has_job = status == OfferPageStatus::Accepted;
    let series = match status {
        OfferPageStatus::Open => {
            let mut dates = Vec::new();
            for date in crate::series::held_dates(db, &request).await? {
                let free = matches!(
                    standing(db, offer.volunteer_id, &date.spec(), date.id, settings, now).await?,
                    Standing::May
                );
                dates.push(OfferSeriesDate {
                    starts_at: local(date.starts_at),
                    free,
                });
            }
            dates
        }
        OfferPageStatus::Accepted => match request.series {
            Some(place) if place.id == request.id => crate::series::dates(db, place.id)
                .await?
                .into_iter()
                .filter(|d| d.id != request.id && d.assignee_id == Some(offer.volunteer_id))
                .map(|d| OfferSeriesDate {
                    starts_at: local(d.starts_at),
                    free: true,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(OfferPage {
        series,
        status,
        volunteer_name: volunteer.name,
        language: request.language,
        language_de: request.language.name_de(),
        language_en: request.language.name_en(),
        starts_at: local(request.starts_at),
        duration_minutes: request.duration_minutes,
        mode: request.mode,
        town: request.town,
        setting: request.setting,
        address: if has_job { request.address } else { None },
        notes: if has_job { request.notes } else { None },
        video_url: if has_job { request.video_url } else { None },
        open_until: local(crate::rules::offer_open_until(request.fill_by)),
        confirm_by: (status == OfferPageStatus::Pending)
            .then_some(request.window_closes_at)
            .flatten()
            .map(local),
        accept_window_minutes: settings.accept_window_minutes,
    })
}

/// Why the action on this link did not happen, read afresh after the write lost.
async fn refusal(db: &DatabaseConnection, token: &str, now: DateTime<Utc>, giving_back: bool) -> RequestError {
    match find_offer(db, token).await {
        Ok((offer, request)) => RequestError::Link(LinkRefusal::for_status(
            offer_page_status(&offer, request.status, now),
            giving_back,
        )),
        Err(err) => err,
    }
}

/// Without an acceptance window the first accept wins the request and every later one gets a
/// conflict; with one ([`RequestSettings::accept_window_minutes`]) acceptances are collected
/// until it closes ([`crate::accept_window`]).
pub async fn accept(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Accepted, RequestError> {
    loop {
        let (offer, request) = find_offer(db, token).await?;
        // Most rivals of a race arrive after the winner committed: they read the answer and
        // never queue for the write lock. A stale "open" only sends them on to the turn.
        let status = offer_page_status(&offer, request.status, now);
        if let (OfferPageStatus::Pending, Some(confirm_by)) = (status, request.window_closes_at) {
            // A second tap on the button: the acceptance is collected already.
            return Ok(Accepted::Pending {
                request_id: request.id,
                confirm_by,
            });
        }
        if status != OfferPageStatus::Open {
            return Err(RequestError::Link(LinkRefusal::for_status(status, false)));
        }
        if settings.accept_window_minutes > 0 {
            return match crate::accept_window::collect(db, &offer, token, settings, now).await? {
                Some(confirm_by) => Ok(Accepted::Pending {
                    request_id: request.id,
                    confirm_by,
                }),
                None => Err(refusal(db, token, now, false).await),
            };
        }
        // Rivals in this process wait for the accept in flight and hear its outcome.
        let mut turn = match accept_turns::enter(request.id).await {
            accept_turns::Entry::Turn(turn) => turn,
            accept_turns::Entry::Waited { won_by: Some(winner) } => {
                // The request is assigned now; this offer's answer follows without a read.
                let status = if winner == offer.id {
                    OfferPageStatus::Accepted
                } else {
                    offer_page_status(&offer, RequestStatus::Assigned, now)
                };
                return Err(RequestError::Link(LinkRefusal::for_status(status, false)));
            }
            accept_turns::Entry::Waited { won_by: None } => continue,
        };
        let tried = try_accept(db, &offer, token, settings, addr, now).await;
        if matches!(tried, Ok(true)) {
            turn.won_by(offer.id);
        }
        drop(turn);
        return match tried {
            Ok(true) => Ok(Accepted::Assigned {
                request_id: offer.request_id,
            }),
            Ok(false) => Err(refusal(db, token, now, false).await),
            Err(RequestError::Db(err)) if is_unique_violation(&err) => Err(RequestError::Link(LinkRefusal::Filled)),
            Err(err) => Err(err),
        };
    }
}

/// Ok(false) when the offer or the request was no longer open; the transaction is then
/// rolled back and nothing changed.
async fn try_accept(
    db: &DatabaseConnection,
    offer: &Offer,
    token: &str,
    settings: &RequestSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let txn = lp_db::begin_write(db).await?;
    // The one conditional write that decides the race. It comes first: every rival then
    // queues on the request's row and finds it no longer open (on PostgreSQL taking the offer
    // row first deadlocks against the rival's withdrawal of it), and SQLite takes its write
    // lock at once instead of failing to upgrade a read lock.
    if !win_request(&*txn, offer, now).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    // The offer itself must still be open: not declined, withdrawn or expired meanwhile.
    if !answer(&*txn, token, OfferState::Accepted, now).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    complete_acceptance(&*txn, offer, settings, addr, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// The conditional write that gives the open request to the offer's volunteer; `false` if
/// it was no longer open.
pub(crate) async fn win_request(txn: &impl ConnectionTrait, offer: &Offer, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let won = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Assigned.as_str()))
        .col_expr(request::Column::AssigneeId, Expr::value(offer.volunteer_id))
        .col_expr(request::Column::AssignedAt, Expr::value(now))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            request::Column::WindowClosesAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(request::Column::Id.eq(offer.request_id))
        .filter(request::Column::Status.eq(RequestStatus::Open.as_str()))
        .exec(txn)
        .await?;
    Ok(won.rows_affected == 1)
}

/// Everything an acceptance does once the request and the offer are won in `txn`: the video
/// room, the re-check of the hard rules (an error, the caller rolls back), the other offers
/// withdrawn, the series' later dates, the mails and the audit entries. The caller commits.
pub(crate) async fn complete_acceptance(
    txn: &impl ConnectionTrait,
    offer: &Offer,
    settings: &RequestSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let mut request = crate::request::get(txn, offer.request_id).await?;
    give_video_room(txn, &mut request, settings).await?;
    offer::Entity::update_many()
        .col_expr(
            offer::Column::ExpiresAt,
            Expr::value(crate::rules::accepted_link_until(request.starts_at)),
        )
        .filter(offer::Column::Id.eq(offer.id))
        .exec(txn)
        .await?;
    // Since the offer went out the volunteer may have taken another job at that time, reached
    // the monthly maximum or been paused: the hard rules are checked again, with the
    // volunteer's row locked so that two of their acceptances are judged one after the other.
    volunteers::lock(txn, offer.volunteer_id).await?;
    if let Standing::Breaks(rule) =
        standing(txn, offer.volunteer_id, &request.spec(), request.id, settings, now).await?
    {
        return Err(RequestError::NotEligible { rule });
    }
    let others = offer::Entity::find()
        .filter(offer::Column::RequestId.eq(request.id))
        .filter(offer::Column::State.eq(OfferState::Sent.as_str()))
        .all(txn)
        .await?;
    withdraw_outstanding(txn, request.id).await?;
    // The offer of a series' first date is for the series: the later dates they may take.
    let mut series = crate::series::take(txn, &request, offer.volunteer_id, settings, now).await?;
    for date in &mut series.taken {
        give_video_room(txn, &mut date.request, settings).await?;
    }

    let volunteer = volunteers::get(txn, offer.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let caseworker = staff::get(txn, request.caseworker_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let organisation = organisations::get(txn, request.organisation_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let parties = mails::Parties {
        volunteer: &volunteer,
        caseworker: &caseworker,
        organisation_name: &organisation.name,
    };
    mails::assignment(txn, &request, &series, parties, offer.link(), settings, now).await?;
    let other_ids: Vec<Uuid> = others.iter().map(|o| o.volunteer_id).collect();
    for other in volunteers::get_many(txn, &other_ids).await? {
        mails::filled_by_someone_else(txn, &request, &other, now).await?;
    }
    // The winner has a new assignment and one more acceptance.
    pool_changes::record(txn, &[offer.volunteer_id], now).await?;
    audit(txn, offer, AuditAction::Accept, addr, now).await?;
    for date in &series.taken {
        let entry = AuditEntry::new(
            Who::Volunteer(offer.volunteer_id),
            AuditAction::Accept,
            AuditObject::Request,
            date.request.id,
        )
        .fields(["series"])
        .from(addr);
        lp_audit::record(txn, &entry, now).await?;
    }
    Ok(())
}

/// A video appointment gets its meeting room when someone takes it, once: a give-back and a
/// new acceptance keep the link both sides already have.
async fn give_video_room(
    txn: &impl ConnectionTrait,
    request: &mut Request,
    settings: &RequestSettings,
) -> Result<(), RequestError> {
    if request.mode == Mode::Video
        && request.video_url.is_none()
        && let Some(url) = settings.new_video_url()
    {
        request::Entity::update_many()
            .col_expr(request::Column::VideoUrl, Expr::value(url.clone()))
            .filter(request::Column::Id.eq(request.id))
            .exec(txn)
            .await?;
        request.video_url = Some(url);
    }
    Ok(())
}

/// A volunteer's answer through their link goes to the audit log as an action on the request.
async fn audit(
    txn: &impl ConnectionTrait,
    offer: &Offer,
    action: AuditAction,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    let entry = AuditEntry::new(
        Who::Volunteer(offer.volunteer_id),
        action,
        AuditObject::Request,
        offer.request_id,
    )
    .fields(["offer"])
    .from(addr);
    Ok(lp_audit::record(txn, &entry, now).await?)
}

/// Records the volunteer's answer if the offer is still open and unexpired; `false` if not.
async fn answer(
    txn: &impl ConnectionTrait,
    token: &str,
    answer: OfferState,
    now: DateTime<Utc>,
) -> Result<bool, RequestError> {
    let unspent = Condition::all().add(offer::Column::State.eq(OfferState::Sent.as_str()));
    let changes = [
        (offer::Column::State, Expr::value(answer.as_str())),
        (offer::Column::RespondedAt, Expr::value(now)),
    ];
    Ok(secret_link::spend::<offer::Entity>(txn, token, unspent, changes, now).await?)
}

/// A decline passes the offer on to the next candidate at once.
pub async fn decline(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Uuid, RequestError> {
    let (offer, _) = find_offer(db, token).await?;
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let txn = lp_db::begin_write(db).await?;
    // The request's row first, as every change of a request's offers does: concurrent
    // declines then pick next candidates one after the other, and a decline cannot interleave
    // with an acceptance's withdrawal of the remaining offers.
    let row = request::Entity::find_by_id(offer.request_id)
        .lock_exclusive()
        .one(&*txn)
        .await?
        .ok_or(RequestError::NotFound)?;
    let request = Request::from_row(row)?;
    if !answer(&*txn, token, OfferState::Declined, now).await? {
        txn.rollback().await?;
        return Err(refusal(db, token, now, false).await);
    }
    // While an acceptance window is open someone said yes: the close decides, and asks on
    // only if none of them may take it.
    if request.status == RequestStatus::Open && request.window_closes_at.is_none() {
        continue_search(&*txn, &request, Occasion::Declined, &pool, settings, now).await?;
    }
    pool_changes::record(&*txn, &[offer.volunteer_id], now).await?;
    audit(&*txn, &offer, AuditAction::Decline, addr, now).await?;
    txn.commit().await?;
    Ok(offer.request_id)
}

/// The assigned volunteer takes back an acceptance: the request is open again, the
/// caseworker is told, and the search goes on at once with candidates not yet asked.
pub async fn withdraw(
    db: &DatabaseConnection,
    token: &str,
    settings: &RequestSettings,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Uuid, RequestError> {
    let (offer, _) = find_offer(db, token).await?;
    let pool = settings.ranker.pool(db, settings.training_validity_months, now).await?;
    let txn = lp_db::begin_write(db).await?;
    let reopened = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(RequestStatus::Open.as_str()))
        .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
        .col_expr(request::Column::AssignedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(offer.request_id))
        .filter(request::Column::Status.eq(RequestStatus::Assigned.as_str()))
        .filter(request::Column::AssigneeId.eq(offer.volunteer_id))
        .filter(request::Column::StartsAt.gt(now))
        .exec(&*txn)
        .await?;
    // The offer's link expires when the appointment starts, which the request's condition
    // above already requires.
    let unspent = Condition::all().add(offer::Column::State.eq(OfferState::Accepted.as_str()));
    let changes = [
        (offer::Column::State, Expr::value(OfferState::Withdrawn.as_str())),
        (offer::Column::WithdrewAt, Expr::value(now)),
    ];
    let withdrawn = secret_link::spend::<offer::Entity>(&*txn, token, unspent, changes, now).await?;
    if reopened.rows_affected != 1 || !withdrawn {
        txn.rollback().await?;
        return Err(refusal(db, token, now, true).await);
    }
    let request = crate::request::get(&*txn, offer.request_id).await?;
    let volunteer = volunteers::get(&*txn, offer.volunteer_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    if let Some(caseworker) = staff::get(&*txn, request.caseworker_id).await? {
        mails::withdrawn(&*txn, &request, &volunteer, &caseworker, settings, now).await?;
    }
    continue_search(&*txn, &request, Occasion::GivenBack, &pool, settings, now).await?;
    pool_changes::record(&*txn, &[offer.volunteer_id], now).await?;
    audit(&*txn, &offer, AuditAction::Withdraw, addr, now).await?;
    txn.commit().await?;
    Ok(request.id)
}
