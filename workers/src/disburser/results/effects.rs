//! What a batch of results does to the database, gathered while the batch
//! is judged (in memory, in order) and written with one statement per
//! table: the instructions' new statuses, the entitlements' paid flags, the
//! ledger entries and the results themselves. The final state is the one
//! the results, applied one after the other, would leave: for each
//! instruction its last applied status, the last provider reference given
//! and the last applied reason; for each entitlement whether its latest
//! applied status is a success; every ledger entry and result in order.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shared::db_text::DbText;
use shared::messages::PaymentResult;
use shared::payments::{InstructionStatus, LedgerEntryKind, ResultOutcome};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::disburser::instruction::Instruction;
use crate::disburser::ledger::Entry;

use super::apply::revoked_return;

/// An instruction's state after the batch's applied results.
#[derive(Debug)]
struct Answered {
    instruction_id: Uuid,
    status: InstructionStatus,
    /// The last provider reference an applied result gave (`None`: keep the
    /// stored one).
    reference: Option<String>,
    /// The last applied result's reason.
    reason: Option<String>,
}

/// The effects of one batch, in the order the results were judged.
#[derive(Debug, Default)]
pub struct Effects {
    answered: Vec<Answered>,
    /// Index in `answered` per instruction.
    answered_at: HashMap<Uuid, usize>,
    /// Each entitlement's paid flag after the batch (last applied wins).
    paid: Vec<(i64, bool)>,
    paid_at: HashMap<i64, usize>,
    ledger: Vec<Entry>,
    recorded: Vec<(PaymentResult, ResultOutcome, Option<i64>)>,
}

impl Effects {
    /// A believed result moves `instruction` to `to`; `paid` and `reversed`
    /// say which ledger entries it writes.
    pub fn apply(
        &mut self,
        result: &PaymentResult,
        instruction: &Instruction,
        to: InstructionStatus,
        paid: bool,
        reversed: bool,
    ) {
        let slot = *self
            .answered_at
            .entry(instruction.instruction_id)
            .or_insert_with(|| {
                self.answered.push(Answered {
                    instruction_id: instruction.instruction_id,
                    status: to,
                    reference: None,
                    reason: None,
                });
                self.answered.len() - 1
            });
        let answered = &mut self.answered[slot];
        answered.status = to;
        if result.provider_reference.is_some() {
            answered.reference.clone_from(&result.provider_reference);
        }
        answered.reason.clone_from(&result.reason);

        let slot = *self
            .paid_at
            .entry(instruction.entitlement_id)
            .or_insert_with(|| {
                self.paid.push((instruction.entitlement_id, false));
                self.paid.len() - 1
            });
        self.paid[slot].1 = to == InstructionStatus::Success;

        let entry = |kind, amount| Entry {
            participant_id: instruction.participant_id,
            entitlement_id: instruction.entitlement_id,
            instruction_id: Some(instruction.instruction_id),
            kind,
            amount,
            resolution_id: None,
        };
        if paid {
            self.ledger
                .push(entry(LedgerEntryKind::Paid, instruction.amount));
        }
        if reversed {
            self.ledger
                .push(entry(LedgerEntryKind::Reversed, -instruction.amount));
        }
        if paid && !reversed {
            self.ledger.extend(revoked_return(instruction));
        }
    }

    /// Every new result is recorded, whatever it did.
    pub fn record(
        &mut self,
        result: &PaymentResult,
        outcome: ResultOutcome,
        entitlement_id: Option<i64>,
    ) {
        self.recorded
            .push((result.clone(), outcome, entitlement_id));
    }

    /// Writes the batch's effects in the caller's transaction (whose
    /// instructions are locked).
    pub async fn write(self, tx: &mut PgConnection) -> Result<(), sqlx::Error> {
        let now = Utc::now();
        if !self.answered.is_empty() {
            let ids: Vec<Uuid> = self.answered.iter().map(|a| a.instruction_id).collect();
            let statuses: Vec<&str> = self.answered.iter().map(|a| a.status.as_str()).collect();
            let references: Vec<Option<&str>> = self
                .answered
                .iter()
                .map(|a| a.reference.as_deref())
                .collect();
            let reasons: Vec<Option<&str>> =
                self.answered.iter().map(|a| a.reason.as_deref()).collect();
            sqlx::query(
                "UPDATE payment_instructions i SET status = u.status, answered_at = $5, \
                     provider_reference = COALESCE(u.reference, i.provider_reference), \
                     failure_reason = u.reason \
                   FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[]) \
                        AS u(instruction_id, status, reference, reason) \
                  WHERE i.instruction_id = u.instruction_id",
            )
            .bind(&ids)
            .bind(&statuses)
            .bind(&references)
            .bind(&reasons)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let (entitlements, paid): (Vec<i64>, Vec<bool>) = self.paid.into_iter().unzip();
            sqlx::query(
                "UPDATE entitlements e SET paid = u.paid \
                   FROM UNNEST($1::bigint[], $2::boolean[]) AS u(entitlement_id, paid) \
                  WHERE e.entitlement_id = u.entitlement_id",
            )
            .bind(&entitlements)
            .bind(&paid)
            .execute(&mut *tx)
            .await?;
        }
        if !self.ledger.is_empty() {
            let l = &self.ledger;
            sqlx::query(
                "INSERT INTO ledger_entries (participant_id, entitlement_id, instruction_id, entry, \
                     amount, resolution_id) \
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::uuid[], $4::text[], \
                     $5::bigint[], $6::bigint[]) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(l.iter().map(|e| e.participant_id).collect::<Vec<_>>())
            .bind(l.iter().map(|e| e.entitlement_id).collect::<Vec<_>>())
            .bind(l.iter().map(|e| e.instruction_id).collect::<Vec<_>>())
            .bind(l.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
            .bind(l.iter().map(|e| e.amount).collect::<Vec<_>>())
            .bind(l.iter().map(|e| e.resolution_id).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        if !self.recorded.is_empty() {
            let r = &self.recorded;
            let processed: Vec<DateTime<Utc>> = r
                .iter()
                .map(|(result, ..)| result.processed_at.with_timezone(&Utc))
                .collect();
            sqlx::query(
                "INSERT INTO payment_results (instruction_id, idempotency_key, status, \
                     provider_reference, reason, processed_at, outcome, entitlement_id) \
                 SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], \
                     $6::timestamptz[], $7::text[], $8::bigint[]) \
                 ON CONFLICT (instruction_id, idempotency_key, status) DO NOTHING",
            )
            .bind(r.iter().map(|(x, ..)| x.instruction_id).collect::<Vec<_>>())
            .bind(
                r.iter()
                    .map(|(x, ..)| x.idempotency_key.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                r.iter()
                    .map(|(x, ..)| x.status.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                r.iter()
                    .map(|(x, ..)| x.provider_reference.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(
                r.iter()
                    .map(|(x, ..)| x.reason.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(&processed)
            .bind(r.iter().map(|(_, o, _)| o.as_str()).collect::<Vec<_>>())
            .bind(r.iter().map(|(.., e)| *e).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}
