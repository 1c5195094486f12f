//! A revoked participant's card balance returned to the state: the rule,
//! shared by the results path (`effects.rs`) and operators' resolutions.

use shared::messages::PaymentKind;
use shared::payments::LedgerEntryKind;
use sqlx::PgConnection;

use crate::disburser::instruction::Instruction;
use crate::disburser::ledger::{self, Entry};

/// The `returned` entry owed once `instruction` is known to have landed: a
/// revoked participant's training balance goes back to the state.
pub(crate) fn revoked_return(instruction: &Instruction) -> Option<Entry> {
    (instruction.revoked && instruction.kind == PaymentKind::TrainingFund).then(|| Entry {
        participant_id: instruction.participant_id,
        entitlement_id: instruction.entitlement_id,
        instruction_id: None,
        kind: LedgerEntryKind::Returned,
        amount: -instruction.amount,
        resolution_id: None,
    })
}

/// Writes [`revoked_return`]'s entry, if any, in the caller's transaction.
pub(crate) async fn return_revoked_balance(
    tx: &mut PgConnection,
    instruction: &Instruction,
) -> Result<(), sqlx::Error> {
    if let Some(entry) = revoked_return(instruction) {
        ledger::insert(tx, entry).await?;
    }
    Ok(())
}
