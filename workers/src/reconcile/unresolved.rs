//! What an operator still has to decide: conflicting results (their
//! entitlements on hold), overpayments to recover, and results with a wrong
//! key or for an unknown instruction. Each query starts from the unresolved
//! results (`payment_results_unresolved`, as small as the backlog).

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::messages::{PaymentKind, PaymentStatus};
use shared::payments::{InstructionStatus, ResultOutcome};
use sqlx::PgConnection;
use uuid::Uuid;

/// Rows listed of each kind (all are counted).
pub const LISTED: i64 = 100;

/// A result contradicting its instruction's final status.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Conflict {
    pub result_id: i64,
    pub instruction_id: Uuid,
    pub entitlement_id: i64,
    pub attempt: i32,
    pub kind: PaymentKind,
    pub amount: i64,
    /// The instruction's status, and the result that contradicts it.
    pub status: InstructionStatus,
    pub result: PaymentStatus,
    pub nik_masked: String,
    pub received_at: DateTime<Utc>,
}

/// A result never applied: unknown instruction, or a key not its own.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unbelieved {
    pub result_id: i64,
    pub outcome: ResultOutcome,
    pub instruction_id: Uuid,
    pub idempotency_key: String,
    pub status: PaymentStatus,
    pub received_at: DateTime<Utc>,
}

/// Money that may have gone out twice: one attempt succeeded and another
/// reported SUCCESS too.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Overpayment {
    pub entitlement_id: i64,
    pub nik_masked: String,
    pub kind: PaymentKind,
    /// To recover.
    pub amount: i64,
    /// The attempt that succeeded, then the one whose late SUCCESS conflicts.
    pub paid_instruction: Uuid,
    pub conflicting_instruction: Uuid,
}

/// Counts of everything unresolved, and the first rows of each.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Unresolved {
    pub conflicts: i64,
    pub unknown_instruction: i64,
    pub key_mismatch: i64,
    pub entitlements_on_hold: i64,
    pub on_hold_amount: i64,
    pub overpayments: Vec<Overpayment>,
    pub overpaid_amount: i64,
    pub conflict_list: Vec<Conflict>,
    pub unbelieved_list: Vec<Unbelieved>,
}

impl Unresolved {
    /// Whether anything waits for an operator.
    pub fn any(&self) -> bool {
        self.conflicts + self.unknown_instruction + self.key_mismatch > 0
            || !self.overpayments.is_empty()
    }
}

pub(super) const COUNTS: &str = "SELECT count(*) FILTER (WHERE outcome = 'conflict'), \
        count(*) FILTER (WHERE outcome = 'unknown_instruction'), \
        count(*) FILTER (WHERE outcome = 'key_mismatch') \
   FROM payment_results WHERE resolution_id IS NULL \
    AND outcome IN ('conflict', 'unknown_instruction', 'key_mismatch')";

pub(super) const HOLDS: &str = "SELECT count(*), COALESCE(sum(e.amount), 0)::bigint \
   FROM entitlements e \
   JOIN (SELECT DISTINCT entitlement_id FROM payment_results \
          WHERE outcome = 'conflict' AND resolution_id IS NULL) h USING (entitlement_id)";

pub(super) const CONFLICTS: &str = "SELECT r.result_id, r.instruction_id, i.entitlement_id, i.attempt, i.kind, \
        i.amount, i.status, r.status AS result, p.nik AS nik_masked, r.received_at \
   FROM payment_results r \
   JOIN payment_instructions i USING (instruction_id) \
   JOIN entitlements e ON e.entitlement_id = i.entitlement_id \
   JOIN participants p ON p.participant_id = e.participant_id \
  WHERE r.outcome = 'conflict' AND r.resolution_id IS NULL \
  ORDER BY r.result_id LIMIT $1";

pub(super) const UNBELIEVED: &str = "SELECT result_id, outcome, instruction_id, idempotency_key, status, received_at \
   FROM payment_results \
  WHERE resolution_id IS NULL AND outcome IN ('unknown_instruction', 'key_mismatch') \
  ORDER BY result_id LIMIT $1";

pub(super) const OVERPAYMENTS: &str = "SELECT e.entitlement_id, p.nik AS nik_masked, e.kind, e.amount, \
        b.instruction_id AS paid_instruction, r.instruction_id AS conflicting_instruction \
   FROM payment_results r \
   JOIN payment_instructions b ON b.entitlement_id = r.entitlement_id \
        AND b.status = 'success' AND b.instruction_id <> r.instruction_id \
   JOIN entitlements e ON e.entitlement_id = r.entitlement_id \
   JOIN participants p ON p.participant_id = e.participant_id \
  WHERE r.outcome = 'conflict' AND r.resolution_id IS NULL AND r.status = 'SUCCESS' \
  ORDER BY e.entitlement_id, r.instruction_id";

/// Everything unresolved, NIKs masked.
pub(super) async fn unresolved(tx: &mut PgConnection) -> Result<Unresolved, sqlx::Error> {
    let (conflicts, unknown_instruction, key_mismatch): (i64, i64, i64) =
        sqlx::query_as(COUNTS).fetch_one(&mut *tx).await?;
    let (entitlements_on_hold, on_hold_amount): (i64, i64) =
        sqlx::query_as(HOLDS).fetch_one(&mut *tx).await?;
    let mask = shared::mask::nik;
    let conflict_list: Vec<Conflict> = sqlx::query_as(CONFLICTS)
        .bind(LISTED)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|c: Conflict| Conflict {
            nik_masked: mask(&c.nik_masked),
            ..c
        })
        .collect();
    let unbelieved_list: Vec<Unbelieved> = sqlx::query_as(UNBELIEVED)
        .bind(LISTED)
        .fetch_all(&mut *tx)
        .await?;
    let overpayments: Vec<Overpayment> = sqlx::query_as(OVERPAYMENTS)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|o: Overpayment| Overpayment {
            nik_masked: mask(&o.nik_masked),
            ..o
        })
        .collect();
    Ok(Unresolved {
        conflicts,
        unknown_instruction,
        key_mismatch,
        entitlements_on_hold,
        on_hold_amount,
        overpaid_amount: overpayments.iter().map(|o| o.amount).sum(),
        overpayments,
        conflict_list,
        unbelieved_list,
    })
}
