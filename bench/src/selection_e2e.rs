//! `bench selection-e2e`: the selector end to end on the same wave drawn
//! with `prakerja-selection-v1` and with `prakerja-selection-v2`, in one
//! run. Each algorithm gets its own database holding the same seeded
//! registrations (same count, provinces, tiers and families); a real
//! `selector` process is timed from the close to the stored draw (barrier,
//! freeze, inputs by `COPY` with v2's ids derived while decoding, the draw,
//! the skew check, the store by `COPY`, `ANALYZE`). The order alternates
//! per round, so neither always runs on a warmer machine.

use serde::Serialize;
use shared::selection::{Algorithm, FamilyKey};
use sqlx::Connection;
use workers::waves::Selection;

use crate::common::{BenchEnv, selector_close_to_drawn};

/// The benchmark's family key (not a programme's).
pub const BENCH_FAMILY_KEY: &str =
    "62656e6368206b6579206f66207072616b65726a612c206e6f74207265616c21";

#[derive(Debug, Serialize)]
pub struct Measured {
    pub algorithm: String,
    pub round: usize,
    pub selector_seconds: f64,
    pub selector_peak_rss_mib: f64,
}

#[derive(Debug, Serialize)]
pub struct E2eReport {
    pub candidates: i64,
    pub seats: u64,
    pub runs: Vec<Measured>,
    pub v1_seconds_median: f64,
    pub v2_seconds_median: f64,
    /// v2 / v1, medians.
    pub v2_vs_v1: f64,
}

pub async fn run(count: i64, seats: u64, rounds: usize) -> anyhow::Result<E2eReport> {
    let key = FamilyKey::from_hex(BENCH_FAMILY_KEY)?;
    let mut runs = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [Algorithm::V1, Algorithm::V2]
        } else {
            [Algorithm::V2, Algorithm::V1]
        };
        for algorithm in order {
            let selection = match algorithm {
                Algorithm::V1 => Selection::V1,
                Algorithm::V2 => Selection::V2(key.clone()),
            };
            let (seconds, peak) = one(count, seats, selection).await?;
            eprintln!("round {round}: {algorithm} selector {seconds:.1} s, peak {peak:.0} MiB");
            runs.push(Measured {
                algorithm: algorithm.name().to_owned(),
                round,
                selector_seconds: seconds,
                selector_peak_rss_mib: peak,
            });
        }
    }
    let median = |name: &str| {
        let mut v: Vec<f64> = runs
            .iter()
            .filter(|m| m.algorithm == name)
            .map(|m| m.selector_seconds)
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (v1, v2) = (median(Algorithm::V1.name()), median(Algorithm::V2.name()));
    Ok(E2eReport {
        candidates: count,
        seats,
        runs,
        v1_seconds_median: v1,
        v2_seconds_median: v2,
        v2_vs_v1: v2 / v1,
    })
}

/// Seeds a fresh database, then times one selector from close to `drawn`.
async fn one(count: i64, seats: u64, selection: Selection) -> anyhow::Result<(f64, f64)> {
    let name = format!("prakerja_bench_e2e_{}", selection.algorithm().short());
    let env = BenchEnv::create(&name).await?;
    let pool = &env.app.pool;
    let wave = env
        .open_wave_with(
            &format!("proportional:{seats}"),
            chrono::Utc::now() + chrono::Duration::days(1),
            selection,
        )
        .await?;
    eprintln!("seeding {count} eligible registrations ({name})");
    crate::seed::eligible(pool, wave.wave_id, count).await?;
    sqlx::query("VACUUM ANALYZE registrations")
        .execute(pool)
        .await?;
    let (took, peak) = selector_close_to_drawn(&env, wave.wave_id).await?;
    drop_database(env).await?;
    Ok((took.as_secs_f64(), peak))
}

/// Drops the benchmark's database (10M registrations each: the disk).
async fn drop_database(env: BenchEnv) -> anyhow::Result<()> {
    let name = env.app.settings.database.database_name()?;
    env.app.pool.close().await;
    let admin = env
        .app
        .settings
        .database
        .connect_options()?
        .database("postgres");
    let mut connection = sqlx::PgConnection::connect_with(&admin).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut connection)
        .await?;
    Ok(())
}
