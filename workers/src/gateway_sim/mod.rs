//! A payment gateway SIMULATOR, for the demo and the tests: it consumes
//! `payments.instructions` and answers on `payments.results` with
//! configurable rates of failure, duplicated answers, delay, silence and
//! reversal. Like a real gateway it remembers every idempotency key: a copy of
//! an instruction it has seen is never paid again (it is answered with the
//! stored result, or not at all if that key was silenced).
//! Its state lives in its own schema, `gateway_sim`.

mod behaviour;
mod decide;
mod sweeper;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::consume::{BatchOptions, Handler, serve};
use crate::worker::Next;

pub use behaviour::Behaviour;
pub use decide::{Decision, DecisionsHandler, decide};

/// Creates the simulator's schema if needed.
pub async fn prepare(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    for statement in [
        "CREATE SCHEMA IF NOT EXISTS gateway_sim",
        "CREATE TABLE IF NOT EXISTS gateway_sim.payments ( \
             idempotency_key text PRIMARY KEY, instruction_id uuid NOT NULL, \
             outcome text NOT NULL, received integer NOT NULL DEFAULT 1, \
             decided_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS gateway_sim.outbox ( \
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, idempotency_key text NOT NULL, \
             body jsonb NOT NULL, due_at timestamptz NOT NULL, sent_at timestamptz)",
        "CREATE INDEX IF NOT EXISTS outbox_due ON gateway_sim.outbox (due_at) WHERE sent_at IS NULL",
        // A copy of an instruction repeats its key's latest answer.
        "CREATE INDEX IF NOT EXISTS outbox_key ON gateway_sim.outbox (idempotency_key)",
    ] {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

/// [`prepare`], retried with backoff while the database is down or
/// restarting (as the workers' own steps are); false if stopped meanwhile.
async fn prepare_when_reachable(app: &App, shutdown: &CancellationToken) -> anyhow::Result<bool> {
    let max_backoff = Duration::from_secs(app.settings.amqp.max_backoff_secs);
    crate::worker::poll(
        "creating the simulator's schema",
        max_backoff,
        &Notify::new(),
        shutdown,
        || async {
            prepare(&app.pool).await?;
            Ok(Next::Stop)
        },
    )
    .await?;
    Ok(!shutdown.is_cancelled())
}

/// Whether the configuration lets the simulator run: only where a
/// development configuration asks for it, never in production.
pub fn allowed(settings: &shared::config::Settings) -> anyhow::Result<()> {
    anyhow::ensure!(
        settings.simulators.gateway
            && settings.environment != shared::config::credentials::PRODUCTION,
        "the gateway simulator is off in this configuration (environment {:?}): it moves no money and runs only where simulators.gateway = true (PRAKERJA__SIMULATORS__GATEWAY), never in production",
        settings.environment
    );
    Ok(())
}

/// Runs the simulator until `shutdown`.
pub async fn run(
    app: App,
    behaviour: Behaviour,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    allowed(&app.settings)?;
    if !prepare_when_reachable(&app, &shutdown).await? {
        return Ok(());
    }
    let handler = Arc::new(DecisionsHandler {
        pool: app.pool.clone(),
        behaviour: behaviour.clone(),
    });
    let options = BatchOptions {
        batch_size: 500,
        max_wait: Duration::from_millis(20),
        prefetch: 2000,
        max_backoff: Duration::from_secs(app.settings.amqp.max_backoff_secs),
        parallel: 1,
        max_body_bytes: app.settings.limits.max_body_bytes(handler.queue()),
    };
    let mut tasks = JoinSet::new();
    {
        let app = app.clone();
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            let tag = format!("gateway-simulator-{}", uuid::Uuid::new_v4());
            serve(&app, handler, "gateway simulator", &tag, options, shutdown).await
        });
    }
    tasks.spawn(sweeper::run(app.clone(), shutdown.clone()));
    tracing::warn!(
        ?behaviour,
        "PAYMENT GATEWAY SIMULATOR running: no real money moves"
    );
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    Ok(())
}
