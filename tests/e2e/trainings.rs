//! Trainings end to end: the coordinator schedules and invites by filter over the API, the
//! volunteers answer on their `/t/` links (HTML and JSON) from the mails the SMTP server got,
//! the waiting list moves up, attendance makes a volunteer trained; caseworkers get 403 and
//! bad input a 422 naming the field with nothing saved.

use crate::support::{Api, PUBLIC_BASE_URL, Service, organisation_with_caseworker, volunteer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A training a month ahead of the real clock, registration closing five days before.
fn training_body(capacity: i64) -> Value {
    let start = chrono::Utc::now() + chrono::Duration::days(30);
    let deadline = start - chrono::Duration::days(5);
    json!({
        "title": "Grundschulung Dolmetschen", "kind": "basic",
        "starts_at": start.to_rfc3339(), "duration_minutes": 180,
        "location": "Rathaus Winnenden, Sitzungssaal", "capacity": capacity,
        "registration_deadline": deadline.to_rfc3339(), "trainer": "A. Trainerin"
    })
}

fn untrained(name: &str, email: &str) -> Value {
    let mut body = volunteer(name, email, "pus");
    body["training_completed_on"] = Value::Null;
    body
}

/// The `/t/` link in the first mail to `address`, as a path.
async fn invitation_link(service: &Service, address: &str) -> String {
    let mails = service.smtp.wait_for(address, 1).await;
    mails
        .iter()
        .find_map(|m| m.link(PUBLIC_BASE_URL, "/t/"))
        .expect("an invitation link")
}

async fn count(coordinator: &Api, path: &str) -> usize {
    coordinator.get(path).await.body.as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_runs_a_training_and_volunteers_answer_by_link() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let names = ["Amina", "Bahar", "Chiara"];
    let mut ids = Vec::new();
    for name in names {
        let email = format!("{}@pool.test", name.to_lowercase());
        let created = coordinator.post("/api/v1/volunteers", untrained(name, &email)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    let trained = coordinator
        .post("/api/v1/volunteers", volunteer("Trained", "trained@pool.test", "pus"))
        .await;
    assert_eq!(trained.status, StatusCode::CREATED);

    // Caseworkers see no training endpoint.
    for path in ["/api/v1/trainings", "/api/v1/trainings/needs"] {
        assert_eq!(caseworker.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        caseworker.post("/api/v1/trainings", training_body(2)).await.status,
        StatusCode::FORBIDDEN
    );

    // Bad input names the field and saves nothing.
    let with = |key: &str, value: Value| {
        let mut body = training_body(2);
        body[key] = value;
        body
    };
    let after_start = (chrono::Utc::now() + chrono::Duration::days(40)).to_rfc3339();
    for (body, field) in [
        (with("capacity", json!(0)), "capacity"),
        (with("capacity", json!(-4)), "capacity"),
        (
            with("registration_deadline", json!(after_start)),
            "registration_deadline",
        ),
        (with("kind", json!("picnic")), "kind"),
    ] {
        let refused = coordinator.post("/api/v1/trainings", body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert_eq!(refused.error_field(), Some(field), "{}", refused.text);
    }
    assert_eq!(count(&coordinator, "/api/v1/trainings").await, 0);

    let created = coordinator.post("/api/v1/trainings", training_body(1)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let invitations = format!("/api/v1/trainings/{id}/invitations");
    // ...nor any of this one's.
    assert_eq!(
        caseworker.get(&format!("/api/v1/trainings/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    for action in ["invitations", "attendance", "cancel"] {
        let path = format!("/api/v1/trainings/{id}/{action}");
        let refused = caseworker.post(&path, json!({"volunteer_ids": [ids[0]]})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let edit = caseworker
        .put(&format!("/api/v1/trainings/{id}"), training_body(5))
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);

    let unknown = coordinator
        .post(&invitations, json!({"volunteer_ids": [ids[0], uuid::Uuid::new_v4()]}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.text);
    assert_eq!(unknown.error_field(), Some("volunteer_ids[1]"));
    assert_eq!(
        coordinator.get(&format!("/api/v1/trainings/{id}")).await.body["invited"],
        json!([]),
        "nothing saved"
    );

    let filter = json!({"filter": {"training": "untrained", "language": "pus"}, "dry_run": true});
    let preview = coordinator.post(&invitations, filter).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_eq!(preview.body, json!({"invited": 3, "already_invited": 0}));
    let sent = coordinator
        .post(
            &invitations,
            json!({"filter": {"training": "untrained", "language": "pus"}}),
        )
        .await;
    assert_eq!(sent.body, json!({"invited": 3, "already_invited": 0}), "{}", sent.text);
    let again = coordinator
        .post(&invitations, json!({"filter": {"training": "untrained"}}))
        .await;
    assert_eq!(again.body, json!({"invited": 0, "already_invited": 3}));

    let mut links = Vec::new();
    for name in names {
        links.push(invitation_link(&service, &format!("{}@pool.test", name.to_lowercase())).await);
    }
    assert!(service.smtp.received_by("trained@pool.test").is_empty());
    let volunteer_side = service.anonymous();

    // GET shows and changes nothing; the page is German and English.
    let page = volunteer_side.link_get(&links[0]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Anmelden / Register") && page.text.contains("Grundschulung Dolmetschen"));
    let detail = coordinator.get(&format!("/api/v1/trainings/{id}")).await;
    assert_eq!(detail.body["invited"].as_array().unwrap().len(), 3);

    // One place: the first registers, the second waits; a browser gets a 303 to the page.
    let first = volunteer_side.link_post_json(&format!("{}/register", links[0])).await;
    assert_eq!(first.body, json!({"result": "registered"}), "{}", first.text);
    let second = volunteer_side
        .send(
            volunteer_side
                .http
                .post(format!("{}{}/register", volunteer_side.base, links[1]))
                .header("accept", "text/html"),
        )
        .await;
    // reqwest follows the 303 to the page.
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second.text.contains("Warteliste") && second.text.contains("Platz 1"),
        "{}",
        second.text
    );
    let waiting = service.smtp.wait_for("bahar@pool.test", 2).await;
    assert!(waiting.iter().any(|m| m.subject.starts_with("Warteliste")));
    let confirmed = service.smtp.wait_for("amina@pool.test", 2).await;
    let registered = confirmed.iter().find(|m| m.subject.starts_with("Angemeldet")).unwrap();
    assert!(registered.attachments.iter().any(|(name, _)| name == "schulung.ics"));

    // Used links: registering twice is gone (410) with its reason, in JSON and HTML.
    let twice = volunteer_side.link_post_json(&format!("{}/register", links[0])).await;
    assert_eq!(twice.status, StatusCode::GONE);
    assert_eq!(twice.body["error"]["reason"], "already_registered");
    let (twice, twice_page) = volunteer_side
        .link_post_redirected(&format!("{}/register", links[0]))
        .await;
    assert_eq!(twice.status, StatusCode::SEE_OTHER);
    assert!(
        twice.headers["location"]
            .to_str()
            .unwrap()
            .ends_with("?refused=already_registered")
    );
    assert!(twice_page.text.contains("Bereits angemeldet") && twice_page.text.contains("Already registered"));
    // Unknown links are 404.
    let unknown = volunteer_side.link_get("/t/not-a-real-token").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.text.contains("Link unbekannt"));
    assert_eq!(
        volunteer_side
            .link_post_json("/t/not-a-real-token/register")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Amina cancels; Bahar moves up at once and is mailed.
    let cancelled = volunteer_side.link_post_json(&format!("{}/decline", links[0])).await;
    assert_eq!(cancelled.body, json!({"result": "declined"}));
    let bahar = service.smtp.wait_for("bahar@pool.test", 3).await;
    assert!(
        bahar.iter().any(|m| m.subject.starts_with("Nachgerückt")),
        "{:?}",
        bahar.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let detail = coordinator.get(&format!("/api/v1/trainings/{id}")).await.body;
    assert_eq!(detail["seats_taken"], 1);
    assert_eq!(detail["registered"][0]["name"], "Bahar");
    assert_eq!(detail["declined"][0]["name"], "Amina");
    assert_eq!(detail["invited"][0]["name"], "Chiara");

    // An edit keeps who holds a place; a capacity below it names the field.
    let narrower = coordinator
        .put(&format!("/api/v1/trainings/{id}"), training_body(0))
        .await;
    assert_eq!(narrower.error_field(), Some("capacity"), "{}", narrower.text);
    let renamed = {
        let mut body = training_body(1);
        body["title"] = json!("Grundschulung Dolmetschen (neuer Raum)");
        coordinator.put(&format!("/api/v1/trainings/{id}"), body).await
    };
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["seats_taken"], 1);

    // Attendance only once the training has begun.
    let early = coordinator
        .post(
            &format!("/api/v1/trainings/{id}/attendance"),
            json!({"volunteer_ids": [ids[1]]}),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text);

    // The needs table counts the three untrained Pashto speakers.
    let needs = coordinator.get("/api/v1/trainings/needs").await;
    assert_eq!(needs.status, StatusCode::OK, "{}", needs.text);
    let pashto = needs
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["language"] == "pus")
        .unwrap();
    assert_eq!(
        (pashto["active"].as_u64(), pashto["untrained"].as_u64()),
        (Some(4), Some(3))
    );

    // Cancelling the training tells the registered.
    let cancel = coordinator
        .post(&format!("/api/v1/trainings/{id}/cancel"), json!({}))
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.text);
    let bahar = service.smtp.wait_for("bahar@pool.test", 4).await;
    assert!(bahar.iter().any(|m| m.subject.starts_with("Abgesagt")));
    let after = volunteer_side.link_post_json(&format!("{}/register", links[2])).await;
    assert_eq!(after.status, StatusCode::GONE);
    assert_eq!(after.body["error"]["reason"], "cancelled");
}

/// Attendance over the API on a training that has begun: a short one scheduled a few seconds
/// ahead of the real clock.
#[tokio::test(flavor = "multi_thread")]
async fn attendance_makes_the_volunteer_trained() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let created = coordinator
        .post("/api/v1/volunteers", untrained("Amina", "amina@pool.test"))
        .await;
    let amina = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["training"]["status"], "untrained");
    let start = chrono::Utc::now() + chrono::Duration::seconds(3);
    let body = json!({
        "title": "Auffrischung", "kind": "refresher", "starts_at": start.to_rfc3339(),
        "duration_minutes": 15, "location": "VHS", "capacity": 5,
        "registration_deadline": start.to_rfc3339()
    });
    let training = coordinator.post("/api/v1/trainings", body).await;
    assert_eq!(training.status, StatusCode::CREATED, "{}", training.text);
    let id = training.body["id"].as_str().unwrap().to_owned();
    let invited = coordinator
        .post(
            &format!("/api/v1/trainings/{id}/invitations"),
            json!({"volunteer_ids": [amina]}),
        )
        .await;
    assert_eq!(invited.body["invited"], 1, "{}", invited.text);
    tokio::time::sleep(
        (start - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(200),
    )
    .await;

    let recorded = coordinator
        .post(
            &format!("/api/v1/trainings/{id}/attendance"),
            json!({"volunteer_ids": [amina]}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text);
    assert_eq!(recorded.body["attended"][0]["name"], "Amina");
    let volunteer = coordinator.get(&format!("/api/v1/volunteers/{amina}")).await;
    assert_eq!(volunteer.body["training"]["status"], "trained", "{}", volunteer.text);
    let trained = coordinator.get("/api/v1/volunteers?training=trained").await;
    assert_eq!(trained.body.as_array().unwrap().len(), 1);
}
