//! A v2 wave's draw (`prakerja-selection-v2`): the candidates' `pid`s and
//! `fid`s were derived while their rows were decoded (`inputs.rs`), so the
//! draw runs on them directly; its rows are then given back their
//! candidates (by `pid`), so that the skew check and the store, which key
//! by registration and NIK, serve both algorithms.

use std::collections::HashMap;

use shared::selection::{CandidateV2, Draw, DrawParams, FamilyKey, ResultRow, ResultRowV2, draw};

use super::inputs::CandidateInfo;

/// The family key's view of prior counts: per `fid` instead of per KK.
pub fn prior_by_fid(
    prior: &HashMap<u64, u32>,
    key: &FamilyKey,
) -> anyhow::Result<HashMap<u128, u32>> {
    prior
        .iter()
        .map(|(&kk, &count)| {
            let fid = key
                .fid(kk)
                .ok_or_else(|| anyhow::anyhow!("a prior KK has more than 16 digits"))?;
            Ok((fid, count))
        })
        .collect()
}

/// The params of a v2 draw from a v1-shaped one (prior per KK).
pub fn params_v2(params: DrawParams, key: &FamilyKey) -> anyhow::Result<DrawParams<u128>> {
    Ok(DrawParams {
        prior: prior_by_fid(&params.prior, key)?,
        wave_id: params.wave_id,
        secret: params.secret,
        beacon: params.beacon,
        allocation: params.allocation,
        kk_cap: params.kk_cap,
    })
}

/// Runs the v2 draw over `infos` (ids derived, sorted by `pid`). Returns the
/// draw with its rows keyed by their candidates' NIKs (for the skew check
/// and the store), `aligned` (row i's candidate is `infos[aligned[i]]`) and
/// the draw's own rows, by `pid`.
pub fn run(
    params: &DrawParams<u128>,
    infos: &[CandidateInfo],
) -> anyhow::Result<(Draw, Vec<u32>, Vec<ResultRowV2>)> {
    let candidates: Vec<CandidateV2> = infos.iter().map(CandidateInfo::candidate_v2).collect();
    let drawn = draw(params, candidates)?;
    let aligned = align_by_pid(&drawn.rows, infos)?;
    let rows = drawn
        .rows
        .iter()
        .zip(&aligned)
        .map(|(row, &index)| ResultRow {
            stratum: row.stratum,
            rank: row.rank,
            nik: infos[index as usize].nik,
            status: row.status,
        })
        .collect();
    Ok((
        Draw {
            rows,
            manifest: drawn.manifest,
        },
        aligned,
        drawn.rows,
    ))
}

/// For each v2 row, the index of its candidate in the `pid`-sorted
/// `infos`: one sort of the rows and one merge, as v1's `inputs::align`.
pub fn align_by_pid(rows: &[ResultRowV2], infos: &[CandidateInfo]) -> anyhow::Result<Vec<u32>> {
    anyhow::ensure!(
        infos.is_sorted_by_key(|c| c.pid),
        "the v2 candidates are not sorted by pid"
    );
    let mut by_pid: Vec<(u128, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.pid, i as u32))
        .collect();
    by_pid.sort_unstable();
    let mut aligned = vec![0u32; rows.len()];
    let mut next = 0usize;
    for (pid, row) in by_pid {
        while next < infos.len() && infos[next].pid < pid {
            next += 1;
        }
        anyhow::ensure!(
            next < infos.len() && infos[next].pid == pid,
            "a v2 result row names a pid that is no candidate's"
        );
        aligned[row as usize] = next as u32;
    }
    Ok(aligned)
}
