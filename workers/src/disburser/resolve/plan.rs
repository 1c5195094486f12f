//! What resolving a conflict sets, and writing it: the instruction's
//! status, its net in the ledger (by inserting entries naming the
//! resolution), whether that payment was recovered, and the entitlement's
//! paid flag.

use shared::payments::{Decision, InstructionStatus, LedgerEntryKind};
use sqlx::PgConnection;

use super::{ResolveError, refused};
use crate::disburser::instruction::Instruction;
use crate::disburser::ledger::{self, Entry};
use crate::disburser::results::return_revoked_balance;

/// What resolving a conflict sets: the instruction's status, its net in
/// the ledger, and whether that payment was recovered.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    pub status: InstructionStatus,
    pub net: i64,
    pub recovered: bool,
}

pub(super) fn plan_for(
    decision: Decision,
    this: &Instruction,
    siblings: &[Instruction],
) -> Result<Plan, ResolveError> {
    let other = |status: InstructionStatus| {
        siblings
            .iter()
            .find(|i| i.instruction_id != this.instruction_id && i.status == status)
    };
    let succeeded = other(InstructionStatus::Success);
    match decision {
        Decision::Success => {
            if let Some(paid) = succeeded {
                return Err(refused(format!(
                    "attempt {} (instruction {}) of this entitlement succeeded too: if both paid, the \
                     participant was overpaid; once it is recovered record --as recovered, or --as failed \
                     if the provider says this attempt did not pay",
                    paid.attempt, paid.instruction_id
                )));
            }
            if let Some(open) = other(InstructionStatus::Pending) {
                return Err(refused(format!(
                    "attempt {} (instruction {}) of this entitlement is still unanswered: wait for its \
                     result before deciding that this one paid",
                    open.attempt, open.instruction_id
                )));
            }
            Ok(Plan {
                status: InstructionStatus::Success,
                net: this.amount,
                recovered: false,
            })
        }
        Decision::Failed => Ok(Plan {
            status: match this.status {
                InstructionStatus::Success => InstructionStatus::Failed,
                other => other,
            },
            net: 0,
            recovered: false,
        }),
        Decision::Recovered => match succeeded {
            Some(_) => Ok(Plan {
                status: this.status,
                net: this.amount,
                recovered: true,
            }),
            None => Err(refused(
                "--as recovered is for an overpayment, and no other attempt of this entitlement succeeded",
            )),
        },
        Decision::Acknowledged => unreachable!("acknowledgements change no instruction"),
    }
}

/// Writes the plan: ledger entries first (so the instruction's net is the
/// plan's), then the status and the entitlement's paid flag.
pub(super) async fn carry_out(
    tx: &mut PgConnection,
    this: &Instruction,
    plan: Plan,
    resolution_id: i64,
) -> Result<Vec<(LedgerEntryKind, i64)>, sqlx::Error> {
    let mut written = Vec::new();
    let entry = |kind, amount| Entry {
        participant_id: this.participant_id,
        entitlement_id: this.entitlement_id,
        instruction_id: Some(this.instruction_id),
        kind,
        amount,
        resolution_id: Some(resolution_id),
    };
    let delta = plan.net - ledger::instruction_net(tx, this.instruction_id).await?;
    if delta != 0 {
        ledger::insert(tx, entry(LedgerEntryKind::Corrected, delta)).await?;
        written.push((LedgerEntryKind::Corrected, delta));
    }
    if plan.recovered {
        ledger::insert(tx, entry(LedgerEntryKind::Recovered, -this.amount)).await?;
        written.push((LedgerEntryKind::Recovered, -this.amount));
    }
    if plan.status != this.status {
        sqlx::query("UPDATE payment_instructions SET status = $2 WHERE instruction_id = $1")
            .bind(this.instruction_id)
            .bind(plan.status)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE entitlements e SET paid = EXISTS (SELECT 1 FROM payment_instructions i \
             WHERE i.entitlement_id = e.entitlement_id AND i.status = 'success') \
          WHERE e.entitlement_id = $1",
    )
    .bind(this.entitlement_id)
    .execute(&mut *tx)
    .await?;
    if plan.status == InstructionStatus::Success && this.status != InstructionStatus::Success {
        return_revoked_balance(tx, this).await?;
    }
    Ok(written)
}
