//! The rate limits and security headers of the real binary, at the budgets config/default.toml
//! ships: guessing link tokens from one address is throttled after 60 with 429 and
//! Retry-After (never a 5xx), while the real link of another address still opens.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread")]
async fn guessing_link_tokens_is_throttled_after_sixty() {
    let service = Service::start_with(&Service::DEFAULT_BUDGETS).await;
    let anonymous = service.anonymous();
    let mut statuses = Vec::new();
    let started = std::time::Instant::now();
    for i in 0..150 {
        let guess = format!("/o/guessed-token-{i:03}");
        let answer = if i % 2 == 0 {
            anonymous.link_get(&guess).await
        } else {
            anonymous.link_post_html(&format!("{guess}/accept")).await
        };
        assert!(!answer.status.is_server_error(), "guess {i}: {}", answer.status);
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = answer.headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=2).contains(&wait), "guess {i}: Retry-After {wait}");
            assert!(answer.text.contains("Zu viele Aufrufe"), "{}", answer.text);
            assert_eq!(answer.headers["referrer-policy"], "no-referrer");
        }
        statuses.push(answer.status);
    }
    assert!(
        statuses[..60].iter().all(|s| *s == StatusCode::NOT_FOUND),
        "the first 60 guesses get the uniform 404: {statuses:?}"
    );
    let throttled = statuses[60..]
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // One more guess is allowed each second the run took.
    let refilled = usize::try_from(started.elapsed().as_secs()).unwrap() + 1;
    assert!(
        throttled + refilled >= 90,
        "only {throttled} of the last 90 guesses were throttled in {refilled} s"
    );
    let json = anonymous.link_post_json("/o/guessed-token-x/accept").await;
    assert_eq!(json.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json.body["error"]["code"], "rate_limited", "{}", json.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_answer_of_the_binary_carries_the_security_headers() {
    let service = Service::start_with(&Service::DEFAULT_BUDGETS).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let created = coordinator
        .post("/api/v1/volunteers", volunteer("Selam T.", "selam@pool.test", "tir"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        caseworker.post("/api/v1/requests", request_body("tir")).await.status,
        StatusCode::CREATED
    );
    let mail = service.smtp.wait_for("selam@pool.test", 1).await;
    let link = mail[0].link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    let anonymous = service.anonymous();
    let answers = [
        ("a page", anonymous.link_get("/login").await, "same-origin"),
        ("an API answer", created, "same-origin"),
        ("an error", anonymous.get("/api/v1/volunteers").await, "same-origin"),
        ("a link page", anonymous.link_get(&link).await, "no-referrer"),
    ];
    for (what, answer, referrer) in answers {
        let csp = answer.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
            "{what}: {csp}"
        );
        assert_eq!(answer.headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(answer.headers["referrer-policy"], referrer, "{what}");
        // The tests' public base URL is http.
        assert!(!answer.headers.contains_key("strict-transport-security"), "{what}");
    }
}
