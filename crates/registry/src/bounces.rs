//! Addresses a mail server refused for good: the volunteer is flagged in the transaction that
//! dead-letters the mail, the cascade skips them (`lp_matcher::Rule::EmailBouncing`) until the
//! coordinator changes the address (which clears the flag) or clears the flag on their page.
//! Staff addresses bounce too; those mails are just dead-lettered.

use crate::RegistryError;
use crate::entities::volunteer;
use chrono::{DateTime, Utc};
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, Who};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// Flags the volunteer with this address (unless erased or flagged already), so the cascade
/// skips them; the pool's version is bumped and the audit log records the system's change.
/// Returns the volunteer flagged now, if any.
pub async fn flag(db: &impl ConnectionTrait, address: &str, at: DateTime<Utc>) -> Result<Option<Uuid>, RegistryError> {
    let Some(id) = volunteer::Entity::find()
        .select_only()
        .column(volunteer::Column::Id)
        .filter(volunteer::Column::Email.eq(address))
        .filter(volunteer::Column::ErasedAt.is_null())
        .into_tuple::<Uuid>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let flagged = volunteer::Entity::update_many()
        .col_expr(volunteer::Column::EmailBouncedAt, Expr::value(Some(at)))
        .filter(volunteer::Column::Id.eq(id))
        .filter(volunteer::Column::Email.eq(address))
        .filter(volunteer::Column::EmailBouncedAt.is_null())
        .exec(db)
        .await?;
    if flagged.rows_affected == 0 {
        return Ok(None);
    }
    crate::pool_changes::record(db, &[id], at).await?;
    let entry =
        AuditEntry::new(Who::System, AuditAction::Change, AuditObject::Volunteer, id).fields(["email_bounced_at"]);
    lp_audit::record(db, &entry, at).await?;
    Ok(Some(id))
}

/// The coordinator says the address works after all (the mailbox was full, the server is
/// fixed): the volunteer is asked again. `false` when there was no flag.
pub async fn clear(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let txn = lp_db::begin_write(db).await?;
    let cleared = volunteer::Entity::update_many()
        .col_expr(
            volunteer::Column::EmailBouncedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(volunteer::Column::Id.eq(id))
        .filter(volunteer::Column::EmailBouncedAt.is_not_null())
        .exec(&*txn)
        .await?;
    if cleared.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    crate::pool_changes::record(&*txn, &[id], now).await?;
    let entry = AuditEntry::new(by.who(), AuditAction::Change, AuditObject::Volunteer, id)
        .fields(["email_bounced_at"])
        .from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// A volunteer whose address bounces, for the coordinator's outbox page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bouncing {
    pub volunteer_id: Uuid,
    pub name: String,
    pub email: String,
    pub since: DateTime<Utc>,
}

/// Every volunteer whose address bounces, the latest first.
pub async fn bouncing(db: &impl ConnectionTrait) -> Result<Vec<Bouncing>, RegistryError> {
    let rows: Vec<(Uuid, String, String, Option<DateTime<Utc>>)> = volunteer::Entity::find()
        .select_only()
        .column(volunteer::Column::Id)
        .column(volunteer::Column::Name)
        .column(volunteer::Column::Email)
        .column(volunteer::Column::EmailBouncedAt)
        .filter(volunteer::Column::EmailBouncedAt.is_not_null())
        .filter(volunteer::Column::ErasedAt.is_null())
        .order_by_desc(volunteer::Column::EmailBouncedAt)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(volunteer_id, name, email, since)| {
            Some(Bouncing {
                volunteer_id,
                name,
                email,
                since: since?,
            })
        })
        .collect())
}

/// What the delivery worker tells of an address refused for good: the registry flags its
/// volunteer, in the worker's transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct FlagVolunteers;

impl lp_notify::Bounces for FlagVolunteers {
    fn bounced<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        address: &'a str,
        at: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>> {
        Box::pin(async move {
            match flag(txn, address, at).await {
                Ok(Some(id)) => {
                    tracing::warn!(volunteer = %id, "a volunteer's email address bounces; the cascade skips them until it is fixed");
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(RegistryError::Db(err)) => Err(err),
                Err(other) => Err(DbErr::Custom(other.to_string())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volunteers::{self, VolunteerInput};
    use lp_testkit::TestDb;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn input(email: &str) -> VolunteerInput {
        serde_json::from_value(serde_json::json!({
            "name": "Selam Tesfaye", "email": email,
            "languages": [{"code": "tir", "proficiency": "native"}],
            "german_level": "B2", "modes": ["phone"], "status": "active"
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_bounce_flags_the_volunteer_once_until_the_address_changes() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let by = Coordinator::operator();
        let now = at("2026-12-01T10:00:00Z");
        let selam = volunteers::create(db, &by, input("selam@example.org").validate().unwrap(), now)
            .await
            .unwrap();
        let version = crate::pool_changes::current(db).await.unwrap();

        assert_eq!(flag(db, "selam@example.org", now).await.unwrap(), Some(selam.id));
        assert_eq!(
            flag(db, "selam@example.org", now).await.unwrap(),
            None,
            "flagged already"
        );
        assert_eq!(flag(db, "staff@example.org", now).await.unwrap(), None, "no volunteer");
        assert!(
            crate::pool_changes::current(db).await.unwrap() > version,
            "the matcher reloads her"
        );
        let flagged = volunteers::get(db, selam.id).await.unwrap().unwrap();
        assert_eq!(flagged.email_bounced_at, Some(now));
        let listed = bouncing(db).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].volunteer_id, listed[0].since), (selam.id, now));

        // Another field changed: still flagged. A new address: the flag goes.
        let mut same = VolunteerInput::from(&flagged);
        same.phone = Some("+49 151 1".to_owned());
        let later = now + chrono::Duration::hours(1);
        let kept = volunteers::update(db, &by, selam.id, same.validate().unwrap(), later)
            .await
            .unwrap();
        assert_eq!(kept.email_bounced_at, Some(now));
        let mut moved = VolunteerInput::from(&kept);
        moved.email = "selam.t@example.org".to_owned();
        let fixed = volunteers::update(db, &by, selam.id, moved.validate().unwrap(), later)
            .await
            .unwrap();
        assert_eq!(fixed.email_bounced_at, None);
        assert!(bouncing(db).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_coordinator_clears_the_flag_and_an_erased_volunteer_is_never_flagged() {
        let test = TestDb::from_env().await;
        let db = &test.conn;
        let by = Coordinator::operator();
        let now = at("2026-12-01T10:00:00Z");
        let selam = volunteers::create(db, &by, input("selam@example.org").validate().unwrap(), now)
            .await
            .unwrap();
        assert!(!clear(db, &by, selam.id, now).await.unwrap(), "nothing to clear");
        flag(db, "selam@example.org", now).await.unwrap();
        let version = crate::pool_changes::current(db).await.unwrap();
        assert!(clear(db, &by, selam.id, now).await.unwrap());
        assert!(crate::pool_changes::current(db).await.unwrap() > version);
        assert_eq!(
            volunteers::get(db, selam.id).await.unwrap().unwrap().email_bounced_at,
            None
        );

        let txn = lp_db::begin_write(db).await.unwrap();
        volunteers::erase(&*txn, selam.id, true, now).await.unwrap();
        txn.commit().await.unwrap();
        let erased = volunteers::get(db, selam.id).await.unwrap().unwrap();
        assert_eq!(flag(db, &erased.email, now).await.unwrap(), None);
    }
}
