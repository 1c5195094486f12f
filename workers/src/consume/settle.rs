//! Settling one batch: store it, dead-letter what cannot be stored, and only
//! then let the caller ack. Transient database failures are retried with
//! backoff; data the database refuses is isolated one item at a time.

use std::time::Duration;

use anyhow::Context;
use lapin::BasicProperties;
use shared::amqp::{Publisher, confirmed, dead_letter_headers};
use shared::backoff::Backoff;
use shared::db::is_transient;
use shared::events::{DatabaseRetry, DeadKind, DeadLettered};
use tokio_util::sync::CancellationToken;

use super::Handler;

/// A delivery that goes to the dead-letter queue, and why.
#[derive(Debug)]
pub struct DeadLetter {
    pub body: Vec<u8>,
    pub properties: BasicProperties,
    pub reason: String,
    /// The `reason` label of its metric.
    pub kind: DeadKind,
}

/// A batch ready to settle: the decoded items (with their deliveries, in case
/// one must be dead-lettered), the poison messages, and the highest delivery
/// tag it covers.
#[derive(Debug)]
pub struct Batch<T> {
    pub items: Vec<T>,
    pub originals: Vec<(Vec<u8>, BasicProperties)>,
    pub dead: Vec<DeadLetter>,
    pub last_tag: u64,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            originals: Vec::new(),
            dead: Vec::new(),
            last_tag: 0,
        }
    }
}

impl<T> Batch<T> {
    pub fn len(&self) -> usize {
        self.items.len() + self.dead.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What settling a batch did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Settled<O> {
    pub last_tag: u64,
    pub outcome: O,
    /// Deliveries the batch covered, and the decoded ones stored.
    pub deliveries: u64,
    pub stored: u64,
    pub dead_lettered: u64,
    pub elapsed: std::time::Duration,
}

/// Stores the batch and publishes its dead letters (confirmed). Returns once
/// both are durable; the caller then acks through `last_tag`. Gives up only
/// when `shutdown` fires during a retry (the deliveries go back unacked).
pub async fn settle<H: Handler>(
    handler: &H,
    publisher: &Publisher,
    mut batch: Batch<H::Item>,
    max_backoff: Duration,
    shutdown: &CancellationToken,
) -> anyhow::Result<Settled<H::Outcome>> {
    let started = std::time::Instant::now();
    let deliveries = batch.len() as u64;
    let queue = handler.queue().base_name();
    let mut backoff = Backoff::new(max_backoff);
    let outcome = loop {
        match handler.store(&batch.items).await {
            Ok(outcome) => break outcome,
            Err(error) if is_transient(&error) => {
                let delay = backoff.next_delay();
                DatabaseRetry {
                    queue,
                    error: &error,
                    retry_in: delay,
                }
                .emit();
                tokio::select! {
                    () = shutdown.cancelled() => anyhow::bail!("stopped while the database was unavailable"),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            Err(error) => {
                tracing::error!(%error, "the database refused a batch; storing it one item at a time");
                break isolate(handler, &mut batch).await?;
            }
        }
    };
    let dead_queue = publisher.topology().dead_name(handler.queue());
    let mut confirms = Vec::with_capacity(batch.dead.len());
    for dead in &batch.dead {
        DeadLettered {
            queue,
            dead_queue: &dead_queue,
            kind: dead.kind,
            reason: &dead.reason,
        }
        .emit();
        let properties = dead_letter_headers(&dead.reason, &dead.properties);
        confirms.push(
            publisher
                .send_to(&dead_queue, &dead.body, properties)
                .await?,
        );
    }
    let dead_lettered = confirms.len() as u64;
    for confirm in confirms {
        confirmed(confirm).await.context("dead-lettering")?;
    }
    Ok(Settled {
        last_tag: batch.last_tag,
        outcome,
        deliveries,
        stored: batch.items.len() as u64,
        dead_lettered,
        elapsed: started.elapsed(),
    })
}

/// Stores each item on its own; those the database refuses become dead
/// letters naming the database's reason.
async fn isolate<H: Handler>(
    handler: &H,
    batch: &mut Batch<H::Item>,
) -> anyhow::Result<H::Outcome> {
    let mut total = H::Outcome::default();
    let items = std::mem::take(&mut batch.items);
    let originals = std::mem::take(&mut batch.originals);
    for (item, (body, properties)) in items.into_iter().zip(originals) {
        match handler.store(std::slice::from_ref(&item)).await {
            Ok(outcome) => {
                total += outcome;
                batch.items.push(item);
            }
            Err(error) if is_transient(&error) => return Err(error.into()),
            Err(error) => batch.dead.push(DeadLetter {
                body,
                properties,
                reason: format!("the database refused {}: {error}", handler.describe(&item)),
                kind: DeadKind::RefusedByDatabase,
            }),
        }
    }
    Ok(total)
}
