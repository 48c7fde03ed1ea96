//! Bad input gets a clear error naming the field, never a 500, and nothing is saved.

use crate::support::{Answer, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_field(answer: &Answer, field: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.error_field(), Some(field), "{}", answer.text);
    assert!(answer.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_names_the_bad_field_and_saves_nothing() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (org_id, caseworker) = organisation_with_caseworker(&service, &coordinator, "Jobcenter").await;

    // Organisations and users.
    assert_field(
        &coordinator.post("/api/v1/organisations", json!({"name": "  "})).await,
        "name",
    );
    assert_field(&coordinator.post("/api/v1/organisations", json!({})).await, "name");
    let user = json!({"email": "x@y.test", "name": "X", "role": "caseworker", "organisation_id": org_id});
    assert_field(
        &coordinator
            .post("/api/v1/users", with(user.clone(), "role", json!("boss")))
            .await,
        "role",
    );
    assert_field(
        &coordinator
            .post("/api/v1/users", with(user.clone(), "email", json!("not-an-email")))
            .await,
        "email",
    );
    assert_field(
        &coordinator
            .post("/api/v1/users", with(user.clone(), "organisation_id", Value::Null))
            .await,
        "organisation_id",
    );
    assert_field(
        &coordinator
            .post("/api/v1/users", with(user, "password", json!("short")))
            .await,
        "password",
    );

    // Volunteers.
    let good = volunteer("Selam", "selam@pool.test", "tir");
    let unknown_language = with(
        good.clone(),
        "languages",
        json!([{"code": "xyz", "proficiency": "native"}]),
    );
    assert_field(
        &coordinator.post("/api/v1/volunteers", unknown_language).await,
        "languages[0].code",
    );
    let bad_level = with(
        good.clone(),
        "languages",
        json!([{"code": "tir", "proficiency": "expert"}]),
    );
    assert_field(
        &coordinator.post("/api/v1/volunteers", bad_level).await,
        "languages[0].proficiency",
    );
    let backwards = with(
        good.clone(),
        "availability",
        json!([{"weekday": "mon", "start": "13:00", "end": "09:00"}]),
    );
    assert_field(
        &coordinator.post("/api/v1/volunteers", backwards).await,
        "availability[0]",
    );
    let bad_absence = with(
        good.clone(),
        "absences",
        json!([{"from": "2027-01-06", "to": "2026-12-21"}]),
    );
    assert_field(
        &coordinator.post("/api/v1/volunteers", bad_absence).await,
        "absences[0]",
    );
    assert_field(
        &coordinator
            .post("/api/v1/volunteers", with(good.clone(), "modes", json!(["telepathy"])))
            .await,
        "modes[0]",
    );
    assert_field(
        &coordinator
            .post("/api/v1/volunteers", with(good.clone(), "german_level", json!("D1")))
            .await,
        "german_level",
    );
    assert_field(
        &coordinator
            .post(
                "/api/v1/volunteers",
                with(good.clone(), "max_assignments_per_month", json!(-2)),
            )
            .await,
        "max_assignments_per_month",
    );
    assert_eq!(
        coordinator.get("/api/v1/volunteers").await.body,
        json!([]),
        "nothing saved"
    );

    let created = coordinator.post("/api/v1/volunteers", good.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    let duplicate = coordinator.post("/api/v1/volunteers", good).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let patch = coordinator
        .patch(
            &format!("/api/v1/volunteers/{id}"),
            json!({"languages": [{"code": "qqq", "proficiency": "native"}]}),
        )
        .await;
    assert_field(&patch, "languages[0].code");
    let unchanged = coordinator.get(&format!("/api/v1/volunteers/{id}")).await;
    assert_eq!(
        unchanged.body["languages"][0]["code"], "tir",
        "a refused patch changes nothing"
    );
    let patched = coordinator
        .patch(
            &format!("/api/v1/volunteers/{id}"),
            json!({"phone": null, "german_level": "C1"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.body["german_level"], "C1");
    assert_eq!(patched.body["phone"], Value::Null);
    assert_field(&coordinator.get("/api/v1/volunteers?language=zzz").await, "language");
    let typo = coordinator
        .patch(&format!("/api/v1/volunteers/{id}"), json!({"staus": "paused"}))
        .await;
    assert_field(&typo, "staus");
    assert_eq!(
        coordinator.get("/api/v1/volunteers/%FF").await.status,
        StatusCode::NOT_FOUND
    );

    // Requests.
    let good = request_body("tir");
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "language", json!("xyz")))
            .await,
        "language",
    );
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "duration_minutes", json!(-30)))
            .await,
        "duration_minutes",
    );
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "mode", json!("carrier_pigeon")))
            .await,
        "mode",
    );
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "setting", json!("court")))
            .await,
        "setting",
    );
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "starts_at", json!("tomorrow")))
            .await,
        "starts_at",
    );
    assert_field(
        &caseworker
            .post(
                "/api/v1/requests",
                with(good.clone(), "starts_at", json!("2020-01-01T10:00:00+01:00")),
            )
            .await,
        "starts_at",
    );
    assert_field(
        &caseworker
            .post(
                "/api/v1/requests",
                with(good.clone(), "client_ref", json!("Ahmad Karimi")),
            )
            .await,
        "client_ref",
    );
    assert_field(
        &caseworker
            .post("/api/v1/requests", with(good.clone(), "town", Value::Null))
            .await,
        "town",
    );
    let mut no_language = good.clone();
    no_language.as_object_mut().unwrap().remove("language");
    assert_field(&caseworker.post("/api/v1/requests", no_language).await, "language");
    assert_eq!(
        caseworker.get("/api/v1/requests").await.body,
        json!([]),
        "nothing saved"
    );

    // Malformed bodies, wrong media type, too large.
    let malformed = caseworker
        .post_raw("/api/v1/requests", "application/json", "{\"language\": ")
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{}", malformed.text);
    assert_eq!(malformed.body["error"]["code"], "malformed");
    let not_json = caseworker.post_raw("/api/v1/requests", "text/plain", "hello").await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(200_000));
    assert_eq!(
        caseworker
            .post_raw("/api/v1/requests", "application/json", &huge)
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Lifecycle input.
    let created = caseworker.post("/api/v1/requests", request_body("tir")).await;
    let rid = created.body["id"].as_str().unwrap();
    assert_field(
        &caseworker
            .post(
                &format!("/api/v1/requests/{rid}/complete"),
                json!({"actual_minutes": -5}),
            )
            .await,
        "actual_minutes",
    );
    let early = caseworker
        .post(
            &format!("/api/v1/requests/{rid}/complete"),
            json!({"actual_minutes": 60}),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::CONFLICT,
        "an open request cannot be completed"
    );

    // Who may do what.
    assert_eq!(
        caseworker.post("/api/v1/volunteers", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        caseworker.get("/api/v1/organisations").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        service.api("wrong-token").get("/api/v1/requests").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        coordinator.get("/api/v1/requests/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        coordinator.get("/api/v1/volunteers/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
}
