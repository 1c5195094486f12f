//! Applying a believed result: the instruction's new status, the
//! entitlement's paid flag and the ledger, in the caller's transaction.

use chrono::Utc;
use shared::messages::{PaymentKind, PaymentResult};
use shared::payments::{InstructionStatus, LedgerEntryKind};
use sqlx::PgConnection;

use crate::disburser::instruction::Instruction;
use crate::disburser::ledger::{self, Entry};

pub(super) async fn apply(
    tx: &mut PgConnection,
    result: &PaymentResult,
    instruction: &Instruction,
    to: InstructionStatus,
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
        .bind(to == InstructionStatus::Success)
        .execute(&mut *tx)
        .await?;
    let entry = |kind, amount| Entry {
        participant_id: instruction.participant_id,
        entitlement_id: instruction.entitlement_id,
        instruction_id: Some(instruction.instruction_id),
        kind,
        amount,
        resolution_id: None,
    };
    if paid {
        ledger::insert(tx, entry(LedgerEntryKind::Paid, instruction.amount)).await?;
    }
    if reversed {
        ledger::insert(tx, entry(LedgerEntryKind::Reversed, -instruction.amount)).await?;
    }
    if paid && !reversed {
        return_revoked_balance(tx, instruction).await?;
    }
    Ok(())
}

/// A revoked participant's card balance goes back to the state as soon as
/// it is known to have landed.
pub(crate) async fn return_revoked_balance(
    tx: &mut PgConnection,
    instruction: &Instruction,
) -> Result<(), sqlx::Error> {
    if instruction.revoked && instruction.kind == PaymentKind::TrainingFund {
        ledger::insert(
            tx,
            Entry {
                participant_id: instruction.participant_id,
                entitlement_id: instruction.entitlement_id,
                instruction_id: None,
                kind: LedgerEntryKind::Returned,
                amount: -instruction.amount,
                resolution_id: None,
            },
        )
        .await?;
    }
    Ok(())
}
