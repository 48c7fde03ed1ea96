//! The volunteer's own calendar end to end: the assignment confirmation and the training
//! registration arriving over SMTP carry one private address; a calendar app's GET (no cookie)
//! gets both entries; the volunteer's page shows the address and the job; no table holds the
//! address's token; revoking it on the page makes it a 404, and a new one works.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

const FORM: &str = "application/x-www-form-urlencoded";

/// Checks an iCalendar body line by line as RFC 5545 has it (CRLF lines of at most 75 octets,
/// folded with a leading space; `NAME[;PARAM…]:VALUE`; BEGIN/END balanced inside one
/// VCALENDAR; UID, DTSTAMP and DTSTART in every event) and returns the events' properties.
fn events(ics: &str) -> Vec<BTreeMap<String, String>> {
    assert!(ics.ends_with("\r\n"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line too long: {line}");
        assert!(!line.contains('\n') && !line.contains('\r'), "bare line break: {line}");
    }
    let unfolded = ics.replace("\r\n ", "");
    let mut open: Vec<String> = Vec::new();
    let mut events = Vec::new();
    for line in unfolded.trim_end().split("\r\n") {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("not a property: {line}"));
        let name = name.split(';').next().unwrap();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
            "bad name: {line}"
        );
        match name {
            "BEGIN" => {
                assert!(open.is_empty() == (value == "VCALENDAR"), "misplaced {line}");
                open.push(value.to_owned());
                if value == "VEVENT" {
                    events.push(BTreeMap::new());
                }
            }
            "END" => assert_eq!(open.pop().as_deref(), Some(value), "unbalanced: {ics}"),
            _ if open.last().map(String::as_str) == Some("VEVENT") => {
                let event: &mut BTreeMap<String, String> = events.last_mut().unwrap();
                assert!(
                    event.insert(name.to_owned(), value.to_owned()).is_none(),
                    "{name} twice"
                );
            }
            _ => assert_eq!(open, ["VCALENDAR"], "property outside the calendar: {line}"),
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    for event in &events {
        for required in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"] {
            assert!(event.contains_key(required), "{required} missing: {event:?}");
        }
    }
    events
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Every `table.column` whose text holds `needle`, over every table of the schema.
async fn holding(db: &DatabaseConnection, needle: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let columns = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table'"
        }
        _ => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public'"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, columns.to_owned()))
        .await
        .unwrap();
    assert!(rows.len() > 50, "the schema's columns are listed");
    let mut found = Vec::new();
    for row in rows {
        let table: String = row.try_get("", "t").unwrap();
        let column: String = row.try_get("", "c").unwrap();
        let hits = count(
            db,
            &format!("SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%{needle}%'"),
        )
        .await;
        if hits > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

/// Until every mail is out (sent mails' bodies are blanked), at most ten seconds.
async fn outbox_drained(db: &DatabaseConnection) {
    for _ in 0..100 {
        if count(db, "SELECT COUNT(*) FROM outbox_emails WHERE status <> 'sent'").await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("mail still waiting in the outbox");
}

#[tokio::test(flavor = "multi_thread")]
async fn confirmations_bring_a_private_calendar_the_volunteer_can_revoke_and_renew() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let created = coordinator
        .post(
            "/api/v1/volunteers",
            volunteer("Selam Tesfaye", "selam@pool.test", "tir"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let selam = created.body["id"].as_str().unwrap().to_owned();
    let body = request_body("tir");
    let starts_at: chrono::DateTime<chrono::Utc> = body["starts_at"].as_str().unwrap().parse().unwrap();
    let request = caseworker.post("/api/v1/requests", body).await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.text);
    let request_id = request.body["id"].as_str().unwrap().to_owned();

    let offer = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    let offer_link = offer.link(PUBLIC_BASE_URL, "/o/").unwrap();
    let page = offer.link(PUBLIC_BASE_URL, "/v/").unwrap();
    let anonymous = service.anonymous();
    let accepted = anonymous.link_post_json(&format!("{offer_link}/accept")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    let confirmation = service.smtp.wait_for("selam@pool.test", 2).await.remove(1);
    let feed = confirmation
        .link(PUBLIC_BASE_URL, "/calendar/")
        .expect("the confirmation carries the calendar address");
    assert!(feed.ends_with(".ics"), "{feed}");
    let german = confirmation.text.find("Ihr persönlicher Kalender").unwrap();
    let english = confirmation.text.find("Your own calendar").unwrap();
    assert!(german < english, "German first");
    assert_eq!(confirmation.text.matches(&feed).count(), 2, "in both languages");
    assert!(confirmation.html.contains(&format!("href=\"{PUBLIC_BASE_URL}{feed}\"")));

    // A calendar app asks without a cookie and gets the job.
    let calendar_app = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let (client, base) = (calendar_app.clone(), service.base.clone());
        async move { client.get(format!("{base}{path}")).send().await.unwrap() }
    };
    let response = get(feed.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/calendar; charset=utf-8");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let ics = response.text().await.unwrap();
    let job = &events(&ics)[0];
    assert_eq!(job["UID"], format!("request-{request_id}@linguapool"));
    assert_eq!(job["SUMMARY"], "Dolmetschen Tigrinya / Interpreting Tigrinya");
    assert_eq!(job["DTSTART"], starts_at.format("%Y%m%dT%H%M%SZ").to_string());
    assert_eq!(job["LOCATION"], "Marktplatz 1\\, Winnenden");
    assert!(
        !ics.contains("IM-2026-0147") && !ics.contains("Ausländerbehörde"),
        "{ics}"
    );

    // The training registration brings the same address, and the feed the training.
    let start = chrono::Utc::now() + chrono::Duration::days(30);
    let training = coordinator
        .post(
            "/api/v1/trainings",
            json!({
                "title": "Auffrischung Dolmetschen", "kind": "refresher",
                "starts_at": start.to_rfc3339(), "duration_minutes": 120,
                "location": "Rathaus Winnenden", "capacity": 10,
                "registration_deadline": (start - chrono::Duration::days(5)).to_rfc3339()
            }),
        )
        .await;
    assert_eq!(training.status, StatusCode::CREATED, "{}", training.text);
    let training_id = training.body["id"].as_str().unwrap().to_owned();
    let invited = coordinator
        .post(
            &format!("/api/v1/trainings/{training_id}/invitations"),
            json!({"volunteer_ids": [selam]}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    let invitation = service.smtp.wait_for("selam@pool.test", 3).await.remove(2);
    let invitation_link = invitation.link(PUBLIC_BASE_URL, "/t/").unwrap();
    let registered = anonymous.link_post_json(&format!("{invitation_link}/register")).await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.text);
    let registration = service.smtp.wait_for("selam@pool.test", 4).await.remove(3);
    assert_eq!(registration.link(PUBLIC_BASE_URL, "/calendar/"), Some(feed.clone()));
    let ics = get(feed.clone()).await.text().await.unwrap();
    let entries = events(&ics);
    assert_eq!(entries.len(), 2, "{ics}");
    assert_eq!(entries[1]["UID"], format!("training-{training_id}@linguapool"));
    assert_eq!(entries[1]["SUMMARY"], "Auffrischung Dolmetschen");

    // The volunteer's page shows the address and the job, and opening it changes nothing.
    let shown = anonymous.link_get(&page).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert!(
        shown.text.contains(&format!(r#"value="{PUBLIC_BASE_URL}{feed}""#)),
        "{}",
        shown.text
    );
    assert!(shown.text.contains(&lp_core::when::de(&starts_at)), "{}", shown.text);
    assert!(shown.text.contains("Tigrinya · vor Ort · Winnenden"));

    // Nothing usable at rest: once the mails are out, no table holds the address's token.
    let token = feed
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics")
        .to_owned();
    let db = &service.database.conn;
    outbox_drained(db).await;
    assert_eq!(holding(db, &token).await, Vec::<String>::new());
    assert!(
        holding(db, "Selam Tesfaye")
            .await
            .contains(&"volunteers.name".to_owned()),
        "the scan finds what is there"
    );

    // Revoked on the page: the address is dead; a new one works, shown on the page.
    let answer = calendar_app
        .post(format!("{}{page}/calendar/revoke", service.base))
        .header("content-type", FORM)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], format!("{page}#kalender"));
    assert_eq!(get(feed.clone()).await.status(), StatusCode::NOT_FOUND);
    let shown = anonymous.link_get(&page).await.text;
    assert!(shown.contains("Kalender-Adresse erstellen") && !shown.contains(".ics"));
    let renewed = anonymous.post_raw(&format!("{page}/calendar/new"), FORM, "").await;
    assert_eq!(renewed.status, StatusCode::OK, "the redirect leads back to the page");
    let start = renewed.text.find(&format!("{PUBLIC_BASE_URL}/calendar/")).unwrap() + PUBLIC_BASE_URL.len();
    let new_feed = renewed.text[start..].split('"').next().unwrap().to_owned();
    assert_ne!(new_feed, feed);
    assert_eq!(get(new_feed.clone()).await.status(), StatusCode::OK);
    assert_eq!(get(feed).await.status(), StatusCode::NOT_FOUND);

    // The access export names both subscriptions' dates, never their addresses.
    let export = coordinator.get(&format!("/api/v1/volunteers/{selam}/export")).await;
    let feeds = export.body["calendar_feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 2, "{}", export.text);
    assert!(!feeds[0]["revoked_at"].is_null() && feeds[1]["revoked_at"].is_null());
    assert!(!export.text.contains(&token));
}
