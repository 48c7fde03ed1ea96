//! Connecting to the database named by `database.url`: SQLite (the embedded default) or
//! PostgreSQL (production). SQLite gets WAL, a busy timeout and foreign keys, set here because
//! the driver's defaults give one connection and no waiting on a locked database. Also the
//! write queue and the secret-link policy every capability crate uses.

pub mod clock;
pub mod secret_link;

pub use clock::DatabaseClock;

use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqlxPostgresConnector,
    SqlxSqliteConnector, TransactionTrait,
};
use std::ops::Deref;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// Page cache per SQLite connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 512;

/// How the service's connection pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// How long a SQLite writer waits for the write lock another process holds; then the
    /// request is answered 503 ([`is_unavailable`]).
    pub busy_timeout: Duration,
    /// How long a request waits for a connection (PostgreSQL down or restarting); then 503.
    pub acquire_timeout: Duration,
}

impl ConnectOptions {
    pub fn with_max_connections(max_connections: u32) -> Self {
        Self {
            max_connections,
            busy_timeout: Duration::from_secs(10),
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, &ConnectOptions::with_max_connections(max_connections)).await
}

pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let to_db_err = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("cannot connect to the database: {e}"));
    if url.starts_with("sqlite:") {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(to_db_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(options.busy_timeout)
            .foreign_keys(true)
            // Each pooled connection keeps its own page cache (2 MB by default): 16 of them
            // were a third of the service's memory. The database is small and the OS caches
            // its file anyway.
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(to_db_err)?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect(url)
            .await
            .map_err(to_db_err)?;
        Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
    } else {
        Err(DbErr::Custom(
            "database.url must start with sqlite: or postgres:".to_owned(),
        ))
    }
}

/// The database's own clock, for leases and due times that several instances compare: each
/// instance's clock may be off by any amount, the database's is one. PostgreSQL's
/// `clock_timestamp()`; SQLite's is this machine's clock (SQLite has one instance).
pub async fn database_now(db: &impl ConnectionTrait) -> Result<chrono::DateTime<chrono::Utc>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS now",
        _ => "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS now",
    };
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned()))
        .await?
        .ok_or_else(|| DbErr::Custom("the database did not tell its time".to_owned()))?;
    let text: String = row.try_get("", "now")?;
    text.parse()
        .map_err(|e| DbErr::Custom(format!("the database's time `{text}` does not read: {e}")))
}

/// Whether an error means the database cannot be reached or is busy for now (SQLite's write
/// lock held past the busy timeout by another process; PostgreSQL down, restarting, or its
/// connections broken), rather than that this request is wrong: the caller may try again,
/// and nothing was written (the transaction did not commit).
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match &**sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed | Sqlx::Tls(_) => true,
        Sqlx::Database(e) => {
            let code = e.code().unwrap_or_default();
            // SQLite: 5 SQLITE_BUSY, 6 SQLITE_LOCKED (with extended codes in the low byte).
            // PostgreSQL: class 08 connection exception, 57P01-57P03 shutting down or not yet
            // accepting connections, 53300 too many connections.
            let sqlite_busy = code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
            sqlite_busy || code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }
        _ => false,
    }
}

/// Whether an error is a unique-constraint violation, on either database.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// SQLite has one write lock. Transactions racing for it wait in SQLite's busy handler, which
/// sleeps in growing steps (up to 100 ms a round) and lets late comers overtake early ones;
/// queueing the writers of this process here instead hands the lock on at once and in order.
/// Other processes on the same file still meet the busy timeout, so correctness never rests
/// on this gate.
static SQLITE_WRITERS: Mutex<()> = Mutex::const_new(());

/// A transaction that will write. On SQLite it waits its turn behind the other writers of
/// this process; on PostgreSQL it is a plain transaction.
pub struct WriteTransaction {
    txn: DatabaseTransaction,
    _turn: Option<MutexGuard<'static, ()>>,
}

pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(WriteTransaction {
            txn: db.begin().await?,
            _turn: None,
        });
    }
    let turn = SQLITE_WRITERS.lock().await;
    let txn = db.begin().await?;
    // A deferred SQLite transaction that reads first and writes later fails at once ("busy
    // snapshot") if another connection, e.g. the mail worker, committed in between. A write
    // as the first statement takes the write lock up front, like BEGIN IMMEDIATE, so the
    // reads that follow see a snapshot nobody can change under them.
    txn.execute_unprepared("UPDATE organisations SET name = name WHERE 0 = 1")
        .await?;
    Ok(WriteTransaction { txn, _turn: Some(turn) })
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Deref for WriteTransaction {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Refreshes the query planner's statistics. After a bulk load (the demo's past) the planners
/// would otherwise pick plans for empty tables until autovacuum comes round: on PostgreSQL a
/// sequential scan of every offer for the dashboard's few requests.
pub async fn refresh_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
