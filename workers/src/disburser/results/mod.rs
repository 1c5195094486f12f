//! Payment results: each recorded once per (instruction, key, status), and
//! applied only when believed: its instruction is known, the key is the
//! instruction's, and it moves the status forward. A contradiction of a
//! final status is a conflict that puts the entitlement on hold (no run
//! makes a new attempt for it until `prakerja disburse resolve`). The
//! ledger is written in the same transaction.

mod apply;
mod transition;

use std::collections::HashSet;

use chrono::Utc;
use shared::amqp::Queue;
use shared::db_text::DbText;
use shared::events::ResultsRecorded;
use shared::messages::{PaymentResult, PaymentStatus};
use shared::payments::{InstructionStatus, ResultOutcome};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub(crate) use apply::return_revoked_balance;
pub use transition::{Transition, transition};

use apply::apply;

use super::instruction::{Instruction, lock_many};
use crate::consume::Handler;

/// What storing a batch of results did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ResultsOutcome {
    pub applied: u64,
    pub duplicates: u64,
    pub stale: u64,
    pub conflicts: u64,
    pub unknown: u64,
    pub mismatched: u64,
    /// Every result recorded, by status and outcome (in `ALL` orders).
    pub by_status: [[u64; 6]; 3],
}

const STATUSES: [PaymentStatus; 3] = [
    PaymentStatus::Success,
    PaymentStatus::Failed,
    PaymentStatus::Reversed,
];

impl ResultsOutcome {
    fn count(&mut self, status: PaymentStatus, outcome: ResultOutcome) {
        let row = STATUSES.iter().position(|s| *s == status).unwrap_or(0);
        let column = ResultOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.by_status[row][column] += 1;
        *match outcome {
            ResultOutcome::Applied => &mut self.applied,
            ResultOutcome::Duplicate => &mut self.duplicates,
            ResultOutcome::Stale => &mut self.stale,
            ResultOutcome::Conflict => &mut self.conflicts,
            ResultOutcome::UnknownInstruction => &mut self.unknown,
            ResultOutcome::KeyMismatch => &mut self.mismatched,
        } += 1;
    }
}

impl std::ops::AddAssign for ResultsOutcome {
    fn add_assign(&mut self, o: Self) {
        self.applied += o.applied;
        self.duplicates += o.duplicates;
        self.stale += o.stale;
        self.conflicts += o.conflicts;
        self.unknown += o.unknown;
        self.mismatched += o.mismatched;
        for (row, other) in self.by_status.iter_mut().zip(o.by_status) {
            for (count, add) in row.iter_mut().zip(other) {
                *count += add;
            }
        }
    }
}

/// The metric of what a committed batch recorded.
fn recorded_event(outcome: &ResultsOutcome) {
    let mut counts = Vec::new();
    for (status, row) in STATUSES.iter().zip(outcome.by_status) {
        for (result, count) in ResultOutcome::ALL.iter().zip(row) {
            if count > 0 {
                counts.push((status.as_str(), result.as_str(), count));
            }
        }
    }
    ResultsRecorded { counts: &counts }.emit();
}

/// Consumes `payments.results`.
#[derive(Debug, Clone)]
pub struct ResultsHandler {
    pub pool: PgPool,
}

impl Handler for ResultsHandler {
    type Item = PaymentResult;
    type Outcome = ResultsOutcome;

    fn queue(&self) -> Queue {
        Queue::PaymentsResults
    }

    fn decode(&self, body: &[u8]) -> Result<PaymentResult, String> {
        serde_json::from_slice(body).map_err(|e| format!("not a PaymentResult: {e}"))
    }

    async fn store(&self, results: &[PaymentResult]) -> Result<ResultsOutcome, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let outcome = store_results(&mut tx, results).await?;
        tx.commit().await?;
        recorded_event(&outcome);
        Ok(outcome)
    }

    fn describe(&self, result: &PaymentResult) -> String {
        format!("payment result for {}", result.instruction_id)
    }
}

/// A result as recorded: the same one twice is one.
type Seen = (Uuid, String, PaymentStatus);

/// Stores a batch of results in the caller's transaction.
pub async fn store_results(
    tx: &mut PgConnection,
    results: &[PaymentResult],
) -> Result<ResultsOutcome, sqlx::Error> {
    let ids: Vec<Uuid> = results.iter().map(|r| r.instruction_id).collect();
    // Locked first: results for one instruction are judged one batch at a time.
    let mut instructions = lock_many(tx, &ids).await?;
    let mut seen: HashSet<Seen> = sqlx::query_as::<_, Seen>(
        "SELECT instruction_id, idempotency_key, status FROM payment_results WHERE instruction_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();

    let mut outcome = ResultsOutcome::default();
    for result in results {
        let key = (
            result.instruction_id,
            result.idempotency_key.clone(),
            result.status,
        );
        if seen.contains(&key) {
            // A copy of a result already recorded changes nothing, whatever
            // has happened since (an operator's resolution included).
            outcome.count(result.status, ResultOutcome::Duplicate);
            continue;
        }
        let instruction = instructions.get_mut(&result.instruction_id);
        let judged = judge(tx, result, instruction.as_deref()).await?;
        if let (ResultOutcome::Applied, Some(instruction)) = (judged.0, instruction) {
            instruction.status = judged.1.expect("an applied result has a new status");
        }
        let entitlement = instructions
            .get(&result.instruction_id)
            .map(|i| i.entitlement_id);
        record(tx, result, judged.0, entitlement).await?;
        seen.insert(key);
        outcome.count(result.status, judged.0);
    }
    Ok(outcome)
}

/// Decides what a new result does, and does it (apply or hold); returns the
/// outcome and, when applied, the instruction's new status.
async fn judge(
    tx: &mut PgConnection,
    result: &PaymentResult,
    instruction: Option<&Instruction>,
) -> Result<(ResultOutcome, Option<InstructionStatus>), sqlx::Error> {
    let Some(instruction) = instruction else {
        tracing::warn!(instruction_id = %result.instruction_id, "result for an unknown instruction; recorded, not applied");
        return Ok((ResultOutcome::UnknownInstruction, None));
    };
    if result.idempotency_key != instruction.idempotency_key {
        tracing::warn!(instruction_id = %result.instruction_id, "result whose idempotency key is not its instruction's; recorded, not applied");
        return Ok((ResultOutcome::KeyMismatch, None));
    }
    Ok(match transition(instruction.status, result.status) {
        Transition::Apply { to, paid, reversed } => {
            apply(tx, result, instruction, to, paid, reversed).await?;
            (ResultOutcome::Applied, Some(to))
        }
        Transition::Duplicate => (ResultOutcome::Duplicate, None),
        Transition::Stale => (ResultOutcome::Stale, None),
        Transition::Conflict => {
            tracing::error!(
                instruction_id = %result.instruction_id,
                entitlement_id = instruction.entitlement_id,
                status = %instruction.status,
                result = %result.status,
                "conflicting payment result: the entitlement is on hold until an operator resolves it"
            );
            (ResultOutcome::Conflict, None)
        }
    })
}

async fn record(
    tx: &mut PgConnection,
    result: &PaymentResult,
    outcome: ResultOutcome,
    entitlement_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, provider_reference, \
             reason, processed_at, outcome, entitlement_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (instruction_id, idempotency_key, status) DO NOTHING",
    )
    .bind(result.instruction_id)
    .bind(&result.idempotency_key)
    .bind(result.status)
    .bind(&result.provider_reference)
    .bind(&result.reason)
    .bind(result.processed_at.with_timezone(&Utc))
    .bind(outcome)
    .bind(entitlement_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
