//! The validator: consumes `registrations.submitted`, judges each
//! registration, and stores it exactly once, in batches, acking after commit.

mod claims;
mod copy_row;
mod instance;
mod row;
mod sqlstate;
mod store;

use std::sync::Arc;
use std::time::Duration;

use shared::amqp::Queue;
use shared::domain::RegistrationRecord;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::app::App;
use crate::consume::{BatchOptions, Handler, serve_with};

pub use store::{StoreOutcome, store_batch};

/// Judges and stores registrations.
#[derive(Debug, Clone)]
pub struct RegistrationHandler {
    pub pool: PgPool,
    /// `validator.clock_allowance_secs`.
    pub clock_allowance: chrono::Duration,
}

impl Handler for RegistrationHandler {
    type Item = RegistrationRecord;
    type Outcome = StoreOutcome;

    fn queue(&self) -> Queue {
        Queue::RegistrationsSubmitted
    }

    fn decode(&self, body: &[u8]) -> Result<RegistrationRecord, String> {
        RegistrationRecord::from_json(body).map_err(|e| e.to_string())
    }

    async fn store(&self, items: &[RegistrationRecord]) -> Result<StoreOutcome, sqlx::Error> {
        store_batch(&self.pool, items, self.clock_allowance).await
    }

    fn describe(&self, item: &RegistrationRecord) -> String {
        format!("registration {}", item.registration_id)
    }
}

/// Runs a validator until `shutdown` fires: reconnects to RabbitMQ with
/// backoff, retries the database with backoff, and on stop settles the batch
/// in hand and hands everything else back to the queue unacked.
pub async fn run(app: App, shutdown: CancellationToken) -> anyhow::Result<()> {
    let instance_id = Uuid::new_v4();
    let handler = Arc::new(RegistrationHandler {
        pool: app.pool.clone(),
        clock_allowance: chrono::Duration::seconds(i64::from(
            app.settings.validator.clock_allowance_secs,
        )),
    });
    let settings = &app.settings;
    let options = BatchOptions {
        batch_size: settings.validator.batch_size,
        max_wait: Duration::from_millis(settings.validator.batch_max_wait_ms),
        prefetch: settings.validator.prefetch,
        max_backoff: Duration::from_secs(settings.amqp.max_backoff_secs),
        parallel: settings.validator.parallel,
        max_body_bytes: settings
            .limits
            .max_body_bytes(Queue::RegistrationsSubmitted),
    };
    let tag = format!("validator-{instance_id}");
    tracing::info!(%instance_id, queue = %app.topology.name(Queue::RegistrationsSubmitted), "validator starting");
    let pool = app.pool.clone();
    let result = serve_with(
        &app,
        handler,
        "validator",
        &tag,
        options,
        shutdown,
        // Each session reports its own delivery tags: the heartbeat starts
        // with the session and stops (its guard dropped) when it ends.
        |progress| {
            let beat_stop = CancellationToken::new();
            tokio::spawn(instance::heartbeat(
                pool.clone(),
                instance_id,
                progress,
                beat_stop.clone(),
            ));
            beat_stop.drop_guard()
        },
    )
    .await;
    instance::deregister(&app.pool, instance_id).await;
    tracing::info!("validator stopped");
    result
}
