//! Payment results: recorded once each, applied only as forward moves of the
//! instruction's status (pending -> success | failed, success -> reversed),
//! with the ledger written in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use shared::amqp::Queue;
use shared::messages::{PaymentResult, PaymentStatus};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::consume::Handler;

/// What storing a batch of results did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ResultsOutcome {
    pub applied: u64,
    pub duplicates: u64,
    pub stale: u64,
    pub conflicts: u64,
    pub unknown: u64,
}

impl std::ops::AddAssign for ResultsOutcome {
    fn add_assign(&mut self, o: Self) {
        self.applied += o.applied;
        self.duplicates += o.duplicates;
        self.stale += o.stale;
        self.conflicts += o.conflicts;
        self.unknown += o.unknown;
    }
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
        Ok(outcome)
    }

    fn describe(&self, result: &PaymentResult) -> String {
        format!("payment result for {}", result.instruction_id)
    }
}

/// An instruction as results see it (locked for the transaction).
struct Instruction {
    status: String,
    entitlement_id: i64,
    participant_id: i64,
    amount: i64,
    kind: String,
    revoked: bool,
}

/// The classification of one result against the instruction's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Moves the status forward; `ledger` entries to write.
    Apply {
        to: &'static str,
        paid: bool,
        reversed: bool,
    },
    /// The status already is this.
    Duplicate,
    /// An older status arriving after a newer one (success after reversal).
    Stale,
    /// Contradicts a final status (failed vs success): kept for review.
    Conflict,
}

/// What a result does to an instruction in `status` (pure; the rules of
/// CONTRACTS.md: duplicates change nothing, statuses only move forward).
pub fn transition(status: &str, result: PaymentStatus) -> Transition {
    use PaymentStatus::*;
    match (status, result) {
        ("pending", Success) => Transition::Apply {
            to: "success",
            paid: true,
            reversed: false,
        },
        ("pending", Failed) => Transition::Apply {
            to: "failed",
            paid: false,
            reversed: false,
        },
        // A reversal overtook its success: it was paid, then undone.
        ("pending", Reversed) => Transition::Apply {
            to: "reversed",
            paid: true,
            reversed: true,
        },
        ("success", Reversed) => Transition::Apply {
            to: "reversed",
            paid: false,
            reversed: true,
        },
        ("success", Success) | ("failed", Failed) | ("reversed", Reversed) => Transition::Duplicate,
        ("reversed", Success) => Transition::Stale,
        _ => Transition::Conflict,
    }
}

async fn store_results(
    tx: &mut PgConnection,
    results: &[PaymentResult],
) -> Result<ResultsOutcome, sqlx::Error> {
    let ids: Vec<Uuid> = results.iter().map(|r| r.instruction_id).collect();
    let mut instructions: HashMap<Uuid, Instruction> = sqlx::query_as::<
        _,
        (Uuid, String, i64, i64, i64, String, bool),
    >(
        "SELECT i.instruction_id, i.status, i.entitlement_id, e.participant_id, i.amount, i.kind, \
                p.state = 'revoked' \
           FROM payment_instructions i \
           JOIN entitlements e USING (entitlement_id) \
           JOIN participants p USING (participant_id) \
          WHERE i.instruction_id = ANY($1) ORDER BY i.instruction_id FOR UPDATE OF i",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(
        |(id, status, entitlement_id, participant_id, amount, kind, revoked)| {
            (
                id,
                Instruction {
                    status,
                    entitlement_id,
                    participant_id,
                    amount,
                    kind,
                    revoked,
                },
            )
        },
    )
    .collect();

    let mut outcome = ResultsOutcome::default();
    for result in results {
        let (label, applied) = match instructions.get_mut(&result.instruction_id) {
            None => {
                tracing::warn!(instruction_id = %result.instruction_id, "result for an unknown instruction; recorded, not applied");
                outcome.unknown += 1;
                ("unknown_instruction", None)
            }
            Some(instruction) => match transition(&instruction.status, result.status) {
                Transition::Apply { to, paid, reversed } => {
                    apply(tx, result, instruction, to, paid, reversed).await?;
                    instruction.status = to.to_owned();
                    outcome.applied += 1;
                    ("applied", Some(to))
                }
                Transition::Duplicate => {
                    outcome.duplicates += 1;
                    ("duplicate", None)
                }
                Transition::Stale => {
                    outcome.stale += 1;
                    ("stale", None)
                }
                Transition::Conflict => {
                    tracing::error!(instruction_id = %result.instruction_id, status = %instruction.status, result = result.status.as_str(), "conflicting payment result kept for review");
                    outcome.conflicts += 1;
                    ("conflict", None)
                }
            },
        };
        record(tx, result, label).await?;
        let _ = applied;
    }
    Ok(outcome)
}

async fn apply(
    tx: &mut PgConnection,
    result: &PaymentResult,
    instruction: &Instruction,
    to: &str,
    paid: bool,
    reversed: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE payment_instructions SET status = $2, answered_at = $3, \
             provider_reference = COALESCE($4, provider_reference), failure_reason = $5 \
         WHERE instruction_id = $1",
    )
    .bind(result.instruction_id)
    .bind(to)
    .bind(Utc::now())
    .bind(&result.provider_reference)
    .bind(&result.reason)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE entitlements SET paid = $2 WHERE entitlement_id = $1")
        .bind(instruction.entitlement_id)
        .bind(to == "success")
        .execute(&mut *tx)
        .await?;
    let mut entries: Vec<(&str, i64)> = Vec::new();
    if paid {
        entries.push(("paid", instruction.amount));
    }
    if reversed {
        entries.push(("reversed", -instruction.amount));
    }
    for (entry, amount) in entries {
        ledger(tx, instruction, Some(result.instruction_id), entry, amount).await?;
    }
    // A revoked participant's card balance goes back to the state as soon as
    // it is known to have landed.
    if paid && !reversed && instruction.revoked && instruction.kind == "training_fund" {
        ledger(tx, instruction, None, "returned", -instruction.amount).await?;
    }
    Ok(())
}

async fn ledger(
    tx: &mut PgConnection,
    instruction: &Instruction,
    instruction_id: Option<Uuid>,
    entry: &str,
    amount: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ledger_entries (participant_id, entitlement_id, instruction_id, entry, amount) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(instruction.participant_id)
    .bind(instruction.entitlement_id)
    .bind(instruction_id)
    .bind(entry)
    .bind(amount)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn record(
    tx: &mut PgConnection,
    result: &PaymentResult,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, provider_reference, \
             reason, processed_at, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (instruction_id, status) DO NOTHING",
    )
    .bind(result.instruction_id)
    .bind(&result.idempotency_key)
    .bind(result.status.as_str())
    .bind(&result.provider_reference)
    .bind(&result.reason)
    .bind(result.processed_at.with_timezone(&Utc))
    .bind(outcome)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
