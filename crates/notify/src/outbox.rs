//! The `outbox_emails` table: writing a message in the caller's transaction, and the worker's
//! conditional updates that claim, complete and reschedule rows.
//!
//! Every state change of a row is one `UPDATE ... WHERE <expected state>` whose affected-row
//! count says whether it happened. That needs no `SELECT ... FOR UPDATE` (which SQLite lacks) and
//! holds across any number of workers in any number of server instances.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::{Email, NotifyError};

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_emails")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub kind: String,
        pub to_address: String,
        pub subject: String,
        #[sea_orm(column_type = "Text")]
        pub body_text: String,
        #[sea_orm(column_type = "Text")]
        pub body_html: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub attachment_name: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub attachment_content_type: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub attachment_body: Option<String>,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub lease_owner: Option<String>,
        pub lease_until: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{ActiveModel, Column, Entity};

pub(crate) const PENDING: &str = "pending";
pub(crate) const SENT: &str = "sent";
pub(crate) const DEAD: &str = "dead";

/// Writes the email into the outbox. Pass the caller's transaction so the email exists exactly
/// when the change that causes it does; a `DatabaseConnection` works too. The row is due at
/// once. The recipient address is checked here, so a typo fails the caller's change instead of
/// dying quietly in the outbox.
pub async fn enqueue(db: &impl ConnectionTrait, email: &Email, now: DateTime<Utc>) -> Result<Uuid, NotifyError> {
    if email.to.parse::<lettre::Address>().is_err() {
        return Err(NotifyError::InvalidAddress(email.to.clone()));
    }
    let id = Uuid::new_v4();
    let attachment = email.attachment.as_ref();
    ActiveModel {
        id: ActiveValue::Set(id.to_string()),
        kind: ActiveValue::Set(email.kind.clone()),
        to_address: ActiveValue::Set(email.to.clone()),
        subject: ActiveValue::Set(email.subject.clone()),
        body_text: ActiveValue::Set(email.text.clone()),
        body_html: ActiveValue::Set(email.html.clone()),
        attachment_name: ActiveValue::Set(attachment.map(|a| a.filename.clone())),
        attachment_content_type: ActiveValue::Set(attachment.map(|a| a.content_type.clone())),
        attachment_body: ActiveValue::Set(attachment.map(|a| a.body.clone())),
        status: ActiveValue::Set(PENDING.to_owned()),
        attempts: ActiveValue::Set(0),
        next_attempt_at: ActiveValue::Set(now),
        lease_owner: ActiveValue::Set(None),
        lease_until: ActiveValue::Set(None),
        last_error: ActiveValue::Set(None),
        created_at: ActiveValue::Set(now),
        sent_at: ActiveValue::Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// A row as the worker needs it.
pub(crate) type Row = entity::Model;

fn is_due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Column::Status.eq(PENDING))
        .add(Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(Column::LeaseUntil.is_null())
                .add(Column::LeaseUntil.lt(now)),
        )
}

/// Ids of due rows, oldest first. Only a hint: another worker may take any of them before
/// [`claim`] does.
pub(crate) async fn due_ids(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<String>, NotifyError> {
    Ok(Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(is_due(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::CreatedAt)
        .limit(limit)
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// Takes the lease of one due row. `true` if this worker now holds it; `false` if the row was
/// sent, rescheduled or leased by someone else meanwhile.
pub(crate) async fn claim(
    db: &impl ConnectionTrait,
    id: &str,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, NotifyError> {
    let result = Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(owner))
        .col_expr(Column::LeaseUntil, Expr::value(lease_until))
        .filter(Column::Id.eq(id))
        .filter(is_due(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The row with its bodies, read after claiming it so attempts and bodies are current.
pub(crate) async fn load(db: &impl ConnectionTrait, id: &str) -> Result<Option<Row>, NotifyError> {
    Ok(Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// Records a successful send and blanks the bodies: they carry secret link tokens (and
/// one-time passwords), which the SPEC allows in the database only as hashes. The metadata row
/// stays for the log and for statistics.
///
/// Guarded by status, not by lease owner: once the server has accepted the message it is sent,
/// even if this worker's lease has lapsed meanwhile.
pub(crate) async fn mark_sent(db: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> Result<bool, NotifyError> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(SENT))
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::BodyText, Expr::value(""))
        .col_expr(Column::BodyHtml, Expr::value(""))
        .col_expr(Column::AttachmentBody, Expr::value(Option::<String>::None))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What becomes of a row whose send failed.
pub(crate) enum Failure<'a> {
    /// Try again at `next_attempt_at`.
    Retry {
        next_attempt_at: DateTime<Utc>,
        error: &'a str,
    },
    /// Give up: the row stays as `dead`, bodies kept so an operator can look and requeue.
    Dead { error: &'a str },
}

/// Records a failed attempt and releases the lease. Guarded by the lease owner, so a worker
/// whose lease lapsed cannot overwrite what the next holder did.
pub(crate) async fn mark_failed(
    db: &impl ConnectionTrait,
    id: &str,
    owner: &str,
    failure: Failure<'_>,
) -> Result<bool, NotifyError> {
    let update = Entity::update_many()
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None));
    let update = match failure {
        Failure::Retry { next_attempt_at, error } => update
            .col_expr(Column::NextAttemptAt, Expr::value(next_attempt_at))
            .col_expr(Column::LastError, Expr::value(truncate(error))),
        Failure::Dead { error } => update
            .col_expr(Column::Status, Expr::value(DEAD))
            .col_expr(Column::LastError, Expr::value(truncate(error))),
    };
    let result = update
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(PENDING))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// SMTP servers can answer at length; a row needs the gist.
fn truncate(error: &str) -> String {
    const MAX_CHARS: usize = 1000;
    error.chars().take(MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{TestDb, sample_email};
    use sea_orm::TransactionTrait;

    #[tokio::test]
    async fn enqueue_writes_a_due_pending_row() {
        let db = TestDb::from_env().await;
        let now = "2026-11-21T10:00:00Z".parse().unwrap();
        let id = enqueue(&db.conn, &sample_email("a@example.org"), now).await.unwrap();
        let row = load(&db.conn, &id.to_string()).await.unwrap().unwrap();
        assert_eq!(row.status, PENDING);
        assert_eq!(row.attempts, 0);
        assert_eq!(row.next_attempt_at, now);
        assert_eq!(row.to_address, "a@example.org");
        assert_eq!(due_ids(&db.conn, now, 10).await.unwrap(), vec![id.to_string()]);
    }

    #[tokio::test]
    async fn enqueue_in_a_rolled_back_transaction_leaves_no_row() {
        let db = TestDb::from_env().await;
        let now = "2026-11-21T10:00:00Z".parse().unwrap();
        let txn = db.conn.begin().await.unwrap();
        enqueue(&txn, &sample_email("a@example.org"), now).await.unwrap();
        txn.rollback().await.unwrap();
        assert!(due_ids(&db.conn, now, 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn enqueue_rejects_an_invalid_address() {
        let db = TestDb::from_env().await;
        let now = "2026-11-21T10:00:00Z".parse().unwrap();
        let err = enqueue(&db.conn, &sample_email("not an address"), now)
            .await
            .unwrap_err();
        assert!(matches!(err, NotifyError::InvalidAddress(_)));
    }

    /// The registry's address check must never accept what the mailer refuses: such an
    /// address would fail every transaction that mails it.
    #[test]
    fn every_address_the_registry_accepts_can_be_mailed() {
        for address in [
            "selam@example.org",
            "selam.t+pool@mail.example.org",
            "o'brien@example.ie",
            "a!#$%&'*+-/=?^_`{|}~z@x-y.example",
            "Ahmad.Karimi@Example.ORG",
        ] {
            let checked = lp_core::validation::check_email("email", address).expect(address);
            assert!(checked.parse::<lettre::Address>().is_ok(), "{checked}");
        }
    }

    #[tokio::test]
    async fn a_row_can_be_claimed_once_until_its_lease_lapses() {
        let db = TestDb::from_env().await;
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let id = enqueue(&db.conn, &sample_email("a@example.org"), now)
            .await
            .unwrap()
            .to_string();
        let until = now + chrono::Duration::minutes(5);
        assert!(claim(&db.conn, &id, "w1", now, until).await.unwrap());
        assert!(!claim(&db.conn, &id, "w2", now, until).await.unwrap());
        assert!(due_ids(&db.conn, now, 10).await.unwrap().is_empty());
        // A worker that died holding the lease does not block the row for ever.
        let later = until + chrono::Duration::seconds(1);
        assert!(
            claim(&db.conn, &id, "w2", later, later + chrono::Duration::minutes(5))
                .await
                .unwrap()
        );
        // The first worker's late failure report no longer applies.
        let failure = Failure::Retry {
            next_attempt_at: later,
            error: "late",
        };
        assert!(!mark_failed(&db.conn, &id, "w1", failure).await.unwrap());
    }
}
