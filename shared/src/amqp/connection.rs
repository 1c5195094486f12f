//! Connecting to RabbitMQ, and supervising a session: when the broker goes
//! away, the whole session (connection, channels, prefetch, consumers) is
//! rebuilt with backoff. lapin's own automatic recovery is not used. With
//! the nodes of a cluster in `amqp.url`, a connection goes to the first that
//! accepts one, so a worker whose node died moves to a live one.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use lapin::tcp::OwnedTLSConfig;
use lapin::{Connection, ConnectionProperties};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::config::AmqpSettings;

/// Opens a connection named after the process (visible in the broker's UI)
/// to the first broker of `amqp.url` that accepts one within
/// `amqp.connect_timeout_secs`; the error names every broker tried.
pub async fn connect(settings: &AmqpSettings, name: &str) -> anyhow::Result<Connection> {
    let brokers = settings.brokers()?;
    let limit = Duration::from_secs(settings.connect_timeout_secs.max(1));
    let ca = match &settings.ca_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("amqp.ca_file: reading {}", path.display()))?,
        ),
        None => None,
    };
    let mut failures = Vec::with_capacity(brokers.len());
    for broker in &brokers {
        let properties = ConnectionProperties::default().with_connection_name(name.into());
        let attempt = open(broker.url.expose_secret(), properties, ca.clone());
        match tokio::time::timeout(limit, attempt).await {
            Ok(Ok(connection)) => {
                if brokers.len() > 1 {
                    tracing::info!(connection = name, broker = %broker.address, "connected to a cluster node");
                }
                return Ok(connection);
            }
            Ok(Err(error)) => failures.push(format!("{}: {error}", broker.address)),
            Err(_) => failures.push(format!("{}: no answer within {limit:?}", broker.address)),
        }
    }
    anyhow::bail!("connecting to RabbitMQ: {}", failures.join("; "))
}

/// One connection attempt; with a CA (`amqp.ca_file`), TLS trusts it.
async fn open(
    url: &str,
    properties: ConnectionProperties,
    ca: Option<String>,
) -> lapin::Result<Connection> {
    match ca {
        None => Connection::connect(url, properties).await,
        Some(pem) => {
            let config = OwnedTLSConfig {
                identity: None,
                cert_chain: Some(pem),
            };
            let runtime = lapin::runtime::default_runtime()?;
            Connection::connect_with_config(url, properties, config, runtime).await
        }
    }
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
                tracing::warn!(error = %crate::mask::free_text(&format!("{error:#}")), retry_in_ms = delay.as_millis() as u64, "RabbitMQ unreachable");
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
    // Registered for readiness (`/readyz`): live while connected.
    let live = super::sessions::register(name);
    loop {
        let Some(connection) = connect_with_retry(settings, name, &shutdown).await else {
            return Ok(());
        };
        tracing::info!(connection = name, "connected to RabbitMQ");
        live.set_live(true);
        let started = Instant::now();
        let ended = session(connection, shutdown.clone()).await;
        live.set_live(false);
        match ended {
            Ok(()) => return Ok(()),
            Err(error) => {
                if started.elapsed() > Duration::from_secs(30) {
                    backoff.reset();
                }
                let delay = backoff.next_delay();
                crate::events::SessionEnded {
                    connection: name,
                    error: &error,
                    retry_in: delay,
                }
                .emit();
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}
