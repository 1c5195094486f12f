//! Batched, at-least-once consuming shared by every consumer: collect
//! deliveries into a batch, store the batch in one transaction while the next
//! one collects, dead-letter what is too large, cannot be decoded or stored,
//! or makes the handler panic (with the reason, masked, in a header), and ack
//! the batch only after its commit.

mod attempt;
mod batch_loop;
mod serve;
mod settle;

use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use shared::amqp::Queue;

pub use attempt::{Refusal, decode_caught, panic_message};
pub use batch_loop::run_session;
pub use serve::{serve, serve_with};
pub use settle::{Batch, DeadLetter, Settled, settle};

/// What a consumer does with its messages.
pub trait Handler: Send + Sync + 'static {
    /// A decoded message.
    type Item: Send + Sync + 'static;
    /// What storing a batch did (summed over batches and isolated retries).
    type Outcome: Default + Copy + std::ops::AddAssign + std::fmt::Debug + Send + 'static;

    /// The queue consumed.
    fn queue(&self) -> Queue;

    /// Decodes a message body; `Err` names why it cannot even be stored, and
    /// sends it to the dead-letter queue.
    fn decode(&self, body: &[u8]) -> Result<Self::Item, String>;

    /// Stores a batch in one transaction. Must be idempotent: a batch may be
    /// stored again after a crash or a lost ack.
    fn store(
        &self,
        items: &[Self::Item],
    ) -> impl Future<Output = Result<Self::Outcome, sqlx::Error>> + Send;

    /// Names an item in a dead-letter reason (never a full NIK).
    fn describe(&self, item: &Self::Item) -> String;
}

/// How a consumer batches.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    pub batch_size: usize,
    pub max_wait: Duration,
    pub prefetch: u16,
    pub max_backoff: Duration,
    /// Batches settled at once (each in its own transaction); acks still
    /// follow delivery order.
    pub parallel: usize,
    /// A body larger than this is dead-lettered unread (`limits`).
    pub max_body_bytes: usize,
}

/// Delivery tags of the current channel: the highest received, and the
/// highest up to which every delivery is settled (stored and acked).
#[derive(Debug, Default)]
pub struct Progress {
    pub received: AtomicU64,
    pub settled: AtomicU64,
}
