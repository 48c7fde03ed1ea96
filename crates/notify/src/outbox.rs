//! The `outbox_emails` table: writing a message in the caller's transaction, and the worker's
//! conditional updates that claim, complete and reschedule rows.
//!
//! Every state change of a row is one `UPDATE ... WHERE <expected state>` whose affected-row
//! count says whether it happened. That needs no `SELECT ... FOR UPDATE` (which SQLite lacks) and
//! holds across any number of workers in any number of server instances.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
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
    let row = ActiveModel {
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
    };
    // Nothing is read back: the caller has the id, and the write stays one statement.
    Entity::insert(row).exec_without_returning(db).await?;
    Ok(id)
}

/// A row as the worker needs it.
pub(crate) type Row = entity::Model;

/// Pending, not leased by anyone (or the lease lapsed), and either never tried or due for its
/// retry. A row never tried is due at once whatever the clock of the instance that wrote it:
/// its `next_attempt_at` is that instance's time, while the worker compares the database's.
fn is_due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Column::Status.eq(PENDING))
        .add(
            Condition::any()
                .add(Column::Attempts.eq(0))
                .add(Column::NextAttemptAt.lte(now)),
        )
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

/// Records a successful send and blanks the bodies: they carry the appointment's details, which
/// need not stay once delivered (their links are placeholders, never tokens: `lp_core::link`).
/// The metadata row stays for the log and for statistics.
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

/// Hands back every lease `owner` holds: its rows are due again at once for any worker (a
/// graceful shutdown, so another instance need not wait for the leases to lapse). A row whose
/// send was in flight may then go out twice, with the same Message-ID, as after a crash: call
/// it once the owner's sends have stopped.
pub(crate) async fn release_leases(db: &impl ConnectionTrait, owner: &str) -> Result<u64, NotifyError> {
    let result = Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::Status.eq(PENDING))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Where a message stands, as staff see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for its first attempt.
    Queued,
    /// Failed at least once; due again at `next_attempt_at`.
    Failed,
    /// Given up on; kept with its bodies until someone resends it.
    Dead,
    /// Delivered; the bodies are blanked.
    Sent,
}

/// One outbox row without its bodies: what the staff outbox page lists. Bodies hold secret
/// links, so they never leave this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub state: OutboxState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

type EntryColumns = (
    String,
    String,
    String,
    String,
    String,
    i32,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn entries(rows: Vec<EntryColumns>) -> Vec<OutboxEntry> {
    rows.into_iter()
        .map(
            |(id, kind, to, subject, status, attempts, last_error, next_attempt_at, created_at, sent_at)| OutboxEntry {
                state: match status.as_str() {
                    SENT => OutboxState::Sent,
                    DEAD => OutboxState::Dead,
                    _ if attempts > 0 => OutboxState::Failed,
                    _ => OutboxState::Queued,
                },
                id,
                kind,
                to,
                subject,
                attempts,
                last_error,
                next_attempt_at,
                created_at,
                sent_at,
            },
        )
        .collect()
}

fn entry_query() -> sea_orm::Select<Entity> {
    Entity::find().select_only().columns([
        Column::Id,
        Column::Kind,
        Column::ToAddress,
        Column::Subject,
        Column::Status,
        Column::Attempts,
        Column::LastError,
        Column::NextAttemptAt,
        Column::CreatedAt,
        Column::SentAt,
    ])
}

/// Messages not delivered yet (queued, failed and waiting for a retry, dead), newest first.
pub async fn unsent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<OutboxEntry>, NotifyError> {
    let rows = entry_query()
        .filter(Column::Status.ne(SENT))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .into_tuple::<EntryColumns>()
        .all(db)
        .await?;
    Ok(entries(rows))
}

/// The latest delivered messages, newest first.
pub async fn recently_sent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<OutboxEntry>, NotifyError> {
    let rows = entry_query()
        .filter(Column::Status.eq(SENT))
        .order_by_desc(Column::SentAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .into_tuple::<EntryColumns>()
        .all(db)
        .await?;
    Ok(entries(rows))
}

/// What [`resend`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resend {
    /// The row is due now, with its attempts reset.
    Queued,
    /// No such message.
    NotFound,
    /// Delivered already: its bodies are blanked, there is nothing left to send.
    AlreadySent,
    /// A worker holds its lease and is sending it right now.
    InFlight,
}

/// Puts a dead or failed message back to due-now with its attempts reset, so the worker sends
/// it at its next pass with the full retry budget. One conditional update, like the worker's:
/// a row that was sent (bodies blanked) or is leased by a worker mid-send is left alone.
pub async fn resend(db: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> Result<Resend, NotifyError> {
    let result = Entity::update_many()
        .col_expr(Column::Status, Expr::value(PENDING))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::BodyText.ne(""))
        .filter(
            Condition::any().add(Column::Status.eq(DEAD)).add(
                Condition::all().add(Column::Status.eq(PENDING)).add(
                    Condition::any()
                        .add(Column::LeaseUntil.is_null())
                        .add(Column::LeaseUntil.lt(now)),
                ),
            ),
        )
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        return Ok(Resend::Queued);
    }
    Ok(match load(db, id).await? {
        None => Resend::NotFound,
        Some(row) if row.status == PENDING && !row.body_text.is_empty() => Resend::InFlight,
        Some(_) => Resend::AlreadySent,
    })
}

/// SMTP servers can answer at length; a row needs the gist.
fn truncate(error: &str) -> String {
    const MAX_CHARS: usize = 1000;
    error.chars().take(MAX_CHARS).collect()
}

/// Removes mails sent before `cutoff`: their bodies hold the links and the appointment's
/// details, which the retention period says must go.
pub async fn purge_sent_before(txn: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, NotifyError> {
    let deleted = Entity::delete_many()
        .filter(Column::Status.eq(SENT))
        .filter(Column::SentAt.lt(cutoff))
        .exec(txn)
        .await?;
    Ok(deleted.rows_affected)
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
    async fn dead_row(db: &sea_orm::DatabaseConnection, now: DateTime<Utc>) -> String {
        let id = enqueue(db, &sample_email("a@example.org"), now)
            .await
            .unwrap()
            .to_string();
        assert!(
            claim(db, &id, "w1", now, now + chrono::Duration::minutes(5))
                .await
                .unwrap()
        );
        let failure = Failure::Dead {
            error: "550 no such user",
        };
        assert!(mark_failed(db, &id, "w1", failure).await.unwrap());
        id
    }

    #[tokio::test]
    async fn listings_show_states_without_bodies() {
        let db = TestDb::from_env().await;
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let queued = enqueue(&db.conn, &sample_email("q@example.org"), now)
            .await
            .unwrap()
            .to_string();
        let dead = dead_row(&db.conn, now).await;
        let failed = enqueue(&db.conn, &sample_email("f@example.org"), now)
            .await
            .unwrap()
            .to_string();
        assert!(
            claim(&db.conn, &failed, "w1", now, now + chrono::Duration::minutes(5))
                .await
                .unwrap()
        );
        let retry_at = now + chrono::Duration::seconds(30);
        let failure = Failure::Retry {
            next_attempt_at: retry_at,
            error: "connection refused",
        };
        assert!(mark_failed(&db.conn, &failed, "w1", failure).await.unwrap());
        let sent = enqueue(&db.conn, &sample_email("s@example.org"), now)
            .await
            .unwrap()
            .to_string();
        assert!(mark_sent(&db.conn, &sent, now).await.unwrap());

        let unsent = unsent(&db.conn, 100).await.unwrap();
        let state_of = |id: &str| unsent.iter().find(|e| e.id == id).map(|e| e.state);
        assert_eq!(unsent.len(), 3);
        assert_eq!(state_of(&queued), Some(OutboxState::Queued));
        assert_eq!(state_of(&dead), Some(OutboxState::Dead));
        assert_eq!(state_of(&failed), Some(OutboxState::Failed));
        let failed_entry = unsent.iter().find(|e| e.id == failed).unwrap();
        assert_eq!(failed_entry.attempts, 1);
        assert_eq!(failed_entry.next_attempt_at, retry_at);
        assert_eq!(failed_entry.last_error.as_deref(), Some("connection refused"));
        let sent_list = recently_sent(&db.conn, 10).await.unwrap();
        assert_eq!(sent_list.len(), 1);
        assert_eq!(
            (sent_list[0].id.as_str(), sent_list[0].state),
            (sent.as_str(), OutboxState::Sent)
        );
        assert_eq!(sent_list[0].sent_at, Some(now));
    }

    #[tokio::test]
    async fn resending_a_dead_row_makes_it_due_now_with_attempts_reset() {
        let db = TestDb::from_env().await;
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let id = dead_row(&db.conn, now).await;
        assert!(due_ids(&db.conn, now, 10).await.unwrap().is_empty());
        let later = now + chrono::Duration::hours(3);
        assert_eq!(resend(&db.conn, &id, later).await.unwrap(), Resend::Queued);
        let row = load(&db.conn, &id).await.unwrap().unwrap();
        assert_eq!(
            (row.status.as_str(), row.attempts, row.next_attempt_at),
            (PENDING, 0, later)
        );
        assert!(
            row.body_text.contains("secret-token"),
            "the bodies are still there to send"
        );
        assert_eq!(due_ids(&db.conn, later, 10).await.unwrap(), vec![id]);
    }

    #[tokio::test]
    async fn resending_a_failed_row_brings_its_retry_forward() {
        let db = TestDb::from_env().await;
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let id = enqueue(&db.conn, &sample_email("a@example.org"), now)
            .await
            .unwrap()
            .to_string();
        assert!(
            claim(&db.conn, &id, "w1", now, now + chrono::Duration::minutes(5))
                .await
                .unwrap()
        );
        // A worker holding the lease is sending it: hands off.
        assert_eq!(resend(&db.conn, &id, now).await.unwrap(), Resend::InFlight);
        let failure = Failure::Retry {
            next_attempt_at: now + chrono::Duration::hours(1),
            error: "timeout",
        };
        assert!(mark_failed(&db.conn, &id, "w1", failure).await.unwrap());
        assert_eq!(resend(&db.conn, &id, now).await.unwrap(), Resend::Queued);
        let row = load(&db.conn, &id).await.unwrap().unwrap();
        assert_eq!((row.attempts, row.next_attempt_at), (0, now));
        assert_eq!(due_ids(&db.conn, now, 10).await.unwrap(), vec![id]);
    }

    #[tokio::test]
    async fn a_sent_row_cannot_be_resent() {
        let db = TestDb::from_env().await;
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let id = enqueue(&db.conn, &sample_email("a@example.org"), now)
            .await
            .unwrap()
            .to_string();
        assert!(mark_sent(&db.conn, &id, now).await.unwrap());
        assert_eq!(resend(&db.conn, &id, now).await.unwrap(), Resend::AlreadySent);
        let row = load(&db.conn, &id).await.unwrap().unwrap();
        assert_eq!(row.status, SENT, "left alone");
        assert_eq!(
            resend(&db.conn, "00000000-0000-0000-0000-000000000000", now)
                .await
                .unwrap(),
            Resend::NotFound
        );
    }
}
