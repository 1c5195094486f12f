//! Entitlements falling due: the training balance on selection; incentive 1
//! once the first course is completed and each next one an interval later; a
//! survey incentive once that survey is done (after completion). Amounts and
//! counts come from the wave's frozen scheme. Set-based and idempotent.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// Creates every entitlement of participants `first..=last` due on or
/// before `run_date` that does not exist yet; returns how many were created.
pub async fn create_due(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    timezone: &str,
    participants: (i64, i64),
) -> Result<u64, sqlx::Error> {
    let mut created = 0;
    created += sqlx::query(
        "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
         SELECT p.participant_id, 'training_fund', 1, (w.scheme ->> 'training_balance')::bigint, \
                p.selected_on, $1 \
           FROM participants p JOIN waves w USING (wave_id) \
          WHERE p.participant_id BETWEEN $2 AND $3 AND p.state = 'active' AND p.selected_on <= $1 \
            AND NOT EXISTS (SELECT 1 FROM entitlements e \
                             WHERE e.participant_id = p.participant_id AND e.kind = 'training_fund') \
         ON CONFLICT (participant_id, kind, installment) DO NOTHING",
    )
    .bind(run_date)
    .bind(participants.0)
    .bind(participants.1)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    created += sqlx::query(
        "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
         SELECT p.participant_id, 'incentive', k, (w.scheme ->> 'incentive_amount')::bigint, due.on, $1 \
           FROM participants p JOIN waves w USING (wave_id) \
          CROSS JOIN LATERAL generate_series(1, (w.scheme ->> 'incentive_installments')::int) AS k \
          CROSS JOIN LATERAL (SELECT (p.completed_at AT TIME ZONE $2)::date \
                                     + (k - 1) * (w.scheme ->> 'incentive_interval_days')::int AS on) due \
          WHERE p.participant_id BETWEEN $3 AND $4 \
            AND p.state = 'active' AND p.completed_at IS NOT NULL AND due.on <= $1 \
            AND NOT EXISTS (SELECT 1 FROM entitlements e WHERE e.participant_id = p.participant_id \
                               AND e.kind = 'incentive' AND e.installment = k) \
         ON CONFLICT (participant_id, kind, installment) DO NOTHING",
    )
    .bind(run_date)
    .bind(timezone)
    .bind(participants.0)
    .bind(participants.1)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    created += sqlx::query(
        "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
         SELECT p.participant_id, 'survey_incentive', t.survey_no, (w.scheme ->> 'survey_amount')::bigint, \
                GREATEST(min((t.occurred_at AT TIME ZONE $2)::date), (p.completed_at AT TIME ZONE $2)::date), $1 \
           FROM participants p JOIN waves w USING (wave_id) \
           JOIN training_events t ON t.participant_id = p.participant_id \
                AND t.kind = 'survey_completed' AND t.ignored_reason IS NULL \
          WHERE p.participant_id BETWEEN $3 AND $4 \
            AND p.state = 'active' AND p.completed_at IS NOT NULL \
            AND NOT EXISTS (SELECT 1 FROM entitlements e WHERE e.participant_id = p.participant_id \
                               AND e.kind = 'survey_incentive' AND e.installment = t.survey_no) \
          GROUP BY p.participant_id, t.survey_no, w.scheme, p.completed_at \
         HAVING GREATEST(min((t.occurred_at AT TIME ZONE $2)::date), (p.completed_at AT TIME ZONE $2)::date) <= $1 \
         ON CONFLICT (participant_id, kind, installment) DO NOTHING",
    )
    .bind(run_date)
    .bind(timezone)
    .bind(participants.0)
    .bind(participants.1)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(created)
}
