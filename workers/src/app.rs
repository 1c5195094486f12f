//! What every binary builds first: settings, the database pool and the queue
//! names, plus the stop signal.

use std::sync::Arc;

use shared::amqp::Topology;
use shared::config::Settings;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// Shared handles of a process.
#[derive(Clone, Debug)]
pub struct App {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub topology: Topology,
}

impl App {
    /// Builds the handles from settings; connects to nothing yet.
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        let pool = shared::db::pool(&settings.database)?;
        let topology = Topology::new(&settings.amqp.prefix, settings.amqp.delivery_limit)
            .declaring(settings.amqp.declare_queues);
        Ok(Self {
            settings: Arc::new(settings),
            pool,
            topology,
        })
    }
}

/// A token cancelled on SIGTERM or Ctrl-C.
pub fn stop_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => tracing::info!("Ctrl-C received; stopping"),
            () = term => tracing::info!("SIGTERM received; stopping"),
        }
        trigger.cancel();
    });
    token
}
