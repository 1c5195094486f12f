//! A consumer for the life of a worker: sessions of [`run_session`] on a
//! connection that is rebuilt with backoff whenever it fails.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{BatchOptions, Handler, Progress, run_session};
use crate::app::App;

/// Consumes `handler`'s queue until `shutdown`, reconnecting after every
/// failure; `name` names the connection, `tag` the consumer.
pub async fn serve<H: Handler>(
    app: &App,
    handler: Arc<H>,
    name: &str,
    tag: &str,
    options: BatchOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    shared::amqp::supervise(
        &app.settings.amqp,
        name,
        shutdown,
        |connection, shutdown| {
            let handler = handler.clone();
            async move {
                run_session(
                    handler,
                    &app.topology,
                    &connection,
                    tag,
                    options,
                    Arc::new(Progress::default()),
                    &shutdown,
                )
                .await?;
                let _ = connection.close(200, "stopping".into()).await;
                Ok(())
            }
        },
    )
    .await
}
