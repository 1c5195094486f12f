//! The draw's inputs. They are frozen when the wave moves to `drawing`:
//! validators judge every later registration `WAVE_CLOSED` and take no NIK
//! claim for it, and the prior counts and the registrations left out (NIKs
//! barred by another wave) are stored in the same transaction. The
//! candidates are then read from the wave's registrations and
//! `selection_excluded` alone, which triggers keep unchanged from the freeze
//! on (migration 20261130010001): a draw restarted after a crash, or after
//! revocations and promotions elsewhere, reads exactly the same inputs.

use std::collections::HashMap;

use anyhow::Context;
use shared::selection::{
    Candidate, CandidateV2, FamilyKey, Province, ResultRow, derive_pid, parse_id,
};
use sqlx::PgPool;
use uuid::Uuid;

use crate::pgcopy::{copy_out_lines, fields, text};
use crate::waves::WaveState;

/// One candidate with what the draw itself does not need but the store and
/// the skew check do. Sorted by NIK, to find a result row's candidate.
#[derive(Debug, Clone, Copy)]
pub struct CandidateInfo {
    pub nik: u64,
    pub kk: u64,
    pub province: Province,
    pub tier: u8,
    pub registration_id: Uuid,
    /// Submission time, seconds since the epoch.
    pub submitted_at: i64,
    /// v2's ids, derived while decoding (0 for a v1 wave).
    pub pid: u128,
    pub fid: u128,
}

/// Moves a closed wave to `drawing` and stores its prior counts and the
/// registrations its draw leaves out, under the draw gate. Returns false if
/// the wave was not `closed`.
pub async fn freeze(pool: &PgPool, wave_id: i32) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT id FROM draw_gate FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    let moved = sqlx::query(
        // clock_timestamp(): the moment of the move, after the gate's lock
        // wait, not the transaction's start.
        "UPDATE waves SET state = $2, frozen_at = clock_timestamp() \
              WHERE wave_id = $1 AND state = $3",
    )
    .bind(wave_id)
    .bind(WaveState::Drawing)
    .bind(WaveState::Closed)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 {
        for statement in [PRIOR_SQL, EXCLUDED_SQL] {
            sqlx::query(statement)
                .bind(i64::from(wave_id))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(moved == 1)
}

/// Per family card of the wave's eligible registrations, its active
/// beneficiaries from earlier waves (`$1`: the wave, a bigint).
pub const PRIOR_SQL: &str = "\
INSERT INTO selection_prior (wave_id, kk, count) \
SELECT $1, p.kk, count(*) FROM participants p \
 WHERE p.state = 'active' \
   AND p.kk IN (SELECT kk FROM registrations WHERE wave_id = $1 AND status = 'eligible') \
 GROUP BY p.kk";

/// The wave's eligible registrations whose NIK became a beneficiary (or was
/// revoked) in another wave since they were validated (ALREADY_BENEFICIARY,
/// re-checked at the freeze): left out of its draw, for good (`$1`: the
/// wave, a bigint).
pub const EXCLUDED_SQL: &str = "\
INSERT INTO selection_excluded (wave_id, nik) \
SELECT $1, r.nik FROM registrations r \
 WHERE r.wave_id = $1 AND r.status = 'eligible' \
   AND EXISTS (SELECT 1 FROM barred_niks b WHERE b.nik = r.nik AND b.wave_id <> $1) \
ON CONFLICT DO NOTHING";

/// Fresh planner statistics for what the freeze reads: a wave's
/// registrations arrive by the million through `COPY`, and a table never
/// analysed looks to the planner like a few rows of the wave, which can turn
/// a linear join quadratic.
pub async fn analyze_before_freeze(pool: &PgPool) -> Result<(), sqlx::Error> {
    analyze(pool, "before_freeze").await
}

/// Fresh planner statistics for what the freeze wrote, before the
/// candidates are read.
pub async fn analyze_frozen(pool: &PgPool) -> Result<(), sqlx::Error> {
    analyze(pool, "frozen").await
}

/// Fresh planner statistics for what the store wrote (results,
/// participants, barred NIKs), for the runs and checks that follow.
pub async fn analyze_drawn(pool: &PgPool) -> Result<(), sqlx::Error> {
    analyze(pool, "drawn").await
}

/// Only a table's owner may `ANALYZE` it: the owner's `analyze_for_draw`
/// (migration 20261210000000) runs the stage's fixed statement for the
/// selector's login.
async fn analyze(pool: &PgPool, stage: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT analyze_for_draw($1)")
        .bind(stage)
        .execute(pool)
        .await?;
    Ok(())
}

/// The frozen prior counts of a wave.
pub async fn prior(pool: &PgPool, wave_id: i32) -> Result<HashMap<u64, u32>, anyhow::Error> {
    let rows: Vec<(String, i32)> =
        sqlx::query_as("SELECT kk, count FROM selection_prior WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(kk, count)| {
            let kk = parse_id(&kk).with_context(|| format!("prior KK {kk:?} is not 16 digits"))?;
            Ok((kk, count as u32))
        })
        .collect()
}

/// The wave's eligible registrations minus those its freeze left out
/// (`selection_excluded`), read with `COPY` and sorted by NIK. With a
/// family key (a v2 wave) each row's `pid` and `fid` are derived as it is
/// decoded, not in a second pass, and they are sorted by `pid`.
pub async fn candidates(
    pool: &PgPool,
    wave_id: i32,
    key: Option<&FamilyKey>,
) -> anyhow::Result<Vec<CandidateInfo>> {
    let statement = candidates_copy(wave_id);
    let mut connection = pool.acquire().await?;
    let mut out = Vec::new();
    copy_out_lines(&mut connection, &statement, |line| {
        let mut info = parse_line(line)?;
        if let Some(key) = key {
            info.derive(key)?;
        }
        out.push(info);
        Ok(())
    })
    .await?;
    // In the draw's id order: the draw then finds its input sorted.
    if key.is_some() {
        out.sort_unstable_by_key(|c| c.pid);
    } else {
        out.sort_unstable_by_key(|c| c.nik);
    }
    Ok(out)
}

/// The `COPY` that reads a wave's candidates.
pub fn candidates_copy(wave_id: i32) -> String {
    format!("COPY ({}) TO STDOUT", candidates_select(wave_id))
}

/// A wave's candidates: its eligible registrations minus those left out.
pub fn candidates_select(wave_id: i32) -> String {
    format!(
        "SELECT r.nik, r.kk, r.domicile_province, r.tier, r.registration_id, \
                extract(epoch FROM r.submitted_at)::bigint \
           FROM registrations r \
          WHERE r.wave_id = {wave_id} AND r.status = 'eligible' \
            AND NOT EXISTS (SELECT 1 FROM selection_excluded x \
                             WHERE x.wave_id = {wave_id} AND x.nik = r.nik)"
    )
}

fn parse_line(line: &[u8]) -> anyhow::Result<CandidateInfo> {
    let mut f = fields(line);
    let mut next = |name: &str| {
        f.next()
            .with_context(|| format!("candidate row lacks {name}"))
            .and_then(text)
    };
    let nik = next("nik")?;
    let kk = next("kk")?;
    let province = next("province")?;
    let tier = next("tier")?;
    let registration_id = next("registration_id")?;
    let submitted_at = next("submitted_at")?;
    Ok(CandidateInfo {
        nik: parse_id(nik).with_context(|| {
            format!("eligible NIK {:?} is not 16 digits", shared::mask::nik(nik))
        })?,
        kk: parse_id(kk).with_context(|| format!("eligible KK {kk:?} is not 16 digits"))?,
        province: province
            .parse()
            .with_context(|| format!("province {province:?}"))?,
        tier: tier.parse().with_context(|| format!("tier {tier:?}"))?,
        registration_id: registration_id.parse()?,
        submitted_at: submitted_at
            .parse()
            .with_context(|| format!("submitted_at {submitted_at:?}"))?,
        pid: 0,
        fid: 0,
    })
}

impl CandidateInfo {
    /// Derives v2's `pid` (from the registration id) and `fid` (the KK
    /// under the family key).
    pub fn derive(&mut self, key: &FamilyKey) -> anyhow::Result<()> {
        self.pid = derive_pid(&self.registration_id);
        self.fid = key
            .fid(self.kk)
            .context("an eligible KK has more than 16 digits")?;
        Ok(())
    }

    /// The v2 candidate (after [`derive`](Self::derive)).
    pub fn candidate_v2(&self) -> CandidateV2 {
        CandidateV2 {
            pid: self.pid,
            fid: self.fid,
            province: self.province,
            tier: self.tier,
        }
    }

    pub fn candidate(&self) -> Candidate {
        Candidate {
            nik: self.nik,
            kk: self.kk,
            province: self.province,
            tier: self.tier,
        }
    }
}

/// For each result row (in output order), the index of its candidate in the
/// NIK-sorted `sorted`: one sort and one merge, instead of a search per row.
pub fn align(rows: &[ResultRow], sorted: &[CandidateInfo]) -> anyhow::Result<Vec<u32>> {
    let mut by_nik: Vec<(u64, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.nik, i as u32))
        .collect();
    by_nik.sort_unstable();
    let mut aligned = vec![0u32; rows.len()];
    let mut next = 0usize;
    for (nik, row) in by_nik {
        while next < sorted.len() && sorted[next].nik < nik {
            next += 1;
        }
        anyhow::ensure!(
            next < sorted.len() && sorted[next].nik == nik,
            "a result row names a NIK that is not a candidate"
        );
        aligned[row as usize] = next as u32;
    }
    Ok(aligned)
}

/// Finds a candidate by NIK in a NIK-sorted slice.
pub fn find(sorted: &[CandidateInfo], nik: u64) -> Option<&CandidateInfo> {
    sorted
        .binary_search_by_key(&nik, |c| c.nik)
        .ok()
        .map(|i| &sorted[i])
}
