//! Staff sign-in and passwords, the rules the web pages only present: a password is checked
//! off the async runtime; an unknown address costs the same argon2 work as a wrong password
//! and gets the same answer, so the form does not tell who has an account; every sign-in gets
//! a fresh session id (an id planted before, session fixation, is dropped); changing a
//! password ends the user's other sessions.

use crate::RegistryError;
use crate::password_links::{self, LinkState};
use crate::sessions::{self, SessionPolicy};
use crate::staff::{hash_password, verify_password};
use chrono::{DateTime, Utc};
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::sync::LazyLock;
use uuid::Uuid;

/// A hash with the real parameters, verified when the address is unknown so that answer
/// takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not anybody's password"));

/// Computes the dummy hash now, so the first unknown address is not the one slow answer.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

/// Runs argon2 work on the blocking pool.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, RegistryError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| sea_orm::DbErr::Custom(format!("password work: {e}")).into())
}

/// Signs a staff user in: the new session's id for the cookie, or `None` for a wrong address
/// or password (the two look the same). `replacing` is the session id the browser sent, if
/// any; it ends here. Both outcomes go to the audit log with the client's address; a failed
/// attempt names the account tried when the address belongs to one.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    replacing: Option<&str>,
    policy: SessionPolicy,
    addr: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Option<String>, RegistryError> {
    let credentials = sessions::credentials(db, email).await?;
    let account = credentials.as_ref().map(|(id, _)| *id);
    let password = password.to_owned();
    let user_id = off_runtime(move || match credentials {
        Some((user_id, hash)) => verify_password(&password, &hash).then_some(user_id),
        None => {
            let _ = verify_password(&password, &DUMMY_HASH);
            None
        }
    })
    .await?;
    let txn = lp_db::begin_write(db).await?;
    let Some(user_id) = user_id else {
        let failed = AuditEntry {
            who: Who::Anonymous,
            action: AuditAction::SignInFailed,
            object: AuditObject::User,
            object_id: account,
            fields: Vec::new(),
            addr,
        };
        lp_audit::record(&*txn, &failed, now).await?;
        txn.commit().await?;
        return Ok(None);
    };
    if let Some(old) = replacing {
        sessions::end(&*txn, old).await?;
    }
    let session = sessions::create(&*txn, user_id, policy, now).await?;
    let entry = AuditEntry::new(Who::Staff(user_id), AuditAction::SignIn, AuditObject::User, user_id).from(addr);
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(Some(session))
}

/// Sets the password through an invitation link, which it spends: `Valid` when it did.
pub async fn set_password_by_link(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<LinkState, RegistryError> {
    let password = password.to_owned();
    let hash = off_runtime(move || hash_password(&password)).await?;
    let txn = lp_db::begin_write(db).await?;
    let outcome = password_links::redeem(&*txn, token, hash, now).await?;
    if matches!(outcome, LinkState::Valid(_)) {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(outcome)
}

/// Changes a signed-in user's password if `current` is right: the fresh session's id (all
/// others end), or `None` for a wrong current password.
pub async fn change_password(
    db: &DatabaseConnection,
    user_id: Uuid,
    current: &str,
    new: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<String>, RegistryError> {
    let stored = sessions::password_hash_of(db, user_id).await?;
    let (current, new) = (current.to_owned(), new.to_owned());
    let hash = off_runtime(move || match stored {
        Some(stored) if verify_password(&current, &stored) => Some(hash_password(&new)),
        _ => None,
    })
    .await?;
    let Some(hash) = hash else {
        return Ok(None);
    };
    let txn = lp_db::begin_write(db).await?;
    sessions::change_password(&*txn, user_id, hash).await?;
    let id = sessions::create(&*txn, user_id, policy, now).await?;
    txn.commit().await?;
    Ok(Some(id))
}
