//! The disburser: consumes `training.events`, `disbursements.runs` and
//! `payments.results`, runs the nightly run (by request and on its own
//! schedule), and relays payment instructions and selection announcements
//! from their outboxes.

mod dates;
mod events;
mod instruction;
mod ledger;
mod requests;
pub mod resolve;
mod results;
pub mod run;
mod schedule;
pub mod steer;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::consume::{BatchOptions, Handler, serve};
use crate::relay::{self, Announcements, Instructions};
use crate::worker::{Next, Tasks, poll};

pub use dates::DateBounds;
pub use events::{EventsHandler, EventsOutcome};
pub use requests::{RequestsHandler, record_request};
pub use results::{ResultsHandler, ResultsOutcome, Transition, store_results, transition};
pub use schedule::due_date;

/// Runs every part of the disburser until `shutdown`.
pub async fn run(app: App, shutdown: CancellationToken) -> anyhow::Result<()> {
    let settings = &app.settings.disburser;
    let options = BatchOptions {
        batch_size: 200,
        max_wait: Duration::from_millis(20),
        prefetch: settings.prefetch,
        max_backoff: Duration::from_secs(app.settings.amqp.max_backoff_secs),
        parallel: 1,
        // Set per queue by `consumer`.
        max_body_bytes: app.settings.limits.max_body_bytes,
    };
    let run_wake = Arc::new(Notify::new());
    let relay_wake = Arc::new(Notify::new());
    let mut tasks = Tasks::new("disburser");
    tasks.spawn(consumer(
        app.clone(),
        EventsHandler::new(app.pool.clone(), &app.settings),
        options,
        shutdown.clone(),
    ));
    tasks.spawn(consumer(
        app.clone(),
        ResultsHandler {
            pool: app.pool.clone(),
        },
        options,
        shutdown.clone(),
    ));
    tasks.spawn(consumer(
        app.clone(),
        RequestsHandler {
            pool: app.pool.clone(),
            wake: run_wake.clone(),
            bounds: DateBounds::from_settings(&app.settings.disburser),
        },
        BatchOptions {
            batch_size: 10,
            ..options
        },
        shutdown.clone(),
    ));
    tasks.spawn(relay::supervise(
        app.clone(),
        Instructions {
            pool: app.pool.clone(),
        },
        relay_wake.clone(),
        shutdown.clone(),
    ));
    tasks.spawn(relay::supervise(
        app.clone(),
        Announcements {
            pool: app.pool.clone(),
        },
        relay_wake.clone(),
        shutdown.clone(),
    ));
    tasks.spawn(executor(
        app.clone(),
        run_wake,
        relay_wake,
        shutdown.clone(),
    ));
    tasks.join(&shutdown).await
}

async fn consumer<H: Handler>(
    app: App,
    handler: H,
    options: BatchOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let handler = Arc::new(handler);
    let options = BatchOptions {
        max_body_bytes: app.settings.limits.max_body_bytes(handler.queue()),
        ..options
    };
    let name = format!("disburser {}", handler.queue().base_name());
    let tag = format!(
        "disburser-{}-{}",
        handler.queue().base_name(),
        uuid::Uuid::new_v4()
    );
    serve(&app, handler, &name, &tag, options, shutdown).await
}

/// Executes requested runs, and requests the nightly one when it is due.
async fn executor(
    app: App,
    wake: Arc<Notify>,
    relay_wake: Arc<Notify>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut options = run::RunOptions::from_settings(&app.settings.disburser);
    options.relay_wake = Some(relay_wake.clone());
    let max_backoff = Duration::from_secs(app.settings.amqp.max_backoff_secs);
    poll(
        "disbursement run",
        max_backoff,
        &wake,
        &shutdown,
        || async {
            if app.settings.disburser.schedule_enabled
                && let Err(error) = schedule::tick(&app.pool, &app.settings.disburser).await
            {
                tracing::warn!(%error, "could not check the nightly schedule");
            }
            let summaries = run::execute_pending(&app.pool, &options).await?;
            if !summaries.is_empty() {
                relay_wake.notify_waiters();
            }
            Ok(Next::After(Duration::from_secs(1)))
        },
    )
    .await
}
