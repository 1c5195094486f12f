//! Payment results: each recorded once per (instruction, key, status), and
//! applied only when believed: its instruction is known, the key is the
//! instruction's, and it moves the status forward. A contradiction of a
//! final status is a conflict that puts the entitlement on hold (no run
//! makes a new attempt for it until `prakerja disburse resolve`). The
//! ledger is written in the same transaction. A batch is judged in memory,
//! result by result, and its effects written with one statement per table
//! (`effects.rs`).

mod apply;
mod effects;
mod transition;

use std::collections::HashSet;

use shared::amqp::Queue;
use shared::db_text::DbText;
use shared::events::ResultsRecorded;
use shared::messages::{PaymentResult, PaymentStatus};
use shared::payments::{InstructionStatus, ResultOutcome};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub(crate) use apply::return_revoked_balance;
pub use transition::{Transition, transition};

use effects::Effects;

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

/// The results already recorded for a batch's instructions, looked up by
/// index one instruction at a time whatever the statistics say: the
/// `OFFSET 0` keeps the subquery from being flattened into a join, which a
/// planner without statistics on `payment_results` (never analysed, as with
/// autovacuum off) runs as a sequential scan of every result ever received,
/// once per batch (`tests/it/results_plans.rs`).
const SEEN_SQL: &str = "\
SELECT r.instruction_id, r.idempotency_key, r.status \
  FROM UNNEST($1::uuid[]) AS batch(instruction_id) \
 CROSS JOIN LATERAL (SELECT instruction_id, idempotency_key, status FROM payment_results \
                      WHERE instruction_id = batch.instruction_id OFFSET 0) AS r";

/// Stores a batch of results in the caller's transaction.
pub async fn store_results(
    tx: &mut PgConnection,
    results: &[PaymentResult],
) -> Result<ResultsOutcome, sqlx::Error> {
    let ids: Vec<Uuid> = results.iter().map(|r| r.instruction_id).collect();
    // Locked first: results for one instruction are judged one batch at a time.
    let mut instructions = lock_many(tx, &ids).await?;
    let mut seen: HashSet<Seen> = sqlx::query_as::<_, Seen>(SEEN_SQL)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();

    let mut outcome = ResultsOutcome::default();
    let mut effects = Effects::default();
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
        let judged = judge(&mut effects, result, instruction.as_deref());
        if let (ResultOutcome::Applied, Some(instruction)) = (judged.0, instruction) {
            instruction.status = judged.1.expect("an applied result has a new status");
        }
        let entitlement = instructions
            .get(&result.instruction_id)
            .map(|i| i.entitlement_id);
        effects.record(result, judged.0, entitlement);
        seen.insert(key);
        outcome.count(result.status, judged.0);
    }
    effects.write(tx).await?;
    Ok(outcome)
}

/// Decides what a new result does and adds it to `effects` (apply, or
/// record only); returns the outcome and, when applied, the instruction's
/// new status.
fn judge(
    effects: &mut Effects,
    result: &PaymentResult,
    instruction: Option<&Instruction>,
) -> (ResultOutcome, Option<InstructionStatus>) {
    let Some(instruction) = instruction else {
        tracing::warn!(instruction_id = %result.instruction_id, "result for an unknown instruction; recorded, not applied");
        return (ResultOutcome::UnknownInstruction, None);
    };
    if result.idempotency_key != instruction.idempotency_key {
        tracing::warn!(instruction_id = %result.instruction_id, "result whose idempotency key is not its instruction's; recorded, not applied");
        return (ResultOutcome::KeyMismatch, None);
    }
    match transition(instruction.status, result.status) {
        Transition::Apply { to, paid, reversed } => {
            effects.apply(result, instruction, to, paid, reversed);
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
    }
}
