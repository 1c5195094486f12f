//! The report's lines: entitlements by (wave, kind, provider), with what
//! became of each (its latest instruction), what is on hold and what was
//! returned.

use chrono::NaiveDate;
use serde::Serialize;
use shared::messages::PaymentKind;
use sqlx::PgConnection;

/// One (kind, provider, wave) line; counts of entitlements and their sums.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Line {
    pub kind: PaymentKind,
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
    /// Entitlements with an unresolved conflicting result: no new attempt.
    pub on_hold: i64,
    pub on_hold_amount: i64,
    pub returned_amount: i64,
}

/// `$1`: only entitlements due by this date (NULL: all); `$2`: the card
/// provider named for training funds not yet instructed.
pub(super) const SQL: &str = "WITH e AS ( \
       SELECT e.entitlement_id, e.kind, e.amount, e.cancelled_on IS NOT NULL AS cancelled, p.wave_id, \
              COALESCE(li.payout_provider, CASE WHEN e.kind = 'training_fund' THEN $2 ELSE r.payout_provider END) AS provider, \
              li.status AS latest, h.entitlement_id IS NOT NULL AS held \
         FROM entitlements e \
         JOIN participants p USING (participant_id) \
         JOIN registrations r ON r.registration_id = p.registration_id \
         LEFT JOIN (SELECT DISTINCT ON (entitlement_id) entitlement_id, status, payout_provider \
                      FROM payment_instructions ORDER BY entitlement_id, attempt DESC) li USING (entitlement_id) \
         LEFT JOIN (SELECT DISTINCT entitlement_id FROM payment_results \
                     WHERE outcome = 'conflict' AND resolution_id IS NULL) h USING (entitlement_id) \
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
            count(*) FILTER (WHERE held) AS on_hold, \
            COALESCE(sum(e.amount) FILTER (WHERE held), 0)::bigint AS on_hold_amount, \
            COALESCE(sum(rt.amount), 0)::bigint AS returned_amount \
       FROM e LEFT JOIN returned rt USING (entitlement_id) \
      GROUP BY kind, provider, wave_id ORDER BY wave_id, kind, provider";

/// The lines of the report.
pub(super) async fn lines(
    tx: &mut PgConnection,
    as_of: Option<NaiveDate>,
    card_provider: &str,
) -> Result<Vec<Line>, sqlx::Error> {
    sqlx::query_as(SQL)
        .bind(as_of)
        .bind(card_provider)
        .fetch_all(&mut *tx)
        .await
}
