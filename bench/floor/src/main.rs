//! `floor`: the least an HTTP server on Linguapool's stack does per request, so `bench/load.sh`
//! can say how far above it the service's endpoints run. Raw axum and sqlx, two tables.
//!
//! - `GET /items/{id}`: bearer token → SHA-256 → the user row by token hash, then one row by
//!   primary key, as JSON (the shape of an authenticated `GET /api/v1/requests/{id}`);
//! - `POST /items`: authenticated the same way, one single-row insert, 201 with the row as JSON.
//!
//! The database is the service's kind and settings: `FLOOR_DATABASE_URL` (`sqlite://...` or
//! `postgres://...`) opened by `lp_db::connect` with the service's pool size (16), so SQLite
//! runs with the same WAL, busy timeout and `synchronous=NORMAL`; writers on SQLite queue in
//! the process as the service's do. At start it makes its tables, one user and one item, and
//! prints the user's token, the item's id and `Floor listening on http://ADDR` (`FLOOR_ADDR`,
//! default `127.0.0.1:0`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use lp_core::secret::{hash_token, new_token};
use sea_orm::sqlx::{self, PgPool, Row, SqlitePool};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Mutex;
use uuid::Uuid;

/// The service's default `database.max_connections`.
const POOL_SIZE: u32 = 16;

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct App {
    db: Db,
    /// SQLite has one write lock; like the service (`lp_db::begin_write`) the floor hands it on
    /// in order instead of leaving its writers to SQLite's busy handler.
    writers: Mutex<()>,
}

/// Runs `$body` with `$pool` bound to the concrete pool: one text of each query for both
/// databases (both accept `$1` placeholders).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// The two tables, with the column types of the database at hand.
fn schema(uuid: &str, timestamp: &str) -> [String; 2] {
    [
        format!(
            "CREATE TABLE IF NOT EXISTS floor_users (id {uuid} PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL)"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS floor_items (id {uuid} PRIMARY KEY, owner_id {uuid} NOT NULL, \
             language TEXT NOT NULL, starts_at {timestamp} NOT NULL, duration_minutes INTEGER NOT NULL, \
             town TEXT, notes TEXT, status TEXT NOT NULL, created_at {timestamp} NOT NULL)"
        ),
    ]
}

const FIND_USER: &str = "SELECT id FROM floor_users WHERE token_hash = $1";
const FIND_ITEM: &str = "SELECT id, owner_id, language, starts_at, duration_minutes, town, notes, status, \
     created_at FROM floor_items WHERE id = $1";
const INSERT_ITEM: &str = "INSERT INTO floor_items (id, owner_id, language, starts_at, duration_minutes, \
     town, notes, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const INSERT_USER: &str = "INSERT INTO floor_users (id, token_hash, name) VALUES ($1, $2, $3)";

#[derive(Debug, Clone, Deserialize)]
struct NewItem {
    language: String,
    starts_at: DateTime<Utc>,
    duration_minutes: i32,
    town: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Item {
    id: Uuid,
    owner_id: Uuid,
    language: String,
    starts_at: DateTime<Utc>,
    duration_minutes: i32,
    town: Option<String>,
    notes: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
}

/// The item in a row of `FIND_ITEM`, on either database.
macro_rules! item_of {
    ($row:expr) => {
        Item {
            id: $row.try_get("id")?,
            owner_id: $row.try_get("owner_id")?,
            language: $row.try_get("language")?,
            starts_at: $row.try_get("starts_at")?,
            duration_minutes: $row.try_get("duration_minutes")?,
            town: $row.try_get("town")?,
            notes: $row.try_get("notes")?,
            status: $row.try_get("status")?,
            created_at: $row.try_get("created_at")?,
        }
    };
}

enum Refusal {
    Unauthorized,
    NotFound,
    BadRequest,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Refusal {
    fn from(err: sqlx::Error) -> Self {
        Refusal::Db(err)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, "no or bad token".to_owned()),
            Refusal::NotFound => (StatusCode::NOT_FOUND, "no such item".to_owned()),
            Refusal::BadRequest => (StatusCode::BAD_REQUEST, "malformed id".to_owned()),
            Refusal::Db(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
        };
        (status, Json(serde_json::json!({"error": {"message": message}}))).into_response()
    }
}

/// The user the bearer token belongs to.
async fn authenticate(db: &Db, headers: &HeaderMap) -> Result<Uuid, Refusal> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Refusal::Unauthorized)?;
    let hash = hash_token(token);
    let user = on_pool!(db, pool => match sqlx::query(FIND_USER).bind(&hash).fetch_optional(pool).await? {
        Some(row) => row.try_get::<Uuid, _>("id")?,
        None => return Err(Refusal::Unauthorized),
    });
    Ok(user)
}

async fn read(State(app): State<Arc<App>>, Path(id): Path<String>, headers: HeaderMap) -> Result<Json<Item>, Refusal> {
    authenticate(&app.db, &headers).await?;
    let id: Uuid = id.parse().map_err(|_| Refusal::BadRequest)?;
    let item = on_pool!(&app.db, pool => match sqlx::query(FIND_ITEM).bind(id).fetch_optional(pool).await? {
        Some(row) => item_of!(row),
        None => return Err(Refusal::NotFound),
    });
    Ok(Json(item))
}

async fn insert(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Json(new): Json<NewItem>,
) -> Result<(StatusCode, Json<Item>), Refusal> {
    let owner_id = authenticate(&app.db, &headers).await?;
    let item = Item {
        id: Uuid::new_v4(),
        owner_id,
        language: new.language,
        starts_at: new.starts_at,
        duration_minutes: new.duration_minutes,
        town: new.town,
        notes: new.notes,
        status: "open".to_owned(),
        created_at: Utc::now(),
    };
    store(&app, &item).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

async fn store(app: &App, item: &Item) -> Result<(), sqlx::Error> {
    let _turn = match app.db {
        Db::Sqlite(_) => Some(app.writers.lock().await),
        Db::Postgres(_) => None,
    };
    on_pool!(&app.db, pool => sqlx::query(INSERT_ITEM)
        .bind(item.id)
        .bind(item.owner_id)
        .bind(&item.language)
        .bind(item.starts_at)
        .bind(item.duration_minutes)
        .bind(&item.town)
        .bind(&item.notes)
        .bind(&item.status)
        .bind(item.created_at)
        .execute(pool)
        .await
        .map(drop))?;
    Ok(())
}

/// The tables, a user with a fresh token and one item to read.
async fn prepare(app: &App) -> Result<(String, Uuid), sqlx::Error> {
    let ddl = match app.db {
        Db::Sqlite(_) => schema("BLOB", "TEXT"),
        Db::Postgres(_) => schema("UUID", "TIMESTAMPTZ"),
    };
    for statement in ddl {
        // Built from two fixed type names: nothing from outside goes in.
        let statement = sqlx::AssertSqlSafe(statement);
        on_pool!(&app.db, pool => sqlx::query(statement).execute(pool).await.map(drop))?;
    }
    let token = new_token();
    let user_id = Uuid::new_v4();
    on_pool!(&app.db, pool => sqlx::query(INSERT_USER).bind(user_id).bind(&token.hash).bind("Floor")
        .execute(pool).await.map(drop))?;
    let item = Item {
        id: Uuid::new_v4(),
        owner_id: user_id,
        language: "ara".to_owned(),
        starts_at: Utc::now() + chrono::Duration::days(21),
        duration_minutes: 60,
        town: Some("Winnenden".to_owned()),
        notes: Some("Termin Ausländerbehörde".to_owned()),
        status: "open".to_owned(),
        created_at: Utc::now(),
    };
    store(app, &item).await?;
    Ok((token.plain, item.id))
}

/// The floor on the database `url` names, with its tables.
async fn open(url: &str) -> Result<Arc<App>, Box<dyn std::error::Error>> {
    let conn = lp_db::connect(url, POOL_SIZE).await?;
    let db = match conn.get_database_backend() {
        sea_orm::DbBackend::Sqlite => Db::Sqlite(conn.get_sqlite_connection_pool().clone()),
        _ => Db::Postgres(conn.get_postgres_connection_pool().clone()),
    };
    Ok(Arc::new(App {
        db,
        writers: Mutex::new(()),
    }))
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/items/{id}", get(read))
        .route("/items", post(insert))
        .with_state(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url =
        std::env::var("FLOOR_DATABASE_URL").map_err(|_| "set FLOOR_DATABASE_URL to a sqlite:// or postgres:// URL")?;
    let addr = std::env::var("FLOOR_ADDR").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let app = open(&url).await?;
    let (token, item) = prepare(&app).await?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("floor token {token}");
    println!("floor item {item}");
    println!("Floor listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(app)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn call(app: &Arc<App>, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        let response = router(app.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn reads_what_it_inserted_and_only_with_the_token() {
        // A database of the test's own on the kind the tests run on; the floor's tables
        // live beside the service's.
        let test = lp_testkit::TestDb::from_env().await;
        let app = open(&test.url).await.unwrap();
        let (token, item) = prepare(&app).await.unwrap();
        let bearer = format!("Bearer {token}");

        let get = |id: String, auth: &str| {
            Request::get(format!("/items/{id}"))
                .header(AUTHORIZATION, auth)
                .body(Body::empty())
                .unwrap()
        };
        let (status, body) = call(&app, get(item.to_string(), &bearer)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["language"], "ara");
        assert_eq!(
            call(&app, get(item.to_string(), "Bearer nope")).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call(&app, get(Uuid::new_v4().to_string(), &bearer)).await.0,
            StatusCode::NOT_FOUND
        );

        let new = serde_json::json!({"language": "tir", "starts_at": "2026-12-03T09:00:00Z",
            "duration_minutes": 45, "town": null, "notes": "LOAD-1"});
        let post = Request::post("/items")
            .header(AUTHORIZATION, &bearer)
            .header("content-type", "application/json")
            .body(Body::from(new.to_string()))
            .unwrap();
        let (status, created) = call(&app, post).await;
        assert_eq!(status, StatusCode::CREATED);
        let id = created["id"].as_str().unwrap().to_owned();
        let (status, body) = call(&app, get(id, &bearer)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (body["language"].as_str(), body["duration_minutes"].as_i64()),
            (Some("tir"), Some(45))
        );
    }
}
