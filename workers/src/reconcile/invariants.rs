//! The money's invariants, each checked by one query over the whole ledger.
//! (Most are also enforced by the schema; this catches anything written
//! behind the system's back.)

use serde::Serialize;
use sqlx::PgConnection;

/// One invariant and whether it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Invariant {
    pub name: &'static str,
    pub holds: bool,
    /// How many rows break it.
    pub violations: i64,
    pub detail: String,
}

/// Each query counts the rows that break its invariant; all are set-based
/// (one pass over the ledger), so the report stays fast for millions.
pub(super) const CHECKS: [(&str, &str); 9] = [
    (
        "at most one successful or outstanding instruction per entitlement",
        "SELECT count(*) FROM (SELECT entitlement_id FROM payment_instructions \
          WHERE status IN ('pending', 'success') GROUP BY 1 HAVING count(*) > 1) x",
    ),
    (
        "every instruction pays exactly its entitlement's amount",
        "SELECT count(*) FROM payment_instructions i JOIN entitlements e USING (entitlement_id) \
          WHERE i.amount <> e.amount",
    ),
    (
        "every instruction is traceable to its entitlement, run and attempt",
        "SELECT count(*) FROM payment_instructions i \
           LEFT JOIN entitlements e USING (entitlement_id) \
           LEFT JOIN disbursement_runs r ON r.run_date = i.run_date \
          WHERE e.entitlement_id IS NULL OR r.run_date IS NULL \
             OR i.idempotency_key <> 'E' || i.entitlement_id || '-A' || i.attempt",
    ),
    (
        "no entitlement beyond the scheme",
        "SELECT count(*) FROM entitlements e JOIN participants p USING (participant_id) JOIN waves w ON w.wave_id = p.wave_id \
          WHERE e.installment > CASE e.kind WHEN 'training_fund' THEN 1 \
                  WHEN 'incentive' THEN (w.scheme ->> 'incentive_installments')::int \
                  ELSE (w.scheme ->> 'survey_count')::int END \
             OR e.amount <> CASE e.kind WHEN 'training_fund' THEN (w.scheme ->> 'training_balance')::bigint \
                  WHEN 'incentive' THEN (w.scheme ->> 'incentive_amount')::bigint \
                  ELSE (w.scheme ->> 'survey_amount')::bigint END",
    ),
    (
        "nobody is paid beyond the scheme's total",
        "SELECT count(*) FROM (SELECT participant_id, sum(amount) AS paid FROM ledger_entries \
                                WHERE entry IN ('paid', 'reversed', 'corrected', 'recovered') GROUP BY 1) x \
           JOIN participants p USING (participant_id) JOIN waves w ON w.wave_id = p.wave_id \
          WHERE x.paid < 0 OR x.paid > (w.scheme ->> 'training_balance')::bigint \
                + (w.scheme ->> 'incentive_amount')::bigint * (w.scheme ->> 'incentive_installments')::int \
                + (w.scheme ->> 'survey_amount')::bigint * (w.scheme ->> 'survey_count')::int",
    ),
    (
        "the ledger balances to the instructions",
        "SELECT count(*) FROM payment_instructions i \
           LEFT JOIN (SELECT instruction_id, sum(amount) AS net, bool_or(entry = 'reversed') AS reversed \
                        FROM ledger_entries WHERE instruction_id IS NOT NULL \
                         AND entry IN ('paid', 'reversed', 'corrected', 'recovered') \
                       GROUP BY 1) l USING (instruction_id) \
          WHERE COALESCE(l.net, 0) <> CASE WHEN i.status = 'success' THEN i.amount ELSE 0 END \
             OR (i.status = 'reversed' AND NOT COALESCE(l.reversed, false))",
    ),
    (
        "each entitlement is paid at most once in total",
        "SELECT count(*) FROM (SELECT l.entitlement_id, sum(l.amount) AS net, e.amount FROM ledger_entries l \
             JOIN entitlements e USING (entitlement_id) \
            WHERE l.entry IN ('paid', 'reversed', 'corrected', 'recovered') \
            GROUP BY l.entitlement_id, e.amount) x WHERE net > amount",
    ),
    (
        "an entitlement is marked paid exactly when an instruction for it succeeded",
        "SELECT count(*) FROM entitlements e \
           LEFT JOIN (SELECT DISTINCT entitlement_id FROM payment_instructions WHERE status = 'success') s \
             USING (entitlement_id) \
          WHERE e.paid <> (s.entitlement_id IS NOT NULL)",
    ),
    (
        "every ledger correction is an operator's resolution of its own instruction",
        "SELECT count(*) FROM ledger_entries l \
           LEFT JOIN payment_resolutions r USING (resolution_id) \
          WHERE l.resolution_id IS NOT NULL \
            AND (r.instruction_id IS DISTINCT FROM l.instruction_id \
                 OR r.decision NOT IN ('success', 'failed', 'recovered') \
                 OR (l.entry = 'recovered' AND r.decision <> 'recovered'))",
    ),
];

/// Runs every check in the caller's (report) transaction.
pub async fn check_invariants(tx: &mut PgConnection) -> Result<Vec<Invariant>, sqlx::Error> {
    let mut out = Vec::with_capacity(CHECKS.len());
    for (name, sql) in CHECKS {
        let violations: i64 = sqlx::query_scalar(sql).fetch_one(&mut *tx).await?;
        out.push(Invariant {
            name,
            holds: violations == 0,
            violations,
            detail: format!("{violations} row(s) break it"),
        });
    }
    Ok(out)
}
