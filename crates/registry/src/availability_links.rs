//! The volunteers' own availability links (`/v/{token}`): issuing them (with every offer mail,
//! and by email on request), what a link shows, and the one save each link allows.
//!
//! A link is a secret like an offer's: 256 bits derived from the server key over the row's id
//! and a nonce (`lp_core::link`), only the SHA-256 stored, bound to one volunteer; the mail
//! carries a placeholder until the worker sends it. It is valid for [`LINK_VALIDITY_DAYS`] days — long enough to outlast a holiday
//! between two offer mails, short enough that an old mail in a shared inbox goes dead — and
//! its first successful save spends it. Reading never spends it: mail scanners open links.

use crate::RegistryError;
use crate::entities::{availability_link, spend_once, volunteer};
use crate::volunteers::{self, check_schedule};
use chrono::{DateTime, Duration, Utc};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::secret::{ServerKey, new_token};
use lp_core::time::{DateRange, WeeklySlot};
use lp_core::validation::{FieldError, check_email};
use lp_core::vocab::VolunteerStatus;
use lp_db::secret_link::{self, Standing};
use lp_notify::NotifyError;
use lp_notify::templates::AvailabilityLinkMail;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a link works after it was issued.
pub const LINK_VALIDITY_DAYS: i64 = 30;
/// At most one link asked for on `/v` goes to a volunteer in this many minutes, so the form
/// cannot be used to flood someone's inbox.
pub const REQUEST_INTERVAL_MINUTES: i64 = 10;

/// Why a row was written. Only rows asked for count towards the request limit, each reason
/// towards its own: an offer mail that just went out must not stop a volunteer from asking
/// for a link, nor a link asked for from asking for an Ehrenamtsnachweis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Offer,
    Request,
    /// An Ehrenamtsnachweis asked for on `/v`. Its row is only the record of the request (see
    /// [`admit_request`]): born spent and expired, its token never kept, it never opens a page.
    Nachweis,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Offer => "offer",
            Reason::Request => "request",
            Reason::Nachweis => "nachweis",
        }
    }
}

/// A link just issued: what its token is derived from, for the one mail that carries it (as a
/// placeholder, `link.placeholder()`). Neither the token nor its nonce is kept in the row.
#[derive(Debug)]
pub struct IssuedLink {
    pub link: LinkSeed,
    pub expires_at: DateTime<Utc>,
}

/// Issues a fresh link for a volunteer. Call inside the transaction of the mail that carries
/// it, so the link exists exactly when the mail does.
pub async fn issue(
    db: &impl ConnectionTrait,
    key: &ServerKey,
    volunteer_id: Uuid,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<IssuedLink, RegistryError> {
    let mut issued = issue_each(db, key, &[volunteer_id], reason, now).await?;
    Ok(issued.remove(0))
}

/// A fresh link for each of these volunteers, in their order, in two statements (a wave of
/// offer mails carries one each).
pub async fn issue_each(
    db: &impl ConnectionTrait,
    key: &ServerKey,
    volunteer_ids: &[Uuid],
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<Vec<IssuedLink>, RegistryError> {
    if volunteer_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Rows long past their expiry only tell "expired" from "unknown"; a month later nobody
    // needs that, so each volunteer's table part stays small.
    availability_link::Entity::delete_many()
        .filter(availability_link::Column::VolunteerId.is_in(volunteer_ids.iter().copied()))
        .filter(availability_link::Column::ExpiresAt.lt(now - Duration::days(LINK_VALIDITY_DAYS)))
        .exec(db)
        .await?;
    let expires_at = now + Duration::days(LINK_VALIDITY_DAYS);
    let links: Vec<_> = volunteer_ids
        .iter()
        .map(|_| LinkSeed::fresh(LinkKind::Availability, Uuid::new_v4()))
        .collect();
    let rows = volunteer_ids
        .iter()
        .zip(&links)
        .map(|(volunteer_id, link)| availability_link::ActiveModel {
            id: Set(link.id()),
            token_hash: Set(link.hash(key)),
            volunteer_id: Set(*volunteer_id),
            reason: Set(reason.as_str().to_owned()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
        });
    availability_link::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(links.into_iter().map(|link| IssuedLink { link, expires_at }).collect())
}

/// Every link of a volunteer stops working, e.g. when their personal data is erased.
pub async fn revoke_all(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<(), RegistryError> {
    availability_link::Entity::delete_many()
        .filter(availability_link::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Why a link does not open. `Expired` and `Used` are "gone" (410), `Unknown` is 404.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("unknown link")]
    Unknown,
    #[error("this link has expired; please use the link in your next email or ask for a new one")]
    Expired,
    #[error("this link has been used already; please use the link in your next email or ask for a new one")]
    Used,
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<sea_orm::DbErr> for LinkError {
    fn from(err: sea_orm::DbErr) -> Self {
        LinkError::Registry(err.into())
    }
}

/// What a volunteer's link shows: the first name only (a mail scanner may be the one reading)
/// and the schedule to edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailabilityPage {
    /// Whose page it is, for the pages that add their assignments and calendar feed; not shown.
    #[serde(skip)]
    pub volunteer_id: Uuid,
    pub first_name: String,
    pub availability: Vec<WeeklySlot>,
    pub absences: Vec<DateRange>,
    pub expires_at: DateTime<Utc>,
}

/// What a volunteer may change through the link, in the SPEC's shapes. Parsing already checks
/// each slot and absence; [`ScheduleInput::validate`] applies the registry's remaining rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    pub availability: Vec<WeeklySlot>,
    pub absences: Vec<DateRange>,
}

/// A schedule that passed the registry's rules, ready to store.
#[derive(Debug, Clone)]
pub struct ValidSchedule(ScheduleInput);

impl ScheduleInput {
    pub fn validate(self) -> Result<ValidSchedule, FieldError> {
        check_schedule(&self.availability, &self.absences)?;
        Ok(ValidSchedule(self))
    }
}

fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or_default().to_owned()
}

/// The link and its volunteer, if the link may still be used.
async fn open(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(availability_link::Model, volunteers::Volunteer), LinkError> {
    let link = secret_link::find::<availability_link::Entity>(db, token)
        .await?
        .ok_or(LinkError::Unknown)?;
    match secret_link::standing(link.used_at.is_some(), link.expires_at, now) {
        Standing::Used => return Err(LinkError::Used),
        Standing::Expired => return Err(LinkError::Expired),
        Standing::Usable => {}
    }
    let volunteer = volunteers::get(db, link.volunteer_id)
        .await?
        .ok_or(LinkError::Unknown)?;
    if volunteer.status == VolunteerStatus::Retired {
        return Err(LinkError::Expired);
    }
    Ok((link, volunteer))
}

/// Reads only: opening the link changes nothing.
pub async fn page(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<AvailabilityPage, LinkError> {
    let (link, volunteer) = open(db, token, now).await?;
    Ok(AvailabilityPage {
        volunteer_id: volunteer.id,
        first_name: first_name(&volunteer.name),
        availability: volunteer.availability,
        absences: volunteer.absences,
        expires_at: link.expires_at,
    })
}

/// How long after a save its link still shows what was saved (the page a save redirects to,
/// and its reload); past it, a used link is only "used".
pub const SAVED_PAGE_MINUTES: i64 = 30;

/// The page a save redirects to: what is stored now, while the link was spent by a save less
/// than [`SAVED_PAGE_MINUTES`] ago; otherwise as [`page`] answers.
pub async fn saved_page(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<AvailabilityPage, LinkError> {
    let link = secret_link::find::<availability_link::Entity>(db, token)
        .await?
        .ok_or(LinkError::Unknown)?;
    let recent = link
        .used_at
        .is_some_and(|used| now - used <= chrono::Duration::minutes(SAVED_PAGE_MINUTES));
    if !recent {
        return page(db, token, now).await;
    }
    let volunteer = volunteers::get(db, link.volunteer_id)
        .await?
        .ok_or(LinkError::Unknown)?;
    Ok(AvailabilityPage {
        volunteer_id: volunteer.id,
        first_name: first_name(&volunteer.name),
        availability: volunteer.availability,
        absences: volunteer.absences,
        expires_at: link.expires_at,
    })
}

/// Replaces the volunteer's availability and absences (nothing else) and spends the link, in
/// one transaction. Of two saves racing on one link exactly one wins; the other gets `Used`.
pub async fn save(
    db: &DatabaseConnection,
    token: &str,
    schedule: ValidSchedule,
    addr: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<AvailabilityPage, LinkError> {
    let (link, volunteer) = open(db, token, now).await?;
    let schedule = schedule.0;
    let txn = lp_db::begin_write(db).await?;
    // The one conditional write that spends the link: first, so a rival save on the same
    // link finds it spent.
    let (unspent, spent) = spend_once::<availability_link::Entity>(availability_link::Column::UsedAt, now);
    if !secret_link::spend::<availability_link::Entity>(&*txn, token, unspent, spent, now).await? {
        txn.rollback().await?;
        return Err(open(db, token, now).await.err().unwrap_or(LinkError::Used));
    }
    let updated = volunteer::Entity::update_many()
        .col_expr(
            volunteer::Column::Availability,
            Expr::value(to_json(&schedule.availability)),
        )
        .col_expr(volunteer::Column::Absences, Expr::value(to_json(&schedule.absences)))
        .col_expr(volunteer::Column::UpdatedAt, Expr::value(now))
        .filter(volunteer::Column::Id.eq(link.volunteer_id))
        .filter(volunteer::Column::Status.ne(VolunteerStatus::Retired.as_str()))
        .exec(&*txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Err(LinkError::Expired);
    }
    crate::pool_changes::record(&*txn, &[link.volunteer_id], now).await?;
    let who = lp_core::audit::Who::Volunteer(link.volunteer_id);
    let entry = lp_core::audit::AuditEntry::new(
        who,
        lp_core::audit::AuditAction::Change,
        lp_core::audit::AuditObject::Volunteer,
        link.volunteer_id,
    )
    .fields(["availability", "absences"])
    .from(addr);
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(AvailabilityPage {
        volunteer_id: volunteer.id,
        first_name: first_name(&volunteer.name),
        availability: schedule.availability,
        absences: schedule.absences,
        expires_at: link.expires_at,
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain values serialise")
}

/// Mails a fresh link to the active volunteer with this address, if there is one and no link
/// was asked for in the last [`REQUEST_INTERVAL_MINUTES`]. The mail is written to the outbox in
/// the same transaction as the link. Returns whether a mail was queued; callers must not tell
/// the asker, so the form does not reveal who is in the pool.
pub async fn send_on_request(
    db: &DatabaseConnection,
    key: &ServerKey,
    email: &str,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let email = check_email("email", email)?;
    let txn = lp_db::begin_write(db).await?;
    let Some(row) = volunteer::Entity::find()
        .filter(volunteer::Column::Email.eq(&email))
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active.as_str()))
        .one(&*txn)
        .await?
    else {
        txn.rollback().await?;
        return Ok(false);
    };
    // Two requests at once for the same volunteer are judged one after the other.
    volunteers::lock(&*txn, row.id).await?;
    if asked_recently(&*txn, row.id, Reason::Request, now).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    let link = issue(&*txn, key, row.id, Reason::Request, now).await?;
    let mail = AvailabilityLinkMail {
        to: row.email,
        volunteer_name: row.name,
        url: link.link.placeholder(),
        expires_at: link.expires_at,
    };
    lp_notify::enqueue(&*txn, &mail.email(), now)
        .await
        .map_err(notify_error)?;
    txn.commit().await?;
    Ok(true)
}

/// Whether this volunteer asked for `reason` within the last [`REQUEST_INTERVAL_MINUTES`].
async fn asked_recently(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let recent = availability_link::Entity::find()
        .filter(availability_link::Column::VolunteerId.eq(volunteer_id))
        .filter(availability_link::Column::Reason.eq(reason.as_str()))
        .filter(availability_link::Column::CreatedAt.gt(now - Duration::minutes(REQUEST_INTERVAL_MINUTES)))
        .count(db)
        .await?;
    Ok(recent > 0)
}

/// The volunteer a request on `/v` came for, let through the limit.
pub struct Asker {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// Leaves the address out.
impl std::fmt::Debug for Asker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Asker").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Inside the caller's write transaction: the volunteer with this address, of any status but
/// not erased (a retired volunteer may still need last year's confirmation), unless they asked
/// for `reason` within the last [`REQUEST_INTERVAL_MINUTES`]. The volunteer's row is locked so
/// two requests at once are judged one after the other, and this request is recorded at once
/// as an `availability_links` row of its reason, born spent and expired with its token thrown
/// away: the same limit as the link request's, counted per reason, that never opens a page and
/// goes with the volunteer's other links (erasure, retention). `None` when nobody has the
/// address or the limit holds; the caller then sends nothing and tells the asker the same.
///
/// For [`Reason::Request`] use [`send_on_request`], whose issued link is its own record.
pub async fn admit_request(
    txn: &impl ConnectionTrait,
    email: &str,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<Option<Asker>, RegistryError> {
    let email = check_email("email", email)?;
    let Some(row) = volunteer::Entity::find()
        .filter(volunteer::Column::Email.eq(&email))
        .filter(volunteer::Column::ErasedAt.is_null())
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    volunteers::lock(txn, row.id).await?;
    if asked_recently(txn, row.id, reason, now).await? {
        return Ok(None);
    }
    availability_link::Entity::delete_many()
        .filter(availability_link::Column::VolunteerId.eq(row.id))
        .filter(availability_link::Column::ExpiresAt.lt(now - Duration::days(LINK_VALIDITY_DAYS)))
        .exec(txn)
        .await?;
    let record = availability_link::ActiveModel {
        id: Set(Uuid::new_v4()),
        token_hash: Set(new_token().hash),
        volunteer_id: Set(row.id),
        reason: Set(reason.as_str().to_owned()),
        created_at: Set(now),
        expires_at: Set(now),
        used_at: Set(Some(now)),
    };
    availability_link::Entity::insert(record)
        .exec_without_returning(txn)
        .await?;
    Ok(Some(Asker {
        id: row.id,
        name: row.name,
        email: row.email,
    }))
}

pub(crate) fn notify_error(err: NotifyError) -> RegistryError {
    match err {
        NotifyError::Db(db) => RegistryError::Db(db),
        NotifyError::InvalidAddress(_) => {
            RegistryError::Invalid(FieldError::new("email", "is not an address mail can be sent to"))
        }
        other => RegistryError::Db(sea_orm::DbErr::Custom(other.to_string())),
    }
}

#[cfg(test)]
mod tests;
