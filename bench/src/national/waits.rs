//! The national benchmark's waits: for the validators to store what was
//! ingested, and the nightly run from its request to the last gateway
//! answer consumed back, then the reconciliation report.

use std::path::Path;
use std::time::{Duration, Instant};

use shared::amqp::Queue;
use sqlx::PgPool;

use super::probe::prakerja;
use super::stage::{Clock, Fleet, Stage};
use crate::common::{BenchEnv, queue_ready, time_until};

/// Waits until `expected` registrations are stored, sampling the workers'
/// memory; counting the growing table only once the queue looks drained.
pub async fn validated(env: &BenchEnv, fleet: &mut Fleet, expected: u64) -> anyhow::Result<()> {
    let app = &env.app;
    let mut last = (Instant::now(), -1i64);
    loop {
        fleet.sample();
        if queue_ready(app, Queue::RegistrationsSubmitted).await? == 0 {
            let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations")
                .fetch_one(&app.pool)
                .await?;
            if stored as u64 >= expected {
                return Ok(());
            }
            if stored != last.1 {
                last = (Instant::now(), stored);
            }
            anyhow::ensure!(
                last.0.elapsed() < Duration::from_secs(120),
                "the queue is drained but only {stored} of {expected} registrations are stored"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Eligible registrations (the draw's candidates).
pub async fn eligible(pool: &PgPool, wave_id: i32) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM registrations WHERE wave_id = $1 AND status = 'eligible'",
    )
    .bind(wave_id)
    .fetch_one(pool)
    .await?;
    Ok(n as u64)
}

/// The nightly run for `participants`: a disburser and the gateway
/// simulator (failures and duplicate answers at its default rates, no
/// silence or reversals, so that every instruction gets its answer), timed
/// from `prakerja disburse run` to the run's summary and then to the last
/// answer consumed; then `prakerja disburse report`. Returns the stages and
/// whether the report exited 0.
pub async fn nightly(
    env: &BenchEnv,
    dir: &Path,
    participants: u64,
) -> anyhow::Result<(Vec<Stage>, bool)> {
    let pool = &env.app.pool;
    let mut fleet = Fleet::new();
    fleet.spawn(env, "disburser", "disburser", &[])?;
    fleet.spawn(
        env,
        "gateway-simulator",
        "gateway-simulator",
        &["--silence-rate", "0", "--reversal-rate", "0"],
    )?;
    tokio::time::sleep(Duration::from_secs(3)).await; // connected before the clock starts

    eprintln!("nightly run: prakerja disburse run, a disburser and the gateway simulator");
    let clock = Clock::start();
    let (figures, run_elapsed, ok) = prakerja(
        env,
        "disburse-run",
        &["disburse", "run", "--timeout", "7200"],
        None,
    )
    .await?;
    anyhow::ensure!(ok, "prakerja disburse run failed");
    let instructions: i64 = sqlx::query_scalar("SELECT count(*) FROM payment_instructions")
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(
        instructions as u64 >= participants,
        "the run made {instructions} instructions for {participants} participants"
    );
    let mut stages = vec![
        clock
            .finish(
                pool,
                "nightly run: request to summary (instructions made)",
                instructions as u64,
                Some(run_elapsed),
                vec![figures],
            )
            .await?,
    ];

    eprintln!("nightly run: waiting for every gateway answer to be consumed");
    let mut shown = Instant::now();
    // Whether anything is still pending is asked with EXISTS, which stops at
    // the first pending instruction; counting them visits every instruction
    // not yet vacuumed (a million at full size, autovacuum off here), so the
    // count is only taken every 30 s for the progress line. Measuring thus
    // takes little of the CPU it measures.
    time_until(Instant::now(), Duration::from_secs(3 * 3600), || {
        fleet.sample();
        let pool = pool.clone();
        let show = shown.elapsed() > Duration::from_secs(30);
        if show {
            shown = Instant::now();
        }
        async move {
            let (outbox, pending): (i64, bool) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM instruction_outbox), \
                        EXISTS (SELECT 1 FROM payment_instructions WHERE status = 'pending')",
            )
            .fetch_one(&pool)
            .await?;
            if show {
                let left: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM payment_instructions WHERE status = 'pending'",
                )
                .fetch_one(&pool)
                .await?;
                eprintln!("  {outbox} instructions unpublished, {left} unanswered");
            }
            Ok(outbox == 0 && !pending)
        }
    })
    .await?;
    let total = clock.elapsed();
    let processes = fleet.stop().await?;
    stages.push(
        clock
            .finish(
                pool,
                "nightly run: request to last gateway answer consumed",
                instructions as u64,
                Some(total),
                processes,
            )
            .await?,
    );

    eprintln!("prakerja disburse report");
    let clock = Clock::start();
    let (figures, _, report_ok) = prakerja(
        env,
        "disburse-report",
        &["disburse", "report"],
        Some(&dir.join("reconciliation.txt")),
    )
    .await?;
    stages.push(
        clock
            .finish(
                pool,
                "reconciliation report",
                instructions as u64,
                None,
                vec![figures],
            )
            .await?,
    );
    Ok((stages, report_ok))
}
