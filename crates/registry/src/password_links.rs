//! Set-password links for invited staff: single use, expiring, stored as a hash like offer
//! tokens, the token derived from the server key over the user's id and a nonce that only the
//! mail's placeholder carries (`lp_core::link`). Using one sets the password and ends the
//! user's other sessions.

use crate::RegistryError;
use crate::entities::{password_link, spend_once};
use crate::staff::{self, StaffUser};
use chrono::{DateTime, Duration, Utc};
use lp_core::link::{LinkKind, LinkSeed};
use lp_core::secret::ServerKey;
use lp_db::secret_link::{self, Standing};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How long an invitation can wait in a mailbox.
pub const VALIDITY: Duration = Duration::days(7);

/// What a link is worth right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Valid(StaffUser),
    Used,
    Expired,
}

/// Makes a link for `user_id` and returns what its token is derived from, for the one email
/// that carries it (as a placeholder); the token itself exists only at send time.
pub async fn create(
    db: &impl ConnectionTrait,
    key: &ServerKey,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<LinkSeed, RegistryError> {
    let link = LinkSeed::fresh(LinkKind::SetPassword, user_id);
    password_link::Entity::insert(password_link::ActiveModel {
        token_hash: Set(link.hash(key)),
        staff_user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + VALIDITY),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(link)
}

/// Looks a link up without using it (GET shows the form, it never acts).
pub async fn state(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<LinkState, RegistryError> {
    let link = secret_link::find::<password_link::Entity>(db, token)
        .await?
        .ok_or(RegistryError::NotFound)?;
    match secret_link::standing(link.used_at.is_some(), link.expires_at, now) {
        Standing::Used => Ok(LinkState::Used),
        Standing::Expired => Ok(LinkState::Expired),
        Standing::Usable => {
            let user = staff::get(db, link.staff_user_id)
                .await?
                .ok_or(RegistryError::NotFound)?;
            Ok(LinkState::Valid(user))
        }
    }
}

/// Uses the link: one conditional UPDATE decides, so two submits cannot both set a password.
/// `password_hash` is hashed beforehand, outside the transaction. Call inside a transaction.
pub async fn redeem(
    db: &impl ConnectionTrait,
    token: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<LinkState, RegistryError> {
    let (unspent, spent) = spend_once::<password_link::Entity>(password_link::Column::UsedAt, now);
    if !secret_link::spend::<password_link::Entity>(db, token, unspent, spent, now).await? {
        return state(db, token, now).await;
    }
    let link = secret_link::find::<password_link::Entity>(db, token)
        .await?
        .ok_or(RegistryError::NotFound)?;
    crate::sessions::change_password(db, link.staff_user_id, password_hash).await?;
    // Older invitations of the same user die with this one.
    password_link::Entity::update_many()
        .col_expr(password_link::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_link::Column::StaffUserId.eq(link.staff_user_id))
        .filter(password_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let user = staff::get(db, link.staff_user_id)
        .await?
        .ok_or(RegistryError::NotFound)?;
    Ok(LinkState::Valid(user))
}
