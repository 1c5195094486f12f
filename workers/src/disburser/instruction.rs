//! A payment instruction as results and resolutions see it, read with its
//! row locked (`FOR UPDATE`), so that everything deciding about one
//! instruction happens one transaction at a time.

use std::collections::HashMap;

use shared::messages::PaymentKind;
use shared::payments::InstructionStatus;
use sqlx::PgConnection;
use uuid::Uuid;

/// One instruction and the facts about it that results act on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Instruction {
    pub instruction_id: Uuid,
    pub idempotency_key: String,
    pub status: InstructionStatus,
    pub entitlement_id: i64,
    pub attempt: i32,
    pub participant_id: i64,
    pub amount: i64,
    pub kind: PaymentKind,
    /// The participant has been revoked.
    pub revoked: bool,
}

const SELECT: &str = "SELECT i.instruction_id, i.idempotency_key, i.status, i.entitlement_id, i.attempt, \
        e.participant_id, i.amount, i.kind, p.state = 'revoked' AS revoked \
   FROM payment_instructions i \
   JOIN entitlements e USING (entitlement_id) \
   JOIN participants p USING (participant_id)";

/// Locks and reads the instructions among `ids` that exist, in id order
/// (so concurrent batches lock in the same order).
pub async fn lock_many(
    tx: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Instruction>, sqlx::Error> {
    let rows: Vec<Instruction> = sqlx::query_as(&format!(
        "{SELECT} WHERE i.instruction_id = ANY($1) ORDER BY i.instruction_id FOR UPDATE OF i"
    ))
    .bind(ids)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows.into_iter().map(|i| (i.instruction_id, i)).collect())
}

/// Locks and reads every instruction of an entitlement, oldest attempt first.
pub async fn lock_entitlement(
    tx: &mut PgConnection,
    entitlement_id: i64,
) -> Result<Vec<Instruction>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.entitlement_id = $1 ORDER BY i.instruction_id FOR UPDATE OF i"
    ))
    .bind(entitlement_id)
    .fetch_all(&mut *tx)
    .await
    .map(|mut rows: Vec<Instruction>| {
        rows.sort_by_key(|i| i.attempt);
        rows
    })
}
