//! Revocations and promotions: a participant who has not bought a first
//! course by the deadline is revoked (balance returned, later entitlements
//! cancelled, NIK barred), and the seat goes to the next WAITLIST candidate of
//! the same stratum in rank order, respecting the KK cap.

use chrono::NaiveDate;
use sqlx::PgConnection;

/// What revoking did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct RevokeOutcome {
    pub revoked: u64,
    pub promoted: u64,
    /// Seats left empty: the waiting list had nobody eligible.
    pub seats_unfilled: u64,
    /// Promotions postponed because a draw was starting.
    pub promotions_postponed: u64,
}

/// Revokes, then promotes, in the caller's transaction.
pub async fn revoke_and_promote(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    timezone: &str,
    card_iin: &str,
) -> Result<RevokeOutcome, sqlx::Error> {
    let mut outcome = RevokeOutcome::default();
    let revoked: Vec<i64> = sqlx::query_scalar(
        "UPDATE participants SET state = 'revoked', revoked_on = $1 \
          WHERE state = 'active' AND purchase_deadline < $1 \
            AND (first_purchased_at IS NULL \
                 OR (first_purchased_at AT TIME ZONE $2)::date > purchase_deadline) \
          RETURNING participant_id",
    )
    .bind(run_date)
    .bind(timezone)
    .fetch_all(&mut *tx)
    .await?;
    outcome.revoked = revoked.len() as u64;
    if !revoked.is_empty() {
        settle_revoked(tx, &revoked, run_date).await?;
    }
    // Promotions change who is barred, which a starting draw reads: they wait
    // while any wave is drawing (the gate orders them against the draw start).
    sqlx::query("SELECT id FROM draw_gate FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    let drawing: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM waves WHERE state = $1)")
        .bind(crate::waves::WaveState::Drawing)
        .fetch_one(&mut *tx)
        .await?;
    let seats: Vec<(i64, i32, String)> = sqlx::query_as(
        "SELECT p.participant_id, p.wave_id, p.stratum FROM participants p \
          WHERE p.state = 'revoked' \
            AND NOT EXISTS (SELECT 1 FROM promotions pr WHERE pr.revoked_participant_id = p.participant_id) \
          ORDER BY p.wave_id, p.stratum, p.rank",
    )
    .fetch_all(&mut *tx)
    .await?;
    if drawing {
        outcome.promotions_postponed = seats.len() as u64;
        return Ok(outcome);
    }
    for (revoked_id, wave_id, stratum) in seats {
        match promote_one(tx, wave_id, &stratum, run_date, card_iin).await? {
            Some(promoted_id) => {
                outcome.promoted += 1;
                record_promotion(
                    tx,
                    revoked_id,
                    Some(promoted_id),
                    wave_id,
                    &stratum,
                    run_date,
                )
                .await?;
            }
            None => {
                outcome.seats_unfilled += 1;
                record_promotion(tx, revoked_id, None, wave_id, &stratum, run_date).await?;
            }
        }
    }
    Ok(outcome)
}

/// Bars the revoked for good, cancels what they were not yet paid, and
/// records the training balance already on their card as returned.
async fn settle_revoked(
    tx: &mut PgConnection,
    revoked: &[i64],
    run_date: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE barred_niks b SET reason = 'revoked', since = now() FROM participants p \
          WHERE p.participant_id = ANY($1) AND b.nik = p.nik",
    )
    .bind(revoked)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE entitlements e SET cancelled_on = $2 \
          WHERE e.participant_id = ANY($1) AND e.cancelled_on IS NULL \
            AND NOT EXISTS (SELECT 1 FROM payment_instructions i \
                             WHERE i.entitlement_id = e.entitlement_id AND i.status IN ('pending', 'success'))",
    )
    .bind(revoked)
    .bind(run_date)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_entries (participant_id, entitlement_id, entry, amount) \
         SELECT e.participant_id, e.entitlement_id, 'returned', -e.amount \
           FROM entitlements e \
          WHERE e.participant_id = ANY($1) AND e.kind = 'training_fund' \
            AND EXISTS (SELECT 1 FROM payment_instructions i \
                         WHERE i.entitlement_id = e.entitlement_id AND i.status = 'success') \
         ON CONFLICT DO NOTHING",
    )
    .bind(revoked)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Makes the next eligible WAITLIST candidate of a stratum a participant.
async fn promote_one(
    tx: &mut PgConnection,
    wave_id: i32,
    stratum: &str,
    run_date: NaiveDate,
    card_iin: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let next: Option<(String, String, i32, uuid::Uuid, Option<String>)> = sqlx::query_as(
        "SELECT s.nik, s.kk, s.rank, s.registration_id, s.pid \
           FROM selection_results s JOIN waves w ON w.wave_id = s.wave_id \
          WHERE s.wave_id = $1 AND s.stratum = $2 AND s.status = 'WAITLIST' \
            AND NOT EXISTS (SELECT 1 FROM participants p WHERE p.nik = s.nik) \
            AND NOT EXISTS (SELECT 1 FROM barred_niks b WHERE b.nik = s.nik) \
            AND (w.kk_cap = 0 OR (SELECT count(*) FROM participants p \
                                   WHERE p.kk = s.kk AND p.state = 'active') < w.kk_cap) \
          ORDER BY s.rank LIMIT 1",
    )
    .bind(wave_id)
    .bind(stratum)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((nik, kk, rank, registration_id, pid)) = next else {
        return Ok(None);
    };
    let card = crate::cards::allocate(tx, card_iin, 1).await?.remove(0);
    let participant_id: i64 = sqlx::query_scalar(
        "INSERT INTO participants (wave_id, nik, kk, registration_id, stratum, rank, card_number, \
             origin, selected_on, purchase_deadline, pid) \
         SELECT $1, $2, $3, $4, $5, $6, $7, 'promoted', $8, \
                $8 + (w.scheme ->> 'purchase_deadline_days')::int, $9 \
           FROM waves w WHERE w.wave_id = $1 \
         RETURNING participant_id",
    )
    .bind(wave_id)
    .bind(&nik)
    .bind(&kk)
    .bind(registration_id)
    .bind(stratum)
    .bind(rank)
    .bind(&card)
    .bind(run_date)
    .bind(pid)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO barred_niks (nik, wave_id, reason) VALUES ($1, $2, 'selected')")
        .bind(&nik)
        .bind(wave_id)
        .execute(&mut *tx)
        .await?;
    Ok(Some(participant_id))
}

async fn record_promotion(
    tx: &mut PgConnection,
    revoked_id: i64,
    promoted_id: Option<i64>,
    wave_id: i32,
    stratum: &str,
    run_date: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO promotions (revoked_participant_id, promoted_participant_id, wave_id, stratum, run_date) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(revoked_id)
    .bind(promoted_id)
    .bind(wave_id)
    .bind(stratum)
    .bind(run_date)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
