//! Consuming with manual acknowledgements and a bounded prefetch; acking in
//! batches.

use anyhow::Context;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Consumer};

/// Starts a consumer with manual acks and at most `prefetch` unacknowledged
/// deliveries in flight.
pub async fn consume(
    channel: &Channel,
    queue_name: &str,
    consumer_tag: &str,
    prefetch: u16,
) -> anyhow::Result<Consumer> {
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await
        .context("setting the prefetch")?;
    channel
        .basic_consume(
            queue_name.into(),
            consumer_tag.into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .with_context(|| format!("consuming from {queue_name}"))
}

/// Acknowledges every delivery up to a tag at once (`multiple`). Delivery
/// tags grow on a channel, so a batch is settled by acking its highest tag,
/// provided no delivery of the batch was settled on its own.
#[derive(Clone)]
pub struct BatchAcker {
    channel: Channel,
}

impl BatchAcker {
    pub fn new(channel: Channel) -> Self {
        Self { channel }
    }

    /// Acks every unacknowledged delivery with a tag up to `delivery_tag`.
    pub async fn ack_through(&self, delivery_tag: u64) -> anyhow::Result<()> {
        self.channel
            .basic_ack(delivery_tag, BasicAckOptions { multiple: true })
            .await
            .context("acknowledging a batch")
    }
}
