//! An operator's resolution of results that are not believed
//! (`prakerja disburse resolve`), recorded with who, when and why, in one
//! transaction with its effects:
//!
//! - a conflict (`--as success | failed`): the instruction's status and the
//!   ledger are set to what the provider confirmed (by inserting a
//!   `corrected` entry, never by changing one), the entitlement's paid flag
//!   follows, and the hold is lifted once no conflict of the entitlement is
//!   left;
//! - an overpayment (`--as recovered`): another attempt of the entitlement
//!   succeeded and this one paid too; the ledger shows this payment and its
//!   recovery;
//! - results with a wrong key or for an unknown instruction
//!   (`--as acknowledged`): marked as reviewed; nothing is applied.

mod plan;

use serde::Serialize;
use shared::payments::{Decision, InstructionStatus, LedgerEntryKind, ResultOutcome};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use self::plan::{carry_out, plan_for};
use super::instruction::lock_entitlement;

/// Why a resolution is refused: the operator's input does not fit what is
/// recorded. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What a resolution did.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub resolution_id: i64,
    pub instruction_id: Uuid,
    pub decision: Decision,
    pub resolved_by: String,
    /// Results this resolution settled.
    pub results: i64,
    pub status_before: Option<InstructionStatus>,
    pub status_after: Option<InstructionStatus>,
    /// Ledger entries written (kind, amount).
    pub ledger: Vec<(LedgerEntryKind, i64)>,
    /// Whether the entitlement is still on hold (another conflict of it).
    pub still_on_hold: bool,
}

/// Records `decision` for `instruction_id`.
pub async fn resolve(
    pool: &PgPool,
    instruction_id: Uuid,
    decision: Decision,
    note: &str,
    resolved_by: &str,
) -> Result<Resolved, ResolveError> {
    if note.trim().is_empty() {
        return Err(refused(
            "--note must say why (it is recorded with the resolution)",
        ));
    }
    let mut tx = pool.begin().await?;
    let entitlement: Option<i64> = sqlx::query_scalar(
        "SELECT entitlement_id FROM payment_instructions WHERE instruction_id = $1",
    )
    .bind(instruction_id)
    .fetch_optional(&mut *tx)
    .await?;
    // Every instruction of the entitlement, locked: results and other
    // resolutions for them wait for this one.
    let siblings = match entitlement {
        Some(id) => lock_entitlement(&mut tx, id).await?,
        None => Vec::new(),
    };
    let this = siblings
        .iter()
        .find(|i| i.instruction_id == instruction_id)
        .cloned();
    let unresolved: Vec<(i64, ResultOutcome)> = sqlx::query_as(
        "SELECT result_id, outcome FROM payment_results \
          WHERE instruction_id = $1 AND resolution_id IS NULL \
            AND outcome IN ('conflict', 'unknown_instruction', 'key_mismatch') \
          ORDER BY result_id FOR UPDATE",
    )
    .bind(instruction_id)
    .fetch_all(&mut *tx)
    .await?;
    let conflicts: Vec<i64> = ids(&unresolved, |o| o == ResultOutcome::Conflict);
    let unbelieved: Vec<i64> = ids(&unresolved, |o| o != ResultOutcome::Conflict);

    let (targets, plan) = match (decision, &this) {
        (Decision::Acknowledged, _) => {
            if unbelieved.is_empty() {
                return Err(refused(format!(
                    "no unresolved result with a wrong idempotency key or for an unknown instruction names {instruction_id}{}",
                    if conflicts.is_empty() {
                        ""
                    } else {
                        " (its conflict needs --as success, failed or recovered)"
                    }
                )));
            }
            (unbelieved, None)
        }
        (_, None) => {
            return Err(refused(format!(
                "no instruction {instruction_id} was ever sent: results naming it can only be --as acknowledged"
            )));
        }
        (_, Some(this)) => {
            if conflicts.is_empty() {
                return Err(refused(format!(
                    "instruction {instruction_id} has no unresolved conflict{}",
                    if unbelieved.is_empty() {
                        ""
                    } else {
                        " (its results with a wrong key need --as acknowledged)"
                    }
                )));
            }
            (conflicts, Some(plan_for(decision, this, &siblings)?))
        }
    };

    let resolution_id: i64 = sqlx::query_scalar(
        "INSERT INTO payment_resolutions (instruction_id, decision, note, resolved_by) \
         VALUES ($1, $2, $3, $4) RETURNING resolution_id",
    )
    .bind(instruction_id)
    .bind(decision)
    .bind(note.trim())
    .bind(resolved_by)
    .fetch_one(&mut *tx)
    .await?;
    let mut written = Vec::new();
    if let (Some(plan), Some(this)) = (plan, &this) {
        written = carry_out(&mut tx, this, plan, resolution_id).await?;
    }
    sqlx::query("UPDATE payment_results SET resolution_id = $1 WHERE result_id = ANY($2)")
        .bind(resolution_id)
        .bind(&targets)
        .execute(&mut *tx)
        .await?;
    let still_on_hold = match entitlement {
        Some(id) => on_hold(&mut tx, id).await?,
        None => false,
    };
    tx.commit().await?;
    Ok(Resolved {
        resolution_id,
        instruction_id,
        decision,
        resolved_by: resolved_by.to_owned(),
        results: targets.len() as i64,
        status_before: this.as_ref().map(|i| i.status),
        status_after: this.as_ref().map(|i| plan.map_or(i.status, |p| p.status)),
        ledger: written,
        still_on_hold,
    })
}

/// Whether an entitlement has an unresolved conflict.
pub async fn on_hold(tx: &mut PgConnection, entitlement_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM payment_results WHERE entitlement_id = $1 \
             AND outcome = 'conflict' AND resolution_id IS NULL)",
    )
    .bind(entitlement_id)
    .fetch_one(&mut *tx)
    .await
}

fn ids(rows: &[(i64, ResultOutcome)], keep: impl Fn(ResultOutcome) -> bool) -> Vec<i64> {
    rows.iter()
        .filter(|(_, o)| keep(*o))
        .map(|(id, _)| *id)
        .collect()
}

fn refused(message: impl Into<String>) -> ResolveError {
    ResolveError::Refused(message.into())
}
