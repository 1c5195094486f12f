//! Payment instructions: one per entitlement due and not yet paid or
//! outstanding, written to the outbox (`payment_instructions`) in the same
//! transaction that marks the entitlement instructed. A failed or reversed
//! entitlement gets a new attempt on a later run; an unanswered one none.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// What a run instructs: settings that shape the instruction bodies.
#[derive(Debug, Clone)]
pub struct InstructOptions {
    pub timezone: String,
    pub card_provider: String,
    pub max_attempts: u32,
    /// The time zone's current offset, e.g. `+07:00`, for `created_at`.
    pub utc_offset: String,
}

/// Creates the run's instructions; returns how many.
pub async fn create_instructions(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    options: &InstructOptions,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "WITH due AS ( \
            SELECT e.entitlement_id, e.kind, e.installment, e.amount, p.wave_id, p.nik, \
                   COALESCE(last.attempt, 0) + 1 AS attempt, \
                   CASE WHEN e.kind = 'training_fund' THEN 'card' ELSE r.payout_method END AS method, \
                   CASE WHEN e.kind = 'training_fund' THEN $3 ELSE r.payout_provider END AS provider, \
                   CASE WHEN e.kind = 'training_fund' THEN p.card_number ELSE r.payout_account END AS account \
              FROM entitlements e \
              JOIN participants p USING (participant_id) \
              JOIN registrations r ON r.registration_id = p.registration_id \
              LEFT JOIN LATERAL (SELECT i.attempt, i.status, i.run_date FROM payment_instructions i \
                                  WHERE i.entitlement_id = e.entitlement_id \
                                  ORDER BY i.attempt DESC LIMIT 1) last ON true \
             WHERE e.due_on <= $1 AND e.cancelled_on IS NULL AND NOT e.paid AND p.state = 'active' \
               AND (last.attempt IS NULL \
                    OR (last.status IN ('failed', 'reversed') AND last.run_date < $1 AND last.attempt < $4)) \
         ), keyed AS ( \
            SELECT gen_random_uuid() AS instruction_id, \
                   'E' || entitlement_id || '-A' || attempt AS idempotency_key, \
                   to_char(now() AT TIME ZONE $2, 'YYYY-MM-DD\"T\"HH24:MI:SS') || $5 AS created_at, \
                   due.* FROM due \
         ) \
         INSERT INTO payment_instructions (instruction_id, entitlement_id, attempt, idempotency_key, \
             run_date, amount, kind, payout_method, payout_provider, payout_account, body) \
         SELECT instruction_id, entitlement_id, attempt, idempotency_key, $1, amount, kind, \
                method, provider, account, \
                jsonb_build_object('instruction_id', instruction_id, 'idempotency_key', idempotency_key, \
                    'wave_id', wave_id, 'nik', nik, 'kind', kind, 'installment', installment, \
                    'amount', amount, 'currency', 'IDR', \
                    'payout', jsonb_build_object('method', method, 'provider', provider, 'account', account), \
                    'value_date', $1, 'created_at', created_at, 'run_date', $1, 'attempt', attempt) \
           FROM keyed ORDER BY entitlement_id",
    )
    .bind(run_date)
    .bind(&options.timezone)
    .bind(&options.card_provider)
    .bind(options.max_attempts as i32)
    .bind(&options.utc_offset)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}

/// Sends again (same instruction, same idempotency key) instructions the
/// gateway has not answered: all of them up to `run_date` when `all`, else
/// those published more than `older_than_secs` ago. The gateway drops or
/// re-answers copies; nothing is paid twice.
pub async fn resend_unanswered(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    all: bool,
    older_than_secs: u64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE payment_instructions SET published_at = NULL \
          WHERE status = 'pending' AND published_at IS NOT NULL AND run_date <= $1 \
            AND ($2 OR published_at < now() - make_interval(secs => $3))",
    )
    .bind(run_date)
    .bind(all)
    .bind(older_than_secs as f64)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}
