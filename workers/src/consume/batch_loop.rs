//! One connection's worth of consuming: collect a batch, settle it while the
//! next one collects, ack after commit. On stop, settle the batch in hand and
//! close the channel, which hands every unsettled delivery back to the queue.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context;
use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::BasicCancelOptions;
use lapin::{Channel, Connection};
use shared::amqp::{BatchAcker, Publisher, Topology, consume};
use shared::events::{BatchSettled, DeadKind};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::attempt::decode_caught;
use super::settle::{Batch, DeadLetter, Settled, settle};
use super::{BatchOptions, Handler, Progress};

/// Consumes `handler.queue()` on `connection` until `shutdown` (returns `Ok`)
/// or a broker failure (returns `Err`; the caller reconnects).
pub async fn run_session<H: Handler>(
    handler: Arc<H>,
    topology: &Topology,
    connection: &Connection,
    consumer_tag: &str,
    options: BatchOptions,
    progress: Arc<Progress>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let queue = topology.name(handler.queue());
    let channel = connection.create_channel().await?;
    topology
        .declare_one(&channel, handler.queue())
        .await
        .context("declaring the queues")?;
    let publisher = Publisher::open(connection, topology.clone()).await?;
    let consumer = consume(&channel, &queue, consumer_tag, options.prefetch).await?;
    let mut state = Loop {
        handler,
        options,
        publisher,
        acker: BatchAcker::new(channel.clone()),
        progress,
        batch: Batch::default(),
        deadline: None,
        in_flight: VecDeque::new(),
    };
    state
        .run(consumer, consumer_tag, &channel, shutdown)
        .await?;
    // Both channels closed before the caller closes the connection, so the
    // broker's answers to one do not arrive after the connection is gone.
    let _ = state
        .publisher
        .channel()
        .close(200, "consumer stopping".into())
        .await;
    let _ = channel.close(200, "consumer stopping".into()).await;
    Ok(())
}

type InFlight<O> = JoinHandle<anyhow::Result<Settled<O>>>;

struct Loop<H: Handler> {
    handler: Arc<H>,
    options: BatchOptions,
    publisher: Publisher,
    acker: BatchAcker,
    progress: Arc<Progress>,
    batch: Batch<H::Item>,
    deadline: Option<Instant>,
    /// Batches being settled, oldest first; acked in this order.
    in_flight: VecDeque<InFlight<H::Outcome>>,
}

impl<H: Handler> Loop<H> {
    async fn run(
        &mut self,
        mut consumer: lapin::Consumer,
        tag: &str,
        channel: &Channel,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        let batch_size = self.options.batch_size;
        let parallel = self.options.parallel.max(1);
        let mut consuming = true;
        loop {
            let due = self.deadline.is_some_and(|d| d <= Instant::now());
            if !self.batch.is_empty()
                && self.in_flight.len() < parallel
                && (self.batch.len() >= batch_size || due || !consuming)
            {
                self.start_settling(shutdown);
                continue;
            }
            if !consuming && self.batch.is_empty() && self.in_flight.is_empty() {
                return Ok(());
            }
            let deadline = self.deadline;
            tokio::select! {
                biased;
                joined = async { self.in_flight.front_mut().expect("guarded by is_empty").await }, if !self.in_flight.is_empty() => {
                    self.in_flight.pop_front();
                    // Batches settle in delivery-tag order, so acking the
                    // oldest through its last tag acks nothing unsettled.
                    let settled = joined.context("a batch task panicked")??;
                    self.acker.ack_through(settled.last_tag).await?;
                    self.progress.settled.store(settled.last_tag, Ordering::Release);
                    tracing::debug!(outcome = ?settled.outcome, "batch outcome");
                    BatchSettled {
                        queue: self.handler.queue().base_name(),
                        deliveries: settled.deliveries,
                        stored: settled.stored,
                        dead_lettered: settled.dead_lettered,
                        elapsed: settled.elapsed,
                    }
                    .emit();
                }
                () = shutdown.cancelled(), if consuming => {
                    consuming = false;
                    let _ = channel.basic_cancel(tag.into(), BasicCancelOptions::default()).await;
                }
                next = consumer.next(), if consuming && self.batch.len() < batch_size => {
                    match next {
                        Some(Ok(delivery)) => self.add(delivery),
                        Some(Err(error)) => return Err(error).context("consuming"),
                        None => anyhow::bail!("the broker cancelled the consumer"),
                    }
                }
                () = sleep_until(deadline), if deadline.is_some() && self.in_flight.len() < parallel => {}
            }
        }
    }

    fn add(&mut self, delivery: Delivery) {
        let tag = delivery.delivery_tag;
        self.progress.received.store(tag, Ordering::Release);
        if self.deadline.is_none() {
            self.deadline = Some(Instant::now() + self.options.max_wait);
        }
        self.batch.last_tag = tag;
        let limit = self.options.max_body_bytes;
        if delivery.data.len() > limit {
            // Moved, not copied: the body is held once, then dead-lettered.
            let reason = format!(
                "the body has {} bytes, over the limit of {limit} for {}",
                delivery.data.len(),
                self.handler.queue().base_name()
            );
            self.batch.dead.push(DeadLetter {
                body: delivery.data,
                properties: delivery.properties,
                reason,
                kind: DeadKind::Oversized,
            });
            return;
        }
        match decode_caught(&*self.handler, &delivery.data) {
            Ok(item) => {
                self.batch.items.push(item);
                self.batch
                    .originals
                    .push((delivery.data, delivery.properties));
            }
            Err(reason) => self.batch.dead.push(DeadLetter {
                body: delivery.data,
                properties: delivery.properties,
                reason,
                kind: DeadKind::Undecodable,
            }),
        }
    }

    fn start_settling(&mut self, shutdown: &CancellationToken) {
        let batch = std::mem::take(&mut self.batch);
        self.deadline = None;
        let handler = self.handler.clone();
        let publisher = self.publisher.clone();
        let max_backoff = self.options.max_backoff;
        let shutdown = shutdown.clone();
        // One span per batch.
        let span = tracing::info_span!(
            "batch",
            queue = handler.queue().base_name(),
            deliveries = batch.len()
        );
        self.in_flight.push_back(tokio::spawn(
            async move { settle(&*handler, &publisher, batch, max_backoff, &shutdown).await }
                .instrument(span),
        ));
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
