//! A volunteer's private calendar subscription: the feed rows, their addresses, revoking and
//! renewing. What a feed holds (assignments, trainings) is read by the crates that own them.
//!
//! The address must be shown again (on every visit of the volunteer's own page, in every
//! confirmation mail) without being kept: its token is derived from the server's key, which
//! lives outside the database, and the feed's id ([`Addresses::token`], by the one rule of
//! `lp_core::link`). Only the token's hash is stored, to find the feed when a calendar app
//! asks; a mail carries a placeholder that the delivery worker writes the address into. Revoking a feed sets `revoked_at`, after
//! which its address is unknown; a new feed is a new row with a new address.

use crate::RegistryError;
use crate::entities::calendar_feed;
use crate::volunteers;
use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::secret::{ServerKey, hash_token};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use std::net::IpAddr;
use uuid::Uuid;

/// The path under which feeds are served: `/calendar/{token}.ics`.
pub const PATH_PREFIX: &str = "/calendar/";
/// Calendar apps expect a file name; some (Outlook) refuse an address without it.
pub const SUFFIX: &str = ".ics";

/// What a feed's address is made of: the server's key and the public base URL.
#[derive(Clone, Copy, Debug)]
pub struct Addresses<'a> {
    /// Its `Debug` shows nothing of the key.
    pub key: &'a ServerKey,
    /// Base of every link in an email, e.g. `https://pool.example.org`.
    pub public_base_url: &'a str,
}

impl<'a> Addresses<'a> {
    pub fn new(key: &'a ServerKey, public_base_url: &'a str) -> Self {
        Self { key, public_base_url }
    }

    /// The feed's secret token: the same for the same feed and key, unguessable without the key.
    pub fn token(&self, feed_id: Uuid) -> String {
        link(feed_id).token(self.key)
    }

    /// Whether the feed's stored hash is of the token this key derives: not so for a feed made
    /// under an earlier server key, whose address no longer finds it.
    pub fn derives(&self, feed: &Feed) -> bool {
        feed.token_hash == hash_token(&self.token(feed.id))
    }

    /// `{public_base_url}/calendar/{token}.ics`
    pub fn url(&self, feed: &Feed) -> String {
        link(feed.id).url(self.key, self.public_base_url)
    }
}

/// A feed's address as `lp_core::link` makes it: no nonce, so it stays the same.
fn link(feed_id: Uuid) -> LinkSeed {
    LinkSeed::fresh(LinkKind::CalendarFeed, feed_id)
}

/// The token in a feed's last path segment (`{token}.ics`), if it has that form.
pub fn token_of_file(file: &str) -> Option<&str> {
    file.strip_suffix(SUFFIX).filter(|token| !token.is_empty())
}

/// A volunteer's feed, working while `revoked_at` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub id: Uuid,
    pub volunteer_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    token_hash: String,
}

impl From<calendar_feed::Model> for Feed {
    fn from(row: calendar_feed::Model) -> Self {
        Self {
            id: row.id,
            volunteer_id: row.volunteer_id,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
            token_hash: row.token_hash,
        }
    }
}

/// The volunteer's working feed, if they have one.
pub async fn current(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<Option<Feed>, RegistryError> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::VolunteerId.eq(volunteer_id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .map(Feed::from))
}

/// The volunteer's working feed if this server key makes its address: the one to show.
pub async fn shown(
    db: &impl ConnectionTrait,
    addresses: &Addresses<'_>,
    volunteer_id: Uuid,
) -> Result<Option<Feed>, RegistryError> {
    Ok(current(db, volunteer_id).await?.filter(|feed| addresses.derives(feed)))
}

/// The working feed a token names; `None` for an unknown or revoked one.
pub async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<Feed>, RegistryError> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash_token(token)))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .map(Feed::from))
}

/// What a mail carries where the address of the volunteer's working feed goes (a placeholder
/// the delivery worker writes the address into), the feed made first if they have none. Call
/// inside the write transaction of the mail that carries it, so the feed exists exactly when
/// the mail does.
pub async fn ensure(
    txn: &impl ConnectionTrait,
    addresses: &Addresses<'_>,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, RegistryError> {
    if let Some(feed) = shown(txn, addresses, volunteer_id).await? {
        return Ok(link(feed.id).placeholder());
    }
    // Two mails to one volunteer at once would each make a feed: their transactions are
    // judged one after the other on the volunteer's row, and the second finds the first's.
    volunteers::lock(txn, volunteer_id).await?;
    if let Some(feed) = shown(txn, addresses, volunteer_id).await? {
        return Ok(link(feed.id).placeholder());
    }
    // One made under an earlier server key answers no address any more: it gives way.
    revoke_current(txn, volunteer_id, now).await?;
    let feed = insert(txn, addresses, volunteer_id, now).await?;
    Ok(link(feed.id).placeholder())
}

async fn insert(
    txn: &impl ConnectionTrait,
    addresses: &Addresses<'_>,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Feed, RegistryError> {
    let id = Uuid::new_v4();
    let feed = Feed {
        id,
        volunteer_id,
        created_at: now,
        revoked_at: None,
        token_hash: hash_token(&addresses.token(id)),
    };
    let row = calendar_feed::ActiveModel {
        id: Set(feed.id),
        volunteer_id: Set(volunteer_id),
        token_hash: Set(feed.token_hash.clone()),
        created_at: Set(now),
        revoked_at: Set(None),
    };
    calendar_feed::Entity::insert(row).exec_without_returning(txn).await?;
    Ok(feed)
}

/// Sets the working feed revoked; `true` if there was one.
async fn revoke_current(
    txn: &impl ConnectionTrait,
    volunteer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let revoked = calendar_feed::Entity::update_many()
        .col_expr(calendar_feed::Column::RevokedAt, Expr::value(now))
        .filter(calendar_feed::Column::VolunteerId.eq(volunteer_id))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(revoked.rows_affected > 0)
}

/// The audit entry of a feed revoked or replaced: a change of the volunteer's record.
fn audited(who: Who, volunteer_id: Uuid, addr: Option<IpAddr>) -> AuditEntry {
    AuditEntry::new(who, AuditAction::Change, AuditObject::Volunteer, volunteer_id)
        .fields(["calendar_feed"])
        .from(addr)
}

/// Stops the volunteer's working feed: its address answers 404 from now on. `false` when there
/// was none (nothing is written then). The next confirmation mail, or the volunteer on their
/// page, makes a new one with a new address.
pub async fn revoke(
    db: &DatabaseConnection,
    volunteer_id: Uuid,
    who: Who,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let txn = lp_db::begin_write(db).await?;
    if !revoke_current(&*txn, volunteer_id, now).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    lp_audit::record(&*txn, &audited(who, volunteer_id, addr), now).await?;
    txn.commit().await?;
    Ok(true)
}

/// A new address for the volunteer's calendar: the working feed, if any, is revoked and a new
/// one made, in one transaction. Returns the new address.
pub async fn renew(
    db: &DatabaseConnection,
    addresses: &Addresses<'_>,
    volunteer_id: Uuid,
    who: Who,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<String, RegistryError> {
    let txn = lp_db::begin_write(db).await?;
    volunteers::lock(&*txn, volunteer_id).await?;
    if volunteers::get(&*txn, volunteer_id).await?.is_none() {
        txn.rollback().await?;
        return Err(RegistryError::NotFound);
    }
    revoke_current(&*txn, volunteer_id, now).await?;
    let feed = insert(&*txn, addresses, volunteer_id, now).await?;
    lp_audit::record(&*txn, &audited(who, volunteer_id, addr), now).await?;
    txn.commit().await?;
    Ok(addresses.url(&feed))
}

/// Every feed the volunteer had, oldest first: for their access request (Art. 15), which names
/// the dates, never the address.
pub async fn of_volunteer(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<Vec<Feed>, RegistryError> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::VolunteerId.eq(volunteer_id))
        .order_by_asc(calendar_feed::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(Feed::from)
        .collect())
}

/// Removes every feed of the volunteer, e.g. when their personal data is erased.
pub async fn delete_all(txn: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<(), RegistryError> {
    calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::VolunteerId.eq(volunteer_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Feeds revoked before `cutoff` go: their dates were kept only to answer an access request
/// for a while. Idempotent.
pub(crate) async fn purge_revoked_before(
    txn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<u64, RegistryError> {
    Ok(calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::RevokedAt.lt(cutoff))
        .exec(txn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests;
