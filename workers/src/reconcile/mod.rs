//! Reconciliation: what was owed, instructed, confirmed, failed, reversed,
//! unknown and returned, by kind, provider and wave; and the invariants that
//! must hold for the money (nobody paid twice or beyond the scheme; the
//! ledger balances to the instructions).

mod invariants;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

pub use invariants::{Invariant, check_invariants};

/// One (kind, provider, wave) line; counts of entitlements and their sums.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Line {
    pub kind: String,
    pub provider: String,
    pub wave_id: i32,
    pub entitled: i64,
    pub entitled_amount: i64,
    pub instructed: i64,
    pub instructed_amount: i64,
    pub confirmed: i64,
    pub confirmed_amount: i64,
    pub failed: i64,
    pub failed_amount: i64,
    pub reversed: i64,
    pub reversed_amount: i64,
    pub unknown: i64,
    pub unknown_amount: i64,
    pub outstanding: i64,
    pub outstanding_amount: i64,
    pub returned_amount: i64,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Reconciliation {
    /// Entitlements due on or before this date (all when `None`).
    pub as_of: Option<NaiveDate>,
    pub lines: Vec<Line>,
    pub invariants: Vec<Invariant>,
    /// Results received for instructions nobody sent: recorded, never applied.
    pub unknown_results: i64,
    /// Results that contradicted a final status: kept for review.
    pub conflicting_results: i64,
    /// Training events kept but not applied, by reason.
    pub ignored_events: Vec<(String, i64)>,
    pub holds: bool,
}

/// Builds the report.
pub async fn reconcile(
    pool: &PgPool,
    as_of: Option<NaiveDate>,
    card_provider: &str,
) -> anyhow::Result<Reconciliation> {
    let lines: Vec<Line> = sqlx::query_as(
        "WITH e AS ( \
           SELECT e.entitlement_id, e.kind, e.amount, e.cancelled_on IS NOT NULL AS cancelled, p.wave_id, \
                  COALESCE(li.payout_provider, CASE WHEN e.kind = 'training_fund' THEN $2 ELSE r.payout_provider END) AS provider, \
                  li.status AS latest \
             FROM entitlements e \
             JOIN participants p USING (participant_id) \
             JOIN registrations r ON r.registration_id = p.registration_id \
             LEFT JOIN (SELECT DISTINCT ON (entitlement_id) entitlement_id, status, payout_provider \
                          FROM payment_instructions ORDER BY entitlement_id, attempt DESC) li USING (entitlement_id) \
            WHERE $1::date IS NULL OR e.due_on <= $1 \
         ), returned AS ( \
           SELECT l.entitlement_id, -sum(l.amount) AS amount FROM ledger_entries l \
            WHERE l.entry = 'returned' GROUP BY 1 \
         ) \
         SELECT kind, provider, wave_id, \
                count(*) FILTER (WHERE NOT cancelled OR latest IS NOT NULL) AS entitled, \
                COALESCE(sum(e.amount) FILTER (WHERE NOT cancelled OR latest IS NOT NULL), 0)::bigint AS entitled_amount, \
                count(*) FILTER (WHERE latest IS NOT NULL) AS instructed, \
                COALESCE(sum(e.amount) FILTER (WHERE latest IS NOT NULL), 0)::bigint AS instructed_amount, \
                count(*) FILTER (WHERE latest = 'success') AS confirmed, \
                COALESCE(sum(e.amount) FILTER (WHERE latest = 'success'), 0)::bigint AS confirmed_amount, \
                count(*) FILTER (WHERE latest = 'failed') AS failed, \
                COALESCE(sum(e.amount) FILTER (WHERE latest = 'failed'), 0)::bigint AS failed_amount, \
                count(*) FILTER (WHERE latest = 'reversed') AS reversed, \
                COALESCE(sum(e.amount) FILTER (WHERE latest = 'reversed'), 0)::bigint AS reversed_amount, \
                count(*) FILTER (WHERE latest = 'pending') AS unknown, \
                COALESCE(sum(e.amount) FILTER (WHERE latest = 'pending'), 0)::bigint AS unknown_amount, \
                count(*) FILTER (WHERE NOT cancelled AND latest IS DISTINCT FROM 'success') AS outstanding, \
                COALESCE(sum(e.amount) FILTER (WHERE NOT cancelled AND latest IS DISTINCT FROM 'success'), 0)::bigint AS outstanding_amount, \
                COALESCE(sum(rt.amount), 0)::bigint AS returned_amount \
           FROM e LEFT JOIN returned rt USING (entitlement_id) \
          GROUP BY kind, provider, wave_id ORDER BY wave_id, kind, provider",
    )
    .bind(as_of)
    .bind(card_provider)
    .fetch_all(pool)
    .await?;
    let invariants = check_invariants(pool).await?;
    let (unknown_results, conflicting_results): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE outcome = 'unknown_instruction'), count(*) FILTER (WHERE outcome = 'conflict') \
           FROM payment_results",
    )
    .fetch_one(pool)
    .await?;
    let ignored_events: Vec<(String, i64)> = sqlx::query_as(
        "SELECT ignored_reason, count(*) FROM training_events WHERE ignored_reason IS NOT NULL GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let holds = invariants.iter().all(|i| i.holds);
    Ok(Reconciliation {
        as_of,
        lines,
        invariants,
        unknown_results,
        conflicting_results,
        ignored_events,
        holds,
    })
}

/// The report for a person.
pub fn human(r: &Reconciliation) -> String {
    let mut text = format!(
        "reconciliation{}\n",
        r.as_of
            .map(|d| format!(" of entitlements due by {d}"))
            .unwrap_or_default()
    );
    text.push_str(&format!(
        "{:>4} {:<16} {:<13} {:>9} {:>15} {:>9} {:>9} {:>15} {:>7} {:>8} {:>8} {:>11} {:>13}\n",
        "wave",
        "kind",
        "provider",
        "entitled",
        "entitled Rp",
        "instructed",
        "confirmed",
        "confirmed Rp",
        "failed",
        "reversed",
        "unknown",
        "outstanding",
        "returned Rp"
    ));
    for l in &r.lines {
        text.push_str(&format!(
            "{:>4} {:<16} {:<13} {:>9} {:>15} {:>9} {:>9} {:>15} {:>7} {:>8} {:>8} {:>11} {:>13}\n",
            l.wave_id,
            l.kind,
            l.provider,
            l.entitled,
            l.entitled_amount,
            l.instructed,
            l.confirmed,
            l.confirmed_amount,
            l.failed,
            l.reversed,
            l.unknown,
            l.outstanding,
            l.returned_amount
        ));
    }
    let sum = |f: fn(&Line) -> i64| r.lines.iter().map(f).sum::<i64>();
    text.push_str(&format!(
        "totals: entitled Rp {}, confirmed Rp {}, outstanding Rp {}, unknown Rp {}, returned Rp {}\n",
        sum(|l| l.entitled_amount),
        sum(|l| l.confirmed_amount),
        sum(|l| l.outstanding_amount),
        sum(|l| l.unknown_amount),
        sum(|l| l.returned_amount)
    ));
    if r.unknown_results > 0 || r.conflicting_results > 0 {
        text.push_str(&format!(
            "results for unknown instructions: {} (recorded, not applied); conflicting results: {} (kept for review)\n",
            r.unknown_results, r.conflicting_results
        ));
    }
    for (reason, count) in &r.ignored_events {
        text.push_str(&format!("training events ignored, {reason}: {count}\n"));
    }
    text.push_str("invariants:\n");
    for i in &r.invariants {
        text.push_str(&format!(
            "  {} {}{}\n",
            if i.holds { "ok    " } else { "BROKEN" },
            i.name,
            if i.holds {
                String::new()
            } else {
                format!(": {}", i.detail)
            }
        ));
    }
    text
}
