//! A run's hold (`run_holds`), when `disburser.approval_ceiling` is set: the
//! run's instructions are held from the relay while it runs; once its total
//! is known the run is released at once (within the ceiling) or waits for a
//! second operator (`prakerja disburse approve`). Nothing leaves before:
//! the relay skips every instruction of a run whose hold is not released
//! (`relay/instructions.rs`), and the database refuses a release over the
//! ceiling or an approval by one who requested the run (`run_holds` checks).

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Holds the run of `run_date` before its first instruction is written
/// (idempotent: a resumed run keeps its hold and ceiling).
pub async fn open(
    pool: &PgPool,
    run_date: NaiveDate,
    ceiling: Option<i64>,
) -> Result<(), sqlx::Error> {
    let Some(ceiling) = ceiling else {
        return Ok(());
    };
    sqlx::query("INSERT INTO run_holds (run_date, ceiling) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(run_date)
        .bind(ceiling)
        .execute(pool)
        .await?;
    Ok(())
}

/// Once the run's total is known (in the transaction that finishes the run):
/// released if within the ceiling, else waiting for approval, with who
/// requested it. Does nothing to a run without a hold or one already settled.
pub async fn settle(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    total_amount: i64,
    requests: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE run_holds SET total_amount = $2, \
             requested_by = ARRAY(SELECT DISTINCT requested_by FROM run_requests \
                                   WHERE request_id = ANY($3) AND requested_by IS NOT NULL \
                                   ORDER BY 1), \
             state = CASE WHEN $2 > ceiling THEN 'awaiting_approval' ELSE 'released' END, \
             released_at = CASE WHEN $2 > ceiling THEN NULL ELSE now() END \
          WHERE run_date = $1 AND state = 'computing'",
    )
    .bind(run_date)
    .bind(total_amount)
    .bind(requests)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
