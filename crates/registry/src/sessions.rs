//! Server-side staff sessions. The cookie carries a random id; the table keeps only its hash,
//! so a leaked database cannot be replayed, and every instance sees the same sessions.

use crate::RegistryError;
use crate::entities::{staff_session, staff_user};
use crate::staff::{self, StaffUser};
use chrono::{DateTime, Duration, Utc};
use lp_core::secret::{hash_token, new_token};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How long a session lives: it ends after `idle` without a request, and after `absolute`
/// whatever happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(120),
            absolute: Duration::hours(12),
        }
    }
}

/// Activity is written back at most this often, so reading pages does not write on every
/// request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session and returns its id for the cookie (shown once, never stored).
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<String, RegistryError> {
    let id = new_token();
    staff_session::Entity::insert(staff_session::ActiveModel {
        id_hash: Set(id.hash),
        staff_user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
    })
    .exec_without_returning(db)
    .await?;
    // Expired sessions of anyone are swept here rather than by a separate job: logins are
    // frequent enough, and the table holds one row per signed-in person.
    staff_session::Entity::delete_many()
        .filter(staff_session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(id.plain)
}

/// The user behind a session id, if the session is still alive; records the activity.
pub async fn resume(
    db: &impl ConnectionTrait,
    session_id: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<StaffUser>, RegistryError> {
    let id_hash = hash_token(session_id);
    let Some(session) = staff_session::Entity::find_by_id(id_hash.clone()).one(db).await? else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen_at + policy.idle <= now {
        staff_session::Entity::delete_by_id(id_hash).exec(db).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        staff_session::Entity::update_many()
            .col_expr(staff_session::Column::LastSeenAt, Expr::value(now))
            .filter(staff_session::Column::IdHash.eq(&id_hash))
            .exec(db)
            .await?;
    }
    staff::get(db, session.staff_user_id).await
}

/// Logout: the id is useless from now on.
pub async fn end(db: &impl ConnectionTrait, session_id: &str) -> Result<(), RegistryError> {
    staff_session::Entity::delete_by_id(hash_token(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user, e.g. after the password changed.
pub async fn end_all_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), RegistryError> {
    staff_session::Entity::delete_many()
        .filter(staff_session::Column::StaffUserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The stored password hash of the user with this email, for the login check.
pub async fn credentials(db: &impl ConnectionTrait, email: &str) -> Result<Option<(Uuid, String)>, RegistryError> {
    // Stored addresses are in `check_email`'s form; anything that is no address matches none.
    let Ok(email) = lp_core::validation::check_email("email", email) else {
        return Ok(None);
    };
    let row = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email))
        .one(db)
        .await?;
    Ok(row.and_then(|row| row.password_hash.map(|hash| (row.id, hash))))
}

/// The stored password hash of a signed-in user, for changing the password.
pub async fn password_hash_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<String>, RegistryError> {
    let row = staff_user::Entity::find_by_id(user_id).one(db).await?;
    Ok(row.and_then(|row| row.password_hash))
}

/// Replaces a user's password (hashed beforehand, off the runtime) and ends all their
/// sessions; the caller starts a fresh one for the user who changed it.
pub async fn change_password(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    password_hash: String,
) -> Result<(), RegistryError> {
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::PasswordHash, Expr::value(Some(password_hash)))
        .filter(staff_user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    end_all_of(db, user_id).await
}
