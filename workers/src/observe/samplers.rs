//! Gauges read from the database at each scrape: how the outboxes, the
//! instructions, the pauses and the approvals stand. Database-wide: every
//! replica of a binary reports the same values (aggregate with `max`).

use std::collections::BTreeSet;
use std::time::Duration;

use shared::config::MetricsBinary;
use shared::events::{ApprovalsWaiting, InstructionCount, PaymentsPaused, RelayLag};
use sqlx::PgPool;

/// A scrape waits this long for the database at most.
const TIMEOUT: Duration = Duration::from_secs(3);

/// What a binary samples, and the label sets it reported before (so that a
/// combination that disappeared reads 0 rather than its last value).
#[derive(Debug, Default)]
pub struct Samplers {
    announcements: bool,
    payments: bool,
    instruction_labels: BTreeSet<(String, String)>,
    paused_labels: BTreeSet<String>,
}

impl Samplers {
    pub fn for_binary(binary: MetricsBinary) -> Self {
        Self {
            // Both relay selection announcements.
            announcements: matches!(binary, MetricsBinary::Selector | MetricsBinary::Disburser),
            payments: binary == MetricsBinary::Disburser,
            ..Self::default()
        }
    }

    /// Reads and sets the gauges; a failure leaves them as they were.
    pub async fn sample(&mut self, pool: &PgPool) {
        match tokio::time::timeout(TIMEOUT, self.read(pool)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "could not sample the database's state"),
            Err(_) => tracing::debug!("sampling the database's state timed out"),
        }
    }

    async fn read(&mut self, pool: &PgPool) -> Result<(), sqlx::Error> {
        if self.announcements {
            let (waiting, oldest): (i64, Option<f64>) = sqlx::query_as(
                "SELECT count(*), EXTRACT(EPOCH FROM now() - min(created_at))::float8 \
                   FROM participants WHERE announced_at IS NULL",
            )
            .fetch_one(pool)
            .await?;
            lag("participants-selected", waiting, oldest);
        }
        if !self.payments {
            return Ok(());
        }
        let (waiting, oldest): (i64, Option<f64>) = sqlx::query_as(
            "SELECT count(*), EXTRACT(EPOCH FROM now() - min(queued_at))::float8 FROM instruction_outbox",
        )
        .fetch_one(pool)
        .await?;
        lag("payment-instructions", waiting, oldest);
        let counts: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT status, payout_provider, count(*) FROM payment_instructions GROUP BY 1, 2",
        )
        .fetch_all(pool)
        .await?;
        let mut seen = BTreeSet::new();
        for (status, provider, count) in &counts {
            InstructionCount {
                status,
                provider,
                count: *count,
            }
            .emit();
            seen.insert((status.clone(), provider.clone()));
        }
        for (status, provider) in self.instruction_labels.difference(&seen) {
            InstructionCount {
                status,
                provider,
                count: 0,
            }
            .emit();
        }
        self.instruction_labels.extend(seen);
        let paused: BTreeSet<String> =
            sqlx::query_scalar::<_, String>("SELECT scope FROM payment_pauses")
                .fetch_all(pool)
                .await?
                .into_iter()
                .collect();
        self.paused_labels.insert("*".to_owned());
        self.paused_labels.extend(paused.iter().cloned());
        for provider in &self.paused_labels {
            PaymentsPaused {
                provider,
                paused: paused.contains(provider),
            }
            .emit();
        }
        let runs: i64 =
            sqlx::query_scalar("SELECT count(*) FROM run_holds WHERE state = 'awaiting_approval'")
                .fetch_one(pool)
                .await?;
        ApprovalsWaiting { runs }.emit();
        Ok(())
    }
}

fn lag(relay: &str, waiting: i64, oldest: Option<f64>) {
    RelayLag {
        relay,
        waiting,
        oldest_seconds: oldest.unwrap_or(0.0).max(0.0),
    }
    .emit();
}
