//! Exactly one winner: many volunteers accept the same request at the same moment.

use crate::support::{Service, first_offer_links, organisation_with_caseworker, request_body, speakers};
use reqwest::StatusCode;
use std::sync::Arc;
use tokio::sync::Barrier;

const RIVALS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_accepts_have_exactly_one_winner() {
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "50")]).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Integrationsmanagement").await;
    speakers(&coordinator, "Ahmad", "prs", RIVALS).await;
    let created = caseworker.post("/api/v1/requests", request_body("prs")).await;
    assert_eq!(created.body["offers"].as_array().unwrap().len(), RIVALS);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let links = first_offer_links(&service, "Ahmad", RIVALS).await;

    let barrier = Arc::new(Barrier::new(RIVALS));
    let mut rivals = tokio::task::JoinSet::new();
    for link in links {
        let (barrier, api) = (barrier.clone(), service.anonymous());
        rivals.spawn(async move {
            barrier.wait().await;
            api.link_post_json(&format!("{link}/accept")).await.status
        });
    }
    let statuses: Vec<StatusCode> = rivals.join_all().await;
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    assert_eq!((won, lost), (1, RIVALS - 1), "{statuses:?}");

    let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.body["status"], "assigned");
    let accepted = request.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["state"] == "accepted")
        .count();
    assert_eq!(accepted, 1, "the database holds one assignment");
}
