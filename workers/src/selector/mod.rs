//! The selector: consumes `waves.closed`, and runs each closed wave's draw
//! (`prakerja-selection-v1`) as a job recorded in the database; announces the
//! selected on `participants.selected` through an outbox.

mod barrier;
pub mod draw_v2;
pub mod inputs;
mod job;
mod jobs;
mod persist;
pub mod skew_check;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::consume::{BatchOptions, Handler, serve};
use crate::relay::{self, Announcements};
use crate::worker::{AdvisoryLock, Next, Tasks, poll};

pub use inputs::{CandidateInfo, prior as prior_counts};
pub use job::{JobEnd, run_job};
pub use jobs::{JobsHandler, enqueue, next_job};

/// Runs the selector until `shutdown`.
pub async fn run(app: App, shutdown: CancellationToken) -> anyhow::Result<()> {
    let wake = Arc::new(Notify::new());
    let relay_wake = Arc::new(Notify::new());
    let mut tasks = Tasks::new("selector");
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
    tasks.spawn(relay::supervise(
        app.clone(),
        Announcements {
            pool: app.pool.clone(),
        },
        relay_wake,
        shutdown.clone(),
    ));
    tasks.join(&shutdown).await
}

/// Works through draw jobs one at a time (across every selector: an
/// advisory lock), oldest first.
async fn runner(
    app: App,
    wake: Arc<Notify>,
    relay_wake: Arc<Notify>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let max_backoff = Duration::from_secs(app.settings.amqp.max_backoff_secs);
    poll("draw", max_backoff, &wake, &shutdown, || async {
        let next = step(&app, &shutdown).await?;
        if next == Next::Now {
            relay_wake.notify_waiters();
        }
        Ok(next)
    })
    .await
}

/// Runs the oldest waiting draw if no other selector is running one:
/// [`Next::Now`] once it is drawn (there may be another).
async fn step(app: &App, shutdown: &CancellationToken) -> anyhow::Result<Next> {
    let Some(wave_id) = next_job(&app.pool).await? else {
        return Ok(Next::After(Duration::from_secs(2)));
    };
    let Some(lock) = AdvisoryLock::try_acquire(&app.pool, "selection-draws").await? else {
        return Ok(Next::After(Duration::from_secs(1)));
    };
    let result = run_job(app, wave_id, shutdown).await;
    lock.release().await;
    match result {
        Ok(JobEnd::Drawn) => Ok(Next::Now),
        Ok(JobEnd::Stopped) => Ok(Next::Stop),
        Err(error) => {
            job::record_failure(app, wave_id, &error).await;
            Err(error)
        }
    }
}
