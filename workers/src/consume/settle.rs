//! Settling one batch: store it, dead-letter what cannot be stored, and only
//! then let the caller ack. Infrastructure faults are waited out with backoff
//! (`attempt`); data the database refuses, or a panic, is isolated one item
//! at a time.

use std::time::Duration;

use anyhow::Context;
use lapin::BasicProperties;
use shared::amqp::{Publisher, confirmed, dead_letter_headers};
use shared::backoff::Backoff;
use shared::events::{DeadKind, DeadLettered};
use tokio_util::sync::CancellationToken;

use super::Handler;
use super::attempt::{Refusal, store_waiting};

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
/// when `shutdown` fires while the database is unavailable (the deliveries
/// go back unacked). Data the database refuses, or a panic in the handler,
/// sends the batch item by item (`isolate`); nothing else dead-letters a
/// decoded message.
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
    let outcome = match store_waiting(handler, &batch.items, &mut backoff, shutdown).await? {
        Ok(outcome) => outcome,
        Err(refusal) => {
            tracing::error!(
                reason = %shared::mask::free_text(&refusal.reason("a batch")),
                "storing the batch one item at a time"
            );
            isolate(handler, &mut batch, &mut backoff, shutdown).await?
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

/// Stores each item on its own; those the database refuses, or that make
/// the handler panic, become dead letters naming why.
async fn isolate<H: Handler>(
    handler: &H,
    batch: &mut Batch<H::Item>,
    backoff: &mut Backoff,
    shutdown: &CancellationToken,
) -> anyhow::Result<H::Outcome> {
    let mut total = H::Outcome::default();
    let items = std::mem::take(&mut batch.items);
    let originals = std::mem::take(&mut batch.originals);
    for (item, (body, properties)) in items.into_iter().zip(originals) {
        let one = std::slice::from_ref(&item);
        match store_waiting(handler, one, backoff, shutdown).await? {
            Ok(outcome) => {
                total += outcome;
                batch.items.push(item);
            }
            Err(refusal) => batch.dead.push(DeadLetter {
                body,
                properties,
                reason: refusal.reason(&handler.describe(&item)),
                kind: match refusal {
                    Refusal::Database(_) => DeadKind::RefusedByDatabase,
                    Refusal::Panic(_) => DeadKind::Panicked,
                },
            }),
        }
    }
    Ok(total)
}
