//! Running the service: connect, start the mail worker, serve HTTP until told to stop.

use crate::config::Config;
use anyhow::Context;
use lp_core::SystemClock;
use lp_notify::{DeliveryWorker, Mailer, TransportKind};
use lp_web::AppState;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LINGUAPOOL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    config.prepare_database_dir()?;
    lp_db::connect(&config.database.url, config.database.max_connections)
        .await
        .context("connecting to database.url")
}

pub async fn serve(config: Config, db: DatabaseConnection) -> anyhow::Result<()> {
    let clock: Arc<dyn lp_core::Clock> = Arc::new(SystemClock);
    let mailer = Mailer::new(&config.mailer()).context("setting up email delivery")?;
    let mail_wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let worker = DeliveryWorker::new(db.clone(), mailer, clock.clone())
        .with_poll_interval(Duration::from_millis(config.email.poll_interval_ms));
    let worker = tokio::spawn(worker.run(mail_wake.clone(), stopped.clone()));
    let settings = Arc::new(config.request_settings());
    let cascade = tokio::spawn(run_cascade(
        db.clone(),
        settings.clone(),
        clock.clone(),
        mail_wake.clone(),
        Duration::from_secs(config.matching.cascade_tick_seconds),
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
        mail_wake,
        mailbox_dir,
        web: Arc::new(config.web_settings()),
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
    let _ = stop.send(true);
    let _ = worker.await;
    let _ = cascade.await;
    Ok(())
}

/// Runs the cascade's due steps (waves, deadlines, expiries, reminders) every tick until
/// shutdown. Everything it needs is in the database, so nothing is lost between ticks.
async fn run_cascade(
    db: DatabaseConnection,
    settings: Arc<lp_requests::RequestSettings>,
    clock: Arc<dyn lp_core::Clock>,
    mail_wake: Arc<Notify>,
    tick: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        match lp_requests::cascade::run_due(&db, &settings, clock.now()).await {
            Ok(report) if report.sent_mail() => {
                tracing::info!(?report, "cascade step");
                mail_wake.notify_one();
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "cascade step failed; retrying next tick"),
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
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
