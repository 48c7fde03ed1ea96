//! The acceptance window over the real binary: acceptances are collected, the process is
//! killed while the window is open, and after the restart the window still closes once and
//! gives the job to one of them; an acceptance after the close is a conflict.

use crate::support::{Service, first_offer_links, organisation_with_caseworker, request_body, speakers};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

const ASKED: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_open_across_a_crash_closes_once_and_later_acceptances_conflict() {
    let mut service = Service::start_with(&[
        ("LINGUAPOOL__MATCHING__WAVE_SIZE", "3"),
        ("LINGUAPOOL__MATCHING__ACCEPT_WINDOW_MINUTES", "1"),
        ("LINGUAPOOL__MATCHING__CASCADE_TICK_SECONDS", "1"),
    ])
    .await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Jobcenter").await;
    speakers(&coordinator, "Ahmad", "prs", ASKED).await;
    let created = caseworker.post("/api/v1/requests", request_body("prs")).await;
    assert_eq!(created.body["offers"].as_array().unwrap().len(), ASKED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let links = first_offer_links(&service, "Ahmad", ASKED).await;

    let anonymous = service.anonymous();
    for link in &links[..2] {
        let answer = anonymous.link_post_json(&format!("{link}/accept")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.body["result"], "pending", "{}", answer.text);
        assert!(answer.body["confirm_by"].is_string(), "{}", answer.text);
    }
    let page = anonymous.link_get(&links[0]).await;
    assert!(page.text.contains("wir bestätigen bis"), "{}", page.text);
    assert!(page.text.contains("we confirm by"), "{}", page.text);

    // A crash while the window is open: the close is a row in the database.
    service.kill();
    service.restart().await;

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
        if request.body["status"] == "assigned" {
            break;
        }
        assert_eq!(request.body["status"], "open", "{}", request.text);
        assert!(Instant::now() < deadline, "the window did not close after the restart");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Exactly one confirmation, to one of the two who accepted; the other hears "filled".
    let confirmed = |i: usize| {
        service
            .smtp
            .received_by(&format!("ahmad{i}@pool.test"))
            .iter()
            .filter(|m| m.subject.starts_with("Bestätigt"))
            .count()
    };
    let mut waited = 0;
    while confirmed(0) + confirmed(1) == 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(confirmed(0) + confirmed(1), 1, "one confirmation");
    assert_eq!(confirmed(2), 0);

    let late = anonymous.link_post_json(&format!("{}/accept", links[2])).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);
}
