//! The nightly run for a date: revocations and promotions, then entitlements
//! due and their instructions (to the outbox), then the summary. A date runs
//! once; a later request for the same date only re-sends what the gateway
//! has not answered. One run executes at a time across all disbursers.

mod entitle;
mod hold;
mod instruct;
mod revoke;
mod summary;

use chrono::{NaiveDate, Utc};
use shared::events::{InstructionsCreated, RunFinished};
use sqlx::PgPool;
use uuid::Uuid;

use crate::worker::AdvisoryLock;

pub use instruct::InstructOptions;
pub use revoke::RevokeOutcome;
pub use summary::{RunSummary, SummaryLine};

/// Participants whose entitlements one transaction of a run covers.
const PARTICIPANTS_PER_SLICE: i64 = 50_000;

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Woken after each committed slice, so the relay publishes at once.
    pub relay_wake: Option<std::sync::Arc<tokio::sync::Notify>>,
    pub timezone: chrono_tz::Tz,
    pub card_iin: String,
    pub card_provider: String,
    pub max_attempts: u32,
    pub resend_after_secs: u64,
    /// `disburser.approval_ceiling`: a run over it waits for a second operator.
    pub approval_ceiling: Option<i64>,
}

impl RunOptions {
    pub fn from_settings(settings: &shared::config::DisburserSettings) -> Self {
        Self {
            relay_wake: None,
            timezone: settings.timezone,
            card_iin: settings.card_iin.clone(),
            card_provider: settings.card_provider.clone(),
            max_attempts: settings.max_attempts,
            resend_after_secs: settings.resend_after_secs,
            approval_ceiling: settings.approval_ceiling,
        }
    }

    fn instruct(&self) -> InstructOptions {
        InstructOptions {
            timezone: self.timezone,
            card_provider: self.card_provider.clone(),
            max_attempts: self.max_attempts,
        }
    }
}

/// Serves every unserved run request, oldest date first, if no other
/// disburser is running one. Returns the summaries of the runs executed.
pub async fn execute_pending(
    pool: &PgPool,
    options: &RunOptions,
) -> anyhow::Result<Vec<RunSummary>> {
    let Some(lock) = AdvisoryLock::try_acquire(pool, "disbursement-runs").await? else {
        return Ok(Vec::new());
    };
    crate::failpoint::crash("disburser-run-locked");
    let dates: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT run_date FROM run_requests WHERE served_at IS NULL ORDER BY run_date",
    )
    .fetch_all(pool)
    .await?;
    let mut summaries = Vec::new();
    for date in dates {
        summaries.push(execute(pool, date, options).await?);
    }
    lock.release().await;
    Ok(summaries)
}

/// Executes the run for `run_date` (the caller holds the runs lock).
#[tracing::instrument(name = "disbursement_run", skip(pool, options), err)]
async fn execute(
    pool: &PgPool,
    run_date: NaiveDate,
    options: &RunOptions,
) -> anyhow::Result<RunSummary> {
    let started = std::time::Instant::now();
    sqlx::query("INSERT INTO disbursement_runs (run_date) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(run_date)
        .execute(pool)
        .await?;
    let requests: Vec<Uuid> = sqlx::query_scalar(
        "SELECT request_id FROM run_requests WHERE run_date = $1 AND served_at IS NULL",
    )
    .bind(run_date)
    .fetch_all(pool)
    .await?;
    let finished: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT finished_at FROM disbursement_runs WHERE run_date = $1")
            .bind(run_date)
            .fetch_one(pool)
            .await?;
    let timezone = options.timezone.name();
    let mut work = summary::Work::default();
    if finished.is_none() {
        // Held before its first instruction exists, when a ceiling is set.
        hold::open(pool, run_date, options.approval_ceiling).await?;
        let mut tx = pool.begin().await?;
        work.revoke =
            revoke::revoke_and_promote(&mut tx, run_date, timezone, &options.card_iin).await?;
        tx.commit().await?;
        // In slices of participants, each in one transaction (entitlements,
        // instructions and their outbox rows together), so the relay starts
        // publishing while the run goes on. A run killed half-way resumes:
        // every step skips what exists.
        let (first, last): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT min(participant_id), max(participant_id) FROM participants")
                .fetch_one(pool)
                .await?;
        let instruct = options.instruct();
        let mut low = first.unwrap_or(1);
        while low <= last.unwrap_or(0) {
            let high = low + PARTICIPANTS_PER_SLICE - 1;
            let mut tx = pool.begin().await?;
            work.entitlements_created +=
                entitle::create_due(&mut tx, run_date, timezone, (low, high)).await?;
            work.instructions_created +=
                instruct::create_instructions(&mut tx, run_date, (low, high), &instruct).await?;
            tx.commit().await?;
            crate::failpoint::crash("disburser-slice-committed");
            if let Some(wake) = &options.relay_wake {
                wake.notify_waiters();
            }
            low = high + 1;
        }
        let mut tx = pool.begin().await?;
        work.resent =
            instruct::resend_unanswered(&mut tx, run_date, false, options.resend_after_secs)
                .await?;
        tx.commit().await?;
    } else {
        let mut tx = pool.begin().await?;
        work.resent = instruct::resend_unanswered(&mut tx, run_date, true, 0).await?;
        tx.commit().await?;
    }
    let summary = summary::finish(pool, run_date, finished.is_none(), work, &requests).await?;
    if summary.first_execution {
        for line in &summary.instructions {
            InstructionsCreated {
                kind: line.kind.as_str(),
                provider: &line.provider,
                count: line.count as u64,
            }
            .emit();
        }
    }
    let awaiting_approval: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM run_holds WHERE run_date = $1 AND state = 'awaiting_approval')",
    )
    .bind(run_date)
    .fetch_one(pool)
    .await?;
    RunFinished {
        run_date,
        first_execution: summary.first_execution,
        instructions: summary.instructions_created,
        resent: summary.resent,
        revoked: summary.revoked,
        promoted: summary.promoted,
        awaiting_approval,
        elapsed: started.elapsed(),
    }
    .emit();
    Ok(summary)
}
