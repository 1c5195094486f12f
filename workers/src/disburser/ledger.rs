//! The ledger: what was paid to whom, entry by entry. It is only ever
//! inserted into; a correction is a new entry, never a changed one.

use shared::payments::LedgerEntryKind;
use sqlx::PgConnection;
use uuid::Uuid;

/// One entry to write.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub participant_id: i64,
    pub entitlement_id: i64,
    pub instruction_id: Option<Uuid>,
    pub kind: LedgerEntryKind,
    pub amount: i64,
    /// The operator's resolution behind a `corrected` or `recovered` entry.
    pub resolution_id: Option<i64>,
}

/// Writes an entry unless the same one exists (the gateway's entries are
/// one of a kind per instruction, a resolution's one of a kind per
/// resolution); returns whether it was written.
pub async fn insert(tx: &mut PgConnection, entry: Entry) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO ledger_entries (participant_id, entitlement_id, instruction_id, entry, amount, resolution_id) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(entry.participant_id)
    .bind(entry.entitlement_id)
    .bind(entry.instruction_id)
    .bind(entry.kind)
    .bind(entry.amount)
    .bind(entry.resolution_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1)
}

/// What the ledger says an instruction moved, net (payments, reversals,
/// corrections and recoveries; not a revoked card's return).
pub async fn instruction_net(
    tx: &mut PgConnection,
    instruction_id: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries \
          WHERE instruction_id = $1 AND entry IN ('paid', 'reversed', 'corrected', 'recovered')",
    )
    .bind(instruction_id)
    .fetch_one(&mut *tx)
    .await
}
