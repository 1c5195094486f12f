//! The payment-instruction outbox: `instruction_outbox` rows (instructions
//! to publish, or publish again), deleted once the broker confirms them.

use shared::amqp::Queue;
use sqlx::PgPool;

use super::{OutboxRow, OutboxSource};

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
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT o.seq, o.instruction_id::text, i.body FROM instruction_outbox o \
               JOIN payment_instructions i USING (instruction_id) \
              WHERE o.seq > $1 ORDER BY o.seq LIMIT $2",
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
}
