//! Two `serve` processes on one PostgreSQL database, as behind a round-robin proxy: a session
//! made on one works on the other; simultaneous accepts spread over both have one winner; the
//! workers of both send each wave, deadline, reminder and mail once; a change made through one
//! is ranked by the other at once.

use crate::support::{
    Api, PUBLIC_BASE_URL, Service, first_offer_links, organisation_with_caseworker, request_body, volunteer,
};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

const RIVALS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_sessions_one_winner_and_every_mail_once() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("several instances need PostgreSQL: skipped on SQLite");
        return;
    }
    let key = lp_core::secret::ServerKey::generate().to_base64();
    let service = Service::start_with(&[
        ("LINGUAPOOL__MATCHING__WAVE_SIZE", "50"),
        ("LINGUAPOOL__MATCHING__CASCADE_TICK_SECONDS", "1"),
        ("LINGUAPOOL__SECRET_KEY", key.as_str()),
    ])
    .await;
    let other = service.another_instance().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let instances = [service.base.clone(), other.base.clone()];
    let on = |api: &Api, i: usize| api.at(&instances[i % 2]);

    // A session made on one instance works on the other.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{}/login", instances[0]))
        .header("origin", PUBLIC_BASE_URL)
        .form(&[
            ("email", "cw@stadtwinnenden.test"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("lp_session="))
        .expect("a session cookie");
    let session = cookie.split(';').next().unwrap().to_owned();
    let page = http
        .get(format!("{}/", instances[1]))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Übersicht"));

    // Fifty volunteers, registered through either instance; one request offered to all.
    for i in 0..RIVALS {
        let created = on(&coordinator, i)
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Ahmad {i}"), &format!("ahmad{i}@pool.test"), "prs"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let created = on(&caseworker, 1).post("/api/v1/requests", request_body("prs")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["offers"].as_array().unwrap().len(), RIVALS);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let links = first_offer_links(&service, "Ahmad", RIVALS).await;

    // Fifty simultaneous accepts, spread over both: one winner.
    let barrier = Arc::new(Barrier::new(RIVALS));
    let mut rivals = tokio::task::JoinSet::new();
    for (i, link) in links.into_iter().enumerate() {
        let (barrier, api) = (barrier.clone(), on(&service.anonymous(), i));
        rivals.spawn(async move {
            barrier.wait().await;
            api.link_post_json(&format!("{link}/accept")).await.status
        });
    }
    let statuses: Vec<StatusCode> = rivals.join_all().await;
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(won, 1, "{statuses:?}");
    let request = on(&caseworker, 0).get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.body["status"], "assigned");

    // A change through one instance is ranked by the other at once: a volunteer paused on the
    // first is excluded on the second's candidates list of a new request.
    let second = on(&caseworker, 0).post("/api/v1/requests", request_body("prs")).await;
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    let volunteers = on(&coordinator, 0).get("/api/v1/volunteers?language=prs").await;
    let paused_id = volunteers.body.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let patched = on(&coordinator, 0)
        .patch(&format!("/api/v1/volunteers/{paused_id}"), json!({"status": "paused"}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let ranked = on(&coordinator, 1)
        .get(&format!("/api/v1/requests/{second_id}/candidates"))
        .await;
    let excluded: Vec<(&str, &str)> = ranked.body["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["volunteer_id"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert!(excluded.contains(&(paused_id.as_str(), "not_active")), "{excluded:?}");

    // A deadline and a reminder, due while both instances' workers run: each happens once.
    // The deadline: a request nobody can take (no speaker), its search ending in seconds.
    let mut soon = request_body("ukr");
    let fill_by = chrono::Utc::now() + chrono::Duration::seconds(4);
    soon["fill_by"] = lp_core::time::local(fill_by).to_rfc3339().into();
    let doomed = on(&caseworker, 1).post("/api/v1/requests", soon).await;
    assert_eq!(doomed.status, StatusCode::CREATED, "{}", doomed.text);
    let doomed_id = doomed.body["id"].as_str().unwrap().to_owned();
    // The reminder: someone free around the clock takes a job that starts a day and a few
    // seconds from now, so its reminder falls due while both workers run.
    let mut around_the_clock = volunteer("Rund Um", "rund@pool.test", "tir");
    around_the_clock["availability"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"}))
        .collect();
    let created = on(&coordinator, 1).post("/api/v1/volunteers", around_the_clock).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let mut tomorrow = request_body("tir");
    let starts = chrono::Utc::now() + chrono::Duration::hours(24) + chrono::Duration::seconds(6);
    tomorrow["starts_at"] = lp_core::time::local(starts).to_rfc3339().into();
    let due = on(&caseworker, 0).post("/api/v1/requests", tomorrow).await;
    assert_eq!(due.status, StatusCode::CREATED, "{}", due.text);
    let due_id = due.body["id"].as_str().unwrap().to_owned();
    let offer = service.smtp.wait_for("rund@pool.test", 1).await.remove(0);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").unwrap();
    let accepted = on(&service.anonymous(), 1)
        .link_post_json(&format!("{link}/accept"))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let doomed = on(&caseworker, 0).get(&format!("/api/v1/requests/{doomed_id}")).await;
        let due = on(&caseworker, 1).get(&format!("/api/v1/requests/{due_id}")).await;
        let reminded = !due.body["reminded_at"].is_null();
        if doomed.body["status"] == "unfilled" && reminded {
            break;
        }
        assert!(Instant::now() < deadline, "the deadline and the reminder are due");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Let both workers run a few more passes, then count every mail.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = service.smtp.received();
    let mut by_message: HashMap<String, usize> = HashMap::new();
    for mail in &mails {
        let id = mail.message_id.clone().expect("every mail has a Message-ID");
        *by_message.entry(format!("{id} {:?}", mail.to)).or_default() += 1;
    }
    let doubled: Vec<_> = by_message.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "no mail twice: {doubled:?}");
    let unfilled = mails
        .iter()
        .filter(|m| m.is_to("cw@stadtwinnenden.test") && m.subject.contains("Nicht besetzt"))
        .count();
    assert_eq!(unfilled, 1, "the caseworker hears once that nobody was found");
    let reminders = mails
        .iter()
        .filter(|m| m.is_to("rund@pool.test") && m.subject.contains("Erinnerung"))
        .count();
    assert_eq!(reminders, 1, "one reminder");
}
