//! Liveness and readiness for the proxy and the operator. `/healthz`: the process answers.
//! `/readyz`: the database is reachable and every background worker of this process has made
//! progress lately (see [`Heartbeat`]); otherwise 503, naming what is wrong.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use lp_core::heartbeat::Heartbeat;
use serde_json::{Map, Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.db.ping().await;
    if let Err(err) = &database {
        tracing::warn!(%err, "database not reachable");
    }
    let mut workers = Map::new();
    let mut stuck = Vec::new();
    for heartbeat in state.workers.iter() {
        let (report, is_stuck) = worker_report(heartbeat);
        if is_stuck {
            stuck.push(heartbeat.name());
        }
        workers.insert(heartbeat.name().to_owned(), report);
    }
    if !stuck.is_empty() {
        tracing::warn!(?stuck, "not ready: a worker has made no progress for too long");
    }
    let status = match (&database, stuck.is_empty()) {
        (Err(_), _) => "database unreachable",
        (Ok(()), false) => "worker stuck",
        (Ok(()), true) => "ready",
    };
    let mut body = json!({
        "status": status,
        "database": if database.is_ok() { "reachable" } else { "unreachable" },
        "workers": workers,
    });
    let code = if status == "ready" {
        StatusCode::OK
    } else {
        body["stuck"] = json!(stuck);
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}

fn worker_report(heartbeat: &Heartbeat) -> (Value, bool) {
    let since = heartbeat.since_last_beat();
    let stuck = since > heartbeat.stuck_limit();
    let report = json!({
        "status": if stuck { "stuck" } else { "alive" },
        "seconds_since_progress": since.as_secs(),
        "stuck_after_seconds": heartbeat.stuck_limit().as_secs(),
    });
    (report, stuck)
}

#[cfg(test)]
mod tests {
    use crate::test_app::TestApp;
    use axum::http::StatusCode;
    use lp_core::heartbeat::Heartbeat;
    use serde_json::Value;
    use std::sync::Arc;
    use std::time::Duration;

    fn alive(name: &'static str) -> Arc<Heartbeat> {
        Arc::new(Heartbeat::new(name, Duration::from_millis(500)))
    }

    #[tokio::test]
    async fn ready_when_the_database_answers_and_both_workers_are_alive() {
        let app = TestApp::with_workers(vec![alive("mail"), alive("cascade")]).await;
        let reply = app.get("/readyz", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], "reachable");
        assert_eq!(body["workers"]["mail"]["status"], "alive");
        assert_eq!(body["workers"]["cascade"]["status"], "alive");
        assert_eq!(body["workers"]["cascade"]["stuck_after_seconds"], 60);
        assert!(body.get("stuck").is_none());
    }

    #[tokio::test]
    async fn a_stuck_worker_makes_readyz_503_and_names_it_while_healthz_stays_ok() {
        let stuck = Arc::new(Heartbeat::stuck_after("cascade", Duration::ZERO));
        let app = TestApp::with_workers(vec![alive("mail"), Arc::clone(&stuck)]).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let reply = app.get("/readyz", None).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["status"], "worker stuck");
        assert_eq!(body["stuck"], serde_json::json!(["cascade"]));
        assert_eq!(body["database"], "reachable");
        assert_eq!(body["workers"]["cascade"]["status"], "stuck");
        assert_eq!(body["workers"]["mail"]["status"], "alive");
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK, "liveness only");
    }

    #[tokio::test]
    async fn an_unreachable_database_makes_readyz_503() {
        let app = TestApp::with_workers(vec![alive("mail"), alive("cascade")]).await;
        app.db.conn.clone().close().await.unwrap();
        let reply = app.get("/readyz", None).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["status"], "database unreachable");
        assert_eq!(body["database"], "unreachable");
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    }
}
