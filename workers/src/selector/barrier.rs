//! The close barrier. A registration submitted before the close may still be
//! in the queue or in a validator's hands when the operator closes; the draw
//! starts only once none can be:
//! 1. the queue has no ready message;
//! 2. a drain epoch is raised, and every live validator reports it drained:
//!    everything it had received when it saw the epoch is committed and acked;
//! 3. no consumer is unaccounted for, and the queue is still empty.
//!
//! Anything requeued in between (a validator died) sends us back to step 1.

use std::time::Duration;

use anyhow::Context;
use shared::amqp::{Queue, connect_with_retry};
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// Waits for the barrier of `wave_id`; `Ok(false)` if stopped first.
pub async fn wait_for_drain(
    app: &App,
    wave_id: i32,
    shutdown: &CancellationToken,
) -> anyhow::Result<bool> {
    let Some(connection) =
        connect_with_retry(&app.settings.amqp, "selector barrier", shutdown).await
    else {
        return Ok(false);
    };
    let channel = connection.create_channel().await?;
    app.topology
        .declare_one(&channel, Queue::RegistrationsSubmitted)
        .await
        .context("declaring the queues")?;
    let poll = Duration::from_millis(app.settings.selector.drain_poll_ms);
    let liveness = app.settings.selector.liveness_secs as f64;
    let mut last_note = std::time::Instant::now() - Duration::from_secs(60);
    let result = loop {
        let state = app
            .topology
            .inspect(&channel, Queue::RegistrationsSubmitted)
            .await?;
        if state.ready > 0 {
            if last_note.elapsed() > Duration::from_secs(10) {
                tracing::info!(
                    wave_id,
                    ready = state.ready,
                    consumers = state.consumers,
                    "waiting for registrations.submitted to drain before the draw"
                );
                last_note = std::time::Instant::now();
            }
            if sleep_or_stop(poll, shutdown).await {
                break false;
            }
            continue;
        }
        let epoch: i64 =
            sqlx::query_scalar("INSERT INTO drain_requests (wave_id) VALUES ($1) RETURNING epoch")
                .bind(wave_id)
                .fetch_one(&app.pool)
                .await?;
        match await_epoch(app, &channel, epoch, liveness, poll, shutdown).await? {
            Some(true) => break true,
            Some(false) => continue,
            None => break false,
        }
    };
    let _ = connection.close(200, "barrier passed".into()).await;
    Ok(result)
}

/// `Some(true)`: drained; `Some(false)`: the queue refilled; `None`: stopped.
async fn await_epoch(
    app: &App,
    channel: &lapin::Channel,
    epoch: i64,
    liveness: f64,
    poll: Duration,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<bool>> {
    let mut last_warning = std::time::Instant::now();
    loop {
        let (drained, live): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE drained_epoch >= $1), count(*) FROM validator_instances \
              WHERE heartbeat_at > now() - make_interval(secs => $2)",
        )
        .bind(epoch)
        .bind(liveness)
        .fetch_one(&app.pool)
        .await?;
        let state = app
            .topology
            .inspect(channel, Queue::RegistrationsSubmitted)
            .await?;
        if state.ready > 0 {
            return Ok(Some(false));
        }
        if drained == live && i64::from(state.consumers) <= live {
            return Ok(Some(true));
        }
        if last_warning.elapsed() > Duration::from_secs(30) {
            last_warning = std::time::Instant::now();
            tracing::warn!(
                epoch,
                drained,
                live,
                consumers = state.consumers,
                "validators have not all confirmed the close barrier yet"
            );
        }
        if sleep_or_stop(poll, shutdown).await {
            return Ok(None);
        }
    }
}

async fn sleep_or_stop(delay: Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => true,
        () = tokio::time::sleep(delay) => false,
    }
}
