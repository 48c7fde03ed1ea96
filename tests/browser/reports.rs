//! The reports page in a real browser, on demo-like data: a pool with a past year of requests
//! (stored with their offers by `lp_requests::seed`, as the demo's history is), looked at on
//! a desktop, on a phone and as printed, and a volunteer's printable Ehrenamtsnachweis.
//! Screenshots go to `target/screenshots/` for review.

use crate::steps::sign_in;
use crate::support::{Service, volunteer};
use chrono::{DateTime, Datelike, Duration, Utc};
use lp_core::LanguageCode;
use lp_core::vocab::{Mode, OfferState, Setting};
use lp_requests::seed::{PastOffer, PastOutcome, PastRequest};
use lp_testkit::{Browser, Viewport};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// Past requests over the last `days` days, every third day: five languages, most taken and
/// completed, some cancelled before anyone accepted, some unfilled, a few with nobody to ask.
fn history(
    organisation_id: Uuid,
    caseworker_id: Uuid,
    speakers: &[(Uuid, &str)],
    now: DateTime<Utc>,
) -> Vec<PastRequest> {
    let settings = [
        Setting::Authority,
        Setting::Medical,
        Setting::School,
        Setting::Employment,
    ];
    let languages = ["ara", "ara", "ukr", "tir", "prs", "ara", "ukr", "kmr"];
    (1..=100)
        .map(|i: i64| {
            let language = languages[i as usize % languages.len()];
            let starts_at = now - Duration::days(3 * i) - Duration::hours(2);
            let created_at = starts_at - Duration::days(4);
            let helpers: Vec<Uuid> = speakers
                .iter()
                .filter(|(_, spoken)| *spoken == language)
                .map(|(id, _)| *id)
                .collect();
            let answer = created_at + Duration::minutes(20 + 37 * (i % 9) * (i % 4));
            let (outcome, offers) = match (i % 7, helpers.first()) {
                (_, None) => (PastOutcome::Unfilled, Vec::new()),
                (3, Some(&helper)) => (
                    PastOutcome::Cancelled {
                        at: created_at + Duration::hours(5),
                    },
                    vec![offer(helper, OfferState::Withdrawn, created_at, None)],
                ),
                (5, Some(&helper)) => (
                    PastOutcome::Unfilled,
                    vec![offer(helper, OfferState::Declined, created_at, Some(answer))],
                ),
                (_, Some(&helper)) => (
                    PastOutcome::Completed {
                        actual_minutes: 45 + 15 * (i % 6) as u32,
                        completed_at: starts_at + Duration::hours(3),
                    },
                    vec![offer(helper, OfferState::Accepted, created_at, Some(answer))],
                ),
            };
            PastRequest {
                organisation_id,
                caseworker_id,
                spec: lp_matcher::RequestSpec {
                    language: LanguageCode::parse(language).unwrap(),
                    dialect: None,
                    starts_at,
                    duration_minutes: 60,
                    mode: Mode::OnSite,
                    town: Some("Winnenden".into()),
                    setting: settings[i as usize % settings.len()],
                    gender_preference: None,
                    client_ref: None,
                    client_served_by: Vec::new(),
                },
                created_at,
                fill_by: starts_at - Duration::hours(14),
                outcome,
                offers,
            }
        })
        .collect()
}

fn offer(
    volunteer_id: Uuid,
    state: OfferState,
    created_at: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
) -> PastOffer {
    PastOffer {
        volunteer_id,
        state,
        wave: 1,
        sent_at: created_at,
        responded_at,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn coordinator_reads_the_reports_on_desktop_phone_and_paper_and_prints_a_nachweis() {
    let (desk, phone, service) = tokio::join!(
        Browser::start(Viewport::DESKTOP),
        Browser::start(Viewport::PHONE),
        Service::start()
    );
    let (Some(desk), Some(phone)) = (desk, phone) else {
        return;
    };
    let password = service.first_coordinator();
    let coordinator = service.coordinator();
    let org = coordinator
        .post(
            "/api/v1/organisations",
            json!({"name": "Stadt Winnenden – Integrationsmanagement"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text);
    let org_id: Uuid = org.body["id"].as_str().unwrap().parse().unwrap();
    let user = coordinator
        .post(
            "/api/v1/users",
            json!({"email": "cw@winnenden.test", "name": "A. Fachkraft", "role": "caseworker",
                   "organisation_id": org_id, "password": "a long enough password"}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    let caseworker_id: Uuid = user.body["id"].as_str().unwrap().parse().unwrap();
    let mut speakers = Vec::new();
    for (name, email, language) in [
        ("Amal Haddad", "amal@pool.test", "ara"),
        ("Olena Kovalenko", "olena@pool.test", "ukr"),
        ("Selam Tesfaye", "selam@pool.test", "tir"),
        ("Yusuf Karimi", "yusuf@pool.test", "prs"),
    ] {
        let created = coordinator
            .post("/api/v1/volunteers", volunteer(name, email, language))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        speakers.push((created.body["id"].as_str().unwrap().parse::<Uuid>().unwrap(), language));
    }
    let now = Utc::now();
    let past = history(org_id, caseworker_id, &speakers, now);
    let db = lp_db::connect(&service.database.url, 2).await.unwrap();
    lp_requests::seed::insert(
        &db,
        &past,
        &lp_requests::RequestSettings::with_defaults("http://pool.test"),
        now,
    )
    .await
    .unwrap();

    let base = &service.base;
    sign_in(&desk, base, "chief@pool.test", &password).await;
    desk.wait_for_text("Berichte").await;
    desk.click("a[href='/reports']").await;
    desk.wait_for_text("Kennzahlen").await;
    // The last twelve months, chosen with the form as a coordinator would.
    desk.click("input[name=kind][value=custom]").await;
    let from = (now - Duration::days(365)).date_naive().to_string();
    let to = now.date_naive().to_string();
    for (id, value) in [("from", &from), ("to", &to)] {
        desk.eval(&format!("document.getElementById({id:?}).value = {value:?}; return 1;"))
            .await;
    }
    desk.click("#period-form button[type=submit]").await;
    desk.wait_for_text("Ungedeckter Bedarf").await;
    for chart in ["chart-months", "chart-languages", "chart-unmet", "chart-time-to-fill"] {
        let role = desk
            .eval(&format!(
                "return document.getElementById({chart:?}).getAttribute('role');"
            ))
            .await;
        assert_eq!(role, "img", "{chart}");
    }
    let text = desk.body_text().await;
    assert!(text.contains("Arabisch (ara)"), "{text}");
    assert!(text.contains("Amal Haddad"), "{text}");
    desk.assert_accessible("reports desktop").await;
    desk.screenshot("coordinator-reports-desktop").await;
    let report_url = desk.url().await;

    desk.cdp("Emulation.setEmulatedMedia", json!({"media": "print"})).await;
    let nav = desk
        .eval("return getComputedStyle(document.querySelector('header.top')).display;")
        .await;
    assert_eq!(nav, "none", "no navigation on paper");
    desk.screenshot("coordinator-reports-print").await;
    desk.cdp("Emulation.setEmulatedMedia", json!({"media": ""})).await;

    sign_in(&phone, base, "chief@pool.test", &password).await;
    phone.wait_for_text("Berichte").await;
    phone.goto(&report_url).await;
    phone.wait_for_text("Ungedeckter Bedarf").await;
    phone.assert_no_sideways_scroll("reports phone").await;
    phone.assert_accessible("reports phone").await;
    phone.screenshot("coordinator-reports-phone").await;

    // Amal's Nachweis for the year of her latest completed assignment.
    let amal = speakers[0].0;
    let year = (now - Duration::days(3) - Duration::hours(2))
        .with_timezone(&lp_core::time::POOL_TZ)
        .year();
    desk.goto(&format!("{base}/volunteers/{amal}")).await;
    desk.wait_for_text("Einsätze und Stunden pro Jahr").await;
    desk.click(&format!("a[href='/volunteers/{amal}/nachweis/{year}']"))
        .await;
    desk.wait_for_text(&format!("Ehrenamtsnachweis {year}")).await;
    let statement = desk.text("#totals").await;
    assert!(statement.contains("Einsätze"), "{statement}");
    desk.assert_accessible("nachweis").await;
    desk.screenshot("coordinator-nachweis-desktop").await;
    desk.close().await;
    phone.close().await;
}
