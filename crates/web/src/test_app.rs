//! Router tests' fixture: the real router on a fresh migrated database (SQLite, or PostgreSQL
//! with `TEST_DATABASE_URL`), a manual clock, and helpers that speak HTTP to it in-process.

use crate::{AppState, WebSettings, router};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use lp_core::Clock;
use lp_core::clock::ManualClock;
use lp_core::heartbeat::Heartbeat;
use lp_core::vocab::Role;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::sessions::SessionPolicy;
use lp_registry::staff::{self, StaffUser, StaffUserInput};
use lp_requests::RequestSettings;
use lp_testkit::TestDb;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

pub const BASE: &str = "http://pool.test";
pub const PASSWORD: &str = "correct horse battery";

/// The reports' settings of the router tests: a named pool and coordinator, and an allowance
/// of 12 € per started 90 minutes, so the payout table is shown.
pub fn report_settings() -> lp_reports::ReportSettings {
    lp_reports::ReportSettings {
        organisation: lp_reports::Organisation {
            name: "Dolmetscherpool Teststadt".to_owned(),
            coordinator_name: "K. Koordinatorin".to_owned(),
            address: Some("Marktplatz 1, 12345 Teststadt".to_owned()),
        },
        allowance: Some(lp_reports::Allowance::new(1200, Some(90)).expect("a block of 90 minutes")),
    }
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

pub struct TestApp {
    pub db: TestDb,
    pub clock: Arc<ManualClock>,
    /// The settings the router runs with, for tests that act through the crates directly.
    pub requests: Arc<RequestSettings>,
    pub trainings: Arc<lp_trainings::TrainingSettings>,
    router: Router,
}

/// What came back, with the body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The session id the reply sets, if any.
    pub fn session(&self) -> Option<String> {
        self.set_cookies()
            .iter()
            .find_map(|c| {
                c.strip_prefix("lp_session=")
                    .map(|rest| rest.split(';').next().unwrap().to_owned())
            })
            .filter(|id| !id.is_empty())
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").map(|v| v.to_str().unwrap())
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_web(WebSettings::new(BASE, SessionPolicy::default(), Vec::new())).await
    }

    pub async fn with_web(web: WebSettings) -> Self {
        Self::build(web, Arc::new([]), None).await
    }

    /// The app with the file transport's local mailbox reading `dir`.
    pub async fn with_mailbox(dir: std::path::PathBuf) -> Self {
        let web = WebSettings::new(BASE, SessionPolicy::default(), Vec::new());
        Self::build(web, Arc::new([]), Some(dir)).await
    }

    /// The app with these worker heartbeats for `/readyz`.
    pub async fn with_workers(workers: Vec<Arc<Heartbeat>>) -> Self {
        let web = WebSettings::new(BASE, SessionPolicy::default(), Vec::new());
        Self::build(web, workers.into(), None).await
    }

    async fn build(web: WebSettings, workers: Arc<[Arc<Heartbeat>]>, mailbox_dir: Option<std::path::PathBuf>) -> Self {
        let db = TestDb::from_env().await;
        let clock = Arc::new(ManualClock::new(start_time()));
        // One key for both, as one instance has.
        let server_key = Arc::new(lp_core::secret::ServerKey::generate());
        let state = AppState {
            db: db.conn.clone(),
            clock: clock.clone(),
            requests: Arc::new(RequestSettings {
                server_key: server_key.clone(),
                ..RequestSettings::with_defaults(BASE)
            }),
            trainings: Arc::new(lp_trainings::TrainingSettings {
                validity_months: 24,
                public_base_url: BASE.to_owned(),
                server_key,
            }),
            reports: Arc::new(report_settings()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            mailbox_dir,
            web: Arc::new(web),
            workers,
        };
        Self {
            requests: state.requests.clone(),
            trainings: state.trainings.clone(),
            router: router(state),
            db,
            clock,
        }
    }

    /// What writes the links into the outbox's mails at send time, with this app's key.
    pub fn links(&self) -> lp_core::link::LinkResolver {
        lp_core::link::LinkResolver::new(self.requests.server_key.clone(), BASE)
    }

    /// `(recipient, text)` of every queued mail of `kind`, oldest first, the text as the worker
    /// sends it: the outbox holds placeholders where the links go, and the worker writes them in.
    pub async fn sent_texts(&self, kind: &str) -> Vec<(String, String)> {
        use sea_orm::ConnectionTrait;
        let db = &self.db.conn;
        let sql = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "SELECT to_address, body_text FROM outbox_emails WHERE kind = $1 ORDER BY created_at, id"
            }
            _ => "SELECT to_address, body_text FROM outbox_emails WHERE kind = ? ORDER BY created_at, id",
        };
        let rows = db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                [kind.into()],
            ))
            .await
            .unwrap();
        let links = self.links();
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("", "body_text").unwrap();
                let to: String = row.try_get("", "to_address").unwrap();
                (to, links.resolve_text(&text).expect("readable placeholders"))
            })
            .collect()
    }

    pub async fn organisation(&self, name: &str) -> Uuid {
        let input = OrganisationInput { name: name.to_owned() };
        organisations::create(
            &self.db.conn,
            &lp_core::access::Coordinator::operator(),
            &input,
            self.clock.now(),
        )
        .await
        .unwrap()
        .id
    }

    /// A staff user with [`PASSWORD`].
    pub async fn staff(&self, role: Role, organisation_id: Option<Uuid>, email: &str) -> StaffUser {
        let input = StaffUserInput {
            email: email.to_owned(),
            name: format!("Name of {email}"),
            role,
            organisation_id,
            password: Some(PASSWORD.to_owned()),
        };
        let prepared = staff::prepare(&input, false).await.unwrap();
        staff::insert(&self.db.conn, prepared, self.clock.now())
            .await
            .unwrap()
            .user
    }

    /// A staff user's API token (the user has [`PASSWORD`] too).
    pub async fn api_token(&self, role: Role, organisation_id: Option<Uuid>, email: &str) -> String {
        let input = StaffUserInput {
            email: email.to_owned(),
            name: format!("Name of {email}"),
            role,
            organisation_id,
            password: Some(PASSWORD.to_owned()),
        };
        let prepared = staff::prepare(&input, false).await.unwrap();
        staff::insert(&self.db.conn, prepared, self.clock.now())
            .await
            .unwrap()
            .api_token
    }

    /// An active, trained volunteer for weekday on-site jobs in Winnenden, 08:00–18:00.
    pub async fn volunteer(&self, name: &str, email: &str, language: &str) -> Uuid {
        self.volunteer_with(name, email, language, |_| {}).await
    }

    /// Like [`volunteer`](Self::volunteer), with the JSON of the record changed first (e.g.
    /// `v["modes"] = json!(["video"])`).
    pub async fn volunteer_with(
        &self,
        name: &str,
        email: &str,
        language: &str,
        change: impl FnOnce(&mut serde_json::Value),
    ) -> Uuid {
        let days = ["mon", "tue", "wed", "thu", "fri"];
        let mut record = serde_json::json!({
            "name": name, "email": email, "phone": "+49 151 000000",
            "languages": [{"code": language, "proficiency": "native"}],
            "german_level": "B2", "modes": ["on_site", "phone"], "service_area": ["Winnenden"],
            "availability": days.iter().map(|d| serde_json::json!({"weekday": d, "start": "08:00", "end": "18:00"})).collect::<Vec<_>>(),
            "max_assignments_per_month": 8,
            "confidentiality_signed_on": "2026-03-02", "training_completed_on": "2026-02-01",
            "status": "active"
        });
        change(&mut record);
        let input: lp_registry::volunteers::VolunteerInput = serde_json::from_value(record).unwrap();
        lp_registry::volunteers::create(
            &self.db.conn,
            &lp_core::access::Coordinator::operator(),
            input.validate().unwrap(),
            self.clock.now(),
        )
        .await
        .unwrap()
        .id
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, session: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(HOST, "pool.test");
        if let Some(id) = session {
            request = request.header(COOKIE, format!("lp_session={id}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A same-origin form post, as a browser on our pages sends it.
    pub async fn post_form(&self, path: &str, session: Option<&str>, form: &str) -> Reply {
        self.post_form_from(path, session, form, Some(BASE), peer()).await
    }

    pub async fn post_form_from(
        &self,
        path: &str,
        session: Option<&str>,
        form: &str,
        origin: Option<&str>,
        peer: SocketAddr,
    ) -> Reply {
        let mut request = Request::post(path)
            .header(HOST, "pool.test")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        if let Some(id) = session {
            request = request.header(COOKIE, format!("lp_session={id}"));
        }
        let mut request = request.body(Body::from(form.to_owned())).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        self.send(request).await
    }

    /// Signs in through the form and returns the session id.
    pub async fn login(&self, email: &str) -> String {
        let reply = self
            .post_form(
                "/login",
                None,
                &format!("email={}&password={}", enc(email), enc(PASSWORD)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        reply.session().expect("login sets the session cookie")
    }
}

pub fn peer() -> SocketAddr {
    "192.0.2.10:50000".parse().unwrap()
}

pub fn enc(text: &str) -> String {
    crate::page::url_encode(text).replace('/', "%2F")
}
