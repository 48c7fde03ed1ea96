//! What the real binary logs and reports: a span per request with its route and request id, the
//! id echoed to the client, no link token or credential in the log, and `/readyz` watching
//! the database and both workers.
//!
//! The harness starts the binary itself, like `support::Service` does, but keeps its log.

use crate::support::{PUBLIC_BASE_URL, SmtpServer, TestDb, request_body, volunteer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

struct LoggedService {
    base: String,
    log: PathBuf,
    child: Child,
    smtp: SmtpServer,
    _database: TestDb,
}

impl LoggedService {
    /// `linguapool serve` at the default log level, its stderr going to a file. Returns the
    /// service and a coordinator's API token.
    async fn start() -> (Self, String) {
        let database = TestDb::from_env().await;
        let smtp = SmtpServer::start();
        let env = [
            ("LINGUAPOOL__DATABASE__URL", database.url.clone()),
            ("LINGUAPOOL__SERVER__ADDR", "127.0.0.1:0".to_owned()),
            ("LINGUAPOOL__PUBLIC_BASE_URL", PUBLIC_BASE_URL.to_owned()),
            ("LINGUAPOOL__EMAIL__TRANSPORT", "smtp".to_owned()),
            ("LINGUAPOOL__EMAIL__SMTP_URL", smtp.url()),
            ("LINGUAPOOL__EMAIL__POLL_INTERVAL_MS", "100".to_owned()),
            ("LINGUAPOOL_LOG", "info".to_owned()),
        ];
        let binary = env!("CARGO_BIN_EXE_linguapool");
        let output = Command::new(binary)
            .args([
                "user",
                "add",
                "--email",
                "koordination@pool.test",
                "--name",
                "Koordination",
            ])
            .args(["--role", "coordinator", "--api-token"])
            .envs(env.iter().cloned())
            .current_dir(&database.dir)
            .output()
            .expect("the linguapool binary runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let token = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_owned();

        let log = database.dir.join("serve.log");
        let mut child = Command::new(binary)
            .arg("serve")
            .envs(env.iter().cloned())
            .current_dir(&database.dir)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the linguapool binary starts");
        let stdout = child.stdout.take().unwrap();
        let base = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let address = lines.by_ref().map_while(Result::ok).find_map(|line| {
                line.strip_prefix("Linguapool listening on ")
                    .map(|a| a.trim().to_owned())
            });
            std::thread::spawn(move || for _ in lines {});
            address
        })
        .await
        .unwrap()
        .expect("the service printed its address");
        let service = Self {
            base,
            log,
            child,
            smtp,
            _database: database,
        };
        (service, token)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for LoggedService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_logged_by_route_and_request_id_without_secrets() {
    let (service, api_token) = LoggedService::start().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", service.base);

    let org = http
        .post(url("/api/v1/organisations"))
        .bearer_auth(&api_token)
        .json(&json!({"name": "Stadt Winnenden"}))
        .send()
        .await
        .unwrap();
    assert_eq!(org.status(), StatusCode::CREATED);
    let org: Value = org.json().await.unwrap();
    let created = http
        .post(url("/api/v1/volunteers"))
        .bearer_auth(&api_token)
        .json(&volunteer("Selam", "selam@pool.test", "tir"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut body = request_body("tir");
    body["organisation_id"] = org["id"].clone();
    let created = http
        .post(url("/api/v1/requests"))
        .bearer_auth(&api_token)
        .header("x-request-id", "e2e-create-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.headers()["x-request-id"],
        "e2e-create-1",
        "a sent id comes back"
    );

    let mail = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    let link = mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    let token = link.strip_prefix("/o/").unwrap().to_owned();
    let page = http
        .get(url(&link))
        .header("x-request-id", "e2e-offer-page")
        .header("cookie", "lp_session=a-cookie-that-stays-private")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let unknown = http
        .get(url("/o/not-a-real-token-but-still-private"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let fresh_id = unknown.headers()["x-request-id"].to_str().unwrap().to_owned();
    uuid::Uuid::parse_str(&fresh_id).expect("a fresh id when none was sent");

    let ready = http.get(url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["workers"]["mail"]["status"], "alive");
    assert_eq!(ready["workers"]["cascade"]["status"], "alive");

    let log = service.log();
    for expected in [
        "request{method=POST route=/api/v1/requests request_id=e2e-create-1}",
        "request{method=GET route=/o/{token} request_id=e2e-offer-page}",
        &format!("request{{method=GET route=/o/{{token}} request_id={fresh_id}}}"),
    ] {
        let line = log
            .lines()
            .find(|l| l.contains(expected) && l.contains("response"))
            .unwrap_or_else(|| panic!("no response line in {expected}:\n{log}"));
        assert!(line.contains("status=") && line.contains("latency_ms="), "{line}");
    }
    for secret in [
        token.as_str(),
        api_token.as_str(),
        "a-cookie-that-stays-private",
        "not-a-real-token-but-still-private",
        "Wer zuerst annimmt",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
    assert!(!log.contains(" ERROR "), "{log}");
}
