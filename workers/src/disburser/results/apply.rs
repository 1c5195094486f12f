//! A revoked participant's card balance returned, for an operator's
//! resolution that finds a training fund paid (the results path writes the
//! same entry through `effects.rs`).

use shared::messages::PaymentKind;
use shared::payments::LedgerEntryKind;
use sqlx::PgConnection;

use crate::disburser::instruction::Instruction;
use crate::disburser::ledger::{self, Entry};

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
