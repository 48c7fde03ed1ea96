//! The walking system: a request sends offers by email, the first accept wins, everyone hears.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn request_to_offer_mails_to_one_assignment() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let (_, stranger) = organisation_with_caseworker(&service, &coordinator, "Caritas").await;
    for i in 1..=3 {
        let created = coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Selam {i}"), &format!("selam{i}@pool.test"), "tir"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["training"]["status"], "trained");
    }
    // Speaks only Amharic: never offered a Tigrinya job.
    coordinator
        .post("/api/v1/volunteers", volunteer("Abebe", "abebe@pool.test", "amh"))
        .await;

    let created = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["status"], "open");
    assert_eq!(created.body["offers"].as_array().unwrap().len(), 3);
    let request_id = created.body["id"].as_str().unwrap().to_owned();

    // Offer mails arrive over SMTP, German first, with a link and without the street address.
    let mut links = Vec::new();
    for i in 1..=3 {
        let mail = service.smtp.wait_for(&format!("selam{i}@pool.test"), 1).await.remove(0);
        let german = mail.text.find("Tigrinya").unwrap();
        assert!(mail.text.contains("Winnenden"));
        assert!(
            !mail.text.contains("Marktplatz"),
            "the offer must not reveal the address"
        );
        assert!(
            !mail.text.contains("IM-2026-0147"),
            "the offer must not carry the client reference"
        );
        let link = mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
        assert!(mail.text.find(&link).unwrap() > german);
        links.push(link);
    }
    assert!(service.smtp.received().iter().all(|m| !m.is_to("abebe@pool.test")));

    // Opening a link shows the job and changes nothing (mail scanners open links too).
    let anonymous = service.anonymous();
    for _ in 0..2 {
        let page = anonymous.link_get(&links[0]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text.contains("Annehmen") && page.text.contains("Accept"),
            "{}",
            page.text
        );
        assert!(!page.text.contains("Marktplatz"));
    }
    let unchanged = caseworker.get(&format!("/api/v1/requests/{request_id}")).await;
    assert_eq!(unchanged.body["status"], "open");
    assert!(
        unchanged.body["offers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["state"] == "sent")
    );

    // The first accept wins; the page then shows the address.
    let won = anonymous.link_post_json(&format!("{}/accept", links[1])).await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.text);
    assert_eq!(won.body, json!({"result": "accepted"}));
    let page = anonymous.link_get(&links[1]).await;
    assert!(page.text.contains("Marktplatz 1"), "{}", page.text);

    let late = anonymous.link_post_json(&format!("{}/accept", links[0])).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);
    let (late_answer, late_html) = anonymous.link_post_redirected(&format!("{}/accept", links[2])).await;
    assert_eq!(late_answer.status, StatusCode::SEE_OTHER);
    assert!(late_html.text.contains("vergeben"), "{}", late_html.text);
    let reused = anonymous.link_post_json(&format!("{}/accept", links[1])).await;
    assert_eq!(reused.status, StatusCode::GONE, "{}", reused.text);
    let unknown = anonymous.link_post_json("/o/not-a-real-token/accept").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anonymous.link_get("/o/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );

    // The caseworker sees who is coming; another organisation sees nothing.
    let assigned = caseworker.get(&format!("/api/v1/requests/{request_id}")).await;
    assert_eq!(assigned.body["status"], "assigned");
    assert_eq!(assigned.body["assignee"]["name"], "Selam 2");
    assert_eq!(assigned.body["assignee"]["phone"], "+49 151 000000");
    let states: Vec<&str> = assigned.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "accepted").count(), 1);
    assert_eq!(states.iter().filter(|s| **s == "withdrawn").count(), 2);
    let foreign = stranger.get(&format!("/api/v1/requests/{request_id}")).await;
    let unknown_id = stranger
        .get(&format!("/api/v1/requests/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.text, unknown_id.text,
        "another organisation's request looks like an unknown one"
    );
    assert!(
        stranger
            .get("/api/v1/requests")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Everyone hears: the caseworker, the winner (with address and calendar file), the others.
    let found = service.smtp.wait_for("cw@stadtwinnenden.test", 1).await.remove(0);
    assert!(
        found.text.contains("Selam 2") && found.text.contains("+49 151 000000"),
        "{}",
        found.text
    );
    let confirmation = service.smtp.wait_for("selam2@pool.test", 2).await.remove(1);
    assert!(confirmation.text.contains("Marktplatz 1"), "{}", confirmation.text);
    let (ics_name, ics) = confirmation.attachments.first().expect("an .ics attachment");
    assert!(ics_name.ends_with(".ics"));
    assert!(ics.contains("BEGIN:VEVENT"));
    for other in ["selam1@pool.test", "selam3@pool.test"] {
        let filled = service.smtp.wait_for(other, 2).await.remove(1);
        assert!(
            filled.text.contains("vergeben") || filled.text.contains("filled"),
            "{}",
            filled.text
        );
    }

    // Cancelling the assigned request tells the volunteer; it cannot be cancelled twice.
    let cancelled = caseworker
        .post(&format!("/api/v1/requests/{request_id}/cancel"), json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(cancelled.body["status"], "cancelled");
    service.smtp.wait_for("selam2@pool.test", 3).await;
    let again = caseworker
        .post(&format!("/api/v1/requests/{request_id}/cancel"), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread")]
async fn decline_passes_the_offer_to_the_next_candidate() {
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "1")]).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Diakonie").await;
    for i in 1..=2 {
        coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Oksana {i}"), &format!("oksana{i}@pool.test"), "ukr"),
            )
            .await;
    }
    let created = caseworker.post("/api/v1/requests", request_body("ukr")).await;
    assert_eq!(created.body["offers"].as_array().unwrap().len(), 1);
    let first = created.body["offers"][0]["volunteer_name"].as_str().unwrap().to_owned();
    let first_email = if first == "Oksana 1" {
        "oksana1@pool.test"
    } else {
        "oksana2@pool.test"
    };
    let second_email = if first == "Oksana 1" {
        "oksana2@pool.test"
    } else {
        "oksana1@pool.test"
    };
    let offer = service.smtp.wait_for(first_email, 1).await.remove(0);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").unwrap();

    let declined = service.anonymous().link_post_json(&format!("{link}/decline")).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);
    assert_eq!(declined.body, json!({"result": "declined"}));
    service.smtp.wait_for(second_email, 1).await;
    let again = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    assert_eq!(again.status, StatusCode::GONE);

    let id = created.body["id"].as_str().unwrap();
    let candidates = caseworker.get(&format!("/api/v1/requests/{id}/candidates")).await;
    assert_eq!(candidates.status, StatusCode::OK);
    assert_eq!(candidates.body["candidates"].as_array().unwrap().len(), 2);
    assert!(candidates.body["candidates"][0]["parts"]["language"].as_f64().unwrap() > 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_nobody_can_serve_is_unfilled_and_people_are_told() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Schule").await;
    let mut absent = volunteer("Hawa", "hawa@pool.test", "som");
    absent["status"] = json!("paused");
    coordinator.post("/api/v1/volunteers", absent).await;

    let created = caseworker.post("/api/v1/requests", request_body("som")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["status"], "unfilled");
    let id = created.body["id"].as_str().unwrap();
    service.smtp.wait_for("cw@schule.test", 1).await;
    service.smtp.wait_for("coordinator@pool.test", 1).await;
    let candidates = caseworker.get(&format!("/api/v1/requests/{id}/candidates")).await;
    // The candidates answer says why: one speaker, kept out because she is paused.
    assert_eq!(
        candidates.body["candidates"].as_array().unwrap().len(),
        0,
        "{}",
        candidates.text
    );
    assert_eq!(candidates.body["speakers"], 1);
    assert_eq!(candidates.body["excluded"][0]["rule"], "not_active");
}

#[tokio::test(flavor = "multi_thread")]
async fn assigned_volunteer_can_give_the_job_back_and_the_search_resumes() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Sozialamt").await;
    for name in ["hamid", "nadia"] {
        coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(name, &format!("{name}@pool.test"), "pus"),
            )
            .await;
    }
    let created = caseworker.post("/api/v1/requests", request_body("pus")).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let offer = service.smtp.wait_for("hamid@pool.test", 1).await.remove(0);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").unwrap();
    let anonymous = service.anonymous();
    assert_eq!(
        anonymous.link_post_json(&format!("{link}/accept")).await.status,
        StatusCode::OK
    );

    // The confirmation carries the link back to the job, whose page offers to give it back.
    let confirmation = service.smtp.wait_for("hamid@pool.test", 2).await.remove(1);
    assert_eq!(
        confirmation.link(PUBLIC_BASE_URL, "/o/").as_deref(),
        Some(link.as_str())
    );
    let page = anonymous.link_get(&link).await;
    assert!(page.text.contains("/withdraw"), "{}", page.text);
    service.smtp.wait_for("nadia@pool.test", 2).await; // offer, then "filled"

    let withdrawn = anonymous.link_post_json(&format!("{link}/withdraw")).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    assert_eq!(withdrawn.body, json!({"result": "withdrawn"}));
    let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.body["status"], "open");
    assert_eq!(request.body["assignee"], serde_json::Value::Null);
    let told = service.smtp.wait_for("cw@sozialamt.test", 2).await; // interpreter found, then withdrew
    assert!(told[1].subject.contains("Interpreter withdrew"), "{}", told[1].subject);

    // Nadia, told earlier the job was filled, is asked again with a fresh link and can take it.
    let again = service.smtp.wait_for("nadia@pool.test", 3).await.remove(2);
    let fresh = again.link(PUBLIC_BASE_URL, "/o/").unwrap();
    assert_eq!(
        anonymous.link_post_json(&format!("{fresh}/accept")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        anonymous.link_post_json(&format!("{link}/withdraw")).await.status,
        StatusCode::GONE
    );
    let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.body["assignee"]["name"], "nadia");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness_answer() {
    let service = Service::start().await;
    let anonymous = service.anonymous();
    assert_eq!(anonymous.get("/healthz").await.status, StatusCode::OK);
    let ready = anonymous.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(anonymous.get("/api/v1/requests").await.status, StatusCode::UNAUTHORIZED);
    let _ = service.database.is_postgres();
}

#[tokio::test(flavor = "multi_thread")]
async fn erasing_a_volunteer_removes_personal_data_but_keeps_history() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Migrationsberatung").await;
    let offered = coordinator
        .post("/api/v1/volunteers", volunteer("Yusuf", "yusuf@pool.test", "tur"))
        .await;
    let never_offered = coordinator
        .post("/api/v1/volunteers", volunteer("Olena", "olena@pool.test", "ukr"))
        .await;
    let created = caseworker.post("/api/v1/requests", request_body("tur")).await;
    assert_eq!(created.body["offers"].as_array().unwrap().len(), 1);

    let offered_id = offered.body["id"].as_str().unwrap();
    assert_eq!(
        coordinator
            .delete(&format!("/api/v1/volunteers/{offered_id}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let erased = coordinator.get(&format!("/api/v1/volunteers/{offered_id}")).await;
    assert_eq!(erased.status, StatusCode::OK);
    assert_eq!(erased.body["status"], "retired");
    assert!(
        !erased.text.contains("Yusuf") && !erased.text.contains("yusuf@pool.test"),
        "{}",
        erased.text
    );
    assert_eq!(
        erased.body["languages"][0]["code"], "tur",
        "statistics keep the language"
    );
    let request = caseworker
        .get(&format!("/api/v1/requests/{}", created.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        request.body["offers"].as_array().unwrap().len(),
        1,
        "the offer history stays"
    );

    // Someone who holds an upcoming assignment cannot vanish before the caseworker knows.
    let holder = coordinator
        .post("/api/v1/volunteers", volunteer("Dilan", "dilan@pool.test", "kmr"))
        .await;
    let job = caseworker.post("/api/v1/requests", request_body("kmr")).await;
    let offer = service.smtp.wait_for("dilan@pool.test", 1).await.remove(0);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").unwrap();
    assert_eq!(
        service
            .anonymous()
            .link_post_json(&format!("{link}/accept"))
            .await
            .status,
        StatusCode::OK
    );
    let holder_id = holder.body["id"].as_str().unwrap();
    let refused = coordinator.delete(&format!("/api/v1/volunteers/{holder_id}")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    caseworker
        .post(
            &format!("/api/v1/requests/{}/cancel", job.body["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(
        coordinator
            .delete(&format!("/api/v1/volunteers/{holder_id}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let never_id = never_offered.body["id"].as_str().unwrap();
    assert_eq!(
        coordinator
            .delete(&format!("/api/v1/volunteers/{never_id}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        coordinator.get(&format!("/api/v1/volunteers/{never_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        coordinator
            .delete(&format!("/api/v1/volunteers/{never_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn volunteer_cannot_accept_two_jobs_at_the_same_time() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Jugendamt").await;
    coordinator
        .post("/api/v1/volunteers", volunteer("Rojda", "rojda@pool.test", "kmr"))
        .await;
    let first = caseworker.post("/api/v1/requests", request_body("kmr")).await;
    let mut overlapping = request_body("kmr");
    overlapping["client_ref"] = json!("IM-2026-0148");
    let second = caseworker.post("/api/v1/requests", overlapping).await;
    assert_eq!(first.body["offers"].as_array().unwrap().len(), 1);
    assert_eq!(
        second.body["offers"].as_array().unwrap().len(),
        1,
        "both offers go out while she is free"
    );

    let offers = service.smtp.wait_for("rojda@pool.test", 2).await;
    let links: Vec<String> = offers.iter().map(|m| m.link(PUBLIC_BASE_URL, "/o/").unwrap()).collect();
    let anonymous = service.anonymous();
    let won = anonymous.link_post_json(&format!("{}/accept", links[0])).await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.text);
    let clash = anonymous.link_post_json(&format!("{}/accept", links[1])).await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.text);
    assert!(
        clash.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot take this job"),
        "{}",
        clash.text
    );
    let (_, clash_page) = anonymous.link_post_redirected(&format!("{}/accept", links[1])).await;
    assert!(clash_page.text.contains("nicht übernehmen"), "{}", clash_page.text);

    let statuses: Vec<String> = [&first, &second]
        .iter()
        .map(|r| r.body["id"].as_str().unwrap().to_owned())
        .collect();
    let mut assigned = 0;
    for id in statuses {
        if caseworker.get(&format!("/api/v1/requests/{id}")).await.body["status"] == "assigned" {
            assigned += 1;
        }
    }
    assert_eq!(assigned, 1, "the second request stays open for someone else");
}
