//! Outbox relays: rows written in the same transaction as the state change
//! they announce are published with publisher confirms, and marked sent only
//! after their confirm. A crash between the two re-sends a row, never loses
//! one; consumers drop the copies by id.

mod announcements;
mod instructions;
mod pump;
mod supervise;

use std::future::Future;

use shared::amqp::Queue;

pub use announcements::Announcements;
pub use instructions::{Instructions, pause_gate};
pub use pump::run;
pub use supervise::supervise;

/// One unsent outbox row.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    /// Increasing key: the relay walks rows in this order.
    pub key: i64,
    pub message_id: String,
    pub body: Vec<u8>,
}

/// A table the relay publishes from.
pub trait OutboxSource: Send + Sync + 'static {
    /// Where its rows go.
    fn queue(&self) -> Queue;
    /// Name for logs and for the advisory lock that keeps one relay per source.
    fn name(&self) -> &'static str;
    /// Unsent rows with a key above `after`, in key order.
    fn fetch(
        &self,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboxRow>, sqlx::Error>> + Send;
    /// Marks rows sent (their confirms arrived).
    fn mark_sent(&self, keys: &[i64]) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// An advisory lock the relay holds shared from fetching a batch until
    /// it has published it; whoever changes what `fetch` may return (a
    /// pause) takes it exclusively once committed, and so knows that no
    /// batch fetched before its change is still being published.
    fn gate(&self) -> Option<i64> {
        None
    }
}
