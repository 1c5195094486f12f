//! Payment instructions: one per entitlement due and not yet paid or
//! outstanding, written with its outbox row in the same transaction. A
//! failed or reversed entitlement gets a new attempt on a later run; an
//! unanswered one none (it is sent again under its own key), and neither
//! does one on hold (an unresolved conflicting result of any of its
//! instructions: `payment_results_unresolved`), until an operator resolves it.
//! Nothing is instructed to a paused provider (`payment_pauses`): its
//! entitlements stay due for a run after the resume. A cash incentive goes
//! to the participant's newest payout account (`participant_payouts`, set by
//! `prakerja participant payout`), else the registration's.

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

/// Creates the instructions of participants `first..=last` due by
/// `run_date`, and their outbox rows; returns how many.
pub async fn create_instructions(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    participants: (i64, i64),
    options: &InstructOptions,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "WITH due AS ( \
            SELECT e.entitlement_id, e.kind, e.installment, e.amount, p.wave_id, p.nik, \
                   COALESCE(last.attempt, 0) + 1 AS attempt, \
                   CASE WHEN e.kind = 'training_fund' THEN 'card' \
                        ELSE COALESCE(pp.method, r.payout_method) END AS method, \
                   CASE WHEN e.kind = 'training_fund' THEN $3 \
                        ELSE COALESCE(pp.provider, r.payout_provider) END AS provider, \
                   CASE WHEN e.kind = 'training_fund' THEN p.card_number \
                        ELSE COALESCE(pp.account, r.payout_account) END AS account \
              FROM entitlements e \
              JOIN participants p USING (participant_id) \
              LEFT JOIN registrations r \
                     ON e.kind <> 'training_fund' AND r.registration_id = p.registration_id \
              LEFT JOIN participant_payouts pp \
                     ON e.kind <> 'training_fund' AND pp.participant_id = p.participant_id \
              LEFT JOIN LATERAL (SELECT i.attempt, i.status, i.run_date FROM payment_instructions i \
                                  WHERE i.entitlement_id = e.entitlement_id \
                                  ORDER BY i.attempt DESC LIMIT 1) last ON true \
             WHERE e.participant_id BETWEEN $6 AND $7 \
               AND e.due_on <= $1 AND e.cancelled_on IS NULL AND NOT e.paid AND p.state = 'active' \
               AND NOT EXISTS (SELECT 1 FROM payment_results held \
                                WHERE held.entitlement_id = e.entitlement_id AND held.outcome = 'conflict' \
                                  AND held.resolution_id IS NULL) \
               AND (last.attempt IS NULL \
                    OR (last.status IN ('failed', 'reversed') AND last.run_date < $1 AND last.attempt < $4)) \
               AND NOT EXISTS (SELECT 1 FROM payment_pauses pz WHERE pz.scope = '*' \
                                  OR pz.scope = CASE WHEN e.kind = 'training_fund' THEN $3 \
                                                     ELSE COALESCE(pp.provider, r.payout_provider) END) \
         ), keyed AS ( \
            SELECT gen_random_uuid() AS instruction_id, \
                   'E' || entitlement_id || '-A' || attempt AS idempotency_key, \
                   to_char(now() AT TIME ZONE $2, 'YYYY-MM-DD\"T\"HH24:MI:SS') || $5 AS created_at, \
                   due.* FROM due \
         ), made AS ( \
            INSERT INTO payment_instructions (instruction_id, entitlement_id, attempt, idempotency_key, \
                run_date, amount, kind, payout_method, payout_provider, payout_account, body) \
            SELECT instruction_id, entitlement_id, attempt, idempotency_key, $1, amount, kind, \
                   method, provider, account, \
                   jsonb_build_object('instruction_id', instruction_id, 'idempotency_key', idempotency_key, \
                       'wave_id', wave_id, 'nik', nik, 'kind', kind, 'installment', installment, \
                       'amount', amount, 'currency', 'IDR', \
                       'payout', jsonb_build_object('method', method, 'provider', provider, 'account', account), \
                       'value_date', $1, 'created_at', created_at, 'run_date', $1, 'attempt', attempt)::text \
              FROM keyed \
            RETURNING instruction_id, entitlement_id \
         ) \
         INSERT INTO instruction_outbox (instruction_id) \
         SELECT instruction_id FROM made ORDER BY entitlement_id",
    )
    .bind(run_date)
    .bind(&options.timezone)
    .bind(&options.card_provider)
    .bind(options.max_attempts as i32)
    .bind(&options.utc_offset)
    .bind(participants.0)
    .bind(participants.1)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}

/// Queues again (same instruction, same idempotency key) instructions the
/// gateway has not answered: all of them made up to `run_date` when `all`,
/// else those older than `older_than_secs`. The gateway drops or re-answers
/// copies; nothing is paid twice.
pub async fn resend_unanswered(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    all: bool,
    older_than_secs: u64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO instruction_outbox (instruction_id) \
         SELECT i.instruction_id FROM payment_instructions i \
          WHERE i.status = 'pending' AND i.run_date <= $1 \
            AND ($2 OR i.created_at < now() - make_interval(secs => $3)) \
            AND NOT EXISTS (SELECT 1 FROM instruction_outbox o WHERE o.instruction_id = i.instruction_id) \
          ORDER BY i.created_at",
    )
    .bind(run_date)
    .bind(all)
    .bind(older_than_secs as f64)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}
