//! A migrated database of the test's own, removed again when the test is done.

use lp_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::path::PathBuf;

pub struct TestDb {
    pub conn: DatabaseConnection,
    pub url: String,
    /// A scratch directory of the test's own (holds the SQLite file).
    pub dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// PostgreSQL when `TEST_DATABASE_URL` is set, SQLite otherwise.
    pub async fn from_env() -> Self {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => Self::postgres(&admin_url).await,
            None => Self::sqlite().await,
        }
    }

    pub async fn sqlite() -> Self {
        let dir = scratch_dir();
        let url = format!("sqlite://{}?mode=rwc", dir.join("linguapool.db").display());
        let conn = lp_db::connect(&url, 8).await.expect("SQLite opens");
        Migrator::up(&conn, None).await.expect("migrations apply");
        Self {
            conn,
            url,
            dir,
            postgres: None,
        }
    }

    /// A fresh database on the server that `admin_url` names.
    pub async fn postgres(admin_url: &str) -> Self {
        let name = format!("lp_test_{}", uuid::Uuid::new_v4().simple());
        let admin = lp_db::connect(admin_url, 1)
            .await
            .expect("TEST_DATABASE_URL is reachable");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        admin.close().await.ok();
        let url = with_database(admin_url, &name);
        let conn = lp_db::connect(&url, 8).await.expect("the new database opens");
        Migrator::up(&conn, None).await.expect("migrations apply");
        Self {
            conn,
            url,
            dir: scratch_dir(),
            postgres: Some((admin_url.to_owned(), name)),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Another pool on the same database, as a second server instance would have.
    pub async fn second_connection(&self) -> DatabaseConnection {
        lp_db::connect(&self.url, 4).await.expect("second connection")
    }
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lp-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl Drop for TestDb {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop may run inside or outside a runtime; a thread with its own one is safe in both.
            let cleanup = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async {
                    if let Ok(admin) = lp_db::connect(&admin_url, 1).await {
                        admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .await
                            .ok();
                        admin.close().await.ok();
                    }
                });
            });
            cleanup.join().ok();
        }
    }
}

/// `postgres://user@host:5432/postgres?x=y` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_in_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "lp_x"),
            "postgres://postgres@127.0.0.1:5432/lp_x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "lp_x"),
            "postgres://u:p@h/lp_x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5432", "lp_x"), "postgres://h:5432/lp_x");
    }

    /// The database's clock reads on both databases, and is this machine's within a second
    /// here (on one machine they share a clock).
    #[tokio::test]
    async fn the_database_tells_its_time() {
        let db = super::TestDb::from_env().await;
        let before = chrono::Utc::now();
        let now = lp_db::database_now(&db.conn).await.unwrap();
        let after = chrono::Utc::now();
        let slack = chrono::Duration::seconds(1);
        assert!(before - slack <= now && now <= after + slack, "{before} {now} {after}");
    }

    /// An instance whose own clock is an hour off reads the database's time after a sync.
    #[tokio::test]
    async fn a_skewed_instance_clock_is_moved_onto_the_databases() {
        use lp_core::Clock;
        let db = super::TestDb::from_env().await;
        let skewed = chrono::Utc::now() + chrono::Duration::hours(1);
        let local = std::sync::Arc::new(lp_core::clock::ManualClock::new(skewed));
        let clock = lp_db::DatabaseClock::new(local);
        let offset = clock.sync(&db.conn).await.unwrap();
        assert!(
            (offset + chrono::Duration::hours(1)).abs() < chrono::Duration::seconds(2),
            "{offset}"
        );
        let database = lp_db::database_now(&db.conn).await.unwrap();
        assert!((clock.now() - database).abs() < chrono::Duration::seconds(2));
    }
}
