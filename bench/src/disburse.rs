//! The disbursement benchmark: a run with 1,000,000 due entitlements, timed
//! from the request to the last instruction confirmed by the broker, beside
//! the broker's raw publish-with-confirms rate for the same messages,
//! measured in the same run; and the disburser's peak memory.

use std::time::{Duration, Instant};

use lapin::options::QueuePurgeOptions;
use serde::Serialize;
use shared::amqp::Queue;
use workers::waves::WaveState;

use crate::common::{BenchEnv, peak_rss_mib, publish_confirmed, rate, time_until};

#[derive(Debug, Serialize)]
pub struct DisburseReport {
    pub entitlements: u64,
    pub run_to_last_confirm_seconds: f64,
    pub instructions_per_s: f64,
    pub raw_publish_per_s: f64,
    pub vs_raw_publish: f64,
    pub disburser_peak_rss_mib: f64,
}

pub async fn run(count: i64) -> anyhow::Result<DisburseReport> {
    let env = BenchEnv::create("prakerja_bench_disburse").await?;
    let pool = &env.app.pool;
    let wave = env
        .open_wave(
            &format!("national:{count}"),
            chrono::Utc::now() + chrono::Duration::days(1),
        )
        .await?;
    eprintln!("seeding {count} registrations and participants");
    crate::seed::eligible(pool, wave.wave_id, count).await?;
    let today = chrono::Utc::now().date_naive();
    // Closed through the real close (the secret revealed), then frozen and
    // drawn without a draw, through every state as the database demands
    // (`waves_state_machine`): the benchmark makes its participants itself.
    workers::waves::close_wave(
        pool,
        i64::from(wave.wave_id),
        &workers::waves::CloseRequest::default(),
    )
    .await?;
    let mut tx = pool.begin().await?;
    for (to, from, stamp) in [
        (
            WaveState::Drawing,
            WaveState::Closed,
            ", frozen_at = clock_timestamp()",
        ),
        (WaveState::Drawn, WaveState::Drawing, ""),
    ] {
        sqlx::query(&format!(
            "UPDATE waves SET state = $2{stamp} WHERE wave_id = $1 AND state = $3"
        ))
        .bind(wave.wave_id)
        .bind(to)
        .bind(from)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query(
        "INSERT INTO participants (wave_id, nik, kk, registration_id, stratum, rank, card_number, origin, selected_on, purchase_deadline) \
         SELECT $1, nik, kk, registration_id, domicile_province, row_number() OVER (), \
                '604180' || lpad((row_number() OVER ())::text, 10, '0'), 'drawn', $2, $2 + 30 \
           FROM registrations WHERE wave_id = $1",
    )
    .bind(wave.wave_id)
    .bind(today)
    .execute(pool)
    .await?;
    sqlx::query("UPDATE participants SET announced_at = now()")
        .execute(pool)
        .await?;
    sqlx::query("VACUUM ANALYZE participants")
        .execute(pool)
        .await?;

    eprintln!("disburser process: run request to last confirmed instruction");
    let worker = env.spawn_worker("disburser")?;
    let pid = worker.pid().unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(2)).await; // let it connect before the clock starts
    let started = Instant::now();
    workers::disburser::record_request(pool, uuid::Uuid::new_v4(), today, Some("bench")).await?;
    let mut peak = 0.0_f64;
    let elapsed = time_until(started, Duration::from_secs(7200), || {
        peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
        let pool = pool.clone();
        async move {
            // Counting a table of a million rows on every poll would slow the
            // database being measured: the run's end and an empty outbox are
            // cheap to see; the instructions are counted once, then.
            let done: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM disbursement_runs WHERE finished_at IS NOT NULL) \
                    AND NOT EXISTS (SELECT 1 FROM instruction_outbox)",
            )
            .fetch_one(&pool)
            .await?;
            if !done {
                return Ok(false);
            }
            let made: i64 = sqlx::query_scalar("SELECT count(*) FROM payment_instructions")
                .fetch_one(&pool)
                .await?;
            anyhow::ensure!(
                made == count,
                "the run made {made} instructions, not {count}"
            );
            Ok(true)
        }
    })
    .await?;
    peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
    worker.stop(Duration::from_secs(30)).await?;

    eprintln!("raw publish with confirms of the same bodies");
    let bodies: Vec<Vec<u8>> = sqlx::query_scalar::<_, String>(
        "SELECT body FROM payment_instructions ORDER BY entitlement_id",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let connection = shared::amqp::connect(&env.app.settings.amqp, "bench purge").await?;
    let channel = connection.create_channel().await?;
    channel
        .queue_purge(
            env.topology()
                .name(Queue::PaymentsInstructions)
                .as_str()
                .into(),
            QueuePurgeOptions::default(),
        )
        .await?;
    let _ = connection.close(200, "done".into()).await;
    let raw = publish_confirmed(&env.app, Queue::PaymentsInstructions, &bodies, 4096).await?;
    let raw_rate = rate(count as u64, raw);
    let our_rate = rate(count as u64, elapsed);
    Ok(DisburseReport {
        entitlements: count as u64,
        run_to_last_confirm_seconds: elapsed.as_secs_f64(),
        instructions_per_s: our_rate,
        raw_publish_per_s: raw_rate,
        vs_raw_publish: our_rate / raw_rate,
        disburser_peak_rss_mib: peak,
    })
}
