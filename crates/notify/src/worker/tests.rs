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
use crate::test_support::{
    BASE, Received, SmtpBehaviour, SmtpServer, TestDb, free_addr, links, mailer_config, sample_email, smtp_mailer,
};
use crate::{MailerConfig, TransportKind, enqueue, mailbox};

fn start_time() -> DateTime<Utc> {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

/// A worker on the test's clock, so backoffs can be stepped through.
fn worker(db: &DatabaseConnection, mailer: Mailer, clock: &ManualClock) -> DeliveryWorker {
    DeliveryWorker::new(db.clone(), mailer, links().0).with_clock(Arc::new(clock.clone()))
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
        accept_window_minutes: 0,
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
    assert_eq!(message.message_id(), Some(format!("{id}@localhost").as_str()));
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
    let server = SmtpServer::start_on(TcpListener::bind(addr).unwrap(), SmtpBehaviour::Accept);
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
    let expected: HashSet<String> = ids.iter().map(|id| format!("{id}@localhost")).collect();
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
        reply_to: None,
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

// ---------------------------------------------------------------------------------------------
// Links written in at send time

#[tokio::test]
async fn links_are_written_in_at_send_time_and_the_outbox_never_holds_a_token() {
    use lp_core::link::{LinkKind, LinkSeed};
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let (links, key) = links();
    let worker = DeliveryWorker::new(db.conn.clone(), smtp_mailer(&server.url()), links);
    let offer = LinkSeed::fresh(LinkKind::Offer, Uuid::new_v4());
    let availability = LinkSeed::fresh(LinkKind::Availability, Uuid::new_v4());
    let mail = OfferMail {
        accept_url: offer.placeholder(),
        availability_url: Some(availability.placeholder()),
        ..offer_mail()
    };
    let id = enqueue(&db.conn, &mail.email(), start_time()).await.unwrap();
    let queued = row(&db.conn, id).await;
    for token in [offer.token(&key), availability.token(&key)] {
        assert!(!queued.body_text.contains(&token) && !queued.body_html.contains(&token));
    }
    assert!(queued.body_text.contains(&offer.placeholder()));

    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    let received = &server.received()[0];
    let offer_url = format!("{BASE}/o/{}", offer.token(&key));
    let availability_url = format!("{BASE}/v/{}", availability.token(&key));
    for body in [&received.text, &received.html] {
        assert!(body.contains(&offer_url) && body.contains(&availability_url), "{body}");
        assert!(!body.contains("⟦"), "{body}");
    }
    assert_eq!(received.link(BASE, "/o/").unwrap(), format!("/o/{}", offer.token(&key)));
}

#[tokio::test]
async fn a_placeholder_that_does_not_read_dead_letters_the_mail_instead_of_sending_it() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let mut email = sample_email("a@example.org");
    email.text = "⟦link:o:broken⟧".to_owned();
    let id = enqueue(&db.conn, &email, clock.now()).await.unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().dead, 1);
    assert!(server.received().is_empty());
    assert!(row(&db.conn, id).await.last_error.unwrap().contains("link"));
}

// ---------------------------------------------------------------------------------------------
// Headers real mail servers expect

#[tokio::test]
async fn mail_has_a_message_id_of_the_senders_domain_is_auto_submitted_and_replies_go_to_the_coordinator() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let clock = ManualClock::new(start_time());
    let config = MailerConfig {
        from: "Dolmetscherpool <dolmetscherpool@stadt.example>".to_owned(),
        reply_to: Some("Koordination Dolmetscherpool <koordination@stadt.example>".to_owned()),
        ..mailer_config(&server.url())
    };
    let worker = worker(&db.conn, Mailer::new(&config).unwrap(), &clock);
    let id = enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    let received = server.received();
    let message = parse(&received[0]);
    assert_eq!(message.message_id(), Some(format!("{id}@stadt.example").as_str()));
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    let reply_to = message.reply_to().and_then(|r| r.first()).expect("a Reply-To");
    assert_eq!(reply_to.address(), Some("koordination@stadt.example"));
    assert_eq!(reply_to.name(), Some("Koordination Dolmetscherpool"));

    // Without a configured Reply-To, answers go to the sender as usual.
    let plain = worker_with(&db.conn, &server, &clock, None);
    enqueue(&db.conn, &sample_email("b@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(plain.deliver_due().await.unwrap().sent, 1);
    let received = server.received_by("b@example.org");
    let message = parse(&received[0]);
    assert!(message.reply_to().is_none());
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
}

fn worker_with(
    db: &DatabaseConnection,
    server: &SmtpServer,
    clock: &ManualClock,
    reply_to: Option<&str>,
) -> DeliveryWorker {
    let config = MailerConfig {
        reply_to: reply_to.map(str::to_owned),
        ..mailer_config(&server.url())
    };
    worker(db, Mailer::new(&config).unwrap(), clock)
}

#[test]
fn a_reply_to_that_is_no_address_is_refused_at_the_start() {
    let config = MailerConfig {
        reply_to: Some("not an address".to_owned()),
        ..mailer_config("smtp://127.0.0.1:1")
    };
    let err = Mailer::new(&config).err().expect("refused").to_string();
    assert!(err.contains("email.reply_to"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// SMTP faults

#[tokio::test]
async fn a_server_that_says_try_later_delays_every_mail_until_it_takes_each_once() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start_with(SmtpBehaviour::TryLater);
    let clock = ManualClock::new(start_time());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock);
    let mut ids = Vec::new();
    for i in 0..3 {
        let to = format!("v{i}@example.org");
        ids.push(enqueue(&db.conn, &sample_email(&to), clock.now()).await.unwrap());
    }
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 0,
            retried: 3,
            dead: 0
        }
    );
    assert!(row(&db.conn, ids[0]).await.last_error.unwrap().contains("451"));
    server.set_behaviour(SmtpBehaviour::Accept);
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(worker.deliver_due().await.unwrap().sent, 3);
    clock.advance(chrono::Duration::hours(3));
    assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    let received = server.received();
    assert_eq!(received.len(), 3);
    let message_ids: HashSet<String> = received.iter().filter_map(|r| r.message_id.clone()).collect();
    let expected: HashSet<String> = ids.iter().map(|id| format!("{id}@localhost")).collect();
    assert_eq!(message_ids, expected);
}

#[tokio::test]
async fn a_send_cut_off_after_the_server_took_it_comes_again_with_the_same_message_id() {
    let db = TestDb::from_env().await;
    // The server takes the message, but answers only after the client has given up.
    let server = SmtpServer::start_with(SmtpBehaviour::Slow(Duration::from_millis(1500)));
    let clock = ManualClock::new(start_time());
    let config = MailerConfig {
        send_timeout: Duration::from_millis(500),
        ..mailer_config(&server.url())
    };
    let worker = worker(&db.conn, Mailer::new(&config).unwrap(), &clock);
    let id = enqueue(&db.conn, &sample_email("a@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().retried, 1);
    server.wait_for("a@example.org", 1).await;
    server.set_behaviour(SmtpBehaviour::Accept);
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(worker.deliver_due().await.unwrap().sent, 1);
    let copies = server.received_by("a@example.org");
    assert_eq!(copies.len(), 2);
    let expected = format!("{id}@localhost");
    assert!(
        copies
            .iter()
            .all(|c| c.message_id.as_deref() == Some(expected.as_str()))
    );
    let dates: HashSet<_> = copies.iter().map(|c| parse(c).date().map(|d| d.to_rfc3339())).collect();
    assert_eq!(dates.len(), 1, "the same Date on both copies");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_the_worker_goes_on() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start_with(SmtpBehaviour::Silent);
    let clock = ManualClock::new(start_time());
    let config = MailerConfig {
        send_timeout: Duration::from_millis(700),
        ..mailer_config(&server.url())
    };
    let worker = worker(&db.conn, Mailer::new(&config).unwrap(), &clock);
    for to in ["a@example.org", "b@example.org"] {
        enqueue(&db.conn, &sample_email(to), clock.now()).await.unwrap();
    }
    let started = std::time::Instant::now();
    let report = tokio::time::timeout(Duration::from_secs(10), worker.deliver_due())
        .await
        .expect("the pass ends: every send is bounded")
        .unwrap();
    assert_eq!(report.retried, 2, "{report:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let failed = outbox::unsent(&db.conn, 10).await.unwrap();
    assert!(failed.iter().all(|e| e.state == crate::OutboxState::Failed));

    server.set_behaviour(SmtpBehaviour::Accept);
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(worker.deliver_due().await.unwrap().sent, 2);
    assert_eq!(server.received().len(), 2);
}

#[derive(Default)]
struct BounceLog(std::sync::Mutex<Vec<String>>);

impl Bounces for BounceLog {
    fn bounced<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        address: &'a str,
        _at: DateTime<Utc>,
    ) -> Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>> {
        Box::pin(async move {
            // Inside the transaction that dead-letters the row: it reads as dead already.
            let status: String = txn
                .query_one_raw(sea_orm::Statement::from_string(
                    txn.get_database_backend(),
                    format!("SELECT status FROM outbox_emails WHERE to_address = '{address}'"),
                ))
                .await?
                .unwrap()
                .try_get("", "status")?;
            assert_eq!(status, DEAD);
            self.0.lock().unwrap().push(address.to_owned());
            Ok(())
        })
    }
}

#[tokio::test]
async fn an_address_refused_for_good_dead_letters_its_mail_and_is_reported_while_others_go_out() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start_with(SmtpBehaviour::RefuseOne("gone@example.org".to_owned()));
    let clock = ManualClock::new(start_time());
    let log = Arc::new(BounceLog::default());
    let worker = worker(&db.conn, smtp_mailer(&server.url()), &clock).with_bounces(log.clone());
    let gone = enqueue(&db.conn, &sample_email("gone@example.org"), clock.now())
        .await
        .unwrap();
    enqueue(&db.conn, &sample_email("here@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        DeliveryReport {
            sent: 1,
            retried: 0,
            dead: 1
        }
    );
    assert_eq!(*log.0.lock().unwrap(), ["gone@example.org"]);
    let dead = row(&db.conn, gone).await;
    assert_eq!((dead.status.as_str(), dead.attempts), (DEAD, 1));
    // Never tried again, however long the worker runs.
    for _ in 0..3 {
        clock.advance(chrono::Duration::hours(5));
        assert_eq!(worker.deliver_due().await.unwrap(), DeliveryReport::default());
    }
    assert_eq!(server.attempts_for("gone@example.org"), 1);

    // A server in trouble (451) is no bounce.
    server.set_behaviour(SmtpBehaviour::TryLater);
    enqueue(&db.conn, &sample_email("later@example.org"), clock.now())
        .await
        .unwrap();
    assert_eq!(worker.deliver_due().await.unwrap().retried, 1);
    assert_eq!(log.0.lock().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Leases on the database's clock

/// Two instances whose clocks are a day apart: each writes a mail with its own time, and their
/// workers race for both while the first send is in flight. `own_clocks` gives each worker its
/// instance's clock (as before leases used the database's).
async fn race_of_instances_a_day_apart(db: &TestDb, own_clocks: bool) -> (SmtpServer, Vec<Uuid>) {
    let server = SmtpServer::start_with(SmtpBehaviour::Slow(Duration::from_millis(800)));
    let real = Utc::now();
    let (behind, ahead) = (real - chrono::Duration::hours(1), real + chrono::Duration::days(1));
    let ids = vec![
        enqueue(&db.conn, &sample_email("a@example.org"), behind).await.unwrap(),
        enqueue(&db.conn, &sample_email("b@example.org"), ahead).await.unwrap(),
    ];
    let make = |conn: DatabaseConnection, at: DateTime<Utc>| {
        let worker = DeliveryWorker::new(conn, smtp_mailer(&server.url()), links().0);
        if own_clocks {
            worker.with_clock(Arc::new(ManualClock::new(at)))
        } else {
            worker
        }
    };
    let first = make(db.conn.clone(), behind);
    let second = make(db.second_connection().await, ahead);
    let first = tokio::spawn(async move { first.deliver_due().await.unwrap() });
    // The first instance is inside its first send when the second one looks.
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.deliver_due().await.unwrap();
    first.await.unwrap();
    (server, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_whose_clocks_are_a_day_apart_send_each_mail_once() {
    let db = TestDb::from_env().await;
    let (server, ids) = race_of_instances_a_day_apart(&db, false).await;
    for (id, to) in ids.iter().zip(["a@example.org", "b@example.org"]) {
        assert_eq!(server.received_by(to).len(), 1, "{to}");
        assert_eq!(
            row(&db.conn, *id).await.status,
            SENT,
            "sent at once, whatever its writer's clock"
        );
    }

    // The race finds what it looks for: with each instance's own clock, the one a day ahead
    // takes the lease of the one behind and sends its mail a second time.
    let db = TestDb::from_env().await;
    let (server, _) = race_of_instances_a_day_apart(&db, true).await;
    assert_eq!(server.received_by("a@example.org").len(), 2);
}

#[tokio::test]
async fn released_leases_make_their_rows_due_at_once_for_another_worker() {
    let db = TestDb::from_env().await;
    let server = SmtpServer::start();
    let leaving = DeliveryWorker::new(db.conn.clone(), smtp_mailer(&server.url()), links().0);
    let staying = DeliveryWorker::new(db.conn.clone(), smtp_mailer(&server.url()), links().0);
    let now = lp_db::database_now(&db.conn).await.unwrap();
    let mine = enqueue(&db.conn, &sample_email("a@example.org"), now).await.unwrap();
    let theirs = enqueue(&db.conn, &sample_email("b@example.org"), now).await.unwrap();
    // Each holds a lease, as when a process stops in the middle of its sends.
    let until = now + chrono::Duration::minutes(5);
    assert!(
        outbox::claim(&db.conn, &mine.to_string(), &leaving.owner, now, until)
            .await
            .unwrap()
    );
    assert!(
        outbox::claim(&db.conn, &theirs.to_string(), "another", now, until)
            .await
            .unwrap()
    );
    assert_eq!(staying.deliver_due().await.unwrap(), DeliveryReport::default());

    let holder = leaving.lease_holder();
    drop(leaving);
    assert_eq!(holder.release().await.unwrap(), 1);
    assert_eq!(holder.release().await.unwrap(), 0, "nothing left to release");
    let released = row(&db.conn, mine).await;
    assert_eq!((released.lease_owner, released.lease_until), (None, None));
    assert_eq!(
        row(&db.conn, theirs).await.lease_owner.as_deref(),
        Some("another"),
        "not its lease"
    );

    assert_eq!(staying.deliver_due().await.unwrap().sent, 1);
    assert_eq!(server.received_by("a@example.org").len(), 1);
    assert!(server.received_by("b@example.org").is_empty());
    assert_eq!(
        staying.release_leases().await.unwrap(),
        0,
        "a worker between sends holds none"
    );
}
