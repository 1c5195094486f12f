//! The nightly run for a date: revocations and promotions, then entitlements
//! due and their instructions (to the outbox), then the summary. A date runs
//! once; a later request for the same date only re-sends what the gateway
//! has not answered. One run executes at a time across all disbursers.

mod entitle;
mod instruct;
mod revoke;
mod summary;

use chrono::{NaiveDate, Offset, Utc};
use sqlx::{Connection, PgPool};
use uuid::Uuid;

use crate::relay::advisory_key;

pub use instruct::InstructOptions;
pub use revoke::RevokeOutcome;
pub use summary::{RunSummary, SummaryLine};

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub timezone: chrono_tz::Tz,
    pub card_iin: String,
    pub card_provider: String,
    pub max_attempts: u32,
    pub resend_after_secs: u64,
}

impl RunOptions {
    pub fn from_settings(settings: &shared::config::DisburserSettings) -> Self {
        Self {
            timezone: settings.timezone,
            card_iin: settings.card_iin.clone(),
            card_provider: settings.card_provider.clone(),
            max_attempts: settings.max_attempts,
            resend_after_secs: settings.resend_after_secs,
        }
    }

    fn instruct(&self) -> InstructOptions {
        let offset = Utc::now().with_timezone(&self.timezone).offset().fix();
        InstructOptions {
            timezone: self.timezone.name().to_owned(),
            card_provider: self.card_provider.clone(),
            max_attempts: self.max_attempts,
            utc_offset: offset.to_string(),
        }
    }
}

/// Serves every unserved run request, oldest date first, if no other
/// disburser is running one. Returns the summaries of the runs executed.
pub async fn execute_pending(
    pool: &PgPool,
    options: &RunOptions,
) -> anyhow::Result<Vec<RunSummary>> {
    let mut lock = pool.acquire().await?.detach();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(advisory_key("disbursement-runs"))
        .fetch_one(&mut lock)
        .await?;
    if !locked {
        let _ = lock.close().await;
        return Ok(Vec::new());
    }
    let dates: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT run_date FROM run_requests WHERE served_at IS NULL ORDER BY run_date",
    )
    .fetch_all(pool)
    .await?;
    let mut summaries = Vec::new();
    for date in dates {
        summaries.push(execute(pool, date, options).await?);
    }
    let _ = lock.close().await;
    Ok(summaries)
}

/// Executes the run for `run_date` (the caller holds the runs lock).
#[tracing::instrument(name = "disbursement_run", skip(pool, options), err)]
async fn execute(
    pool: &PgPool,
    run_date: NaiveDate,
    options: &RunOptions,
) -> anyhow::Result<RunSummary> {
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
        let mut tx = pool.begin().await?;
        work.revoke =
            revoke::revoke_and_promote(&mut tx, run_date, timezone, &options.card_iin).await?;
        tx.commit().await?;
        let mut tx = pool.begin().await?;
        work.entitlements_created = entitle::create_due(&mut tx, run_date, timezone).await?;
        work.instructions_created =
            instruct::create_instructions(&mut tx, run_date, &options.instruct()).await?;
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
    tracing::info!(
        first_execution = summary.first_execution,
        instructions = summary.instructions_created,
        resent = summary.resent,
        revoked = summary.revoked,
        promoted = summary.promoted,
        "disbursement run done"
    );
    Ok(summary)
}
