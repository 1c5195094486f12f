//! A run's summary: what it did, and its instructions by kind and provider.
//! Stored with the run; counts of the first execution are kept on reruns.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared::messages::PaymentKind;
use sqlx::PgPool;
use uuid::Uuid;

use super::RevokeOutcome;

/// What one execution did.
#[derive(Debug, Default)]
pub struct Work {
    pub revoke: RevokeOutcome,
    pub entitlements_created: u64,
    pub instructions_created: u64,
    pub resent: u64,
}

/// Instructions of one kind to one provider.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct SummaryLine {
    pub kind: PaymentKind,
    pub provider: String,
    pub count: i64,
    pub amount: i64,
}

/// The summary of a run date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_date: NaiveDate,
    pub executions: i32,
    /// False for a rerun (which creates nothing, only re-sends).
    pub first_execution: bool,
    pub revoked: u64,
    pub promoted: u64,
    pub seats_unfilled: u64,
    pub promotions_postponed: u64,
    pub entitlements_created: u64,
    pub instructions_created: u64,
    /// Unanswered instructions sent again (same idempotency key).
    pub resent: u64,
    /// The date's instructions by kind and provider.
    pub instructions: Vec<SummaryLine>,
    pub total_count: i64,
    pub total_amount: i64,
}

/// Writes the summary, marks the run finished and its requests served.
pub(super) async fn finish(
    pool: &PgPool,
    run_date: NaiveDate,
    first: bool,
    work: Work,
    requests: &[Uuid],
) -> anyhow::Result<RunSummary> {
    let lines: Vec<SummaryLine> = sqlx::query_as(
        "SELECT kind, payout_provider AS provider, count(*) AS count, sum(amount)::bigint AS amount \
           FROM payment_instructions WHERE run_date = $1 GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(run_date)
    .fetch_all(pool)
    .await?;
    let previous: Option<sqlx::types::Json<RunSummary>> =
        sqlx::query_scalar("SELECT summary FROM disbursement_runs WHERE run_date = $1")
            .bind(run_date)
            .fetch_one(pool)
            .await?;
    let executions: i32 =
        sqlx::query_scalar("SELECT executions + 1 FROM disbursement_runs WHERE run_date = $1")
            .bind(run_date)
            .fetch_one(pool)
            .await?;
    let base = match (&previous, first) {
        (Some(previous), false) => previous.0.clone(),
        _ => RunSummary {
            run_date,
            executions,
            first_execution: true,
            revoked: work.revoke.revoked,
            promoted: work.revoke.promoted,
            seats_unfilled: work.revoke.seats_unfilled,
            promotions_postponed: work.revoke.promotions_postponed,
            entitlements_created: work.entitlements_created,
            instructions_created: work.instructions_created,
            resent: 0,
            instructions: Vec::new(),
            total_count: 0,
            total_amount: 0,
        },
    };
    // Counted from the database: a first execution killed half-way and
    // resumed made its instructions over two executions.
    let entitlements_created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM entitlements WHERE run_date = $1")
            .bind(run_date)
            .fetch_one(pool)
            .await?;
    let made: i64 = lines.iter().map(|l| l.count).sum();
    let summary = RunSummary {
        executions,
        first_execution: first,
        instructions_created: if first { made as u64 } else { 0 },
        entitlements_created: if first {
            entitlements_created as u64
        } else {
            0
        },
        resent: work.resent,
        total_count: lines.iter().map(|l| l.count).sum(),
        total_amount: lines.iter().map(|l| l.amount).sum(),
        instructions: lines,
        ..base
    };
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE disbursement_runs SET finished_at = now(), executions = $2, summary = $3 WHERE run_date = $1",
    )
    .bind(run_date)
    .bind(executions)
    .bind(sqlx::types::Json(&summary))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE run_requests SET served_at = now() WHERE request_id = ANY($1)")
        .bind(requests)
        .execute(&mut *tx)
        .await?;
    super::hold::settle(&mut tx, run_date, summary.total_amount, requests).await?;
    tx.commit().await?;
    Ok(summary)
}
