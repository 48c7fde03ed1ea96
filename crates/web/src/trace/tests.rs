//! What the log says about a request: its span with route and request id, one response line,
//! an internal error once (on the API, a staff page and a link page), and never a secret.

use crate::test_app::TestApp;
use axum::body::Body;
use axum::http::header::{ACCEPT, AUTHORIZATION, COOKIE, HOST};
use axum::http::{Request, StatusCode};
use lp_core::vocab::Role;
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged on this test's thread (the router runs on it: tests use the
/// current-thread runtime), filtered as `linguapool serve` filters by default but down to debug.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        Self::capture_at("debug,sqlx=warn,sea_orm=warn")
    }

    fn capture_at(filter: &str) -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The lines at `level` (`ERROR`, `WARN`, ...).
    fn at(&self, level: &str) -> Vec<String> {
        let marker = format!(" {level} ");
        self.text()
            .lines()
            .filter(|line| line.contains(&marker))
            .map(str::to_owned)
            .collect()
    }
}

fn get(path: &str) -> axum::http::request::Builder {
    Request::get(path).header(HOST, "pool.test")
}

fn request_id(reply: &crate::test_app::Reply) -> String {
    reply.headers["x-request-id"].to_str().unwrap().to_owned()
}

async fn rename_table(app: &TestApp, table: &str) {
    app.db
        .conn
        .execute_unprepared(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))
        .await
        .unwrap();
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_usable_one_sent_is_kept() {
    let app = TestApp::new().await;
    let fresh = app.get("/healthz", None).await;
    uuid::Uuid::parse_str(&request_id(&fresh)).expect("a fresh UUID");
    let again = app.get("/healthz", None).await;
    assert_ne!(request_id(&again), request_id(&fresh));

    let from_proxy = get("/healthz").header("x-request-id", "lb-7f3a:42").body(Body::empty());
    assert_eq!(request_id(&app.send(from_proxy.unwrap()).await), "lb-7f3a:42");

    // Not an id: replaced, since it would land in every log line of the request.
    let long = "a".repeat(129);
    for odd in ["two words", "quote\"d", long.as_str()] {
        let reply = app
            .send(get("/healthz").header("x-request-id", odd).body(Body::empty()).unwrap())
            .await;
        uuid::Uuid::parse_str(&request_id(&reply)).unwrap_or_else(|_| panic!("{odd} was kept"));
    }
    let twice = get("/healthz")
        .header("x-request-id", "one")
        .header("x-request-id", "two")
        .body(Body::empty());
    uuid::Uuid::parse_str(&request_id(&app.send(twice.unwrap()).await)).expect("two ids: a fresh one");

    // Error answers and the fallback carry one too.
    let unknown = app.get("/no/such/page", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn the_span_names_the_route_not_the_path_and_no_secret_is_logged() {
    let app = TestApp::new().await;
    let (logs, _guard) = Logs::capture();
    let token = "c2VjcmV0LWxpbmstdG9rZW4tZm9yLXRoZS10ZXN0";
    let request = get(&format!("/o/{token}"))
        .header(COOKIE, "lp_session=cookie-secret-value")
        .header(AUTHORIZATION, "Bearer bearer-secret-value")
        .header("x-request-id", "trace-me-1")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let unknown = app.get(&format!("/nothing/here/{token}?key={token}"), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let text = logs.text();
    assert!(
        text.contains("request{method=GET route=/o/{token} request_id=trace-me-1}"),
        "{text}"
    );
    assert!(text.contains("status=404"), "{text}");
    assert!(text.contains("latency_ms="), "{text}");
    let fallback_span = format!("route=unmatched request_id={}", request_id(&unknown));
    assert!(text.contains(&fallback_span), "{text}");
    for secret in [token, "cookie-secret-value", "bearer-secret-value", "/nothing/here"] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
    assert!(logs.at("ERROR").is_empty() && logs.at("WARN").is_empty(), "{text}");
}

#[tokio::test]
async fn an_internal_api_error_is_logged_once_as_an_error_in_its_span() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "koordination@pool.test").await;
    let session = app.login("koordination@pool.test").await;
    rename_table(&app, "volunteers").await;
    let (logs, _guard) = Logs::capture();

    let reply = app.get("/api/v1/volunteers", Some(&session)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error": {"code": "internal", "message": "internal error"}}),
        "the client learns nothing of the cause"
    );

    let errors = logs.at("ERROR");
    assert_eq!(errors.len(), 1, "{}", logs.text());
    let span = format!("route=/api/v1/volunteers request_id={}", request_id(&reply));
    assert!(errors[0].contains(&span), "{}", errors[0]);
    assert!(
        errors[0].contains("internal error") && errors[0].contains("error=database:"),
        "{}",
        errors[0]
    );
    assert!(logs.text().contains("status=500"));
    assert!(!logs.text().contains(&session), "the session id stays out of the log");
}

#[tokio::test]
async fn an_error_keeps_its_route_and_request_id_when_only_warnings_are_logged() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "koordination@pool.test").await;
    let session = app.login("koordination@pool.test").await;
    rename_table(&app, "volunteers").await;
    let (logs, _guard) = Logs::capture_at("warn");
    let reply = app.get("/api/v1/volunteers", Some(&session)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let errors = logs.at("ERROR");
    assert_eq!(errors.len(), 1, "{}", logs.text());
    let span = format!(
        "request{{method=GET route=/api/v1/volunteers request_id={}}}",
        request_id(&reply)
    );
    assert!(errors[0].contains(&span), "{}", errors[0]);
    assert!(logs.at("INFO").is_empty(), "{}", logs.text());
}

#[tokio::test]
async fn an_internal_error_on_a_staff_page_is_logged_once() {
    let app = TestApp::new().await;
    app.staff(Role::Coordinator, None, "koordination@pool.test").await;
    let session = app.login("koordination@pool.test").await;
    rename_table(&app, "outbox_emails").await;
    let (logs, _guard) = Logs::capture();

    let reply = app.get("/outbox", Some(&session)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("<html"), "an error page, not JSON: {}", reply.body);
    let errors = logs.at("ERROR");
    assert_eq!(errors.len(), 1, "{}", logs.text());
    assert!(
        errors[0].contains(&format!("route=/outbox request_id={}", request_id(&reply))),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("database"), "{}", errors[0]);
}

#[tokio::test]
async fn an_internal_error_on_a_link_page_is_logged_once_per_request_without_the_token() {
    let app = TestApp::new().await;
    rename_table(&app, "offers").await;
    let (logs, _guard) = Logs::capture();
    let token = "bGluay10b2tlbi1vZi1hLXZvbHVudGVlcg";

    let page = app.get(&format!("/o/{token}"), None).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let json = app
        .send(
            get(&format!("/o/{token}"))
                .header(ACCEPT, "application/json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(json.status, StatusCode::INTERNAL_SERVER_ERROR);

    let errors = logs.at("ERROR");
    assert_eq!(errors.len(), 2, "one each: {}", logs.text());
    for (line, reply) in errors.iter().zip([&page, &json]) {
        assert!(
            line.contains(&format!("route=/o/{{token}} request_id={}", request_id(reply))),
            "{line}"
        );
    }
    assert!(!logs.text().contains(token), "{}", logs.text());
}

#[tokio::test]
async fn a_client_error_is_logged_as_debug_only() {
    let app = TestApp::new().await;
    let (logs, _guard) = Logs::capture();
    let reply = app.get("/api/v1/volunteers", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        logs.at("ERROR").is_empty() && logs.at("WARN").is_empty(),
        "{}",
        logs.text()
    );
    let refused = logs.at("DEBUG");
    assert!(
        refused
            .iter()
            .any(|l| l.contains("request refused") && l.contains("code=unauthenticated")),
        "{}",
        logs.text()
    );
}
