//! No usable token at rest: after offers, an acceptance, an availability link, a staff
//! invitation and a training invitation with its registration went out over SMTP, no token any
//! of those mails carried is in the database — not in the SQLite file nor its WAL and shared
//! memory copied while the server runs (as a backup would), not in a full `pg_dump`.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The paths of the secret links, before the token.
const LINK_PREFIXES: [&str; 5] = ["/o/", "/v/", "/t/", "/password/", "/calendar/"];

/// Every link token in a text: the URL-safe run after a link prefix under the base URL.
fn tokens_in(text: &str, into: &mut BTreeSet<String>) {
    for prefix in LINK_PREFIXES {
        let start = format!("{PUBLIC_BASE_URL}{prefix}");
        for (at, _) in text.match_indices(&start) {
            let token: String = text[at + start.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            into.insert(token);
        }
    }
}

/// Lets the outbox drain: every mail sent (at most 30 s).
async fn outbox_drained(service: &Service) {
    let db = &service.database.conn;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM outbox_emails WHERE status <> 'sent'".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get_by_index::<i64>(0).unwrap() == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "mail still waiting in the outbox");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a backup of the database holds: the SQLite file with its `-wal` and `-shm`, read while
/// the server runs; or PostgreSQL's full dump of the test's database.
fn backup(service: &Service) -> Vec<u8> {
    let database = &service.database;
    if database.is_postgres() {
        let output = std::process::Command::new("pg_dump")
            .arg("--no-owner")
            .arg(format!("--dbname={}", database.url))
            .output()
            .expect("pg_dump runs (it comes with PostgreSQL)");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        return output.stdout;
    }
    let file = database.dir.join("linguapool.db");
    let mut bytes = Vec::new();
    let mut files = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", file.display());
        if let Ok(content) = std::fs::read(&path) {
            files += 1;
            bytes.extend(content);
        }
    }
    assert!(files >= 2, "the database and its write-ahead log");
    bytes
}

fn occurs(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_of_any_mail_is_in_the_database_files_or_a_dump() {
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "4")]).await;
    let coordinator = service.coordinator();
    let anonymous = service.anonymous();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    for i in 0..4 {
        let created = coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Volunteer {i}"), &format!("v{i}@pool.test"), "tir"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    // Asked to no job, only to a training.
    let trainee = coordinator
        .post("/api/v1/volunteers", volunteer("Trainee", "trainee@pool.test", "pus"))
        .await;
    assert_eq!(trainee.status, StatusCode::CREATED, "{}", trainee.text);

    // Offers (each with an availability link), and one accepted: its confirmation repeats the
    // offer's link and brings the calendar feed's.
    let filed = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let offer = service.smtp.wait_for("v0@pool.test", 1).await.remove(0);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    let accepted = anonymous.link_post_json(&format!("{link}/accept")).await;
    assert!(accepted.status.is_success(), "{}", accepted.text);
    service.smtp.wait_for("v0@pool.test", 2).await;

    // An availability link asked for, a staff member invited, a training invitation answered.
    let asked = anonymous
        .post_raw("/v", "application/x-www-form-urlencoded", "email=v1%40pool.test")
        .await;
    assert!(asked.status.is_success(), "{}", asked.text);
    let invited = coordinator
        .post(
            "/api/v1/users",
            json!({"email": "neu@pool.test", "name": "Neu", "role": "coordinator"}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.text);
    let start = chrono::Utc::now() + chrono::Duration::days(30);
    let training = coordinator
        .post(
            "/api/v1/trainings",
            json!({
                "title": "Auffrischung", "kind": "refresher", "starts_at": start.to_rfc3339(),
                "duration_minutes": 120, "location": "Rathaus", "capacity": 5,
                "registration_deadline": (start - chrono::Duration::days(5)).to_rfc3339()
            }),
        )
        .await;
    assert_eq!(training.status, StatusCode::CREATED, "{}", training.text);
    let training_id = training.body["id"].as_str().unwrap();
    let invitation = coordinator
        .post(
            &format!("/api/v1/trainings/{training_id}/invitations"),
            json!({ "volunteer_ids": [trainee.body["id"]] }),
        )
        .await;
    assert_eq!(invitation.status, StatusCode::OK, "{}", invitation.text);
    let mails = service.smtp.wait_for("trainee@pool.test", 1).await;
    let invitation_link = mails
        .iter()
        .find_map(|m| m.link(PUBLIC_BASE_URL, "/t/"))
        .expect("an invitation link");
    let registered = anonymous.link_post_json(&format!("{invitation_link}/register")).await;
    assert!(registered.status.is_success(), "{}", registered.text);
    service.smtp.wait_for("trainee@pool.test", 2).await;
    outbox_drained(&service).await;

    // Every token the mails carried, of every kind.
    let mut tokens = BTreeSet::new();
    for mail in service.smtp.received() {
        tokens_in(&mail.text, &mut tokens);
        tokens_in(&mail.html, &mut tokens);
    }
    for prefix in LINK_PREFIXES {
        let of_kind = service
            .smtp
            .received()
            .iter()
            .any(|m| m.text.contains(&format!("{PUBLIC_BASE_URL}{prefix}")));
        assert!(of_kind, "a mail with a {prefix} link");
    }
    assert!(tokens.len() >= 12, "{} tokens", tokens.len());
    assert!(tokens.iter().all(|t| t.len() >= 43), "256 bits each: {tokens:?}");

    let backup = backup(&service);
    let found: Vec<&String> = tokens.iter().filter(|t| occurs(&backup, t)).collect();
    assert!(found.is_empty(), "tokens at rest: {} of {}", found.len(), tokens.len());
    // The scan sees the rows: each link's hash is there, which is how a link is found.
    let hashes = tokens
        .iter()
        .filter(|t| occurs(&backup, &lp_core::secret::hash_token(t)))
        .count();
    assert_eq!(
        hashes,
        tokens.len(),
        "every link's hash is in the backup; its token is not"
    );
}
