//! NIK claims: which registration holds a NIK in a wave, and which are
//! `DUPLICATE_NIK`, decided by data (the earliest by `(submitted_at,
//! registration_id)`), not by the order validators see them.
//!
//! Only a *claimant* takes part in a NIK's claim: a registration for a known
//! wave whose inputs are not frozen, with no `FIELD_INVALID` (which covers a
//! `submitted_at` out of bounds). Anything else is rejected for its own
//! reasons, never holds a NIK and is never marked `DUPLICATE_NIK`, so a
//! registration claiming an early time, or arriving after the freeze, cannot
//! take a NIK from anyone.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use shared::domain::ReasonCode;
use sqlx::PgConnection;
use uuid::Uuid;

use super::row::RegistrationRow;

/// Claims each (wave, NIK) for its earliest claimant and marks every other
/// claimant with that NIK in the wave `DUPLICATE_NIK`. The claim upsert
/// locks the claim rows, so concurrent batches touching the same NIK run
/// this step one after the other and each sees the other's rows.
pub async fn settle_duplicates(
    tx: &mut PgConnection,
    rows: &[RegistrationRow],
    inserted: &HashSet<Uuid>,
) -> Result<u64, sqlx::Error> {
    // The earliest new registration per key, and which keys the batch repeats.
    let mut earliest: BTreeMap<(i64, &str), (DateTime<Utc>, Uuid)> = BTreeMap::new();
    let mut repeated: HashSet<(i64, &str)> = HashSet::new();
    for row in rows
        .iter()
        .filter(|r| r.claimant && inserted.contains(&r.registration_id))
    {
        let Some(nik) = row.nik.as_deref() else {
            continue;
        };
        let candidate = (
            row.submitted_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
            row.registration_id,
        );
        match earliest.entry((row.wave_id, nik)) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(candidate);
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                repeated.insert((row.wave_id, nik));
                if candidate < *slot.get() {
                    slot.insert(candidate);
                }
            }
        }
    }
    if earliest.is_empty() {
        return Ok(0);
    }
    let keys: Vec<(i64, &str)> = earliest.keys().copied().collect();
    // Returned: keys inserted fresh (fresh = true) or taken over from a later
    // holder (fresh = false). Not returned: an earlier holder kept the key.
    let returned: Vec<(i64, String, bool)> = sqlx::query_as(
        "INSERT INTO nik_claims (wave_id, nik, submitted_at, registration_id) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::uuid[]) \
         ON CONFLICT (wave_id, nik) DO UPDATE \
           SET submitted_at = EXCLUDED.submitted_at, registration_id = EXCLUDED.registration_id \
           WHERE (EXCLUDED.submitted_at, EXCLUDED.registration_id) \
               < (nik_claims.submitted_at, nik_claims.registration_id) \
         RETURNING wave_id, nik, (xmax = 0) AS fresh",
    )
    .bind(keys.iter().map(|k| k.0).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.1).collect::<Vec<_>>())
    .bind(earliest.values().map(|v| v.0).collect::<Vec<_>>())
    .bind(earliest.values().map(|v| v.1).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let fresh: HashSet<(i64, &str)> = returned
        .iter()
        .filter(|(_, _, fresh)| *fresh)
        .map(|(wave, nik, _)| (*wave, nik.as_str()))
        .collect();
    // A fresh claim with no repeat in the batch has no duplicate to mark.
    let contested: Vec<(i64, &str)> = keys
        .iter()
        .copied()
        .filter(|key| !fresh.contains(key) || repeated.contains(key))
        .collect();
    if contested.is_empty() {
        return Ok(0);
    }
    // `r.nik = ANY(…)` lets the planner find the few rows by the NIK index.
    // Contested keys are of waves not frozen (claimants only), and a
    // FIELD_INVALID registration is no claimant, so it is left as it is.
    let marked = sqlx::query(
        "UPDATE registrations r \
            SET status = 'rejected', \
                reasons = ARRAY(SELECT DISTINCT x FROM unnest(r.reasons || $3::reason_code) AS x ORDER BY x) \
          WHERE r.nik = ANY($2::text[]) \
            AND (r.wave_id, r.nik) IN (SELECT * FROM unnest($1::bigint[], $2::text[])) \
            AND r.registration_id <> (SELECT c.registration_id FROM nik_claims c \
                                       WHERE c.wave_id = r.wave_id AND c.nik = r.nik) \
            AND NOT ($3::reason_code = ANY(r.reasons)) \
            AND NOT ($4::reason_code = ANY(r.reasons))",
    )
    .bind(contested.iter().map(|k| k.0).collect::<Vec<_>>())
    .bind(contested.iter().map(|k| k.1).collect::<Vec<_>>())
    .bind(ReasonCode::DuplicateNik.as_str())
    .bind(ReasonCode::FieldInvalid.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(marked.rows_affected())
}
