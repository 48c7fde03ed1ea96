//! Database trouble under the real binary: SQLite's write lock held by another process past the
//! busy timeout, and PostgreSQL restarted under load. The service answers 503 with
//! Retry-After (never 500), loses no acceptance, and recovers without a restart of its own.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use lp_testkit::PgCluster;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::time::{Duration, Instant};

/// A request with one offer out; the offer's link.
async fn one_offer(service: &Service) -> (String, crate::support::Api, String) {
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(service, &coordinator, "Stadt Winnenden").await;
    let created = coordinator
        .post(
            "/api/v1/volunteers",
            volunteer("Selam Tesfaye", "selam@pool.test", "tir"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let filed = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let id = filed.body["id"].as_str().unwrap().to_owned();
    let mail = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    let link = mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    (id, caseworker, link)
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_locked_by_another_process_answers_503_and_loses_no_accept() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!("SQLite only: skipped on PostgreSQL (see postgres_restarted_under_load…)");
        return;
    }
    let service = Service::start_with(&[("LINGUAPOOL__DATABASE__BUSY_TIMEOUT_MS", "1000")]).await;
    let (id, caseworker, link) = one_offer(&service).await;

    // Read once before: a person's read of a request is audited once per quarter hour, a write
    // the lock below would hold up.
    assert_eq!(
        caseworker.get(&format!("/api/v1/requests/{id}")).await.status,
        StatusCode::OK
    );

    // Another process (here: another connection pool on the same file) takes the write lock.
    let other = lp_db::connect(&service.database.url, 1).await.unwrap();
    let hold = other.begin().await.unwrap();
    hold.execute_unprepared("UPDATE organisations SET name = name")
        .await
        .unwrap();

    let started = Instant::now();
    let refused = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    let waited = started.elapsed();
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE, "{}", refused.text);
    assert_eq!(refused.body["error"]["code"], "unavailable");
    assert_eq!(
        refused.headers.get("retry-after").map(|v| v.to_str().unwrap()),
        Some("5")
    );
    assert!(
        waited >= Duration::from_millis(900),
        "it waited the busy timeout: {waited:?}"
    );
    let filing = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(filing.status, StatusCode::SERVICE_UNAVAILABLE, "{}", filing.text);
    // Reading goes on (WAL; its view was audited already): the request is still open, nothing
    // of the refused accept stuck.
    let open = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(open.status, StatusCode::OK);
    assert_eq!(open.body["status"], "open");

    hold.rollback().await.unwrap();
    let accepted = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let assigned = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(assigned.body["status"], "assigned");
    let accepted_offers = assigned.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["state"] == "accepted")
        .count();
    assert_eq!(accepted_offers, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restarted_under_load_answers_503_then_recovers_without_a_restart() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("PostgreSQL only: skipped on SQLite (see sqlite_locked…)");
        return;
    }
    let Some(cluster) = PgCluster::start() else {
        panic!("the PostgreSQL run needs initdb and pg_ctl (Debian's postgresql package)");
    };
    let url = cluster.url();
    let service = Service::start_with(&[
        ("LINGUAPOOL__DATABASE__URL", url.as_str()),
        ("LINGUAPOOL__DATABASE__ACQUIRE_TIMEOUT_MS", "1000"),
        ("LINGUAPOOL__MATCHING__CASCADE_TICK_SECONDS", "1"),
    ])
    .await;
    let (id, caseworker, link) = one_offer(&service).await;

    // Load: reads and filings in a loop, every status kept.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let (api, stop, id) = (caseworker.clone(), stop.clone(), id.clone());
        load.spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = if worker % 2 == 0 {
                    api.get(&format!("/api/v1/requests/{id}")).await
                } else {
                    api.post("/api/v1/requests", request_body("tir")).await
                };
                seen.push((answer.status, answer.headers.get("retry-after").is_some()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let down = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE, "{}", down.text);
    let ready = service.anonymous().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.text);
    assert_eq!(service.anonymous().get("/healthz").await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(2)).await;

    cluster.start_again();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let back = caseworker.get(&format!("/api/v1/requests/{id}")).await;
        if back.status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery within 30 s: {}", back.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen: Vec<(StatusCode, bool)> = load.join_all().await.into_iter().flatten().collect();
    let unavailable = seen
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(unavailable > 0, "the load met the outage");
    for (status, retry_after) in &seen {
        assert!(
            status.is_success() || *status == StatusCode::SERVICE_UNAVAILABLE,
            "only success or 503, never {status}"
        );
        assert!(status.is_success() || *retry_after, "503 with Retry-After");
    }
    assert!(seen.last().unwrap().0.is_success(), "the last answers succeed again");

    // The same process goes on: an acceptance now, and its mails.
    let accepted = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    service.smtp.wait_for("selam@pool.test", 2).await;
    let ready = service.anonymous().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
}
