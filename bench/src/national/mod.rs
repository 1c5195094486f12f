//! The national-scale benchmark (issue 10, item 6): a wave of generated
//! registrations (10,000,000 by default) through the real binaries on the
//! machine's PostgreSQL and RabbitMQ, in two halves: `prakerja generate`,
//! `prakerja ingest`, then the first half validated by one `validator`
//! process and the second by two side by side; `prakerja wave close` with a
//! `selector` running (close and a selection-v2 draw, the default),
//! `prakerja audit`; then the nightly
//! run for the drawn participants (1,000,000 by default) with a `disburser`
//! and the `gateway-simulator` answering, until every answer is consumed
//! back, and `prakerja disburse report`. Each stage records its wall time,
//! throughput, the peak memory and CPU of each process, the servers' CPU,
//! and the disk in use (`stage.rs`, `probe.rs`).

mod probe;
mod stage;
mod waits;

use std::time::Duration;

use serde::Serialize;

use crate::common::BenchEnv;
use probe::{broker_bytes, database_bytes, prakerja, table_bytes};
use stage::{Clock, Fleet, Stage};

#[derive(Debug, Serialize)]
pub struct NationalReport {
    pub registrations: u64,
    pub seats: u64,
    pub stages: Vec<Stage>,
    pub registrations_by_status: Vec<(String, i64)>,
    pub participants: i64,
    pub instructions: i64,
    pub instructions_by_status: Vec<(String, i64)>,
    pub report_exit_ok: bool,
    /// pg_total_relation_size of the largest tables at the end.
    pub table_bytes: Vec<(String, i64)>,
    pub database_bytes_per_million_registrations: f64,
    pub registrations_table_bytes_per_million: f64,
    /// Growth of RabbitMQ's data directory while a half was ingested (before
    /// it was consumed), per million registrations queued.
    pub broker_bytes_per_million_queued: Option<f64>,
}

pub async fn run(registrations: u64, seats: u64) -> anyhow::Result<NationalReport> {
    let env = BenchEnv::create("prakerja_bench_national").await?;
    let pool = &env.app.pool;
    let database_before = database_bytes(pool).await?;
    // As the demo does: the registrants claim times while the wave is open;
    // the front end forwards them after it closed.
    let closes = chrono::Utc::now() + chrono::Duration::seconds(3);
    // Selection v2, as `prakerja wave open` draws by default.
    let key = shared::selection::FamilyKey::from_hex(crate::selection_e2e::BENCH_FAMILY_KEY)?;
    let wave = env
        .open_wave_with(
            &format!("proportional:{seats}"),
            closes,
            workers::waves::Selection::V2(key),
        )
        .await?;
    let wave_id = wave.wave_id.to_string();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let dir = std::env::temp_dir().join("prakerja-bench-national");
    std::fs::create_dir_all(&dir)?;

    let mut stages = Vec::new();
    let mut broker_growth = Vec::new();
    let first = registrations / 2;
    let mut ingested = 0;
    for (part, (count, validators)) in [(first, 1usize), (registrations - first, 2)]
        .into_iter()
        .enumerate()
    {
        let file = dir.join(format!("registrations-{part}.jsonl"));
        let file_arg = file.display().to_string();
        eprintln!("half {part}: generating {count} registrations");
        let clock = Clock::start();
        let (figures, _, ok) = prakerja(
            &env,
            "generate",
            &[
                "generate",
                "--wave",
                &wave_id,
                "--count",
                &count.to_string(),
                "--seed",
                &(part + 1).to_string(),
                "--output",
                &file_arg,
            ],
            None,
        )
        .await?;
        anyhow::ensure!(ok, "prakerja generate failed");
        let name = format!("generate (half {})", part + 1);
        stages.push(
            clock
                .finish(pool, &name, count, None, vec![figures])
                .await?,
        );

        eprintln!("half {part}: prakerja ingest");
        let broker_before = broker_bytes();
        let clock = Clock::start();
        let (figures, _, ok) = prakerja(&env, "ingest", &["ingest", &file_arg], None).await?;
        anyhow::ensure!(ok, "prakerja ingest failed");
        let name = format!("ingest (half {})", part + 1);
        let stage = clock
            .finish(pool, &name, count, None, vec![figures])
            .await?;
        if let (Some(before), Some(after)) = (broker_before, stage.broker_bytes_after) {
            broker_growth.push((after as f64 - before as f64) / count as f64 * 1e6);
        }
        stages.push(stage);
        std::fs::remove_file(&file)?;
        ingested += count;

        eprintln!("half {part}: {validators} validator(s)");
        let clock = Clock::start();
        let mut fleet = Fleet::new();
        for v in 0..validators {
            fleet.spawn(&env, "validator", &format!("validator-{}", v + 1), &[])?;
        }
        waits::validated(&env, &mut fleet, ingested).await?;
        let elapsed = clock.elapsed();
        let figures = fleet.stop().await?;
        let name = format!("validate (half {}, {validators} validator(s))", part + 1);
        stages.push(
            clock
                .finish(pool, &name, count, Some(elapsed), figures)
                .await?,
        );
    }
    let registrations_table = table_bytes(pool, "registrations").await?;

    eprintln!("close and draw: prakerja wave close, a selector running");
    let clock = Clock::start();
    let mut fleet = Fleet::new();
    fleet.spawn(&env, "selector", "selector", &[])?;
    let (figures, elapsed, ok) = prakerja(
        &env,
        "wave-close",
        &["wave", "close", &wave_id, "--timeout", "7200"],
        None,
    )
    .await?;
    anyhow::ensure!(ok, "prakerja wave close failed");
    let mut processes = fleet.stop().await?;
    processes.push(figures);
    let eligible = waits::eligible(pool, wave.wave_id).await?;
    stages.push(
        clock
            .finish(pool, "close and draw", eligible, Some(elapsed), processes)
            .await?,
    );

    eprintln!("prakerja audit");
    let clock = Clock::start();
    let (figures, _, ok) = prakerja(&env, "audit", &["audit", &wave_id], None).await?;
    anyhow::ensure!(ok, "the audit did not MATCH");
    stages.push(
        clock
            .finish(pool, "audit", eligible, None, vec![figures])
            .await?,
    );

    let participants: i64 = sqlx::query_scalar("SELECT count(*) FROM participants")
        .fetch_one(pool)
        .await?;
    let (nightly, report_exit_ok) = waits::nightly(&env, &dir, participants as u64).await?;
    stages.extend(nightly);
    // The 1,000,000 announcements nobody consumes here would otherwise stay
    // in their quorum queue, and keep the broker busy, after the benchmark.
    env.reset_queues().await?;

    let count_by = |sql: &'static str| async move {
        sqlx::query_as::<_, (String, i64)>(sql)
            .fetch_all(pool)
            .await
    };
    let database_after = database_bytes(pool).await?;
    Ok(NationalReport {
        registrations,
        seats,
        stages,
        registrations_by_status: count_by(
            "SELECT status, count(*) FROM registrations GROUP BY 1 ORDER BY 1",
        )
        .await?,
        participants,
        instructions: sqlx::query_scalar("SELECT count(*) FROM payment_instructions")
            .fetch_one(pool)
            .await?,
        instructions_by_status: count_by(
            "SELECT status, count(*) FROM payment_instructions GROUP BY 1 ORDER BY 1",
        )
        .await?,
        report_exit_ok,
        table_bytes: count_by(
            "SELECT c.relname::text, pg_total_relation_size(c.oid) FROM pg_class c \
               JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 12",
        )
        .await?,
        database_bytes_per_million_registrations: (database_after - database_before) as f64
            / registrations as f64
            * 1e6,
        registrations_table_bytes_per_million: registrations_table as f64 / registrations as f64
            * 1e6,
        broker_bytes_per_million_queued: (!broker_growth.is_empty())
            .then(|| broker_growth.iter().sum::<f64>() / broker_growth.len() as f64),
    })
}
