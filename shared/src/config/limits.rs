//! `[limits]`: how large a message a consumer reads. A body over its
//! queue's limit is dead-lettered unread, with the sizes in its reason.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::amqp::Queue;

/// The default `limits.max_body_bytes` (64 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LimitsSettings {
    /// The largest body, in bytes, a consumer reads from a queue that
    /// `queues` does not list.
    pub max_body_bytes: usize,
    /// Per queue, by the contract's name with `_` for `.`
    /// (`registrations_submitted = 32768`).
    pub queues: BTreeMap<String, usize>,
}

impl Default for LimitsSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            queues: BTreeMap::new(),
        }
    }
}

impl LimitsSettings {
    /// The largest body read from `queue`.
    pub fn max_body_bytes(&self, queue: Queue) -> usize {
        let key = queue.base_name().replace('.', "_");
        self.queues
            .get(&key)
            .copied()
            .unwrap_or(self.max_body_bytes)
    }

    /// Every limit is at least 1 byte and names a queue that exists.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.max_body_bytes > 0, "limits.max_body_bytes must be > 0");
        for (name, &bytes) in &self.queues {
            let known = Queue::ALL
                .iter()
                .any(|q| q.base_name().replace('.', "_") == *name);
            anyhow::ensure!(
                known,
                "limits.queues.{name} names no queue (queues are named like registrations_submitted)"
            );
            anyhow::ensure!(bytes > 0, "limits.queues.{name} must be > 0");
        }
        Ok(())
    }
}
