//! The relay loop: walk unsent rows in key order, publish a batch, and while
//! its confirms come back publish the next; mark each batch sent once all of
//! its confirms are in. Only one relay per source runs at a time (an advisory
//! lock); others wait their turn.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lapin::Connection;
use shared::amqp::{Publisher, Topology, confirmed, json_properties};
use shared::events::RelayPublished;
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::OutboxSource;
use crate::worker::AdvisoryLock;

/// Batches awaiting their confirms at once.
const IN_FLIGHT: usize = 4;

/// Relays `source` over `connection` until `shutdown` (Ok) or a failure (Err;
/// the caller reconnects). `wake` shortens the idle wait after new rows.
pub async fn run<S: OutboxSource>(
    source: Arc<S>,
    pool: PgPool,
    topology: Topology,
    connection: Connection,
    batch: i64,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let publisher = Publisher::open(&connection, topology.clone()).await?;
    topology
        .declare_one(publisher.channel(), source.queue())
        .await
        .context("declaring the queues")?;
    // The lock lives as long as its connection: a relay that dies frees it.
    let Some(mut lock) =
        AdvisoryLock::acquire(&pool, source.name(), Duration::from_secs(2), &shutdown).await?
    else {
        return Ok(());
    };
    tracing::info!(relay = source.name(), "relaying");
    loop {
        let sent = pass(&source, &publisher, lock.connection(), batch, &shutdown).await?;
        if sent > 0 {
            RelayPublished {
                relay: source.name(),
                count: sent,
            }
            .emit();
            continue;
        }
        sqlx::query("SELECT 1").execute(lock.connection()).await?;
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
    lock.release().await;
    let _ = connection.close(200, "relay stopping".into()).await;
    Ok(())
}

/// One walk over the unsent rows; returns how many were sent. Each batch's
/// confirms are awaited, and the batch marked sent, in a task of its own, so
/// publishing the next batch overlaps with both.
async fn pass<S: OutboxSource>(
    source: &Arc<S>,
    publisher: &Publisher,
    gate_connection: &mut sqlx::PgConnection,
    batch: i64,
    shutdown: &CancellationToken,
) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut sent = 0;
    let mut in_flight: VecDeque<JoinHandle<anyhow::Result<u64>>> = VecDeque::new();
    while !shutdown.is_cancelled() {
        let gate = Gate::enter(source.gate(), gate_connection).await?;
        let rows = source.fetch(after, batch).await?;
        let Some(last) = rows.last() else {
            gate.leave(gate_connection).await?;
            break;
        };
        after = last.key;
        let mut confirms = Vec::with_capacity(rows.len());
        for row in &rows {
            let confirm = publisher
                .send(source.queue(), &row.body, json_properties(&row.message_id))
                .await?;
            confirms.push(confirm);
        }
        crate::failpoint::crash_in_relay(source.name(), "published");
        gate.leave(gate_connection).await?;
        let keys: Vec<i64> = rows.iter().map(|r| r.key).collect();
        let source = source.clone();
        in_flight.push_back(tokio::spawn(async move {
            for confirm in confirms {
                confirmed(confirm).await?;
            }
            crate::failpoint::crash_in_relay(source.name(), "confirmed");
            source.mark_sent(&keys).await?;
            Ok(keys.len() as u64)
        }));
        if in_flight.len() >= IN_FLIGHT
            && let Some(oldest) = in_flight.pop_front()
        {
            sent += oldest.await.context("a relay task panicked")??;
        }
    }
    while let Some(oldest) = in_flight.pop_front() {
        sent += oldest.await.context("a relay task panicked")??;
    }
    Ok(sent)
}

/// The source's gate, held shared while a batch is fetched and published.
struct Gate(Option<i64>);

impl Gate {
    async fn enter(key: Option<i64>, connection: &mut sqlx::PgConnection) -> anyhow::Result<Gate> {
        if let Some(key) = key {
            sqlx::query("SELECT pg_advisory_lock_shared($1)")
                .bind(key)
                .execute(&mut *connection)
                .await?;
        }
        Ok(Gate(key))
    }

    async fn leave(self, connection: &mut sqlx::PgConnection) -> anyhow::Result<()> {
        if let Some(key) = self.0 {
            sqlx::query("SELECT pg_advisory_unlock_shared($1)")
                .bind(key)
                .execute(&mut *connection)
                .await?;
        }
        Ok(())
    }
}
