//! The selection benchmark's baselines: the I/O floor (the same COPYs the
//! selector does, with the rows formatted beforehand so no computation is
//! timed) and a pure-SQL draw that stores the same rows.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use shared::selection::{Draw, Status, sixteen};
use sqlx::PgPool;
use workers::selector::CandidateInfo;
use workers::selector::inputs::{candidates_copy, find};

/// The stored rows of a draw as COPY text: results, participants, barred NIKs.
pub struct Rows {
    results: Vec<u8>,
    participants: Vec<u8>,
    barred: Vec<u8>,
}

pub fn format_rows(wave_id: i32, draw: &Draw, infos: &[CandidateInfo]) -> Rows {
    let mut rows = Rows {
        results: Vec::new(),
        participants: Vec::new(),
        barred: Vec::new(),
    };
    let mut uuid = uuid::Uuid::encode_buffer();
    let mut serial = 0u64;
    for row in &draw.rows {
        let info = find(infos, row.nik).expect("a candidate");
        let id = info
            .registration_id
            .hyphenated()
            .encode_lower(&mut uuid)
            .to_owned();
        let stratum = String::from_utf8_lossy(&row.stratum.key()).into_owned();
        let nik = String::from_utf8_lossy(&sixteen(row.nik)).into_owned();
        let kk = String::from_utf8_lossy(&sixteen(info.kk)).into_owned();
        rows.results.extend_from_slice(
            format!(
                "{wave_id}\t{stratum}\t{}\t{nik}\t{kk}\t{}\t{}\t{}\t{id}\n",
                row.rank,
                info.province,
                info.tier,
                row.status.as_str()
            )
            .as_bytes(),
        );
        if row.status == Status::Selected {
            serial += 1;
            let card = workers::cards::card_number("604180", serial as i64);
            rows.participants.extend_from_slice(
                format!("{wave_id}\t{nik}\t{kk}\t{id}\t{stratum}\t{}\t{card}\tdrawn\t2026-12-01\t2026-12-31\n", row.rank).as_bytes(),
            );
            rows.barred
                .extend_from_slice(format!("{nik}\t{wave_id}\tselected\n").as_bytes());
        }
    }
    rows
}

/// COPY out the draw's inputs (discarded) and COPY in the rows, in one
/// transaction, into tables shaped like the selector's; returns both times.
pub async fn measure(
    pool: &PgPool,
    wave_id: i32,
    rows: &Rows,
) -> anyhow::Result<(Duration, Duration)> {
    empty_copies(pool, "floor").await?;
    sqlx::query("SELECT count(*) FROM registrations")
        .execute(pool)
        .await?; // warm the cache as the selector's run will find it
    let mut tx = pool.begin().await?;
    let started = Instant::now();
    let mut stream = tx.copy_out_raw(&candidates_copy(wave_id)).await?;
    let mut bytes = 0usize;
    while let Some(chunk) = stream.next().await {
        bytes += chunk?.len();
    }
    drop(stream);
    let copy_out = started.elapsed();
    std::hint::black_box(bytes);
    let started = Instant::now();
    for (statement, data) in [
        (
            "COPY floor_selection_results (wave_id, stratum, rank, nik, kk, province, tier, status, registration_id) FROM STDIN",
            &rows.results,
        ),
        (
            "COPY floor_participants (wave_id, nik, kk, registration_id, stratum, rank, card_number, origin, selected_on, purchase_deadline) FROM STDIN",
            &rows.participants,
        ),
        (
            "COPY floor_barred_niks (nik, wave_id, reason) FROM STDIN",
            &rows.barred,
        ),
    ] {
        let mut copy = tx.copy_in_raw(statement).await?;
        for chunk in data.chunks(1 << 20) {
            copy.send(chunk).await?;
        }
        copy.finish().await?;
    }
    tx.commit().await?;
    Ok((copy_out, started.elapsed()))
}

/// A reproducible draw in SQL (not this algorithm): rank each province's
/// candidates by tier and `md5(seed || nik)`, seat the first `quota`, and
/// store the same rows (results, participants, barred NIKs) in one transaction.
pub async fn pure_sql_draw(pool: &PgPool, wave_id: i32) -> anyhow::Result<Duration> {
    empty_copies(pool, "sql").await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "WITH q AS (SELECT key AS province, value::bigint AS quota \
                      FROM selections, jsonb_each_text(manifest -> 'quotas') WHERE wave_id = $1), \
              ranked AS (SELECT r.nik, r.kk, r.domicile_province AS province, r.tier, r.registration_id, \
                                row_number() OVER (PARTITION BY r.domicile_province \
                                                   ORDER BY r.tier, md5('bench-seed' || r.nik)) AS rank \
                           FROM registrations r WHERE r.wave_id = $1 AND r.status = 'eligible') \
         INSERT INTO sql_selection_results (wave_id, stratum, rank, nik, kk, province, tier, status, registration_id) \
         SELECT $1, province, rank, nik, kk, province, tier, \
                CASE WHEN rank <= q.quota THEN 'SELECTED' ELSE 'WAITLIST' END, registration_id \
           FROM ranked JOIN q USING (province)",
    )
    .bind(wave_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO sql_participants (wave_id, nik, kk, registration_id, stratum, rank, card_number, origin, \
             selected_on, purchase_deadline) \
         SELECT wave_id, nik, kk, registration_id, stratum, rank, \
                '604180' || lpad((row_number() OVER ())::text, 10, '0'), 'drawn', current_date, current_date + 30 \
           FROM sql_selection_results WHERE status = 'SELECTED'",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO sql_barred_niks (nik, wave_id, reason) SELECT nik, wave_id, 'selected' FROM sql_selection_results WHERE status = 'SELECTED'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(started.elapsed())
}

/// Empty copies `<prefix>_<table>` (keys, indexes and all) of the tables a
/// draw stores into.
async fn empty_copies(pool: &PgPool, prefix: &str) -> Result<(), sqlx::Error> {
    for table in ["selection_results", "participants", "barred_niks"] {
        sqlx::query(&format!("DROP TABLE IF EXISTS {prefix}_{table}"))
            .execute(pool)
            .await?;
        sqlx::query(&format!(
            "CREATE TABLE {prefix}_{table} (LIKE {table} INCLUDING ALL)"
        ))
        .execute(pool)
        .await?;
    }
    Ok(())
}
