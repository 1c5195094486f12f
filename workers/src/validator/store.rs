//! Writing one batch of registrations: one transaction that judges every
//! registration against the locked state of its wave, stores each exactly once
//! (keyed by `registration_id`), and settles `DUPLICATE_NIK` so that any
//! number of validators, in any order, leave the same state.
//!
//! Only a *claimant* takes part in a NIK's claim: a registration for a known
//! wave whose inputs are not frozen, with no `FIELD_INVALID` (which covers a
//! `submitted_at` out of bounds). Anything else is rejected for its own
//! reasons, never holds a NIK and is never marked `DUPLICATE_NIK`, so a
//! registration claiming an early time cannot take a NIK from anyone.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use shared::domain::{
    Assessment, ReasonCode, Regions, RegistrationRecord, Scheme, WaveView, assess,
};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::row::RegistrationRow;
use crate::waves::WaveState;

/// What a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StoreOutcome {
    /// Registrations stored for the first time.
    pub inserted: u64,
    /// Registrations already stored (redelivered or resubmitted).
    pub already_stored: u64,
    /// Stored registrations newly marked `DUPLICATE_NIK`.
    pub marked_duplicate: u64,
}

impl std::ops::AddAssign for StoreOutcome {
    fn add_assign(&mut self, other: Self) {
        self.inserted += other.inserted;
        self.already_stored += other.already_stored;
        self.marked_duplicate += other.marked_duplicate;
    }
}

/// Judges and stores a batch in one transaction. A `submitted_at` more than
/// `clock_allowance` after the batch's receipt is `FIELD_INVALID`.
pub async fn store_batch(
    pool: &PgPool,
    records: &[RegistrationRecord],
    clock_allowance: chrono::Duration,
) -> Result<StoreOutcome, sqlx::Error> {
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    let begun = started.elapsed();
    let waves = lock_waves(&mut tx, records, clock_allowance).await?;
    let locked = started.elapsed();
    let barred = barred_niks(&mut tx, records).await?;
    let looked_up = started.elapsed();
    tracing::debug!(
        begin_us = begun.as_micros() as u64,
        lock_us = (locked - begun).as_micros() as u64,
        barred_us = (looked_up - locked).as_micros() as u64,
        "lookups"
    );
    let regions = Regions::embedded();
    let rows: Vec<RegistrationRow> = records
        .iter()
        .map(|record| {
            let wave = waves.get(&record.wave_id);
            let already = record
                .nik
                .as_deref()
                .and_then(|nik| barred.get(nik))
                .is_some_and(|&wave_id| i64::from(wave_id) != i64::from(record.wave_id));
            let assessment: Assessment = assess(record, wave, already, regions);
            let claimant = wave.is_some_and(|w| !w.draw_started)
                && !assessment.reasons.contains(ReasonCode::FieldInvalid);
            RegistrationRow::new(record, &assessment, claimant)
        })
        .collect();
    let assessed = started.elapsed();
    let inserted = insert_rows(&mut tx, &rows).await?;
    let stored = started.elapsed();
    let marked_duplicate = settle_duplicates(&mut tx, &rows, &inserted).await?;
    let claimed = started.elapsed();
    tx.commit().await?;
    tracing::debug!(
        rows = rows.len(),
        lookups_ms = looked_up.as_millis() as u64,
        assess_ms = (assessed - looked_up).as_millis() as u64,
        insert_ms = (stored - assessed).as_millis() as u64,
        claims_ms = (claimed - stored).as_millis() as u64,
        commit_ms = (started.elapsed() - claimed).as_millis() as u64,
        "batch stored"
    );
    let inserted_count = inserted.len() as u64;
    Ok(StoreOutcome {
        inserted: inserted_count,
        already_stored: rows.len() as u64 - inserted_count,
        marked_duplicate,
    })
}

/// Locks the batch's waves `FOR SHARE`: a wave's state cannot move to
/// `drawing` while a batch that judged against it is uncommitted, so a
/// registration is either in the draw or rejected `WAVE_CLOSED`. The batch
/// is received at the transaction's `now()` (the database's clock, which
/// also stamped `opened_at` and stamps `validated_at`).
async fn lock_waves(
    tx: &mut PgConnection,
    records: &[RegistrationRecord],
    clock_allowance: chrono::Duration,
) -> Result<HashMap<u32, WaveView>, sqlx::Error> {
    let ids: Vec<i64> = records
        .iter()
        .map(|r| i64::from(r.wave_id))
        .collect::<HashSet<_>>()
        .into_iter()
        .filter(|&id| id <= i64::from(i32::MAX))
        .collect();
    type Locked = (
        i32,
        sqlx::types::Json<Scheme>,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        WaveState,
        DateTime<Utc>,
    );
    let locked: Vec<Locked> = sqlx::query_as(
        "SELECT wave_id, scheme, opened_at, closes_at, closed_at, state, now() FROM waves \
             WHERE wave_id = ANY($1::bigint[]) ORDER BY wave_id FOR SHARE",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    Ok(locked
        .into_iter()
        .map(
            |(id, scheme, opened_at, closes_at, closed_at, state, received_at)| {
                let closes_at = closed_at.map_or(closes_at, |closed| closed.min(closes_at));
                let view = WaveView {
                    scheme: scheme.0,
                    opened_at,
                    closes_at,
                    draw_started: state.is_frozen(),
                    submitted_by: received_at + clock_allowance,
                };
                (id as u32, view)
            },
        )
        .collect())
}

/// NIKs barred for good (selected in a wave, or revoked), with that wave.
async fn barred_niks(
    tx: &mut PgConnection,
    records: &[RegistrationRecord],
) -> Result<HashMap<String, i32>, sqlx::Error> {
    let niks: Vec<&str> = records.iter().filter_map(|r| r.nik.as_deref()).collect();
    let rows: Vec<(String, i32)> =
        sqlx::query_as("SELECT nik, wave_id FROM barred_niks WHERE nik = ANY($1::text[])")
            .bind(&niks)
            .fetch_all(&mut *tx)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Inserts the rows not stored yet; returns the ids it inserted.
async fn insert_rows(
    tx: &mut PgConnection,
    rows: &[RegistrationRow],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    // Fast path: COPY, in a savepoint. If any registration is stored already
    // (a redelivery), the COPY fails on the primary key and the batch goes in
    // with INSERT … ON CONFLICT DO NOTHING instead.
    let mut text = String::with_capacity(rows.len() * 400);
    for row in rows {
        super::copy_row::push_row(&mut text, row);
    }
    sqlx::query("SAVEPOINT copy_batch")
        .execute(&mut *tx)
        .await?;
    let copied = async {
        let mut copy = tx.copy_in_raw(super::copy_row::COPY_SQL).await?;
        copy.send(text.as_bytes()).await?;
        copy.finish().await
    }
    .await;
    match copied {
        Ok(_) => {
            sqlx::query("RELEASE SAVEPOINT copy_batch")
                .execute(&mut *tx)
                .await?;
            return Ok(rows.iter().map(|r| r.registration_id).collect());
        }
        Err(error) if is_unique_violation(&error) => {
            sqlx::query("ROLLBACK TO SAVEPOINT copy_batch")
                .execute(&mut *tx)
                .await?;
        }
        Err(error) => return Err(error),
    }
    insert_rows_skipping_stored(tx, rows).await
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505")
}

/// The slow path: skips the registrations already stored.
async fn insert_rows_skipping_stored(
    tx: &mut PgConnection,
    rows: &[RegistrationRow],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let ids: Vec<Uuid> = sqlx::query_scalar(super::row::INSERT_SQL)
        .bind(rows.iter().map(|r| r.registration_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.wave_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.reasons.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.warnings.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.submitted_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.nik.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.kk.as_deref()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.full_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.birth_date).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.sex.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.email.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.phone.as_deref()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.domicile_province.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.domicile_regency.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.education.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.occupation.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.receives_social_assistance)
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_method.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_provider.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_account.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.tier).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.raw.as_deref()).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Claims each (wave, NIK) for its earliest claimant and marks every other
/// claimant with that NIK in the wave `DUPLICATE_NIK`. The claim upsert
/// locks the claim rows, so concurrent batches touching the same NIK run
/// this step one after the other and each sees the other's rows.
async fn settle_duplicates(
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
