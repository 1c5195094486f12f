//! Draw jobs: `waves.closed` records a job in the database and is acked at
//! once (a draw over millions must not sit on an unacked delivery); the
//! runner works through unfinished jobs, oldest first.

use std::sync::Arc;

use shared::amqp::Queue;
use shared::messages::WaveClosed;
use sqlx::PgPool;
use tokio::sync::Notify;

use crate::consume::Handler;
use crate::waves::WaveState;

/// Consumes `waves.closed`.
#[derive(Debug, Clone)]
pub struct JobsHandler {
    pub pool: PgPool,
    pub wake: Arc<Notify>,
}

impl Handler for JobsHandler {
    type Item = WaveClosed;
    type Outcome = u64;

    fn queue(&self) -> Queue {
        Queue::WavesClosed
    }

    fn decode(&self, body: &[u8]) -> Result<WaveClosed, String> {
        serde_json::from_slice(body).map_err(|e| format!("not a waves.closed message: {e}"))
    }

    async fn store(&self, closed: &[WaveClosed]) -> Result<u64, sqlx::Error> {
        let mut recorded = 0;
        for message in closed {
            recorded += enqueue(&self.pool, message.wave_id).await?;
        }
        self.wake.notify_one();
        Ok(recorded)
    }

    fn describe(&self, message: &WaveClosed) -> String {
        format!("close of wave {}", message.wave_id)
    }
}

/// Records a draw job for a closed wave (idempotent). A message naming a wave
/// that does not exist or is still open is ignored: only `wave close` closes.
pub async fn enqueue(pool: &PgPool, wave_id: u32) -> Result<u64, sqlx::Error> {
    let Ok(wave_id) = i32::try_from(wave_id) else {
        return Ok(0);
    };
    let inserted = sqlx::query(
        "INSERT INTO selection_jobs (wave_id) \
         SELECT wave_id FROM waves WHERE wave_id = $1 AND state <> $2 \
         ON CONFLICT (wave_id) DO NOTHING",
    )
    .bind(wave_id)
    .bind(WaveState::Open)
    .execute(pool)
    .await?
    .rows_affected();
    if inserted == 0 {
        tracing::debug!(
            wave_id,
            "no new draw job (already recorded, open or unknown wave)"
        );
    }
    Ok(inserted)
}

/// The oldest unfinished job, and also any closed wave whose job was never
/// recorded (a lost `waves.closed`).
pub async fn next_job(pool: &PgPool) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query(
        "INSERT INTO selection_jobs (wave_id) \
         SELECT wave_id FROM waves WHERE state = ANY($1) ON CONFLICT DO NOTHING",
    )
    .bind([WaveState::Closed, WaveState::Drawing])
    .execute(pool)
    .await?;
    sqlx::query_scalar(
        "SELECT wave_id FROM selection_jobs WHERE finished_at IS NULL \
         ORDER BY requested_at, wave_id LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}
