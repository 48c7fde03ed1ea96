//! The process's own life: a graceful stop on SIGTERM finishes what it started and refuses
//! what comes after; a crash (SIGKILL) loses nothing a client was told succeeded.

use crate::support::{Service, organisation_with_caseworker, request_body, speakers};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_the_requests_in_flight_and_refuses_new_ones() {
    let mut service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    speakers(&coordinator, "Selam", "tir", 3).await;
    let token = caseworker_token(&service, &coordinator).await;
    // A fresh connection per request: a request is either refused at connect (after the
    // stop) or answered in full, never cut off.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for worker in 0..6 {
        let (client, stop, base, token) = (client.clone(), stop.clone(), service.base.clone(), token.clone());
        load.spawn(async move {
            // Each request carries its own client reference, so a send that failed can be
            // looked for afterwards.
            let (mut answered, mut refused, mut failed) = (0, 0, Vec::new());
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let reference = format!("LOAD-{worker}-{n}");
                let mut body = request_body("tir");
                body["client_ref"] = reference.clone().into();
                let sent = client
                    .post(format!("{base}/api/v1/requests"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) => match response.text().await {
                        Ok(_) => answered += 1,
                        Err(err) => failed.push((reference, err.to_string())),
                    },
                    Err(err) if err.is_connect() => refused += 1,
                    Err(err) => failed.push((reference, err.to_string())),
                }
            }
            (answered, refused, failed)
        });
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let status = service.terminate().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut answered, mut refused, mut failed) = (0, 0, Vec::new());
    for (a, r, f) in load.join_all().await {
        answered += a;
        refused += r;
        failed.extend(f);
    }
    assert!(status.success(), "a clean exit: {status:?}");

    // Every request a client saw filed is there, with its offers, after a start.
    service.restart().await;
    let listed = caseworker.get("/api/v1/requests?limit=1000").await;
    let stored: std::collections::HashSet<String> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["client_ref"].as_str().map(str::to_owned))
        .collect();
    assert!(
        stored.len() >= answered,
        "{} requests stored, {answered} answered",
        stored.len()
    );
    // A send that failed after the connection was made is one the kernel had queued when the
    // listener closed: it never reached the service (reset, not cut off mid-way). One the
    // service had begun would be stored without its answer.
    let cut: Vec<&(String, String)> = failed
        .iter()
        .filter(|(reference, _)| stored.contains(reference))
        .collect();
    assert!(cut.is_empty(), "no request cut off mid-way: {cut:?}");
    refused += failed.len();
    assert!(answered > 0 && refused > 0, "answered {answered}, refused {refused}");
}

/// The caseworker's API token, from the organisation helper's user.
async fn caseworker_token(service: &Service, coordinator: &crate::support::Api) -> String {
    let org = coordinator.get("/api/v1/organisations").await;
    let org_id = org.body[0]["id"].as_str().unwrap().to_owned();
    let user = coordinator
        .post(
            "/api/v1/users",
            serde_json::json!({
                "email": "load@stadtwinnenden.test", "name": "Load", "role": "caseworker",
                "organisation_id": org_id, "password": "a long enough password"
            }),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    let _ = service;
    user.body["api_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_accepts_loses_no_acceptance_a_volunteer_was_told_of() {
    // A confirmation the kill cut off mid-send waits out its lease after the restart (the send
    // timeout and 10 s); a short send timeout keeps that within the wait for it below.
    let mut service = Service::start_with(&[("LINGUAPOOL__EMAIL__SEND_TIMEOUT_SECONDS", "2")]).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    const REQUESTS: usize = 12;
    speakers(&coordinator, "Amal", "ara", 2).await;
    // Twelve requests on twelve different days, each offered to both volunteers.
    let first: chrono::DateTime<chrono::FixedOffset> = crate::support::appointment_start().parse().unwrap();
    let mut ids = Vec::new();
    for k in 0..REQUESTS {
        let mut body = request_body("ara");
        let starts = first + chrono::Duration::days(7 * (k as i64 / 5)) + chrono::Duration::days(k as i64 % 5);
        body["starts_at"] = starts.to_rfc3339().into();
        let filed = caseworker.post("/api/v1/requests", body).await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
        ids.push(filed.body["id"].as_str().unwrap().to_owned());
    }
    let mails = service.smtp.wait_for("amal0@pool.test", REQUESTS).await;
    let links: Vec<String> = mails
        .iter()
        .map(|m| m.link(crate::support::PUBLIC_BASE_URL, "/o/").unwrap())
        .collect();

    // Accepts go out one after the other; the process is killed in the middle of them.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let base = service.base.clone();
    let accepting = tokio::spawn(async move {
        let mut told = Vec::new();
        for link in links {
            let answer = client
                .post(format!("{base}{link}/accept"))
                .header("accept", "application/json")
                .send()
                .await;
            if let Ok(response) = answer
                && response.status() == StatusCode::OK
                && response.text().await.is_ok()
            {
                told.push(link);
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        told
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    service.kill();
    let told = accepting.await.unwrap();
    assert!(
        !told.is_empty() && told.len() < REQUESTS,
        "killed mid-way: {} told",
        told.len()
    );

    service.restart().await;
    let mut assigned = 0;
    for id in &ids {
        let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
        if request.body["status"] == "assigned" {
            assigned += 1;
            assert_eq!(request.body["assignee"]["name"], "Amal 0");
        }
    }
    assert!(assigned >= told.len(), "{assigned} assigned, {} told", told.len());
    // Each assignment's confirmation goes out (once) after the restart if it had not yet.
    service.smtp.wait_for("amal0@pool.test", REQUESTS + assigned).await;
}

/// Every mail arrived at most once (by Message-ID and recipient).
fn each_once(mails: &[lp_testkit::ReceivedMail]) {
    let mut seen = std::collections::HashSet::new();
    for mail in mails {
        let key = (mail.message_id.clone().expect("a Message-ID"), mail.to.clone());
        assert!(seen.insert(key.clone()), "twice: {key:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_hands_the_mail_leases_back_so_the_next_start_sends_at_once() {
    let mut service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    speakers(&coordinator, "Selam", "tir", 3).await;
    // The mail server stops answering: the worker is mid-send (its lease held) when told to stop.
    service.smtp.set_behaviour(lp_testkit::SmtpBehaviour::Silent);
    let filed = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = std::time::Instant::now();
    let status = service.terminate().await;
    assert!(status.success(), "{status:?}");
    assert!(
        stopping.elapsed() < Duration::from_secs(15),
        "a stop does not wait out the send timeout"
    );

    // Started again with the server answering, the mails go out at once: no lease to wait out
    // (a lease outlives the send timeout, 30 s by default, by 30 s more).
    service.smtp.set_behaviour(lp_testkit::SmtpBehaviour::Accept);
    service.restart().await;
    let started = std::time::Instant::now();
    for i in 0..3 {
        service.smtp.wait_for(&format!("selam{i}@pool.test"), 1).await;
    }
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    each_once(&service.smtp.received());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_with_mails_queued_and_a_wave_due_loses_none_and_doubles_none() {
    // A short send timeout keeps the lease of a send cut off by the kill short (the send
    // timeout and 10 s).
    let mut service = Service::start_with(&[
        ("LINGUAPOOL__EMAIL__SEND_TIMEOUT_SECONDS", "2"),
        ("LINGUAPOOL__MATCHING__WAVE_SIZE", "1"),
        ("LINGUAPOOL__MATCHING__CASCADE_TICK_SECONDS", "1"),
    ])
    .await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    speakers(&coordinator, "Selam", "tir", 3).await;
    // Mails queue while the server refuses connections' messages for now (451).
    service.smtp.set_behaviour(lp_testkit::SmtpBehaviour::TryLater);
    let filed = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let id = filed.body["id"].as_str().unwrap().to_owned();
    assert_eq!(filed.body["offers"].as_array().unwrap().len(), 1);
    // The next wave falls due (as after its interval), and the process dies before its tick.
    let db = service.database.conn.clone();
    let db = &db;
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let backend = sea_orm::ConnectionTrait::get_database_backend(db);
    let sql = match backend {
        sea_orm::DbBackend::Sqlite => "UPDATE interpreting_requests SET next_wave_at = ? WHERE id = ?",
        _ => "UPDATE interpreting_requests SET next_wave_at = $1 WHERE id = $2",
    };
    let id_value: uuid::Uuid = id.parse().unwrap();
    let statement = sea_orm::Statement::from_sql_and_values(backend, sql, [past.into(), id_value.into()]);
    let updated = sea_orm::ConnectionTrait::execute_raw(db, statement).await.unwrap();
    assert_eq!(updated.rows_affected(), 1);
    service.kill();

    service.smtp.set_behaviour(lp_testkit::SmtpBehaviour::Accept);
    service.restart().await;
    // The wave went out after the restart: a second volunteer was asked.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
        if request.body["offers"].as_array().unwrap().len() >= 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the due wave was not lost: {}",
            request.text
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every offer mail arrives (the queued one after its retry), each once.
    let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    let offered = request.body["offers"].as_array().unwrap().len();
    let mut arrived = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while arrived < offered {
        arrived = (0..3)
            .filter(|i| !service.smtp.received_by(&format!("selam{i}@pool.test")).is_empty())
            .count();
        if std::time::Instant::now() >= deadline {
            let rows = sea_orm::ConnectionTrait::query_all_raw(
                db,
                sea_orm::Statement::from_string(backend, "SELECT to_address, kind, status, attempts, next_attempt_at, lease_owner, lease_until, last_error FROM outbox_emails".to_owned()),
            )
            .await
            .unwrap();
            for row in rows {
                let text = |c: &str| row.try_get::<Option<String>>("", c).ok().flatten().unwrap_or_default();
                let attempts: i32 = row.try_get("", "attempts").unwrap_or(-1);
                let next: chrono::DateTime<chrono::Utc> = row.try_get("", "next_attempt_at").unwrap();
                eprintln!(
                    "{} {} {} attempts {attempts} next {next} lease {} {}",
                    text("to_address"),
                    text("kind"),
                    text("status"),
                    text("lease_owner"),
                    text("last_error")
                );
            }
            eprintln!("now {}", chrono::Utc::now());
            panic!("{arrived} of {offered} offer mails");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    each_once(&service.smtp.received());
}
