//! Continuity that remembers: a client served months ago (past the pool's 90-day window, after
//! the readable reference was removed) still prefers the same interpreter, through the keyed
//! hash of the reference; and the hash goes when its own period ends.

use chrono::Duration;
use linguapool_requests::seed::{PastOffer, PastOutcome, PastRequest};
use linguapool_requests::{lifecycle, retention, seed};
use lp_core::LanguageCode;
use lp_core::access::Scope;
use lp_core::vocab::{Mode, OfferState, Setting};
use lp_matcher::RequestSpec;
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

mod support;
use support::{at, caseworker, instance, request_on, volunteer};

#[tokio::test]
async fn a_client_served_four_months_ago_prefers_the_same_interpreter() {
    let test = lp_testkit::TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-11-23T08:00:00Z");
    // A shorter period than the default two years, so its end falls within the trainings'
    // validity.
    let settings = linguapool_requests::RequestSettings {
        continuity_days: 200,
        ..instance()
    };
    let actor = caseworker(db, now).await;
    let earlier = volunteer(db, "Amina", Some("2026-01-01"), now).await;
    let other = volunteer(db, "Bashir", Some("2026-01-01"), now).await;

    // A therapy client's appointment 120 days ago, served by Amina.
    let starts_at = now - Duration::days(120);
    let created_at = starts_at - Duration::days(3);
    let past = PastRequest {
        organisation_id: match actor.scope {
            Scope::Organisation(org) => org,
            Scope::All => unreachable!(),
        },
        caseworker_id: actor.user_id,
        spec: RequestSpec {
            language: LanguageCode::parse("pus").unwrap(),
            dialect: None,
            starts_at,
            duration_minutes: 60,
            mode: Mode::OnSite,
            town: Some("Winnenden".into()),
            setting: Setting::Authority,
            gender_preference: None,
            client_ref: Some("PT-2026-007".into()),
            client_served_by: Vec::new(),
        },
        created_at,
        fill_by: starts_at - Duration::days(1),
        outcome: PastOutcome::Completed {
            actual_minutes: 60,
            completed_at: starts_at + Duration::hours(2),
        },
        offers: vec![PastOffer {
            volunteer_id: earlier,
            state: OfferState::Accepted,
            wave: 1,
            sent_at: created_at,
            responded_at: Some(created_at + Duration::minutes(5)),
        }],
    };
    seed::insert(db, &[past], &settings, now).await.unwrap();
    // The readable reference is gone (retention), the keyed hash is there, and it is not the
    // reference in any spelling.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT client_ref, client_key FROM interpreting_requests",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<Option<String>>("", "client_ref").unwrap(), None);
    let key = row.try_get::<Option<String>>("", "client_key").unwrap().expect("a key");
    assert!(!key.to_lowercase().contains("pt-2026"));

    // The same client, typed a little differently.
    let mut input = request_on("2026-12-03");
    input.client_ref = Some(" pt-2026-007 ".into());
    let created = lifecycle::create(db, actor, &input, &settings, now).await.unwrap();
    let ranked = lifecycle::candidates(db, Scope::All, created.id, &settings, now)
        .await
        .unwrap();
    let continuity = |id: Uuid| {
        ranked
            .candidates
            .iter()
            .find(|c| c.ranked.volunteer_id == id)
            .map(|c| c.ranked.parts.continuity)
            .unwrap()
    };
    assert_eq!(continuity(earlier), 1.0);
    assert_eq!(continuity(other), 0.0);
    assert_eq!(ranked.candidates[0].ranked.volunteer_id, earlier);

    // When the period ends (200 days after that appointment) the key goes, and with it the
    // preference.
    let later = starts_at + Duration::days(i64::from(settings.continuity_days)) + Duration::hours(1);
    let report = retention::run(db, &retention::RetentionSettings::default(), later)
        .await
        .unwrap();
    assert_eq!(report.client_keys, 1, "{report:?}");
    let mut again = request_on("2027-02-17");
    again.client_ref = Some("PT-2026-007".into());
    let filed = lifecycle::create(db, actor, &again, &settings, later).await.unwrap();
    let ranked = lifecycle::candidates(db, Scope::All, filed.id, &settings, later)
        .await
        .unwrap();
    assert_eq!(ranked.candidates.len(), 2);
    assert!(ranked.candidates.iter().all(|c| c.ranked.parts.continuity == 0.0));
}
