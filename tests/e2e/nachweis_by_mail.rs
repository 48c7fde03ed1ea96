//! A volunteer asks on `/v` for last year's Ehrenamtsnachweis and receives it by email: the
//! real binary over HTTP, the mail through the SMTP server. Last year's history is written
//! straight into the database (the binary runs on the real clock, so no use case can file a
//! request in the past); everything after that goes over the wire.

use crate::support::{Service, volunteer};
use chrono::{Datelike, Duration, Utc};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::vocab::{Mode, OfferState, Role, Setting};
use lp_matcher::RequestSpec;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_requests::seed::{self, PastOffer, PastOutcome, PastRequest};
use reqwest::StatusCode;
use std::time::Duration as Wait;
use uuid::Uuid;

const FORM: &str = "application/x-www-form-urlencoded";

/// One completed medical assignment of 90 minutes for `volunteer_id` on 3 March of `year`.
async fn last_years_assignment(service: &Service, volunteer_id: Uuid, year: i32) {
    let db = &service.database.conn;
    let now = Utc::now();
    let by = Coordinator::operator();
    let org = organisations::create(db, &by, &OrganisationInput { name: "Stadt".into() }, now)
        .await
        .unwrap();
    let input = StaffUserInput {
        email: "cw@stadt.test".into(),
        name: "Fachkraft".into(),
        role: Role::Caseworker,
        organisation_id: Some(org.id),
        password: None,
    };
    let caseworker = staff::insert(db, staff::prepare(&input, false).await.unwrap(), now)
        .await
        .unwrap()
        .user
        .id;
    let starts_at = format!("{year}-03-03T10:00:00Z").parse().unwrap();
    let created_at = starts_at - Duration::days(3);
    let past = PastRequest {
        organisation_id: org.id,
        caseworker_id: caseworker,
        spec: RequestSpec {
            language: LanguageCode::parse("ukr").unwrap(),
            dialect: None,
            starts_at,
            duration_minutes: 60,
            mode: Mode::Phone,
            town: None,
            setting: Setting::Medical,
            gender_preference: None,
            client_ref: None,
            client_served_by: Vec::new(),
        },
        created_at,
        fill_by: starts_at - Duration::days(1),
        outcome: PastOutcome::Completed {
            actual_minutes: 90,
            completed_at: starts_at + Duration::hours(3),
        },
        offers: vec![PastOffer {
            volunteer_id,
            state: OfferState::Accepted,
            wave: 1,
            sent_at: created_at,
            responded_at: Some(created_at + Duration::minutes(10)),
        }],
    };
    seed::insert(
        db,
        &[past],
        &lp_requests::RequestSettings::with_defaults("http://pool.test"),
        now,
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_volunteer_gets_last_years_nachweis_by_mail_and_nobody_is_revealed() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let created = coordinator
        .post(
            "/api/v1/volunteers",
            volunteer("Oksana Kovalenko", "oksana@pool.test", "ukr"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id: Uuid = created.body["id"].as_str().unwrap().parse().unwrap();
    let last_year = Utc::now().with_timezone(&lp_core::time::POOL_TZ).year() - 1;
    last_years_assignment(&service, id, last_year).await;
    let anonymous = service.anonymous();

    let page = anonymous.link_get("/v").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains(&format!(r#"<option value="{last_year}" selected>"#)),
        "{}",
        page.text
    );

    let unknown = anonymous
        .post_raw(
            "/v/nachweis",
            FORM,
            &format!("email=nobody%40pool.test&year={last_year}"),
        )
        .await;
    let known = anonymous
        .post_raw(
            "/v/nachweis",
            FORM,
            &format!("email=Oksana%40Pool.test&year={last_year}"),
        )
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.text);
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.text, known.text, "the answer must not tell who is in the pool");
    assert!(known.text.contains("hinterlegt") && known.text.contains("If we have this address"));

    let mail = service.smtp.wait_for("oksana@pool.test", 1).await.remove(0);
    assert!(
        mail.subject.contains(&format!("Ehrenamtsnachweis {last_year}")),
        "{}",
        mail.subject
    );
    for expected in [
        "Hallo Oksana Kovalenko",
        "Einsätze:    1",
        "Einsatzzeit: 1,5 Stunden",
        Setting::Medical.name_de(),
        "Assignments: 1",
        "1.5 hours",
    ] {
        assert!(mail.text.contains(expected), "{expected} missing in {}", mail.text);
    }
    assert!(mail.html.contains(r#"lang="en""#) && mail.html.contains(&format!("Ehrenamtsnachweis {last_year}")));

    // A second request within the interval sends nothing more and answers the same; a link
    // request is not held back by it.
    let repeated = anonymous
        .post_raw(
            "/v/nachweis",
            FORM,
            &format!("email=oksana%40pool.test&year={last_year}"),
        )
        .await;
    assert_eq!(repeated.text, known.text);
    let link = anonymous.post_raw("/v", FORM, "email=oksana%40pool.test").await;
    assert_eq!(link.status, StatusCode::OK);
    service.smtp.wait_for("oksana@pool.test", 2).await;
    tokio::time::sleep(Wait::from_millis(800)).await;
    let received = service.smtp.received();
    let confirmations = received
        .iter()
        .filter(|m| m.subject.contains("Ehrenamtsnachweis"))
        .count();
    assert_eq!(confirmations, 1, "only the one Nachweis mail went out");
    assert!(received.iter().any(|m| m.subject.contains("Verfügbarkeit")));
    assert!(received.iter().all(|m| !m.is_to("nobody@pool.test")));

    let bad_year = anonymous
        .post_raw("/v/nachweis", FORM, "email=oksana%40pool.test&year=1999")
        .await;
    assert_eq!(bad_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.text.contains("Jahr:"), "{}", bad_year.text);
}
