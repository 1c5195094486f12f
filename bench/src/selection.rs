//! The selection benchmark: a wave of 10,000,000 eligible registrations over
//! 38 provinces, 1,000,000 seats proportional, two tiers, families sharing
//! KKs. Measured in one run: the selector end to end (a real `selector`
//! process, from the close to the stored draw) and `prakerja audit`; the I/O
//! floor (COPY of the draw's inputs out and of the same stored rows in, no
//! computation); a pure-SQL draw storing the same rows; and the in-memory
//! draw beside `rand`'s `SliceRandom::shuffle` over the same candidates,
//! with the draw's parts measured alone: the SPEC's own shuffle (rejection
//! sampling, no threads) and each of the two SHA-256 digests it publishes;
//! and `prakerja-selection-v2` over the same candidates beside v1
//! (`selection_v2.rs`).

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use shared::selection::{Candidate, Draw, DrawParams, draw, input_digest, output_digest, shuffle};
use workers::procs::sibling_binary;

use crate::common::{BenchEnv, selector_close_to_drawn};
use crate::floor;
use crate::selection_v2::{self, V2Report};

#[derive(Debug, Serialize)]
pub struct SelectionReport {
    pub candidates: u64,
    pub seats: u64,
    pub selector_seconds: f64,
    pub selector_peak_rss_mib: f64,
    pub audit_seconds: f64,
    pub io_floor_seconds: f64,
    pub io_floor_copy_out_seconds: f64,
    pub io_floor_copy_in_seconds: f64,
    pub pure_sql_seconds: f64,
    pub draw_seconds_median: f64,
    pub shuffle_seconds_median: f64,
    /// The SPEC's Fisher-Yates (`bounded` rejection sampling) over the same
    /// array, one thread: the ranking's core without statuses or digests.
    pub spec_shuffle_seconds_median: f64,
    /// `input_digest` alone, one thread.
    pub input_digest_seconds_median: f64,
    /// `output_digest` alone, one thread.
    pub output_digest_seconds_median: f64,
    pub draw_vs_shuffle: f64,
    pub selector_vs_io_floor: f64,
    pub pure_sql_vs_selector: f64,
    /// The v2 draw of the same candidates beside v1, in memory.
    pub v2: V2Report,
}

pub async fn run(count: i64, seats: u64, rounds: usize) -> anyhow::Result<SelectionReport> {
    let env = BenchEnv::create("prakerja_bench_selection").await?;
    let pool = &env.app.pool;
    let wave = env
        .open_wave(
            &format!("proportional:{seats}"),
            chrono::Utc::now() + chrono::Duration::days(1),
        )
        .await?;
    eprintln!("seeding {count} eligible registrations");
    crate::seed::eligible(pool, wave.wave_id, count).await?;

    eprintln!("in-memory draw against SliceRandom::shuffle ({rounds} rounds)");
    let infos = workers::selector::inputs::candidates(pool, wave.wave_id, None).await?;
    let candidates: Vec<Candidate> = infos.iter().map(|i| i.candidate()).collect();
    // The system kept the secret at open (the operator's to read: the
    // benchmark is the operator); the draw of the benchmark uses it.
    let mut connection = pool.acquire().await?;
    let secret = workers::waves::kept_secret(&mut connection, wave.wave_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the system kept no secret"))?;
    drop(connection);
    let params = DrawParams {
        wave_id: wave.wave_id as u32,
        secret,
        beacon: Vec::new(),
        allocation: wave.allocation(pool).await?,
        kk_cap: wave.kk_cap as u32,
        prior: Default::default(),
    };
    let mut draws = Vec::new();
    let mut shuffles = Vec::new();
    let mut spec_shuffles = Vec::new();
    let mut input_digests = Vec::new();
    let mut output_digests = Vec::new();
    let mut result: Option<Draw> = None;
    for _ in 0..rounds {
        let mut copy: Vec<Candidate> = candidates.clone();
        let started = Instant::now();
        shuffle(&mut ChaCha20Rng::from_seed([7; 32]), &mut copy);
        spec_shuffles.push(started.elapsed());
        std::hint::black_box(&copy);
        drop(copy);
        let started = Instant::now();
        std::hint::black_box(input_digest(&candidates));
        input_digests.push(started.elapsed());
        let mut copy: Vec<Candidate> = candidates.clone();
        let started = Instant::now();
        copy.shuffle(&mut ChaCha20Rng::from_seed([7; 32]));
        shuffles.push(started.elapsed());
        std::hint::black_box(&copy);
        drop(copy);
        let input = candidates.clone();
        let started = Instant::now();
        let drawn = draw(&params, input)?;
        draws.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(output_digest(&drawn.rows));
        output_digests.push(started.elapsed());
        result = Some(drawn);
    }
    let drawn = result.ok_or_else(|| anyhow::anyhow!("no round ran"))?;

    eprintln!("in-memory v2 draw beside v1 ({rounds} rounds)");
    let v2 = selection_v2::run(&infos, &params, rounds)?;

    eprintln!("I/O floor: COPY out the inputs, COPY in the stored rows");
    let rows = floor::format_rows(wave.wave_id, &drawn, &infos);
    drop(candidates);
    drop(infos);
    let (copy_out, copy_in) = floor::measure(pool, wave.wave_id, &rows).await?;
    drop(rows);
    drop(drawn);

    eprintln!("selector process, close to stored draw");
    let (selector, peak) = selector_close_to_drawn(&env, wave.wave_id).await?;

    eprintln!("prakerja audit");
    let started = Instant::now();
    let status = tokio::process::Command::new(sibling_binary("prakerja")?)
        .args(["audit", &wave.wave_id.to_string()])
        .envs(env.process_env())
        .stdout(std::process::Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "the audit did not MATCH");
    let audit = started.elapsed();

    eprintln!("pure-SQL draw");
    let pure_sql = floor::pure_sql_draw(pool, wave.wave_id).await?;

    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (draw_median, shuffle_median) = (median(draws), median(shuffles));
    let floor = copy_out + copy_in;
    Ok(SelectionReport {
        candidates: count as u64,
        seats,
        selector_seconds: selector.as_secs_f64(),
        selector_peak_rss_mib: peak,
        audit_seconds: audit.as_secs_f64(),
        io_floor_seconds: floor.as_secs_f64(),
        io_floor_copy_out_seconds: copy_out.as_secs_f64(),
        io_floor_copy_in_seconds: copy_in.as_secs_f64(),
        pure_sql_seconds: pure_sql.as_secs_f64(),
        draw_seconds_median: draw_median,
        shuffle_seconds_median: shuffle_median,
        spec_shuffle_seconds_median: median(spec_shuffles),
        input_digest_seconds_median: median(input_digests),
        output_digest_seconds_median: median(output_digests),
        draw_vs_shuffle: draw_median / shuffle_median,
        selector_vs_io_floor: selector.as_secs_f64() / floor.as_secs_f64(),
        pure_sql_vs_selector: pure_sql.as_secs_f64() / selector.as_secs_f64(),
        v2,
    })
}
