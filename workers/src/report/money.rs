//! The wave's money, in the report's snapshot: the reconciliation's lines
//! for this wave and the ledger's invariants (every wave), the ledger by
//! day, and what waits for an operator (holds, conflicts, overpayments).

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::reconcile::{Conflict, Invariant, LISTED, Line, Overpayment, reconcile_in};

#[derive(Debug, Clone, Default)]
pub struct Money {
    /// This wave's lines (by kind and provider).
    pub lines: Vec<Line>,
    /// The ledger's invariants, over every wave.
    pub invariants: Vec<Invariant>,
    /// (day, entitled due that day, net paid, returned), oldest first.
    pub days: Vec<(NaiveDate, i64, i64, i64)>,
    pub conflicts: i64,
    pub on_hold: i64,
    pub on_hold_amount: i64,
    /// The first [`LISTED`] unresolved conflicts, NIKs masked.
    pub conflict_list: Vec<Conflict>,
    pub overpayments: Vec<Overpayment>,
    /// Operators' resolutions by decision.
    pub resolutions: Vec<(String, i64)>,
    /// Results never applied (every wave: an unknown instruction names no wave).
    pub unknown_instruction: i64,
    pub key_mismatch: i64,
    /// Training events kept but refused, by reason (every wave).
    pub ignored_events: Vec<(String, i64)>,
}

const DAYS: &str = "WITH money AS ( \
       SELECT COALESCE(i.run_date, e.cancelled_on, (l.recorded_at AT TIME ZONE 'Asia/Jakarta')::date) AS day, \
              COALESCE(sum(l.amount) FILTER (WHERE l.entry IN ('paid', 'reversed', 'corrected', 'recovered')), 0) AS paid, \
              COALESCE(-sum(l.amount) FILTER (WHERE l.entry = 'returned'), 0) AS returned \
         FROM ledger_entries l \
         JOIN participants p ON p.participant_id = l.participant_id \
         JOIN entitlements e ON e.entitlement_id = l.entitlement_id \
         LEFT JOIN payment_instructions i ON i.instruction_id = l.instruction_id \
        WHERE p.wave_id = $1 GROUP BY 1 \
     ), due AS ( \
       SELECT e.due_on AS day, sum(e.amount) AS due FROM entitlements e \
         JOIN participants p ON p.participant_id = e.participant_id \
        WHERE p.wave_id = $1 AND e.cancelled_on IS NULL GROUP BY 1 \
     ) \
     SELECT day, COALESCE(due, 0)::bigint, COALESCE(paid, 0)::bigint, COALESCE(returned, 0)::bigint \
       FROM due FULL JOIN money USING (day) ORDER BY day";

const HOLDS: &str = "SELECT count(*), COALESCE(sum(e.amount), 0)::bigint FROM entitlements e \
       JOIN participants p ON p.participant_id = e.participant_id \
       JOIN (SELECT DISTINCT entitlement_id FROM payment_results \
              WHERE outcome = 'conflict' AND resolution_id IS NULL) h ON h.entitlement_id = e.entitlement_id \
      WHERE p.wave_id = $1";

const CONFLICTS: &str = "SELECT r.result_id, r.instruction_id, i.entitlement_id, i.attempt, i.kind, \
        i.amount, i.status, r.status AS result, p.nik AS nik_masked, r.received_at \
   FROM payment_results r \
   JOIN payment_instructions i ON i.instruction_id = r.instruction_id \
   JOIN entitlements e ON e.entitlement_id = i.entitlement_id \
   JOIN participants p ON p.participant_id = e.participant_id \
  WHERE r.outcome = 'conflict' AND r.resolution_id IS NULL AND p.wave_id = $1 \
  ORDER BY r.result_id";

const OVERPAYMENTS: &str = "SELECT e.entitlement_id, p.nik AS nik_masked, e.kind, e.amount, \
        b.instruction_id AS paid_instruction, r.instruction_id AS conflicting_instruction \
   FROM payment_results r \
   JOIN payment_instructions b ON b.entitlement_id = r.entitlement_id \
        AND b.status = 'success' AND b.instruction_id <> r.instruction_id \
   JOIN entitlements e ON e.entitlement_id = r.entitlement_id \
   JOIN participants p ON p.participant_id = e.participant_id \
  WHERE r.outcome = 'conflict' AND r.resolution_id IS NULL AND r.status = 'SUCCESS' AND p.wave_id = $1 \
  ORDER BY e.entitlement_id, r.instruction_id";

const RESOLUTIONS: &str = "SELECT r.decision, count(*) FROM payment_resolutions r \
   JOIN payment_instructions i ON i.instruction_id = r.instruction_id \
   JOIN entitlements e ON e.entitlement_id = i.entitlement_id \
   JOIN participants p ON p.participant_id = e.participant_id \
  WHERE p.wave_id = $1 GROUP BY 1 ORDER BY 1";

/// Every query of this module by name, for `tests/it/report_plans.rs`.
pub const QUERIES: [(&str, &str); 5] = [
    ("report: ledger by day", DAYS),
    ("report: holds of a wave", HOLDS),
    ("report: conflicts of a wave", CONFLICTS),
    ("report: overpayments of a wave", OVERPAYMENTS),
    ("report: resolutions of a wave", RESOLUTIONS),
];

impl Money {
    /// In the report's transaction (`reconcile::begin`).
    pub async fn load(
        tx: &mut PgConnection,
        wave_id: i32,
        card_provider: &str,
    ) -> anyhow::Result<Self> {
        let all = reconcile_in(&mut *tx, None, card_provider).await?;
        let days = sqlx::query_as(DAYS)
            .bind(wave_id)
            .fetch_all(&mut *tx)
            .await?;
        let (on_hold, on_hold_amount): (i64, i64) = sqlx::query_as(HOLDS)
            .bind(wave_id)
            .fetch_one(&mut *tx)
            .await?;
        let mask = shared::mask::nik;
        let conflicts: Vec<Conflict> = sqlx::query_as(CONFLICTS)
            .bind(wave_id)
            .fetch_all(&mut *tx)
            .await?;
        let overpayments: Vec<Overpayment> = sqlx::query_as(OVERPAYMENTS)
            .bind(wave_id)
            .fetch_all(&mut *tx)
            .await?;
        let resolutions = sqlx::query_as(RESOLUTIONS)
            .bind(wave_id)
            .fetch_all(&mut *tx)
            .await?;
        Ok(Money {
            lines: all
                .lines
                .into_iter()
                .filter(|l| l.wave_id == wave_id)
                .collect(),
            invariants: all.invariants,
            days,
            conflicts: conflicts.len() as i64,
            on_hold,
            on_hold_amount,
            conflict_list: conflicts
                .into_iter()
                .take(LISTED as usize)
                .map(|c| Conflict {
                    nik_masked: mask(&c.nik_masked),
                    ..c
                })
                .collect(),
            overpayments: overpayments
                .into_iter()
                .map(|o| Overpayment {
                    nik_masked: mask(&o.nik_masked),
                    ..o
                })
                .collect(),
            resolutions,
            unknown_instruction: all.unresolved.unknown_instruction,
            key_mismatch: all.unresolved.key_mismatch,
            ignored_events: all.ignored_events,
        })
    }

    /// Sums over this wave's lines.
    pub fn total(&self, f: fn(&Line) -> i64) -> i64 {
        self.lines.iter().map(f).sum()
    }
}
