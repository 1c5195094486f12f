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
    serve_with(app, handler, name, tag, options, shutdown, |_| ()).await
}

/// [`serve`], calling `on_session` with each session's delivery progress
/// (delivery tags restart with every channel) when the session starts; what
/// it returns is kept until the session ends and then dropped (a heartbeat's
/// drop guard, say).
pub async fn serve_with<H, S, G>(
    app: &App,
    handler: Arc<H>,
    name: &str,
    tag: &str,
    options: BatchOptions,
    shutdown: CancellationToken,
    on_session: S,
) -> anyhow::Result<()>
where
    H: Handler,
    S: Fn(Arc<Progress>) -> G,
    G: Send,
{
    shared::amqp::supervise(
        &app.settings.amqp,
        name,
        shutdown,
        |connection, shutdown| {
            let handler = handler.clone();
            let progress = Arc::new(Progress::default());
            let session = on_session(progress.clone());
            async move {
                let _session = session;
                run_session(
                    handler,
                    &app.topology,
                    &connection,
                    tag,
                    options,
                    progress,
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
