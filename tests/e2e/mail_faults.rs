//! Mail under faults, through the real binary and a real SMTP server in the test: a server
//! that is down (refusing connections, or answering 451 to every message), one that refuses one
//! address for good, one that never says a word; and what real mail servers and people expect
//! of each message (its Message-ID, `Auto-Submitted`, `Reply-To`, links from the configured
//! base URL only).

use crate::support::{
    Api, PUBLIC_BASE_URL, Service, SmtpServer, organisation_with_caseworker, request_body, volunteer,
};
use lp_testkit::SmtpBehaviour;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Four Tigrinya speakers (three get the first wave of an offer) and a caseworker's API.
async fn pool(service: &Service) -> (Api, Api, Vec<String>) {
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(service, &coordinator, "Stadt Winnenden").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let created = coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Volunteer {i}"), &format!("v{i}@pool.test"), "tir"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    (coordinator, caseworker, ids)
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Polls `sql` (a count) until it gives `expected`, for at most `within`.
async fn wait_for_count(db: &DatabaseConnection, sql: &str, expected: i64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = count(db, sql).await;
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "`{sql}` is {now}, not {expected}, after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The ids of every outbox row.
async fn outbox_ids(db: &DatabaseConnection) -> HashSet<String> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM outbox_emails".to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get::<String>("", "id").unwrap())
    .collect()
}

/// Files a request and says how long the API took to answer.
async fn file_request(caseworker: &Api) -> Duration {
    let started = Instant::now();
    let created = caseworker.post("/api/v1/requests", request_body("tir")).await;
    let took = started.elapsed();
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    took
}

/// The requests go in while the mail server is down: the API does not wait for it, and every
/// offer mail fails once and waits for its retry.
async fn requests_go_in_while_mail_is_down(service: &Service) {
    let (_, caseworker, _) = pool(service).await;
    let db = &service.database.conn;
    for _ in 0..2 {
        let took = file_request(&caseworker).await;
        assert!(took < Duration::from_secs(2), "the API waited {took:?}");
    }
    // Three offers per request; each has failed once and waits for its retry.
    let failed = "SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending' AND attempts >= 1";
    wait_for_count(db, failed, 6, Duration::from_secs(20)).await;
    assert_eq!(count(db, "SELECT COUNT(*) FROM outbox_emails").await, 6);
    let health = service.anonymous().get("/readyz").await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.text);
}

/// The server is back: every queued mail arrives once, with the Message-ID of its outbox row.
async fn every_mail_arrives_once(service: &Service, smtp: &SmtpServer) {
    let db = &service.database.conn;
    // The first retry is 30 s after the failure.
    let sent = "SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'";
    wait_for_count(db, sent, 6, Duration::from_secs(90)).await;
    // Nothing more comes: each mail went out once.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 6);
    let message_ids: Vec<String> = received.iter().map(|m| m.message_id.clone().unwrap()).collect();
    let unique: HashSet<String> = message_ids.iter().cloned().collect();
    assert_eq!(unique.len(), 6, "no message twice: {message_ids:?}");
    let expected: HashSet<String> = outbox_ids(db)
        .await
        .into_iter()
        .map(|id| format!("{id}@localhost"))
        .collect();
    assert_eq!(
        unique, expected,
        "each Message-ID is its row's, the same on every attempt"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn while_smtp_refuses_connections_the_api_stays_fast_and_every_mail_goes_out_once_later() {
    let addr = lp_testkit::smtp::free_addr();
    let url = format!("smtp://{addr}");
    let service = Service::start_with(&[("LINGUAPOOL__EMAIL__SMTP_URL", &url)]).await;
    requests_go_in_while_mail_is_down(&service).await;
    let smtp = SmtpServer::start_on(std::net::TcpListener::bind(addr).unwrap(), SmtpBehaviour::Accept);
    every_mail_arrives_once(&service, &smtp).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn while_smtp_answers_451_the_api_stays_fast_and_every_mail_goes_out_once_later() {
    let service = Service::start().await;
    service.smtp.set_behaviour(SmtpBehaviour::TryLater);
    requests_go_in_while_mail_is_down(&service).await;
    let asked: usize = (0..4)
        .map(|i| service.smtp.attempts_for(&format!("v{i}@pool.test")))
        .sum();
    assert!(asked >= 6, "the server was asked for each, and answered 451: {asked}");
    service.smtp.set_behaviour(SmtpBehaviour::Accept);
    every_mail_arrives_once(&service, &service.smtp).await;
}

// ---------------------------------------------------------------------------------------------
// The coordinator's outbox page, signed in as a browser is

struct Browser {
    base: String,
    http: reqwest::Client,
    session: String,
}

impl Browser {
    /// Signs in as the first coordinator, made at the command line.
    async fn coordinator(service: &Service) -> Self {
        let password = service.first_coordinator();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form = format!("email=chief%40pool.test&password={}", urlencode(&password));
        let response = http
            .post(format!("{}/login", service.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ORIGIN, &service.base)
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let session = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find_map(|c| c.strip_prefix("lp_session="))
            .expect("a session")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Self {
            base: service.base.clone(),
            http,
            session,
        }
    }

    async fn page(&self, path: &str) -> String {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, format!("lp_session={}", self.session))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap()
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_refusal_dead_letters_the_mail_at_once_flags_the_volunteer_and_is_never_retried() {
    // All four are offered the first request.
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "4")]).await;
    service
        .smtp
        .set_behaviour(SmtpBehaviour::RefuseOne("v0@pool.test".to_owned()));
    let (coordinator, caseworker, ids) = pool(&service).await;
    let db = &service.database.conn;
    file_request(&caseworker).await;
    service.smtp.wait_for("v1@pool.test", 1).await;
    let dead =
        "SELECT COUNT(*) FROM outbox_emails WHERE status = 'dead' AND to_address = 'v0@pool.test' AND attempts = 1";
    wait_for_count(db, dead, 1, Duration::from_secs(10)).await;

    // The volunteer is flagged; the outbox page shows the dead mail and the address.
    let flagged = coordinator.get(&format!("/api/v1/volunteers/{}", ids[0])).await;
    assert!(flagged.body["email_bounced_at"].is_string(), "{}", flagged.text);
    let browser = Browser::coordinator(&service).await;
    let outbox = browser.page("/outbox").await;
    let dead_section = &outbox[outbox.find(r#"id="dead""#).unwrap()..outbox.find(r#"id="failed""#).unwrap()];
    assert!(
        dead_section.contains("v0@pool.test") && dead_section.contains("550"),
        "{dead_section}"
    );
    let bouncing = &outbox[outbox.find(r#"id="bouncing""#).expect("the bouncing section")..];
    assert!(
        bouncing.contains("Volunteer 0") && bouncing.contains(&ids[0]),
        "{bouncing}"
    );
    let page = browser.page(&format!("/volunteers/{}", ids[0])).await;
    assert!(page.contains(r#"id="email-bouncing""#));

    // The next request skips her, and says why; her dead mail is never tried again.
    let second = caseworker.post("/api/v1/requests", request_body("tir")).await;
    let id = second.body["id"].as_str().unwrap();
    let candidates = coordinator.get(&format!("/api/v1/requests/{id}/candidates")).await;
    let excluded = candidates.body["excluded"].as_array().unwrap();
    assert!(
        excluded
            .iter()
            .any(|e| e["volunteer_id"] == ids[0].as_str() && e["rule"] == "email_bouncing"),
        "{}",
        candidates.text
    );
    service.smtp.wait_for("v3@pool.test", 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(service.smtp.attempts_for("v0@pool.test"), 1, "tried once, never again");
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM outbox_emails WHERE to_address = 'v0@pool.test'"
        )
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_sends_out_and_http_stays_ready() {
    let service = Service::start_with(&[("LINGUAPOOL__EMAIL__SEND_TIMEOUT_SECONDS", "2")]).await;
    service.smtp.set_behaviour(SmtpBehaviour::Silent);
    let (_, caseworker, _) = pool(&service).await;
    let db = &service.database.conn;
    let took = file_request(&caseworker).await;
    assert!(took < Duration::from_secs(2), "the API waited {took:?}");

    // While the sends hang, the service answers at once and stays ready.
    let anonymous = service.anonymous();
    let until = Instant::now() + Duration::from_secs(7);
    while Instant::now() < until {
        let started = Instant::now();
        let ready = anonymous.get("/readyz").await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
        assert_eq!(anonymous.get("/healthz").await.status, StatusCode::OK);
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Each send gave up after the timeout and waits for its retry; none hangs.
    let timed_out = "SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending' AND attempts >= 1 \
                     AND lease_owner IS NULL";
    wait_for_count(db, timed_out, 3, Duration::from_secs(10)).await;

    service.smtp.set_behaviour(SmtpBehaviour::Accept);
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'",
        3,
        Duration::from_secs(90),
    )
    .await;
    assert_eq!(service.smtp.received().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// What each message carries

#[tokio::test(flavor = "multi_thread")]
async fn mail_has_the_senders_domain_in_its_message_id_is_auto_submitted_and_replies_reach_the_coordinator() {
    let service = Service::start_with(&[
        ("LINGUAPOOL__MATCHING__WAVE_SIZE", "4"),
        (
            "LINGUAPOOL__EMAIL__FROM",
            "Dolmetscherpool <dolmetscherpool@stadt.example>",
        ),
        (
            "LINGUAPOOL__EMAIL__REPLY_TO",
            "Koordination <koordination@stadt.example>",
        ),
    ])
    .await;
    let (_, caseworker, _) = pool(&service).await;
    file_request(&caseworker).await;
    let offer = service.smtp.wait_for("v0@pool.test", 1).await.remove(0);
    let raw = String::from_utf8_lossy(&offer.raw).into_owned();
    let headers = &raw[..raw.find("\r\n\r\n").unwrap()];
    let message_id = offer.message_id.clone().unwrap();
    assert!(message_id.ends_with("@stadt.example"), "{message_id}");
    let row_id = message_id.trim_end_matches("@stadt.example");
    assert!(uuid::Uuid::parse_str(row_id).is_ok(), "{message_id}");
    assert!(headers.contains("\r\nAuto-Submitted: auto-generated"), "{headers}");
    assert!(
        headers.contains("\r\nReply-To: Koordination <koordination@stadt.example>"),
        "{headers}"
    );
    let from = headers.lines().find(|l| l.starts_with("From: ")).expect("a From");
    assert_eq!(from, "From: Dolmetscherpool <dolmetscherpool@stadt.example>");
}

#[tokio::test(flavor = "multi_thread")]
async fn links_in_mails_come_from_the_configured_base_url_whatever_host_a_request_names() {
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "4")]).await;
    let (_, caseworker, _) = pool(&service).await;
    let hostile = [
        (HOST, "evil.example"),
        ("x-forwarded-host".try_into().unwrap(), "evil.example"),
    ];
    // A request filed with a hostile Host header, and a link asked for on /v with one.
    let mut filing = caseworker
        .request(reqwest::Method::POST, "/api/v1/requests")
        .json(&request_body("tir"));
    for (name, value) in &hostile {
        filing = filing.header(name.clone(), *value);
    }
    let filed = filing.send().await.unwrap();
    assert_eq!(filed.status(), StatusCode::CREATED);
    let mut asking = service
        .anonymous()
        .http
        .post(format!("{}/v", service.base))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("email=v3%40pool.test");
    for (name, value) in &hostile {
        asking = asking.header(name.clone(), *value);
    }
    assert!(asking.send().await.unwrap().status().is_success());

    // Four offers, and the link asked for.
    service.smtp.wait_for("v3@pool.test", 2).await;
    let mails = service.smtp.received();
    assert_eq!(mails.len(), 5);
    for mail in &mails {
        for body in [&mail.text, &mail.html] {
            assert!(!body.contains("evil.example"), "{body}");
        }
        assert!(mail.link(PUBLIC_BASE_URL, "/v/").is_some(), "{}", mail.text);
    }
    let offers = mails
        .iter()
        .filter(|m| m.link(PUBLIC_BASE_URL, "/o/").is_some())
        .count();
    assert_eq!(offers, 4);
}
