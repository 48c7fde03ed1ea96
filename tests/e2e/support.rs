//! The end-to-end harness: each test gets its own database (SQLite file, or a fresh PostgreSQL
//! database when `TEST_DATABASE_URL` names a server), its own SMTP server inside the test
//! process, and the real `linguapool` binary listening on a free loopback port.

pub use lp_testkit::{SmtpServer, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const PUBLIC_BASE_URL: &str = "http://linguapool.test";

// ---------------------------------------------------------------------------------------------
// The service

pub struct Service {
    pub base: String,
    pub database: TestDb,
    pub smtp: SmtpServer,
    child: Child,
    http: reqwest::Client,
    env: Vec<(String, String)>,
}

impl Service {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// The rate limits as shipped in config/default.toml, for tests of the throttling.
    pub const DEFAULT_BUDGETS: [(&'static str, &'static str); 2] = [
        ("LINGUAPOOL__WEB__LINK_RATE_BURST", "60"),
        ("LINGUAPOOL__WEB__API_RATE_BURST", "500"),
    ];

    /// Starts `linguapool serve` on a free port, with mail going to a fresh SMTP server.
    pub async fn start_with(extra_env: &[(&str, &str)]) -> Self {
        let database = TestDb::from_env().await;
        let smtp = SmtpServer::start();
        let mut env: Vec<(String, String)> = vec![
            ("LINGUAPOOL__DATABASE__URL".into(), database.url.clone()),
            ("LINGUAPOOL__DATABASE__MAX_CONNECTIONS".into(), "8".into()),
            ("LINGUAPOOL__SERVER__ADDR".into(), "127.0.0.1:0".into()),
            ("LINGUAPOOL__PUBLIC_BASE_URL".into(), PUBLIC_BASE_URL.into()),
            ("LINGUAPOOL__EMAIL__TRANSPORT".into(), "smtp".into()),
            ("LINGUAPOOL__EMAIL__SMTP_URL".into(), smtp.url()),
            ("LINGUAPOOL__EMAIL__POLL_INTERVAL_MS".into(), "100".into()),
            ("LINGUAPOOL_LOG".into(), "warn".into()),
            // Every test talks from 127.0.0.1, many links and API calls in a row: the budgets are
            // raised here, and a test about throttling sets them back (`Service::DEFAULT_BUDGETS`).
            ("LINGUAPOOL__WEB__LINK_RATE_BURST".into(), "100000".into()),
            ("LINGUAPOOL__WEB__API_RATE_BURST".into(), "100000".into()),
        ];
        env.extend(extra_env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let (child, base) = spawn_serve(&env, &database.dir).await;
        Self {
            base,
            database,
            smtp,
            child,
            http: reqwest::Client::new(),
            env,
        }
    }

    /// Kills the process at once (SIGKILL): no shutdown runs, as after a crash or power loss.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the process to stop (SIGTERM) and waits until it exited; its exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "no exit within 30 s of SIGTERM");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Starts the process again on the same database, configuration and port (so the clients
    /// made before go on working).
    pub async fn restart(&mut self) {
        let addr = self.base.trim_start_matches("http://").to_owned();
        let mut env = self.env.clone();
        env.push(("LINGUAPOOL__SERVER__ADDR".into(), addr));
        let (child, base) = spawn_serve(&env, &self.database.dir).await;
        assert_eq!(base, self.base, "the same address again");
        self.child = child;
    }

    /// A second `serve` process on the same database, SMTP server and configuration, on a port
    /// of its own: two instances behind a proxy.
    pub async fn another_instance(&self) -> Instance {
        let (child, base) = spawn_serve(&self.env, &self.database.dir).await;
        Instance { child, base }
    }

    /// Runs a CLI command of the binary against the same database and configuration.
    /// The first coordinator, `chief@pool.test`, made at the command line as an operator
    /// makes one: the one-time password it prints.
    pub fn first_coordinator(&self) -> String {
        let output = self.cli(&[
            "user",
            "add",
            "--email",
            "chief@pool.test",
            "--name",
            "Koordination",
            "--role",
            "coordinator",
        ]);
        output.lines().last().unwrap().trim().to_owned()
    }

    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_linguapool"))
            .args(args)
            .envs(self.env.iter().cloned())
            .current_dir(&self.database.dir)
            .output()
            .expect("the linguapool binary runs");
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A coordinator created with `linguapool user add ... --api-token`.
    pub fn coordinator(&self) -> Api {
        let output = self.cli(&[
            "user",
            "add",
            "--email",
            "coordinator@pool.test",
            "--name",
            "Koordination",
            "--role",
            "coordinator",
            "--api-token",
        ]);
        let token = output.lines().last().expect("a last line").trim().to_owned();
        self.api(&token)
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            base: self.base.clone(),
            token: Some(token.to_owned()),
            http: self.http.clone(),
        }
    }

    pub fn anonymous(&self) -> Api {
        Api {
            base: self.base.clone(),
            token: None,
            http: self.http.clone(),
        }
    }
}

/// Starts `linguapool serve` with `env` and waits for the address it listens on.
async fn spawn_serve(env: &[(String, String)], dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linguapool"))
        .arg("serve")
        .envs(env.iter().cloned())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the linguapool binary starts");
    let stdout = child.stdout.take().unwrap();
    let base = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(address) = line.strip_prefix("Linguapool listening on ") {
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return Some(address.trim().to_owned());
            }
        }
        None
    })
    .await
    .unwrap()
    .expect("the service printed its address");
    (child, base)
}

/// Another process of the same service, stopped when dropped.
pub struct Instance {
    child: Child,
    pub base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

#[derive(Clone)]
pub struct Api {
    pub base: String,
    token: Option<String>,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn error_field(&self) -> Option<&str> {
        self.body["error"]["field"].as_str()
    }
}

impl Api {
    /// The same client, talking to another instance.
    pub fn at(&self, base: &str) -> Api {
        Api {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// A request with this API's token, to add headers of a test's own before [`send`](Self::send).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(&self, builder: reqwest::RequestBuilder) -> Answer {
        let response = builder.send().await.expect("the service answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> Answer {
        let builder = self
            .request(reqwest::Method::POST, path)
            .header("content-type", content_type)
            .body(body.to_owned());
        self.send(builder).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(self.request(reqwest::Method::PUT, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(self.request(reqwest::Method::PATCH, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::DELETE, path)).await
    }

    /// A volunteer's link action as a phone's browser would send it (HTML answer).
    pub async fn link_post_html(&self, path: &str) -> Answer {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("accept", "text/html"),
        )
        .await
    }

    /// A volunteer's link action from a phone's browser, the redirect not followed: the 303
    /// answer, and the page its `Location` shows.
    pub async fn link_post_redirected(&self, path: &str) -> (Answer, Answer) {
        let no_follow = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let answer = self
            .send(
                no_follow
                    .post(format!("{}{path}", self.base))
                    .header("accept", "text/html"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}: {}", answer.text);
        let location = answer.headers["location"].to_str().expect("a location").to_owned();
        assert!(location.starts_with('/'), "{path} redirects off the site: {location}");
        let page = self.link_get(&location).await;
        (answer, page)
    }

    /// A link action asking for JSON.
    pub async fn link_post_json(&self, path: &str) -> Answer {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("accept", "application/json"),
        )
        .await
    }

    pub async fn link_get(&self, path: &str) -> Answer {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header("accept", "text/html"),
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// Pool fixtures

/// An organisation with a caseworker; returns (organisation id, caseworker's API).
pub async fn organisation_with_caseworker(service: &Service, coordinator: &Api, name: &str) -> (String, Api) {
    let org = coordinator.post("/api/v1/organisations", json!({ "name": name })).await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text);
    let org_id = org.body["id"].as_str().unwrap().to_owned();
    let slug: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let user = coordinator
        .post(
            "/api/v1/users",
            json!({
                "email": format!("cw@{slug}.test"), "name": format!("Fachkraft {name}"), "role": "caseworker",
                "organisation_id": org_id, "password": "a long enough password"
            }),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    let token = user.body["api_token"].as_str().unwrap().to_owned();
    (org_id, service.api(&token))
}

/// A volunteer who passes every rule for a weekday on-site job in Winnenden.
pub fn volunteer(name: &str, email: &str, language: &str) -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri"];
    json!({
        "name": name, "email": email, "phone": "+49 151 000000",
        "languages": [{"code": language, "proficiency": "native"}],
        "german_level": "B2", "modes": ["on_site", "phone"], "service_area": ["Winnenden", "Schwaikheim"],
        "availability": days.iter().map(|d| json!({"weekday": d, "start": "08:00", "end": "18:00"})).collect::<Vec<_>>(),
        "max_assignments_per_month": 8,
        "confidentiality_signed_on": "2026-03-02", "training_completed_on": "2026-02-01",
        "status": "active"
    })
}

/// Registers `count` [`volunteer`]s speaking `language`, "{name} {i}" at
/// `{name lower-cased}{i}@pool.test`; returns what the API answered for each.
pub async fn speakers(coordinator: &Api, name: &str, language: &str, count: usize) -> Vec<Value> {
    let mut created = Vec::new();
    for i in 0..count {
        let email = format!("{}{i}@pool.test", name.to_lowercase());
        let answer = coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("{name} {i}"), &email, language),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        created.push(answer.body);
    }
    created
}

/// The offer link in the first mail to each of [`speakers`]' first `count` addresses, in order.
pub async fn first_offer_links(service: &Service, name: &str, count: usize) -> Vec<String> {
    let mut links = Vec::new();
    for i in 0..count {
        let address = format!("{}{i}@pool.test", name.to_lowercase());
        let mail = service.smtp.wait_for(&address, 1).await.remove(0);
        links.push(mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link"));
    }
    links
}

/// A weekday at 10:00 Berlin time, two to three weeks ahead of the real clock the binary uses.
pub fn appointment_start() -> String {
    use chrono::{Datelike, Duration as Days, Weekday};
    let mut day = chrono::Utc::now().with_timezone(&lp_core::time::POOL_TZ).date_naive() + Days::days(14);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Days::days(1);
    }
    let start = lp_core::time::local_to_utc(day, chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    start.with_timezone(&lp_core::time::POOL_TZ).fixed_offset().to_rfc3339()
}

pub fn request_body(language: &str) -> Value {
    json!({
        "language": language, "starts_at": appointment_start(), "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": "IM-2026-0147", "notes": "Termin Ausländerbehörde"
    })
}
