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
    lp_core::db::connect(&config.database.url, config.database.max_connections)
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
    let worker = tokio::spawn(worker.run(mail_wake.clone(), stopped));

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
        requests: Arc::new(config.request_settings()),
        mail_wake,
        mailbox_dir,
    };
    let listener = tokio::net::TcpListener::bind(config.server.addr)
        .await
        .with_context(|| format!("cannot listen on server.addr {}", config.server.addr))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when server.addr ends in :0.
    println!("Linguapool listening on http://{address}");
    tracing::info!(%address, public_base_url = %config.public_base_url, "serving");
    axum::serve(listener, lp_web::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop.send(true);
    let _ = worker.await;
    Ok(())
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
