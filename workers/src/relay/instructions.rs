//! The payment-instruction outbox: `instruction_outbox` rows (instructions
//! to publish, or publish again), deleted once the broker confirms them.
//! Rows to a paused provider, or of a run not released yet, wait.

use shared::amqp::Queue;
use sqlx::PgPool;

use super::{OutboxRow, OutboxSource};

/// The advisory lock `prakerja disburse pause` waits on (exclusively) after
/// committing a pause: the relay holds it shared while it fetches and
/// publishes a batch, so once the pause has it no batch fetched before the
/// pause is still being published.
pub fn pause_gate() -> i64 {
    crate::worker::advisory_key("payment-pause-gate")
}

/// Publishes payment instructions to `payments.instructions`.
#[derive(Debug, Clone)]
pub struct Instructions {
    pub pool: PgPool,
}

impl OutboxSource for Instructions {
    fn queue(&self) -> Queue {
        Queue::PaymentsInstructions
    }

    fn name(&self) -> &'static str {
        "payment-instructions"
    }

    async fn fetch(&self, after: i64, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
        // Held rows stay in the outbox: those to a paused provider (or while
        // all are paused), and those of a run waiting for its release.
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT o.seq, o.instruction_id::text, i.body FROM instruction_outbox o \
               JOIN payment_instructions i USING (instruction_id) \
              WHERE o.seq > $1 \
                AND NOT EXISTS (SELECT 1 FROM payment_pauses pz \
                                 WHERE pz.scope = '*' OR pz.scope = i.payout_provider) \
                AND NOT EXISTS (SELECT 1 FROM run_holds h \
                                 WHERE h.run_date = i.run_date AND h.released_at IS NULL) \
              ORDER BY o.seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, message_id, body)| OutboxRow {
                key,
                message_id,
                body: body.into_bytes(),
            })
            .collect())
    }

    async fn mark_sent(&self, keys: &[i64]) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM instruction_outbox WHERE seq = ANY($1)")
            .bind(keys)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    fn gate(&self) -> Option<i64> {
        Some(pause_gate())
    }
}
