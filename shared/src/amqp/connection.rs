//! Connecting to RabbitMQ, and supervising a session: when the broker goes
//! away, the whole session (connection, channels, prefetch, consumers) is
//! rebuilt with backoff. lapin's own automatic recovery is not used.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use lapin::{Connection, ConnectionProperties};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::config::AmqpSettings;

/// Opens a connection named after the process (visible in the broker's UI).
pub async fn connect(settings: &AmqpSettings, name: &str) -> anyhow::Result<Connection> {
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    Connection::connect(settings.url.expose_secret(), properties)
        .await
        .context("connecting to RabbitMQ")
}

/// Connects, retrying with backoff until it succeeds or `shutdown` fires
/// (`None` then).
pub async fn connect_with_retry(
    settings: &AmqpSettings,
    name: &str,
    shutdown: &CancellationToken,
) -> Option<Connection> {
    let mut backoff = Backoff::new(Duration::from_secs(settings.max_backoff_secs));
    loop {
        match connect(settings, name).await {
            Ok(connection) => return Some(connection),
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %format!("{error:#}"), retry_in_ms = delay.as_millis() as u64, "RabbitMQ unreachable");
                tokio::select! {
                    () = shutdown.cancelled() => return None,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// Runs `session` on a fresh connection until it returns `Ok` (a clean stop),
/// reconnecting with backoff after every error. The session gets the stop
/// signal and must return `Ok` once it has finished or handed back its
/// in-flight work.
pub async fn supervise<F, Fut>(
    settings: &AmqpSettings,
    name: &str,
    shutdown: CancellationToken,
    mut session: F,
) -> anyhow::Result<()>
where
    F: FnMut(Connection, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut backoff = Backoff::new(Duration::from_secs(settings.max_backoff_secs));
    loop {
        let Some(connection) = connect_with_retry(settings, name, &shutdown).await else {
            return Ok(());
        };
        tracing::info!(connection = name, "connected to RabbitMQ");
        let started = Instant::now();
        match session(connection, shutdown.clone()).await {
            Ok(()) => return Ok(()),
            Err(error) => {
                if started.elapsed() > Duration::from_secs(30) {
                    backoff.reset();
                }
                let delay = backoff.next_delay();
                tracing::warn!(error = %format!("{error:#}"), retry_in_ms = delay.as_millis() as u64, "session ended; reconnecting");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}
