//! `disbursements.runs`: each message records a run request (acked at once;
//! the run itself may take long) and wakes the run executor. A request for a
//! date beyond `disburser.max_days_ahead` is refused when decoded, so it is
//! dead-lettered with its reason and never recorded: nothing is revoked, due
//! or sent.

use std::sync::Arc;

use shared::amqp::Queue;
use shared::messages::DisbursementRun;
use sqlx::PgPool;
use tokio::sync::Notify;
use uuid::Uuid;

use super::DateBounds;
use crate::consume::Handler;

/// Consumes `disbursements.runs`.
#[derive(Debug, Clone)]
pub struct RequestsHandler {
    pub pool: PgPool,
    pub wake: Arc<Notify>,
    pub bounds: DateBounds,
}

impl Handler for RequestsHandler {
    type Item = DisbursementRun;
    type Outcome = u64;

    fn queue(&self) -> Queue {
        Queue::DisbursementsRuns
    }

    fn decode(&self, body: &[u8]) -> Result<DisbursementRun, String> {
        let run: DisbursementRun = serde_json::from_slice(body)
            .map_err(|e| format!("not a disbursement run request: {e}"))?;
        self.bounds
            .check_run_date(run.run_date, chrono::Utc::now())
            .map_err(|why| format!("refused run request: {why}"))?;
        Ok(run)
    }

    async fn store(&self, runs: &[DisbursementRun]) -> Result<u64, sqlx::Error> {
        let mut recorded = 0;
        for run in runs {
            recorded += record_request(
                &self.pool,
                run.request_id.unwrap_or_else(Uuid::new_v4),
                run.run_date,
                run.requested_by.as_deref(),
            )
            .await?;
        }
        self.wake.notify_one();
        Ok(recorded)
    }

    fn describe(&self, run: &DisbursementRun) -> String {
        format!("run request for {}", run.run_date)
    }
}

/// Records a request (idempotent by id); returns 1 if it is new.
pub async fn record_request(
    pool: &PgPool,
    request_id: Uuid,
    run_date: chrono::NaiveDate,
    requested_by: Option<&str>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO run_requests (request_id, run_date, requested_by) VALUES ($1, $2, $3) \
         ON CONFLICT (request_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(run_date)
    .bind(requested_by)
    .execute(pool)
    .await?
    .rows_affected())
}
