//! The staff web application on the real binary: the first coordinator from the CLI signs in
//! with the printed password, invites a caseworker, whose set-password link arrives by SMTP.

use crate::support::{PUBLIC_BASE_URL, Service};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::json;

struct Browser {
    base: String,
    http: reqwest::Client,
}

impl Browser {
    fn new(service: &Service) -> Self {
        Self {
            base: service.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    async fn get(&self, path: &str, session: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(id) = session {
            request = request.header(COOKIE, format!("lp_session={id}"));
        }
        request.send().await.unwrap()
    }

    async fn post_form(&self, path: &str, form: &str, origin: &str, session: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ORIGIN, origin)
            .body(form.to_owned());
        if let Some(id) = session {
            request = request.header(COOKIE, format!("lp_session={id}"));
        }
        request.send().await.unwrap()
    }

    async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let form = format!("email={}&password={}", encode(email), encode(password));
        self.post_form("/login", &form, &self.base, None).await
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn session_of(response: &reqwest::Response) -> String {
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("lp_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie["lp_session=".len()..].split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_coordinator_signs_in_and_an_invited_caseworker_sets_a_password() {
    let service = Service::start().await;
    let password = service.first_coordinator();
    let browser = Browser::new(&service);

    let refused = browser
        .post_form(
            "/login",
            &format!("email=chief%40pool.test&password={}", encode(&password)),
            "https://evil.example",
            None,
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "a foreign page cannot sign anyone in"
    );

    let signed_in = browser.login("chief@pool.test", &password).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let coordinator = session_of(&signed_in);
    let dashboard = browser.get("/", Some(&coordinator)).await;
    assert_eq!(dashboard.status(), StatusCode::OK);

    // The coordinator invites a caseworker through the API with the session cookie.
    let org = browser
        .http
        .post(format!("{}/api/v1/organisations", service.base))
        .header(COOKIE, format!("lp_session={coordinator}"))
        .json(&json!({"name": "Stadt Winnenden"}))
        .send()
        .await
        .unwrap();
    assert_eq!(org.status(), StatusCode::CREATED);
    let org: serde_json::Value = org.json().await.unwrap();
    let invited = browser
        .http
        .post(format!("{}/api/v1/users", service.base))
        .header(COOKIE, format!("lp_session={coordinator}"))
        .json(
            &json!({"email": "cw@pool.test", "name": "Fachkraft", "role": "caseworker",
                      "organisation_id": org["id"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), StatusCode::CREATED);

    let mail = service.smtp.wait_for("cw@pool.test", 1).await.remove(0);
    let link = mail.link(PUBLIC_BASE_URL, "/password/").expect("a set-password link");
    assert_eq!(browser.get(&link, None).await.status(), StatusCode::OK);
    let set = browser
        .post_form(
            &link,
            "password=eine-gute-Passphrase&repeat=eine-gute-Passphrase",
            &service.base,
            None,
        )
        .await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert_eq!(set.headers()[LOCATION], "/login?done=password");
    let again = browser
        .post_form(
            &link,
            "password=noch-eine-Passphrase&repeat=noch-eine-Passphrase",
            &service.base,
            None,
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE, "the link works once");

    let caseworker = session_of(&browser.login("cw@pool.test", "eine-gute-Passphrase").await);
    assert_eq!(browser.get("/", Some(&caseworker)).await.status(), StatusCode::OK);
    assert_eq!(
        browser.get("/board", Some(&caseworker)).await.status(),
        StatusCode::FORBIDDEN
    );

    let out = browser.post_form("/logout", "", &service.base, Some(&caseworker)).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = browser.get("/", Some(&caseworker)).await;
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is useless after logout"
    );
}
