//! Storing a draw, in one transaction: the manifest and skew check, every
//! candidate's inputs and result, the participants it makes (with card
//! numbers), the NIKs it bars, and the wave's move to `drawn`. Bulk rows go
//! in with `COPY`.

use chrono::NaiveDate;
use shared::selection::{Algorithm, Draw, Status, sixteen};
use sqlx::{PgConnection, PgPool};

use super::inputs::CandidateInfo;
use crate::pgcopy::CopyWriter;
use crate::waves::WaveState;

/// What the store needs besides the draw.
#[derive(Debug)]
pub struct StoreInput<'a> {
    pub wave_id: i32,
    pub draw: &'a Draw,
    pub candidates: &'a [CandidateInfo],
    /// `candidates[aligned[i]]` is the candidate of `draw.rows[i]`.
    pub aligned: &'a [u32],
    pub skew: serde_json::Value,
    pub skew_flagged: bool,
    pub duration_ms: i64,
    pub card_iin: &'a str,
    pub selected_on: NaiveDate,
    pub purchase_deadline: NaiveDate,
}

/// Stores the draw; returns the number of participants made.
pub async fn store(pool: &PgPool, input: StoreInput<'_>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let manifest_text = input.draw.manifest.to_json()?;
    let algorithm: Algorithm = input.draw.manifest.algorithm.parse()?;
    sqlx::query(
        "INSERT INTO selections (wave_id, algorithm, manifest, manifest_text, skew, skew_flagged, \
             candidates, duration_ms) VALUES ($1, $2, $3::jsonb, $3, $4, $5, $6, $7)",
    )
    .bind(input.wave_id)
    .bind(algorithm.name())
    .bind(&manifest_text)
    .bind(&input.skew)
    .bind(input.skew_flagged)
    .bind(input.candidates.len() as i64)
    .bind(input.duration_ms)
    .execute(&mut *tx)
    .await?;
    let v2 = algorithm == Algorithm::V2;
    copy_results(&mut tx, &input, v2).await?;
    let participants = copy_participants(&mut tx, &input, v2).await?;
    sqlx::query("UPDATE waves SET state = $2 WHERE wave_id = $1 AND state = $3")
        .bind(input.wave_id)
        .bind(WaveState::Drawn)
        .bind(WaveState::Drawing)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE selection_jobs SET finished_at = now(), last_error = NULL WHERE wave_id = $1",
    )
    .bind(input.wave_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(participants)
}

/// A v2 candidate's `pid` as its 32 hex digits; `\N` (NULL) for v1.
fn push_pid(buf: &mut Vec<u8>, info: &CandidateInfo, v2: bool) {
    if v2 {
        let mut hex = [0u8; 32];
        // 16 bytes always fit 32 hex digits.
        let _ = hex::encode_to_slice(info.pid.to_be_bytes(), &mut hex);
        buf.extend_from_slice(&hex);
    } else {
        buf.extend_from_slice(b"\\N");
    }
}

async fn copy_results(
    tx: &mut PgConnection,
    input: &StoreInput<'_>,
    v2: bool,
) -> anyhow::Result<()> {
    let mut copy = CopyWriter::begin(
        tx,
        "COPY selection_results (wave_id, stratum, rank, nik, kk, province, tier, status, \
             registration_id, pid) FROM STDIN",
    )
    .await?;
    let wave = input.wave_id.to_string();
    let mut uuid = uuid::Uuid::encode_buffer();
    for (row, &index) in input.draw.rows.iter().zip(input.aligned) {
        let info = &input.candidates[index as usize];
        let buf = copy.buffer();
        buf.extend_from_slice(wave.as_bytes());
        buf.push(b'\t');
        buf.extend_from_slice(&row.stratum.key());
        buf.push(b'\t');
        push_u32(buf, row.rank);
        buf.push(b'\t');
        buf.extend_from_slice(&sixteen(row.nik));
        buf.push(b'\t');
        buf.extend_from_slice(&sixteen(info.kk));
        buf.push(b'\t');
        buf.extend_from_slice(&info.province.key());
        buf.push(b'\t');
        buf.push(b'0' + info.tier);
        buf.push(b'\t');
        buf.extend_from_slice(row.status.as_str().as_bytes());
        buf.push(b'\t');
        buf.extend_from_slice(
            info.registration_id
                .hyphenated()
                .encode_lower(&mut uuid)
                .as_bytes(),
        );
        buf.push(b'\t');
        push_pid(buf, info, v2);
        buf.push(b'\n');
        copy.row_done().await?;
    }
    copy.finish().await?;
    Ok(())
}

async fn copy_participants(
    tx: &mut PgConnection,
    input: &StoreInput<'_>,
    v2: bool,
) -> anyhow::Result<u64> {
    let selected: Vec<_> = input
        .draw
        .rows
        .iter()
        .zip(input.aligned)
        .filter(|(row, _)| row.status == Status::Selected)
        .collect();
    let cards = crate::cards::allocate(tx, input.card_iin, selected.len()).await?;
    let mut copy = CopyWriter::begin(
        tx,
        "COPY participants (wave_id, nik, kk, registration_id, stratum, rank, pid, card_number, \
             origin, selected_on, purchase_deadline) FROM STDIN",
    )
    .await?;
    let tail = format!(
        "\tdrawn\t{}\t{}\n",
        input.selected_on, input.purchase_deadline
    );
    let wave = input.wave_id.to_string();
    let mut uuid = uuid::Uuid::encode_buffer();
    for (&(row, &index), card) in selected.iter().zip(&cards) {
        let info = &input.candidates[index as usize];
        let buf = copy.buffer();
        buf.extend_from_slice(wave.as_bytes());
        buf.push(b'\t');
        buf.extend_from_slice(&sixteen(row.nik));
        buf.push(b'\t');
        buf.extend_from_slice(&sixteen(info.kk));
        buf.push(b'\t');
        buf.extend_from_slice(
            info.registration_id
                .hyphenated()
                .encode_lower(&mut uuid)
                .as_bytes(),
        );
        buf.push(b'\t');
        buf.extend_from_slice(&row.stratum.key());
        buf.push(b'\t');
        push_u32(buf, row.rank);
        buf.push(b'\t');
        push_pid(buf, info, v2);
        buf.push(b'\t');
        buf.extend_from_slice(card.as_bytes());
        buf.extend_from_slice(tail.as_bytes());
        copy.row_done().await?;
    }
    let participants = copy.finish().await?;
    let mut copy =
        CopyWriter::begin(tx, "COPY barred_niks (nik, wave_id, reason) FROM STDIN").await?;
    let tail = format!("\t{}\tselected\n", input.wave_id);
    for (row, _) in &selected {
        let buf = copy.buffer();
        buf.extend_from_slice(&sixteen(row.nik));
        buf.extend_from_slice(tail.as_bytes());
        copy.row_done().await?;
    }
    copy.finish().await?;
    Ok(participants)
}

fn push_u32(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}
