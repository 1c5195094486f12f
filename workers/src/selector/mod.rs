//! The selector: consumes `waves.closed`, and runs each closed wave's draw
//! (`prakerja-selection-v1`) as a job recorded in the database; announces the
//! selected on `participants.selected` through an outbox.

mod barrier;
pub mod inputs;
mod job;
mod jobs;
mod persist;
pub mod skew_check;

use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::consume::{BatchOptions, Handler, serve};
use crate::relay::{Announcements, advisory_key};

pub use inputs::{CandidateInfo, prior as prior_counts};
pub use job::{JobEnd, run_job};
pub use jobs::{JobsHandler, enqueue, next_job};

/// Runs the selector until `shutdown`.
pub async fn run(app: App, shutdown: CancellationToken) -> anyhow::Result<()> {
    let wake = Arc::new(Notify::new());
    let relay_wake = Arc::new(Notify::new());
    let mut tasks = JoinSet::new();
    {
        let app = app.clone();
        let handler = Arc::new(JobsHandler {
            pool: app.pool.clone(),
            wake: wake.clone(),
        });
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            let tag = format!("selector-{}", uuid::Uuid::new_v4());
            let options = BatchOptions {
                batch_size: 10,
                max_wait: Duration::from_millis(10),
                prefetch: 20,
                max_backoff: Duration::from_secs(app.settings.amqp.max_backoff_secs),
                parallel: 1,
                max_body_bytes: app.settings.limits.max_body_bytes(handler.queue()),
            };
            serve(&app, handler, "selector", &tag, options, shutdown).await
        });
    }
    tasks.spawn(runner(
        app.clone(),
        wake,
        relay_wake.clone(),
        shutdown.clone(),
    ));
    tasks.spawn(crate::disburser::relay_task(
        app.clone(),
        Announcements {
            pool: app.pool.clone(),
        },
        relay_wake,
        shutdown.clone(),
    ));
    tracing::info!("selector started");
    let mut result = Ok(());
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined.map_err(anyhow::Error::from).and_then(|r| r) {
            tracing::error!(error = %shared::mask::free_text(&format!("{error:#}")), "a selector task failed; stopping");
            shutdown.cancel();
            result = Err(error);
        }
    }
    tracing::info!("selector stopped");
    result
}

/// Works through draw jobs one at a time (across every selector: an
/// advisory lock), oldest first.
async fn runner(
    app: App,
    wake: Arc<Notify>,
    relay_wake: Arc<Notify>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut backoff =
        shared::backoff::Backoff::new(Duration::from_secs(app.settings.amqp.max_backoff_secs));
    loop {
        let delay = match step(&app, &shutdown).await {
            Ok(Step::Idle) => Duration::from_secs(2),
            Ok(Step::Busy) => Duration::from_secs(1),
            Ok(Step::Done) => {
                backoff.reset();
                relay_wake.notify_waiters();
                continue;
            }
            Ok(Step::Stopped) => return Ok(()),
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %shared::mask::free_text(&format!("{error:#}")), retry_in_ms = delay.as_millis() as u64, "draw failed; retrying");
                delay
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = wake.notified() => {}
            () = tokio::time::sleep(delay) => {}
        }
    }
}

enum Step {
    Idle,
    Busy,
    Done,
    Stopped,
}

async fn step(app: &App, shutdown: &CancellationToken) -> anyhow::Result<Step> {
    let Some(wave_id) = next_job(&app.pool).await? else {
        return Ok(Step::Idle);
    };
    let mut lock = app.pool.acquire().await?.detach();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(advisory_key("selection-draws"))
        .fetch_one(&mut lock)
        .await?;
    if !locked {
        let _ = lock.close().await;
        return Ok(Step::Busy);
    }
    let result = run_job(app, wave_id, shutdown).await;
    let _ = lock.close().await;
    match result {
        Ok(JobEnd::Drawn) => Ok(Step::Done),
        Ok(JobEnd::Stopped) => Ok(Step::Stopped),
        Err(error) => {
            job::record_failure(app, wave_id, &error).await;
            Err(error)
        }
    }
}
