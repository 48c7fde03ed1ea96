//! What the registry forgets once it is of no more use: expired sign-in sessions, password
//! and availability links that were used or have expired, and revoked calendar feeds. Each deletion is
//! idempotent, so several instances running it at once do no harm.

use crate::RegistryError;
use crate::entities::{availability_link, password_link, staff_session};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub password_links: u64,
    pub availability_links: u64,
    pub calendar_feeds: u64,
}

/// Sessions past their end go at once; links used or expired before `links_cutoff` go too
/// (kept a while so a late click still says "used" or "expired" rather than "unknown"), and
/// calendar feeds revoked before it.
pub async fn purge(
    txn: &impl ConnectionTrait,
    links_cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Purged, RegistryError> {
    let sessions = staff_session::Entity::delete_many()
        .filter(staff_session::Column::ExpiresAt.lt(now))
        .exec(txn)
        .await?
        .rows_affected;
    let password_links = password_link::Entity::delete_many()
        .filter(
            Condition::any()
                .add(password_link::Column::UsedAt.lt(links_cutoff))
                .add(password_link::Column::ExpiresAt.lt(links_cutoff)),
        )
        .exec(txn)
        .await?
        .rows_affected;
    let availability_links = availability_link::Entity::delete_many()
        .filter(
            Condition::any()
                .add(availability_link::Column::UsedAt.lt(links_cutoff))
                .add(availability_link::Column::ExpiresAt.lt(links_cutoff)),
        )
        .exec(txn)
        .await?
        .rows_affected;
    let calendar_feeds = crate::calendar_feeds::purge_revoked_before(txn, links_cutoff).await?;
    Ok(Purged {
        sessions,
        password_links,
        availability_links,
        calendar_feeds,
    })
}
