//! A relay for the life of a worker: [`super::run`] on a RabbitMQ connection
//! that is rebuilt with backoff whenever it fails.

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::OutboxSource;
use crate::app::App;

/// Relays `source` until `shutdown`, reconnecting as needed; `wake` shortens
/// the idle wait after a commit that wrote outbox rows.
pub async fn supervise<S: OutboxSource>(
    app: App,
    source: S,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let source = Arc::new(source);
    let name = format!("relay {}", source.name());
    shared::amqp::supervise(
        &app.settings.amqp,
        &name,
        shutdown,
        |connection, shutdown| {
            super::run(
                source.clone(),
                app.pool.clone(),
                app.topology.clone(),
                connection,
                app.settings.disburser.relay_batch,
                wake.clone(),
                shutdown,
            )
        },
    )
    .await
}
