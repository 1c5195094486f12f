//! The batched consumer's events: batches settled, dead letters, retries.

use std::time::Duration;

use metrics::{counter, histogram};

/// Why a message went to its dead-letter queue (the `reason` label; the
/// full reason travels in the message's `x-prakerja-dead-reason` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadKind {
    /// The handler could not decode it (or refused it when decoding).
    Undecodable,
    /// The database refused it on its own.
    RefusedByDatabase,
    /// Its body was over the queue's `limits.max_body_bytes`.
    Oversized,
    /// Decoding or storing it made the handler panic.
    Panicked,
}

impl DeadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Undecodable => "undecodable",
            Self::RefusedByDatabase => "refused_by_database",
            Self::Oversized => "oversized",
            Self::Panicked => "panicked",
        }
    }
}

/// A batch stored, its dead letters confirmed, and acked.
#[derive(Debug)]
pub struct BatchSettled<'a> {
    /// The contract's queue name.
    pub queue: &'a str,
    /// Deliveries the batch covers.
    pub deliveries: u64,
    /// Decoded messages stored.
    pub stored: u64,
    pub dead_lettered: u64,
    pub elapsed: Duration,
}

impl BatchSettled<'_> {
    pub fn emit(&self) {
        tracing::debug!(
            queue = self.queue,
            deliveries = self.deliveries,
            stored = self.stored,
            dead_lettered = self.dead_lettered,
            ms = self.elapsed.as_millis() as u64,
            "batch settled"
        );
        let queue = self.queue.to_owned();
        counter!("prakerja_messages_consumed_total", "queue" => queue.clone())
            .increment(self.deliveries);
        counter!("prakerja_messages_stored_total", "queue" => queue.clone()).increment(self.stored);
        histogram!("prakerja_batch_size", "queue" => queue.clone()).record(self.deliveries as f64);
        histogram!("prakerja_batch_seconds", "queue" => queue).record(self.elapsed.as_secs_f64());
    }
}

/// A message published to its dead-letter queue (confirmed or not yet).
#[derive(Debug)]
pub struct DeadLettered<'a> {
    pub queue: &'a str,
    /// The full name of the dead-letter queue.
    pub dead_queue: &'a str,
    pub kind: DeadKind,
    pub reason: &'a str,
}

impl DeadLettered<'_> {
    pub fn emit(&self) {
        tracing::warn!(
            queue = %self.dead_queue,
            kind = self.kind.as_str(),
            reason = %crate::mask::free_text(self.reason),
            "dead-lettering a message"
        );
        counter!(
            "prakerja_messages_dead_lettered_total",
            "queue" => self.queue.to_owned(),
            "reason" => self.kind.as_str()
        )
        .increment(1);
    }
}

/// A batch is retried because the database is unavailable.
#[derive(Debug)]
pub struct DatabaseRetry<'a> {
    pub queue: &'a str,
    pub error: &'a sqlx::Error,
    pub retry_in: Duration,
}

impl DatabaseRetry<'_> {
    pub fn emit(&self) {
        tracing::warn!(
            queue = self.queue,
            error = %crate::mask::free_text(&self.error.to_string()),
            retry_in_ms = self.retry_in.as_millis() as u64,
            "database unavailable; retrying the batch"
        );
        counter!("prakerja_database_retries_total", "queue" => self.queue.to_owned()).increment(1);
    }
}
