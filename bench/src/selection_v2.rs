//! `prakerja-selection-v2` beside v1 over the same wave, in memory: the
//! candidates the selector loads, their ids derived as the loader would
//! (one `pid` and one `fid` per candidate), then both draws, interleaved
//! round by round so both see the same machine. Wall time and the
//! process's CPU time per draw (the machine is shared), and the bytes each
//! draw's two digests hash (the SPECs fix them: v2's ids are 32 hex digits,
//! v1's 16 decimal ones).

use std::time::{Duration, Instant};

use serde::Serialize;
use shared::selection::{Candidate, CandidateV2, DrawParams, DrawRow, FamilyKey, derive_pid, draw};
use workers::selector::inputs::CandidateInfo;

#[derive(Debug, Serialize)]
pub struct V2Report {
    pub candidates: usize,
    /// Deriving every `pid` and `fid` (one thread).
    pub derive_ids_seconds: f64,
    pub derive_ids_ns_per_candidate: f64,
    /// Sorting the derived candidates by `pid`, as a loader would (v1's
    /// loader sorts by NIK).
    pub sort_by_pid_seconds: f64,
    pub v1_draw_seconds_median: f64,
    /// v2 over candidates in `pid` order (v1's are in NIK order).
    pub v2_draw_seconds_median: f64,
    /// v2 over the same candidates in NIK order: the draw sorts them.
    pub v2_unsorted_draw_seconds_median: f64,
    pub v1_draw_cpu_seconds: f64,
    pub v2_draw_cpu_seconds: f64,
    pub v1_digest_bytes: u64,
    pub v2_digest_bytes: u64,
    pub v2_vs_v1: f64,
    pub v2_vs_v1_cpu: f64,
}

/// User and system CPU time of this process so far (`/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat(5), in clock ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// Bytes of the digests' lines: input lines, then result lines.
fn digest_bytes<R: DrawRow>(input_line: u64, rows: &[R], id_len: u64) -> u64 {
    let output: u64 = rows
        .iter()
        .map(|r| {
            2 + 1
                + r.rank().to_string().len() as u64
                + 1
                + id_len
                + 1
                + r.status().as_str().len() as u64
                + 1
        })
        .sum();
    input_line * rows.len() as u64 + output
}

pub fn run(
    infos: &[CandidateInfo],
    params: &DrawParams,
    rounds: usize,
) -> anyhow::Result<V2Report> {
    let v1: Vec<Candidate> = infos.iter().map(CandidateInfo::candidate).collect();
    let key = FamilyKey::new([0x5e; 32]);
    let started = Instant::now();
    let unsorted: Vec<CandidateV2> = infos
        .iter()
        .map(|i| CandidateV2 {
            pid: derive_pid(&i.registration_id),
            fid: key.fid(i.kk).unwrap_or_default(),
            province: i.province,
            tier: i.tier,
        })
        .collect();
    let derive = started.elapsed();
    let mut sorted = unsorted.clone();
    let started = Instant::now();
    sorted.sort_unstable_by_key(|c| c.pid);
    let sort = started.elapsed();
    let params_v2 = DrawParams {
        wave_id: params.wave_id,
        secret: params.secret,
        beacon: params.beacon.clone(),
        allocation: params.allocation.clone(),
        kk_cap: params.kk_cap,
        prior: params
            .prior
            .iter()
            .filter_map(|(kk, n)| Some((key.fid(*kk)?, *n)))
            .collect(),
    };
    let (mut v1_walls, mut v2_walls, mut unsorted_walls) = (Vec::new(), Vec::new(), Vec::new());
    let (mut v1_cpu, mut v2_cpu) = (0.0, 0.0);
    let (mut v1_bytes, mut v2_bytes) = (0, 0);
    for _ in 0..rounds {
        let input = v1.clone();
        let (cpu, started) = (cpu_seconds(), Instant::now());
        let drawn = draw(params, input)?;
        v1_walls.push(started.elapsed());
        v1_cpu += cpu_seconds() - cpu;
        v1_bytes = digest_bytes(39, &drawn.rows, 16);
        drop(drawn);
        let input = sorted.clone();
        let (cpu, started) = (cpu_seconds(), Instant::now());
        let drawn = draw(&params_v2, input)?;
        v2_walls.push(started.elapsed());
        v2_cpu += cpu_seconds() - cpu;
        v2_bytes = digest_bytes(71, &drawn.rows, 32);
        drop(drawn);
        let input = unsorted.clone();
        let started = Instant::now();
        std::hint::black_box(draw(&params_v2, input)?);
        unsorted_walls.push(started.elapsed());
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (v1_median, v2_median) = (median(v1_walls), median(v2_walls));
    let rounds = rounds as f64;
    Ok(V2Report {
        candidates: infos.len(),
        derive_ids_seconds: derive.as_secs_f64(),
        derive_ids_ns_per_candidate: derive.as_secs_f64() * 1e9 / infos.len().max(1) as f64,
        sort_by_pid_seconds: sort.as_secs_f64(),
        v1_draw_seconds_median: v1_median,
        v2_draw_seconds_median: v2_median,
        v2_unsorted_draw_seconds_median: median(unsorted_walls),
        v1_draw_cpu_seconds: v1_cpu / rounds,
        v2_draw_cpu_seconds: v2_cpu / rounds,
        v1_digest_bytes: v1_bytes,
        v2_digest_bytes: v2_bytes,
        v2_vs_v1: v2_median / v1_median,
        v2_vs_v1_cpu: v2_cpu / v1_cpu,
    })
}
