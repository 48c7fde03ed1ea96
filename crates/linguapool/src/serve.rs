//! Running the service: connect, start the mail and cascade workers, serve HTTP until told to
//! stop. Each worker beats a heartbeat that `/readyz` reads.

use crate::config::Config;
use anyhow::Context;
use lp_core::SystemClock;
use lp_core::heartbeat::Heartbeat;
use lp_core::isolate::catch_panic;
use lp_core::link::LinkResolver;
use lp_notify::{DeliveryWorker, Mailer, TransportKind};
use lp_requests::cascade::CascadeReport;
use lp_web::AppState;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LINGUAPOOL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal; plain text for a file, journald or a collector.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    config.prepare_database_dir()?;
    let options = lp_db::ConnectOptions {
        max_connections: config.database.max_connections,
        busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
        acquire_timeout: Duration::from_millis(config.database.acquire_timeout_ms),
    };
    lp_db::connect_with(&config.database.url, &options)
        .await
        .context("connecting to database.url")
}

/// How long a stop waits for the mail worker to finish its send before cutting it off (a
/// process manager's grace period is often 10 or 30 seconds in all).
const MAIL_STOP_GRACE: Duration = Duration::from_secs(5);

pub async fn serve(config: Config, db: DatabaseConnection) -> anyhow::Result<()> {
    // Leases and due times are written by one instance and compared by another: every
    // instance reads the database's clock (its own, moved by the measured offset).
    let database_clock = Arc::new(lp_db::DatabaseClock::new(Arc::new(SystemClock)));
    match database_clock.sync(&db).await {
        Ok(offset) => tracing::info!(offset_ms = offset.num_milliseconds(), "clock set to the database's"),
        Err(err) => tracing::warn!(%err, "cannot read the database's clock yet; using this machine's"),
    }
    let clock: Arc<dyn lp_core::Clock> = database_clock.clone();
    let mailer = Mailer::new(&config.mailer()).context("setting up email delivery")?;
    let mail_wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let server_key = Arc::new(config.server_key()?);
    // The mails' links are written in at send time, from the key and the configured base URL.
    let links = LinkResolver::new(server_key.clone(), &config.public_base_url);
    let worker = DeliveryWorker::new(db.clone(), mailer, links)
        .with_bounces(Arc::new(lp_registry::bounces::FlagVolunteers))
        .with_poll_interval(Duration::from_millis(config.email.poll_interval_ms));
    let mail_heartbeat = Arc::new(Heartbeat::new("mail", worker.beat_interval()));
    let worker = worker.with_heartbeat(mail_heartbeat.clone());
    let leases = worker.lease_holder();
    let worker = tokio::spawn(worker.run(mail_wake.clone(), stopped.clone()));
    let settings = Arc::new(config.request_settings(server_key.clone()));
    let tick = Duration::from_secs(config.matching.cascade_tick_seconds);
    let cascade_heartbeat = Arc::new(Heartbeat::new("cascade", tick));
    let trainings = Arc::new(config.training_settings(server_key));
    let retention = config.retention_settings();
    let cascade_pass = {
        let (db, settings, trainings, clock) = (db.clone(), settings.clone(), trainings.clone(), clock.clone());
        move || {
            let (db, settings, trainings, now) = (db.clone(), settings.clone(), trainings.clone(), clock.now());
            async move { due_pass(&db, &settings, &trainings, &retention, now).await }
        }
    };
    let resync = tokio::spawn(keep_clock_in_step(database_clock, db.clone(), stopped.clone()));
    let cascade = tokio::spawn(run_cascade(
        cascade_pass,
        mail_wake.clone(),
        tick,
        cascade_heartbeat.clone(),
        stopped,
    ));

    // The mailbox shows every message with its secret links: only where nobody but this
    // machine can reach it.
    let mailbox_dir = match config.email.transport {
        TransportKind::File if config.server.addr.ip().is_loopback() => Some(config.email.file_dir.clone()),
        TransportKind::File => {
            tracing::warn!("the local mailbox page is off: server.addr is not a loopback address");
            None
        }
        TransportKind::Smtp => None,
    };
    let state = AppState {
        db,
        clock,
        requests: settings,
        trainings,
        reports: Arc::new(config.report_settings()),
        mail_wake,
        mailbox_dir,
        web: Arc::new(config.web_settings()),
        workers: Arc::new([mail_heartbeat, cascade_heartbeat]),
    };
    let listener = tokio::net::TcpListener::bind(config.server.addr)
        .await
        .with_context(|| format!("cannot listen on server.addr {}", config.server.addr))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when server.addr ends in :0.
    println!("Linguapool listening on http://{address}");
    tracing::info!(%address, public_base_url = %config.public_base_url, "serving");
    axum::serve(
        listener,
        lp_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // Graceful stop: the server has answered every request in flight; the workers finish the
    // step they are in (a send waits at most for its timeout), then the mail leases this
    // instance holds go back, so another instance sends those mails at once.
    let _ = stop.send(true);
    let mut worker = worker;
    if tokio::time::timeout(MAIL_STOP_GRACE, &mut worker).await.is_err() {
        // A send hanging on a silent server would hold the stop for its whole timeout.
        worker.abort();
        tracing::warn!("the mail worker did not stop in time; stopped, and its leases released");
    }
    let _ = cascade.await;
    let _ = resync.await;
    if let Err(err) = leases.release().await {
        tracing::warn!(%err, "cannot release the mail leases; they lapse on their own");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Measures the distance to the database's clock again every minute (clocks drift, and NTP
/// steps them), until shutdown.
async fn keep_clock_in_step(
    clock: Arc<lp_db::DatabaseClock>,
    db: DatabaseConnection,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(lp_db::clock::RESYNC) => {}
            _ = shutdown.changed() => return,
        }
        if let Err(err) = clock.sync(&db).await {
            tracing::warn!(%err, "cannot read the database's clock; keeping the last offset");
        }
    }
}

/// Runs the cascade's due steps (waves, deadlines, expiries, reminders) every tick until
/// shutdown. Everything it needs is in the database, so nothing is lost between ticks. A pass
/// that fails or panics is logged and the next tick tries again (one request's panicking step
/// is caught inside the pass already, so the other requests are not held up). The heartbeat
/// is beaten after every pass, whatever its outcome: it tells whether the loop still turns.
async fn run_cascade<P, F>(
    mut pass: P,
    mail_wake: Arc<Notify>,
    tick: Duration,
    heartbeat: Arc<Heartbeat>,
    mut shutdown: watch::Receiver<bool>,
) where
    P: FnMut() -> F,
    F: Future<Output = anyhow::Result<DueReport>>,
{
    loop {
        match catch_panic(pass()).await {
            Ok(Ok(report)) if report.sent_mail() => {
                tracing::info!(?report, "due steps");
                mail_wake.notify_one();
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::warn!(err = format!("{err:#}"), "due step failed; retrying next tick"),
            Err(panic) => tracing::error!(%panic, "cascade pass panicked; retrying next tick"),
        }
        heartbeat.beat();
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// What one pass of the worker did: the cascade's steps and the trainings' (retention, which
/// sends no mail, logs its own).
#[derive(Debug, Default)]
struct DueReport {
    cascade: CascadeReport,
    trainings: lp_trainings::worker::TrainingPassReport,
}

impl DueReport {
    fn sent_mail(&self) -> bool {
        self.cascade.sent_mail() || self.trainings.sent_mail()
    }
}

/// Everything due at `now`: waves, deadlines, expiries and reminders of requests, then the
/// trainings' reminders and expiry notices. A failing half does not hold up the other.
async fn due_pass(
    db: &DatabaseConnection,
    settings: &lp_requests::RequestSettings,
    trainings: &lp_trainings::TrainingSettings,
    retention: &lp_requests::retention::RetentionSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<DueReport> {
    let cascade = lp_requests::cascade::run_due(db, settings, now).await;
    let training = lp_trainings::worker::run_due(db, trainings, now).await;
    let retained = lp_requests::retention::run(db, retention, now).await;
    if let Ok(report) = &retained
        && !report.is_empty()
    {
        tracing::info!(?report, "retention");
    }
    match (cascade, training, retained) {
        (Ok(cascade), Ok(trainings), Ok(_)) => Ok(DueReport { cascade, trainings }),
        (Err(err), _, _) => Err(anyhow::Error::new(err).context("cascade")),
        (_, Err(err), _) => Err(anyhow::Error::new(err).context("trainings")),
        (_, _, Err(err)) => Err(anyhow::Error::new(err).context("retention")),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn the_cascade_worker_lives_through_a_panicking_pass_and_keeps_beating() {
        let passes = Arc::new(AtomicUsize::new(0));
        let pass = {
            let passes = passes.clone();
            move || {
                let n = passes.fetch_add(1, Ordering::SeqCst);
                async move {
                    tokio::task::yield_now().await;
                    match n {
                        0 => panic!("the first pass panics"),
                        1 => Err(anyhow::anyhow!("the second fails")),
                        _ => Ok(DueReport {
                            cascade: CascadeReport {
                                waves: 1,
                                ..CascadeReport::default()
                            },
                            ..DueReport::default()
                        }),
                    }
                }
            }
        };
        let mail_wake = Arc::new(Notify::new());
        let heartbeat = Arc::new(Heartbeat::stuck_after("cascade", Duration::from_secs(3600)));
        // Any beat from here on is the worker's, not the heartbeat's creation.
        tokio::time::sleep(Duration::from_millis(10)).await;
        let started = std::time::Instant::now();
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(run_cascade(
            pass,
            mail_wake.clone(),
            Duration::from_millis(1),
            heartbeat.clone(),
            stopped,
        ));

        // The third pass sends mail and wakes the mail worker: the loop went on after the
        // panic and after the error.
        tokio::time::timeout(Duration::from_secs(10), mail_wake.notified())
            .await
            .expect("a pass after the panic ran");
        assert!(passes.load(Ordering::SeqCst) >= 3);
        assert!(heartbeat.since_last_beat() < started.elapsed(), "beaten by the worker");
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .expect("stops on shutdown")
            .expect("without a panic of its own");
    }
}
