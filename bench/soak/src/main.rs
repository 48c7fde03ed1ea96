//! The accept race and the soak, against the real release binary on loopback, with a real SMTP
//! server in this process:
//!
//! 1. seeds a pool (`linguapool demo --volunteers N --history-days 0`);
//! 2. measures the resident memory of a fresh `serve` process idle;
//! 3. the race: rounds of one request offered to 50 volunteers at once, every offer link
//!    accepted twice at the same moment (a volunteer double-tapping): at least 100
//!    simultaneous accepts of one request, each timed; exactly one winner per round;
//! 4. the soak: mixed traffic for a while (filings, accepts from the delivered offer mails,
//!    request pages, the dashboard, API reads) with the worker mailing the SMTP server, the
//!    memory sampled every 10 s; every error counted.
//!
//! Settings by environment: SOAK_DATABASE_URL (required: `sqlite://…?mode=rwc` or
//! `postgres://…`, an empty database), LINGUAPOOL_BIN (default target/release/linguapool),
//! SOAK_VOLUNTEERS (1000), SOAK_RACE_ROUNDS (10), SOAK_SECONDS (600), SOAK_CLIENTS (8),
//! SOAK_SERVER_LOG (the service's log filter, `warn`).

use lp_testkit::SmtpServer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BASE_URL: &str = "http://soak.test";

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(bin: &str, args: &[&str], env: &[(String, String)], extra: &[(&str, &str)]) -> Self {
        let mut child = Command::new(bin)
            .args(args)
            .envs(env.iter().cloned())
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the linguapool binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut base = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(address) = line.strip_prefix("Linguapool listening on ") {
                base = Some(address.trim().to_owned());
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base: base.expect("the service printed its address"),
        }
    }

    /// Resident memory in MiB, from /proc.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }

    /// CPU time the process has used so far (user and system), in ms, from /proc.
    fn cpu_ms(&self) -> f64 {
        cpu_ms(&format!("/proc/{}/stat", self.child.id()))
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A run that panics takes its service down with it: one left running would spoil the next
/// run's figures (it did once, using a quarter of a core for an hour).
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn cli(bin: &str, args: &[&str], env: &[(String, String)]) -> String {
    let output = Command::new(bin)
        .args(args)
        .envs(env.iter().cloned())
        .output()
        .expect("the linguapool binary runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// User and system CPU time in ms from a `/proc/…/stat` file (clock ticks of 10 ms).
fn cpu_ms(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A weekday at `hour`:00 Berlin, `weeks` weeks and `day` days from three weeks ahead.
fn appointment(weeks: i64, day: i64, hour: u32) -> String {
    use chrono::{Datelike, Weekday};
    let mut date = chrono::Utc::now().date_naive() + chrono::Duration::days(21 + 7 * weeks + day);
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        date += chrono::Duration::days(1);
    }
    let local = date.and_hms_opt(hour, 0, 0).unwrap();
    format!("{}+01:00", local.format("%Y-%m-%dT%H:%M:%S"))
}

fn request_body(organisation: &str, language: &str, starts_at: &str, mode: &str) -> Value {
    json!({
        "language": language, "starts_at": starts_at, "duration_minutes": 60, "mode": mode,
        "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": "SOAK-1", "organisation_id": organisation
    })
}

/// Offer links in the mails delivered from `from` on.
fn offer_links(smtp: &SmtpServer, from: usize) -> Vec<String> {
    smtp.received()
        .into_iter()
        .skip(from)
        .filter_map(|m| m.link(BASE_URL, "/o/"))
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let database_url = std::env::var("SOAK_DATABASE_URL").expect("SOAK_DATABASE_URL names an empty database");
    let bin = setting("LINGUAPOOL_BIN", "target/release/linguapool");
    let volunteers = setting("SOAK_VOLUNTEERS", "1000");
    let rounds: usize = setting("SOAK_RACE_ROUNDS", "10").parse().unwrap();
    let soak_seconds: u64 = setting("SOAK_SECONDS", "600").parse().unwrap();
    let clients: usize = setting("SOAK_CLIENTS", "8").parse().unwrap();
    let smtp = SmtpServer::start();
    // `info` shows each request's latency as the service measured it.
    let server_log = setting("SOAK_SERVER_LOG", "warn");
    let dir = std::env::temp_dir().join(format!("lp-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env: Vec<(String, String)> = [
        ("LINGUAPOOL__DATABASE__URL", database_url.as_str()),
        ("LINGUAPOOL__SERVER__ADDR", "127.0.0.1:0"),
        ("LINGUAPOOL__PUBLIC_BASE_URL", BASE_URL),
        ("LINGUAPOOL__EMAIL__TRANSPORT", "smtp"),
        ("LINGUAPOOL__EMAIL__SMTP_URL", &smtp.url()),
        ("LINGUAPOOL__EMAIL__POLL_INTERVAL_MS", "100"),
        ("LINGUAPOOL__SECRET_KEY_FILE", dir.join("secret.key").to_str().unwrap()),
        ("LINGUAPOOL_LOG", server_log.as_str()),
        // All the load comes from one address and one user: the rate limits would throttle it.
        ("LINGUAPOOL__WEB__API_RATE_BURST", "100000000"),
        ("LINGUAPOOL__WEB__API_RATE_PER_SECOND", "1000000"),
        ("LINGUAPOOL__WEB__LINK_RATE_BURST", "100000000"),
        ("LINGUAPOOL__WEB__LINK_RATE_PER_SECOND", "1000000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    // 1. The pool.
    let started = Instant::now();
    let seeding = Server::start(
        &bin,
        &["demo", "--volunteers", &volunteers, "--history-days", "0"],
        &env,
        &[],
    );
    seeding.stop();
    println!(
        "seeded {volunteers} volunteers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let token = cli(
        &bin,
        &[
            "user",
            "add",
            "--email",
            "soak@pool.test",
            "--name",
            "Soak",
            "--role",
            "coordinator",
            "--api-token",
        ],
        &env,
    )
    .lines()
    .last()
    .unwrap()
    .trim()
    .to_owned();
    let password = cli(
        &bin,
        &[
            "user",
            "add",
            "--email",
            "page@pool.test",
            "--name",
            "Page",
            "--role",
            "coordinator",
        ],
        &env,
    )
    .lines()
    .last()
    .unwrap()
    .trim()
    .to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // 2. Idle memory of a fresh process (with the pool ranked once, as after the first request).
    let server = Server::start(&bin, &["serve"], &env, &[("LINGUAPOOL__MATCHING__WAVE_SIZE", "50")]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle_fresh = server.rss_mib();
    let organisations: Value = http
        .get(format!("{}/api/v1/organisations", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let organisation = organisations[0]["id"].as_str().unwrap().to_owned();
    let login = http
        .post(format!("{}/login", server.base))
        .header("origin", BASE_URL)
        .form(&[("email", "page@pool.test"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    let session = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("lp_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("a session");

    // The seeding's own mails (the demo's open requests) go out first, so they are not taken
    // for the race's offers: wait until nothing arrives for 3 s.
    let mut seen = smtp.received().len();
    loop {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = smtp.received().len();
        if now == seen {
            break;
        }
        seen = now;
    }

    // 3. The race.
    let mut latencies: Vec<f64> = Vec::new();
    let mut peak = server.rss_mib();
    for round in 0..rounds {
        // The hour with the most Arabic speakers free, of a few asked through the form's hint:
        // the offer goes to up to 50 at once.
        let mut best = (0u64, String::new());
        for attempt in 0..10u32 {
            let when = appointment(round as i64, i64::from(attempt % 5), 9 + attempt % 8);
            let (date, time) = (&when[..10], &when[11..16]);
            let hint: Value = http
                .get(format!(
                    "{}/requests/new/hint?language=ara&date={date}&time={time}&duration_minutes=60&mode=phone&setting=authority",
                    server.base
                ))
                .header("cookie", &session)
                .header("accept", "application/json")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let qualifying = hint["qualifying"].as_u64().unwrap_or(0);
            if qualifying > best.0 {
                best = (qualifying, when);
            }
        }
        let before = smtp.received().len();
        let body = request_body(&organisation, "ara", &best.1, "phone");
        let filed: Value = http
            .post(format!("{}/api/v1/requests", server.base))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = filed["id"].as_str().expect("filed").to_owned();
        let offers = filed["offers"].as_array().unwrap().len();
        assert!(offers >= 2, "round {round}: only {offers} offers");
        let deadline = Instant::now() + Duration::from_secs(60);
        let links = loop {
            let links = offer_links(&smtp, before);
            if links.len() >= offers {
                break links;
            }
            assert!(Instant::now() < deadline, "the offer mails arrive");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let copies = 100usize.div_ceil(links.len());
        let cpu_before = (server.cpu_ms(), cpu_ms("/proc/self/stat"));
        let barrier = Arc::new(tokio::sync::Barrier::new(links.len() * copies));
        let mut tasks = tokio::task::JoinSet::new();
        for link in &links {
            for _ in 0..copies {
                let (barrier, http, url) = (barrier.clone(), http.clone(), format!("{}{link}/accept", server.base));
                tasks.spawn(async move {
                    barrier.wait().await;
                    let started = Instant::now();
                    let status = http
                        .post(url)
                        .header("accept", "application/json")
                        .send()
                        .await
                        .map(|r| r.status());
                    (started.elapsed().as_secs_f64() * 1000.0, status)
                });
            }
        }
        let answers = tasks.join_all().await;
        // What the round cost the two cores: the service's CPU time and this client's.
        let cpu = (server.cpu_ms() - cpu_before.0, cpu_ms("/proc/self/stat") - cpu_before.1);
        peak = peak.max(server.rss_mib());
        let winners = answers.iter().filter(|(_, s)| matches!(s, Ok(StatusCode::OK))).count();
        let failures: Vec<String> = answers
            .iter()
            .filter_map(|(_, s)| match s {
                Ok(s) if s.is_success() || s.is_client_error() => None,
                other => Some(format!("{other:?}")),
            })
            .collect();
        let request: Value = http
            .get(format!("{}/api/v1/requests/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let accepted = request["offers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["state"] == "accepted")
            .count();
        let mut round_ms: Vec<f64> = answers.iter().map(|(ms, _)| *ms).collect();
        round_ms.sort_by(f64::total_cmp);
        println!(
            "race round {round}: {} accepts on {} offers, winners {winners}, accepted offers stored {accepted}, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, CPU service {:.0} ms client {:.0} ms{}",
            answers.len(),
            links.len(),
            percentile(&round_ms, 50.0),
            percentile(&round_ms, 99.0),
            round_ms.last().unwrap(),
            cpu.0,
            cpu.1,
            if failures.is_empty() {
                String::new()
            } else {
                format!(", FAILURES {failures:?}")
            }
        );
        assert_eq!((winners, accepted), (1, 1), "exactly one winner");
        latencies.extend(round_ms);
    }
    latencies.sort_by(f64::total_cmp);
    let idle_after = server.rss_mib();
    server.stop();
    println!(
        "race: {} accepts in {rounds} rounds: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; one winner each round",
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0.0)
    );
    println!(
        "memory: idle fresh {idle_fresh:.1} MiB; peak in the race {peak:.1} MiB; after the race {idle_after:.1} MiB"
    );

    // 4. The soak.
    if soak_seconds == 0 {
        return;
    }
    let server = Server::start(&bin, &["serve"], &env, &[]);
    let base = server.base.clone();
    let ids: Arc<Mutex<Vec<String>>> = Arc::default();
    let used_links = Arc::new(AtomicU64::new(0));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let counts: Arc<Mutex<std::collections::BTreeMap<&'static str, u64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let smtp = Arc::new(smtp);
    let mut workers = tokio::task::JoinSet::new();
    for client in 0..clients {
        let (http, base, token, session, organisation) = (
            http.clone(),
            base.clone(),
            token.clone(),
            session.clone(),
            organisation.clone(),
        );
        let (ids, used_links, errors, counts, stop, smtp) = (
            ids.clone(),
            used_links.clone(),
            errors.clone(),
            counts.clone(),
            stop.clone(),
            smtp.clone(),
        );
        workers.spawn(async move {
            let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ (client as u64 + 1);
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let languages = ["ara", "prs", "ukr", "tur", "tir", "rus", "kmr", "fas"];
            let mut filed = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let pick = next() % 100;
                let known = ids.lock().unwrap().clone();
                let any_id = (!known.is_empty()).then(|| known[(next() as usize) % known.len()].clone());
                let (op, sent) = match (pick, any_id) {
                    (0..15, _) | (_, None) => {
                        let language = languages[(next() as usize) % languages.len()];
                        filed += 1;
                        let when = appointment(filed / 20 + client as i64, filed % 5, 9 + (next() % 7) as u32);
                        let mode = if next() % 3 == 0 { "phone" } else { "on_site" };
                        let body = request_body(&organisation, language, &when, mode);
                        let sent = http
                            .post(format!("{base}/api/v1/requests"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await;
                        if let Ok(response) = &sent
                            && response.status() == StatusCode::CREATED
                        {
                            // The id is read below with the body.
                        }
                        ("file", sent)
                    }
                    (15..30, _) => {
                        let links = offer_links(&smtp, 0);
                        let n = used_links.fetch_add(1, Ordering::Relaxed) as usize;
                        match links.get(n) {
                            Some(link) => (
                                "accept",
                                http.post(format!("{base}{link}/accept"))
                                    .header("accept", "application/json")
                                    .send()
                                    .await,
                            ),
                            None => {
                                used_links.fetch_sub(1, Ordering::Relaxed);
                                continue;
                            }
                        }
                    }
                    (30..55, Some(id)) => (
                        "page",
                        http.get(format!("{base}/requests/{id}"))
                            .header("cookie", &session)
                            .send()
                            .await,
                    ),
                    (55..65, _) => (
                        "dashboard",
                        http.get(format!("{base}/")).header("cookie", &session).send().await,
                    ),
                    (_, Some(id)) => (
                        "api read",
                        http.get(format!("{base}/api/v1/requests/{id}"))
                            .bearer_auth(&token)
                            .send()
                            .await,
                    ),
                };
                *counts.lock().unwrap().entry(op).or_default() += 1;
                match sent {
                    Ok(response) => {
                        let status = response.status();
                        let text = response.text().await.unwrap_or_default();
                        // Refusals an accept may meet (taken, lapsed) are answers, not errors.
                        let fine =
                            status.is_success() || (op == "accept" && matches!(status.as_u16(), 404 | 409 | 410 | 422));
                        if !fine {
                            errors
                                .lock()
                                .unwrap()
                                .push(format!("{op}: {status} {}", &text[..text.len().min(200)]));
                        } else if op == "file"
                            && let Some(id) = serde_json::from_str::<Value>(&text)
                                .ok()
                                .and_then(|v| v["id"].as_str().map(str::to_owned))
                        {
                            ids.lock().unwrap().push(id);
                        }
                    }
                    Err(err) => errors.lock().unwrap().push(format!("{op}: {err}")),
                }
            }
        });
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(soak_seconds) {
        tokio::time::sleep(Duration::from_secs(10)).await;
        samples.push((started.elapsed().as_secs(), server.rss_mib()));
    }
    stop.store(true, Ordering::Relaxed);
    workers.join_all().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered = smtp.received().len();
    let final_rss = server.rss_mib();
    server.stop();
    let counts = counts.lock().unwrap().clone();
    let total: u64 = counts.values().sum();
    let errors = errors.lock().unwrap().clone();
    println!(
        "soak: {soak_seconds} s, {clients} clients, {total} requests ({:.0}/s): {counts:?}; {delivered} mails delivered over SMTP",
        total as f64 / soak_seconds as f64
    );
    println!(
        "soak errors: {}{}",
        errors.len(),
        if errors.is_empty() {
            String::new()
        } else {
            format!(" e.g. {:?}", &errors[..errors.len().min(5)])
        }
    );
    let series: Vec<String> = samples.iter().map(|(s, mib)| format!("{s}s {mib:.1}")).collect();
    println!("soak memory (MiB every 10 s): {}", series.join(", "));
    let settled: Vec<f64> = samples.iter().skip(samples.len() / 5).map(|(_, m)| *m).collect();
    if let (Some(first), Some(max)) = (settled.first(), settled.iter().copied().reduce(f64::max)) {
        println!(
            "soak memory: after the first fifth {first:.1} MiB, highest after it {max:.1} MiB, at the end {final_rss:.1} MiB"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(errors.is_empty(), "the soak met errors");
}
