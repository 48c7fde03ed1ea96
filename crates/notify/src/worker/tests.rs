//! The worker against a real database and a real SMTP server on a loopback port.

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use lp_core::clock::ManualClock;
use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::ConnectionTrait;

use super::*;
use crate::outbox::{self, DEAD, PENDING, SENT};
use crate::templates::{AssignmentConfirmedMail, OfferMail, StaffWelcomeMail};
use crate::test_support::{Received, SmtpServer, TestDb, free_addr, sample_email, smtp_mailer};
use crate::{MailerConfig, TransportKind, enqueue, mailbox};

fn start_time() -> DateTime<Utc> {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

fn worker(db: &DatabaseConnection, mailer: Mailer, clock: &ManualClock) -> DeliveryWorker {
    DeliveryWorker::new(db.clone(), mailer, Arc::new(clock.clone()))
}

fn offer_mail() -> OfferMail {
    OfferMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        language_de: "Tigrinya".to_owned(),
        language_en: "Tigrinya".to_owned(),
        starts_at: "2026-12-03T09:00:00Z".parse().unwrap(),
        duration_minutes: 60,
        mode_de: "vor Ort".to_owned(),
        mode_en: "on site".to_owned(),
        town: Some("Winnenden".to_owned()),
        setting_de: "Behörde".to_owned(),
        setting_en: "authority".to_owned(),
        accept_url: "http://127.0.0.1:8080/o/c2VjcmV0LXRva2VuLTEyOA".to_owned(),
        availability_url: None,
        expires_at: "2026-12-02T17:00:00Z".parse().unwrap(),
        series_dates: Vec::new(),
    }
}

async fn row(db: &impl ConnectionTrait, id: Uuid) -> Row {
    outbox::load(db, &id.to_string()).await.unwrap().expect("outbox row")
}

fn parse(received: &Received) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(&received.raw)
        .expect("a parsable message")
}

#[tokio::test]
async fn enqueued_email_is_delivered_once_and_its_row_blanked() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let mail = offer_mail();
    let id = enqueue(&db.conn, &mail.email(), clock.now()).await.unwrap();

    let report = worker.deliver_due().await.unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            retried: 0,
            dead: 0
        }
    );
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["selam@example.org"]);
    let message = parse(&received[0]);
    assert_eq!(
        message.subject(),
        Some("Dolmetscheinsatz Tigrinya am 03.12.2026 – Interpreting job")
    );
    assert_eq!(message.message_id(), Some(format!("{id}@linguapool").as_str()));
    assert_eq!(
        message.from().and_then(|f| f.first()).and_then(|a| a.address()),
        Some("pool@localhost")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains(&mail.accept_url), "{text}");
    assert!(
        text.contains("für Tigrinya") && text.contains("Wer zuerst annimmt"),
        "{text}"
    );
    let html = message
        .html_part(0)
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents())
        .unwrap();
    assert!(html.contains(&mail.accept_url));

    let row = row(&db.conn, id).await;
    assert_eq!(row.status, SENT);
    assert_eq!(row.sent_at, Some(clock.now()));
    assert_eq!((row.body_text.as_str(), row.body_html.as_str()), ("", ""));
    assert_eq!((row.lease_owner, row.lease_until, row.attempts), (None, None, 0));
    assert_eq!(row.subject, mail.email().subject, "the metadata stays");
}

#[tokio::test]
async fn confirmation_arrives_with_its_calendar_attachment() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let mail = AssignmentConfirmedMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        language_de: "Tigrinya".to_owned(),
        language_en: "Tigrinya".to_owned(),
        starts_at: "2026-12-03T09:00:00Z".parse().unwrap(),
        duration_minutes: 60,
        mode_de: "vor Ort".to_owned(),
        mode_en: "on site".to_owned(),
        town: Some("Winnenden".to_owned()),
        address: Some("Marktplatz 1".to_owned()),
        notes: None,
        organisation_name: "Stadt Winnenden".to_owned(),
        caseworker_name: "Jörg Müller".to_owned(),
        caseworker_email: "j.mueller@example.org".to_owned(),
        client_ref: None,
        manage_url: Some("http://127.0.0.1:8080/o/bWFuYWdl".to_owned()),
        video_url: None,
        calendar_url: None,
        request_id: "7f1c2a9e-1111-4222-8333-944455556666".to_owned(),
        more_dates: Vec::new(),
    };
    let id = enqueue(&db.conn, &mail.email(), clock.now()).await.unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);

    let received = server.received();
    let message = parse(&received[0]);
    assert!(message.body_text(0).unwrap().contains("Jörg Müller"));
    let attachment = message.attachment(0).expect("the .ics attachment");
    assert_eq!(attachment.attachment_name(), Some("einsatz.ics"));
    let content_type = attachment.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("text", Some("calendar"))
    );
    let ics = attachment.text_contents().unwrap();
    assert!(ics.contains("LOCATION:Marktplatz 1\\, Winnenden"), "{ics}");

    let row = row(&db.conn, id).await;
    assert_eq!(row.attachment_body, None);
    assert_eq!(row.attachment_name.as_deref(), Some("einsatz.ics"));
}

#[tokio::test]
async fn smtp_outage_delays_mail_without_losing_or_doubling_it() {
    let db = TestDb::from_env().await;
    let addr = free_addr();
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&format!("smtp://{addr}")), &clock);
    let id = enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();

    // Nobody listens: the connection is refused.
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 0,
            retried: 1,
            dead: 0
        }
    );
    let failed = row(&db.conn, id).await;
    assert_eq!((failed.status.as_str(), failed.attempts), (PENDING, 1));
    assert_eq!(failed.next_attempt_at, clock.now() + chrono::Duration::seconds(30));
    assert_eq!((failed.lease_owner, failed.lease_until), (None, None));
    let error = failed.last_error.expect("the error is recorded");
    assert!(error.starts_with("smtp:") && !error.contains("secret-token"), "{error}");
    assert!(failed.body_text.contains("secret-token"), "kept for the retry");

    // The server comes up, but the row waits for its next attempt.
    let server = SmtpServer::start_on(TcpListener::bind(addr).unwrap(), false);
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    assert!(server.received().is_empty());

    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 1,
            retried: 0,
            dead: 0
        }
    );
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    assert_eq!(server.received().len(), 1);
    let sent = row(&db.conn, id).await;
    assert_eq!((sent.status.as_str(), sent.attempts, sent.last_error), (SENT, 1, None));
}

#[tokio::test]
async fn repeated_failures_end_dead_after_max_attempts() {
    let db = TestDb::from_env().await;
    let clock = ManualClock::new(start_time());
    let mailer = smtp_mailer(&format!("smtp://{}", free_addr()));
    let worker = worker(&db.conn, mailer, &clock).with_max_attempts(3);
    let id = enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(worker.deliver_due().await.unwrap().retried, 1);
        clock.advance(chrono::Duration::hours(2));
    }
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 0,
            retried: 0,
            dead: 1
        }
    );
    let dead = row(&db.conn, id).await;
    assert_eq!((dead.status.as_str(), dead.attempts), (DEAD, 3));
    clock.advance(chrono::Duration::days(1));
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
}

#[tokio::test]
async fn refused_recipient_goes_dead_at_once() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start_refusing();
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let id = enqueue(&db.conn, &sample_email("gone@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 0,
            retried: 0,
            dead: 1
        }
    );
    let dead = row(&db.conn, id).await;
    assert_eq!((dead.status.as_str(), dead.attempts), (DEAD, 1));
    assert!(dead.last_error.unwrap().contains("550"));
    assert!(server.received().is_empty());
}

/// Two instances with their own pools and transports drain the same outbox at once.
async fn two_workers_deliver_each_message_once(db: &TestDb) {
    const EMAILS: usize = 20;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let mut ids = HashSet::new();
    for i in 0..EMAILS {
        let id = enqueue(&db.conn, &sample_email(&format!("v{i}@example.org")), clock.now())
            .await
            .unwrap();
        ids.insert(id);
    }
    let first = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let second = worker(&db.second_connection().await, smtp_mailer(&server.url()), &clock);

    let (a, b) = tokio::join!(first.deliver_due(), second.deliver_due());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, EMAILS, "{a:?} {b:?}");
    assert_eq!(a.retried + b.retried + a.dead + b.dead, 0);

    let received = server.received();
    assert_eq!(received.len(), EMAILS);
    let message_ids: HashSet<String> = received
        .iter()
        .map(|r| parse(r).message_id().unwrap().to_owned())
        .collect();
    let expected: HashSet<String> = ids.iter().map(|id| format!("{id}@linguapool")).collect();
    assert_eq!(message_ids, expected);
    for id in ids {
        assert_eq!(row(&db.conn, id).await.status, SENT);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_deliver_each_message_exactly_once() {
    let db = TestDb::from_env().await;
    two_workers_deliver_each_message_once(&db).await;
}

fn temp_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lp-notify-{name}-{}", Uuid::new_v4()))
}

#[tokio::test]
async fn file_transport_writes_messages_the_mailbox_lists_and_reads() {
    let db = TestDb::from_env().await;
    let root = temp_dir("mailbox");
    let dir = root.join("mail");
    let mailer = Mailer::new(&MailerConfig {
        transport: TransportKind::File,
        smtp_url: None,
        from: "Dolmetscherpool <pool@localhost>".to_owned(),
        file_dir: dir.clone(),
        send_timeout: Duration::from_secs(5),
    })
    .unwrap();
    assert!(dir.is_dir(), "the mailer makes its directory");
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, mailer, &clock);
    let offer = offer_mail();
    enqueue(&db.conn, &offer.email(), clock.now()).await.unwrap();
    clock.advance(chrono::Duration::minutes(1));
    let welcome = StaffWelcomeMail {
        to: "cw@example.org".to_owned(),
        name: "Jörg Müller".to_owned(),
        role_de: "Fallbearbeitung".to_owned(),
        role_en: "caseworker".to_owned(),
        login_url: "http://127.0.0.1:8080/login".to_owned(),
        set_password_url: "http://127.0.0.1:8080/password/s3cret-link".to_owned(),
        valid_until: "28.11.2026".to_owned(),
    };
    enqueue(&db.conn, &welcome.email(), clock.now()).await.unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().sent, 2);

    let entries = mailbox::list(&dir).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].subject, welcome.email().subject, "newest first");
    assert_eq!(entries[0].to, "cw@example.org");
    assert_eq!(entries[0].date, Some(start_time() + chrono::Duration::minutes(1)));
    assert_eq!(entries[1].subject, offer.email().subject);

    let message = mailbox::read(&dir, &entries[1].id).unwrap().expect("the offer");
    assert_eq!(message.entry, entries[1]);
    assert!(message.text.contains(&offer.accept_url) && message.text.contains("für Tigrinya"));
    assert!(message.html.expect("an html part").contains(&offer.accept_url));

    // A file next to the mailbox exists, and still cannot be read through it.
    std::fs::write(root.join("x.eml"), b"Subject: outside\r\n\r\nnot yours\r\n").unwrap();
    assert!(mailbox::read(&dir, "../x").unwrap().is_none());
    assert!(mailbox::read(&dir, "nonexistent").unwrap().is_none());
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn run_delivers_when_woken_and_stops_on_shutdown() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    // A poll interval this long means only the wake can deliver in time.
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock).with_poll_interval(Duration::from_secs(3600));
    let wake = Arc::new(Notify::new());
    let (stop, shutdown) = watch::channel(false);
    let handle = tokio::spawn(worker.run(Arc::clone(&wake), shutdown));

    enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();
    wake.notify_one();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.received().is_empty() {
        assert!(std::time::Instant::now() < deadline, "not delivered after the wake");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("stops")
        .unwrap();
    assert_eq!(server.received().len(), 1);
}

const POISON: &str = "poison@example.org";

/// A transport that panics on every message to [`POISON`] until `healed`.
fn panicking_on_poison(healed: &Arc<AtomicBool>) -> SendHook {
    let healed = Arc::clone(healed);
    Arc::new(move |row: &Row| {
        if row.to_address == POISON && !healed.load(Ordering::SeqCst) {
            panic!("the transport choked on {}", row.id);
        }
    })
}

#[tokio::test]
async fn a_panicking_send_backs_off_while_the_other_mail_goes_out() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let healed = Arc::new(AtomicBool::new(false));
    let mut worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    worker.before_send = Some(panicking_on_poison(&healed));
    let poison = enqueue(&db.conn, &sample_email(POISON), clock.now()).await.unwrap();
    for to in ["a@example.org", "b@example.org"] {
        enqueue(&db.conn, &sample_email(to), clock.now()).await.unwrap();
    }

    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 2,
            retried: 1,
            dead: 0
        }
    );
    let failed = row(&db.conn, poison).await;
    assert_eq!((failed.status.as_str(), failed.attempts), (PENDING, 1));
    assert_eq!(failed.next_attempt_at, clock.now() + chrono::Duration::seconds(30));
    assert_eq!((failed.lease_owner, failed.lease_until), (None, None));
    assert_eq!(failed.last_error.as_deref(), Some("the send panicked (see the log)"));
    assert!(failed.body_text.contains("secret-token"), "kept for the retry");

    // No hot loop: the row waits out its backoff, which doubles after the next panic.
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(worker.deliver_due().await.unwrap().retried, 1);
    let failed = row(&db.conn, poison).await;
    assert_eq!(failed.attempts, 2);
    assert_eq!(failed.next_attempt_at, clock.now() + chrono::Duration::seconds(60));

    // Fixed: it goes out once, and nothing went out twice.
    healed.store(true, Ordering::SeqCst);
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    let received = server.received();
    assert_eq!(received.len(), 3);
    assert_eq!(received.iter().filter(|r| r.to == [POISON]).count(), 1);
    assert_eq!(row(&db.conn, poison).await.status, SENT);
}

#[tokio::test]
async fn a_send_that_always_panics_ends_dead_after_max_attempts() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let mut worker = worker(&db.conn, smtp_mailer(&server.url()), &clock).with_max_attempts(2);
    worker.before_send = Some(panicking_on_poison(&Arc::new(AtomicBool::new(false))));
    let poison = enqueue(&db.conn, &sample_email(POISON), clock.now()).await.unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().retried, 1);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(worker.deliver_due().await.unwrap().dead, 1);
    let dead = row(&db.conn, poison).await;
    assert_eq!((dead.status.as_str(), dead.attempts), (DEAD, 2));
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn run_lives_through_a_panicking_send_and_keeps_beating() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let heartbeat = Arc::new(Heartbeat::new("mail", Duration::from_millis(20)));
    let mut worker = worker(&db.conn, smtp_mailer(&server.url()), &clock)
        .with_poll_interval(Duration::from_millis(20))
        .with_heartbeat(Arc::clone(&heartbeat));
    worker.before_send = Some(panicking_on_poison(&Arc::new(AtomicBool::new(false))));
    enqueue(&db.conn, &sample_email(POISON), clock.now()).await.unwrap();
    enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();
    // Any beat from here on is the running worker's, not the heartbeat's creation.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let started = std::time::Instant::now();
    let (stop, shutdown) = watch::channel(false);
    let handle = tokio::spawn(worker.run(Arc::new(Notify::new()), shutdown));

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.received().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the good message never went out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Passes go on after the panic.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!handle.is_finished(), "the worker is still running");
    assert!(
        heartbeat.since_last_beat() < started.elapsed(),
        "beaten since the start"
    );
    assert!(!heartbeat.is_stuck());
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("stops")
        .expect("ended without a panic");
    assert_eq!(server.received().len(), 1);
}

#[test]
fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
    let minutes = |attempts| backoff(attempts).as_secs_f64() / 60.0;
    assert_eq!(backoff(1), Duration::from_secs(30));
    assert_eq!(backoff(2), Duration::from_secs(60));
    assert_eq!(minutes(7), 32.0);
    assert_eq!(backoff(8), Duration::from_secs(3600));
    assert_eq!(backoff(40), Duration::from_secs(3600));
}

#[tokio::test]
async fn lease_always_outlasts_the_send_timeout() {
    let db = TestDb::from_env().await;
    let clock = ManualClock::new(start_time());
    let mailer = smtp_mailer("smtp://127.0.0.1:1");
    let send_timeout = mailer.send_timeout();
    let worker = worker(&db.conn, mailer, &clock).with_lease(Duration::from_secs(1));
    assert!(worker.lease() > send_timeout);
}
