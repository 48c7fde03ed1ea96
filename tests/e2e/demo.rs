//! `linguapool demo` run by hand, as a newcomer does: the first run seeds and prints the
//! staff's credentials, a second run prints them again (the same tokens, still working), and
//! `demo --reset` deletes the database and the mails of the local mailbox before seeding afresh.

use crate::support::TestDb;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `linguapool demo`, and what it printed before it listened.
struct Demo {
    child: Child,
    printed: String,
    base: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small demo pool (ten volunteers, no past) with its mail written to `mail_dir`.
async fn demo(database: &TestDb, mail_dir: &Path, extra: &[&str]) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linguapool"))
        .args(["demo", "--volunteers", "10", "--history-days", "0"])
        .args(extra)
        .env("LINGUAPOOL__DATABASE__URL", &database.url)
        .env("LINGUAPOOL__DATABASE__MAX_CONNECTIONS", "4")
        .env("LINGUAPOOL__SERVER__ADDR", "127.0.0.1:0")
        .env("LINGUAPOOL__EMAIL__TRANSPORT", "file")
        .env("LINGUAPOOL__EMAIL__FILE_DIR", mail_dir)
        .env("LINGUAPOOL__EMAIL__POLL_INTERVAL_MS", "100")
        .env("LINGUAPOOL_LOG", "warn")
        .current_dir(&database.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the linguapool binary starts");
    let stdout = child.stdout.take().unwrap();
    let (printed, base) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = String::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(address) = line.strip_prefix("Linguapool listening on ") {
                std::thread::spawn(move || for _ in lines {});
                return (printed, address.trim().to_owned());
            }
            printed.push_str(&line);
            printed.push('\n');
        }
        panic!("the demo stopped before it listened:\n{printed}");
    })
    .await
    .unwrap();
    Demo { child, printed, base }
}

fn mails(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_for_mails(dir: &Path) -> BTreeSet<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = mails(dir);
        if !found.is_empty() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's offers never reached {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The coordinator's line of the printed credentials: its password and API token.
fn coordinator_credentials(printed: &str) -> (String, String) {
    let line = printed
        .lines()
        .find(|l| l.trim_start().starts_with("coordinator@demo.linguapool.test"))
        .unwrap_or_else(|| panic!("no coordinator credentials in:\n{printed}"));
    let (password, token) = line.rsplit_once(" / ").unwrap();
    let password = password.split_whitespace().last().unwrap().to_owned();
    (password, token.trim().to_owned())
}

async fn token_works(base: &str, token: &str) -> bool {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/requests"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

#[tokio::test]
async fn demo_prints_credentials_every_time_and_reset_starts_afresh_without_old_mails() {
    let database = TestDb::from_env().await;
    let mail_dir = database.dir.join("mail");

    // First run: seeds, prints the credentials, and its offers land in the mailbox.
    let first = demo(&database, &mail_dir, &[]).await;
    assert!(
        first.printed.contains("Demo pool: 3 organisations"),
        "{}",
        first.printed
    );
    let (password, token) = coordinator_credentials(&first.printed);
    assert_eq!(password, "demo-password-1");
    assert!(token_works(&first.base, &token).await);
    let first_mails = wait_for_mails(&mail_dir).await;
    drop(first);

    // Second run on the same database: nothing seeded, the same credentials again.
    let second = demo(&database, &mail_dir, &[]).await;
    assert!(!second.printed.contains("Demo pool:"), "{}", second.printed);
    assert!(second.printed.contains("demo --reset"), "says how to start afresh");
    assert_eq!(
        coordinator_credentials(&second.printed),
        (password.clone(), token.clone())
    );
    assert!(token_works(&second.base, &token).await);
    drop(second);
    assert!(
        mails(&mail_dir).is_superset(&first_mails),
        "a plain rerun keeps the mails"
    );

    // A stale mail from long ago, and then a reset: the old mails are gone, a new pool is
    // seeded, and the credentials are printed once more.
    std::fs::write(mail_dir.join("stale.eml"), "Subject: old\r\n\r\nold").unwrap();
    let reset = demo(&database, &mail_dir, &["--reset"]).await;
    assert!(
        reset.printed.contains("Demo pool: 3 organisations"),
        "{}",
        reset.printed
    );
    let after = mails(&mail_dir);
    assert!(after.is_disjoint(&first_mails), "old mails left: {after:?}");
    assert!(!mail_dir.join("stale.eml").exists());
    let (password, new_token) = coordinator_credentials(&reset.printed);
    assert_eq!(password, "demo-password-1");
    assert!(token_works(&reset.base, &new_token).await);
    let requests: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/requests", reset.base))
        .bearer_auth(&new_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        requests.as_array().unwrap().len() <= 12,
        "one demo's requests, not two: {}",
        requests.as_array().unwrap().len()
    );
}
