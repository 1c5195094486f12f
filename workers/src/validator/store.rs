//! Writing one batch of registrations: one transaction that judges every
//! registration against the locked state of its wave, stores each exactly once
//! (keyed by `registration_id`), and settles `DUPLICATE_NIK` (`claims.rs`) so
//! that any number of validators, in any order, leave the same state.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use shared::domain::{
    Assessment, ReasonCode, Regions, RegistrationRecord, Scheme, WaveView, assess,
};
use shared::events::RegistrationsStored;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::row::RegistrationRow;
use super::sqlstate::{is_read_only, is_unique_violation};
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
    let mut connection = pool.acquire().await?;
    let stored = store_on(&mut connection, records, clock_allowance).await;
    if stored.as_ref().is_err_and(is_read_only) {
        // A session that started read-only stays so (a database switched
        // back keeps it read-only): the retry takes a new connection.
        connection.close_on_drop();
    }
    stored
}

async fn store_on(
    connection: &mut PgConnection,
    records: &[RegistrationRecord],
    clock_allowance: chrono::Duration,
) -> Result<StoreOutcome, sqlx::Error> {
    let started = std::time::Instant::now();
    let mut tx = sqlx::Connection::begin(connection).await?;
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
    let marked_duplicate = super::claims::settle_duplicates(&mut tx, &rows, &inserted).await?;
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
    stored_event(&rows, &inserted, marked_duplicate).emit();
    let inserted_count = inserted.len() as u64;
    Ok(StoreOutcome {
        inserted: inserted_count,
        already_stored: rows.len() as u64 - inserted_count,
        marked_duplicate,
    })
}

/// What a committed batch stored: rows inserted now by status and reason.
fn stored_event(
    rows: &[RegistrationRow],
    inserted: &HashSet<Uuid>,
    marked_duplicate: u64,
) -> RegistrationsStored {
    let mut event = RegistrationsStored {
        redelivered: (rows.len() - inserted.len()) as u64,
        marked_duplicate,
        ..RegistrationsStored::default()
    };
    let mut reasons: std::collections::BTreeMap<&'static str, u64> = Default::default();
    for row in rows
        .iter()
        .filter(|r| inserted.contains(&r.registration_id))
    {
        if row.status == "eligible" {
            event.eligible += 1;
            continue;
        }
        event.rejected += 1;
        for code in row.reasons.split(',').filter(|c| !c.is_empty()) {
            if let Some(code) = ReasonCode::from_code(code) {
                *reasons.entry(code.as_str()).or_default() += 1;
            }
        }
    }
    event.reasons = reasons.into_iter().collect();
    event
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
    super::row::insert_skipping_stored(tx, rows).await
}
