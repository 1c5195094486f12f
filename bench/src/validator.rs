//! The validator benchmark: 1,000,000 generated registrations pre-loaded into
//! the quorum queue, drained by one validator process into PostgreSQL; beside
//! it, in the same run, the broker's raw drain ceiling (consume and ack, no
//! processing), a naive validator (one transaction and one ack per message),
//! the ingest rate (`prakerja ingest`, publisher confirms) and the broker's
//! raw publish-with-confirms rate.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use serde::Serialize;
use shared::amqp::Queue;
use shared::domain::RegistrationRecord;
use shared::generate::{GenerateOptions, Generator};
use workers::procs::sibling_binary;

use crate::common::{
    BenchEnv, peak_rss_mib, publish_confirmed, queue_ready, rate, raw_drain, time_until,
};

#[derive(Debug, Serialize)]
pub struct ValidatorReport {
    pub registrations: u64,
    pub raw_publish_per_s: f64,
    pub ingest_per_s: f64,
    pub raw_drain_per_s: f64,
    pub validator_per_s: f64,
    pub validator_seconds: f64,
    pub validator_peak_rss_mib: f64,
    pub naive_registrations: u64,
    pub naive_per_s: f64,
    pub validator_vs_raw_drain: f64,
    pub validator_vs_naive: f64,
}

pub async fn run(count: u64, naive_count: u64) -> anyhow::Result<ValidatorReport> {
    let env = BenchEnv::create("prakerja_bench_validator").await?;
    let app = &env.app;
    // Registrations claim times in the wave's first minute (and late ones
    // the minute after it): within the validator's clock allowance of their
    // receipt, so the mix of reasons is the generator's.
    let closes = Utc::now() + chrono::Duration::seconds(60);
    let wave = env.open_wave("proportional:1000", closes).await?;
    let window = (wave.opened_at, wave.closes_at);
    eprintln!("generating {count} registrations");
    let bodies = generate(wave.wave_id as u32, count, 1, window)?;
    let queue = Queue::RegistrationsSubmitted;

    eprintln!("raw publish with confirms");
    let raw_publish = publish_confirmed(app, queue, &bodies, 4096).await?;
    eprintln!("raw drain (consume and ack)");
    let settings = &app.settings.validator;
    let drain = raw_drain(
        app,
        queue,
        count,
        settings.prefetch,
        settings.batch_size as u64,
    )
    .await?;

    eprintln!("prakerja ingest");
    let file = std::env::temp_dir().join("prakerja-bench-registrations.jsonl");
    std::fs::write(
        &file,
        bodies
            .iter()
            .flat_map(|b| b.iter().copied().chain([b'\n']))
            .collect::<Vec<u8>>(),
    )?;
    let started = Instant::now();
    let status = tokio::process::Command::new(sibling_binary("prakerja")?)
        .args(["ingest", &file.display().to_string()])
        .envs(env.process_env())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "prakerja ingest failed");
    let ingest = started.elapsed();
    drop(bodies);

    eprintln!("one validator process draining the queue");
    let started = Instant::now();
    let worker = env.spawn_worker("validator")?;
    let pid = worker.pid().unwrap_or_default();
    let mut peak = 0.0_f64;
    let validator = time_until(started, Duration::from_secs(3600), || {
        peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
        let pool = app.pool.clone();
        async move {
            // Counting a growing table on every poll would slow the database
            // being measured: count only once the queue looks drained.
            if queue_ready(app, queue).await? > 0 {
                return Ok(false);
            }
            let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations")
                .fetch_one(&pool)
                .await?;
            Ok(stored as u64 >= count)
        }
    })
    .await?;
    peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
    worker.stop(Duration::from_secs(30)).await?;
    let _ = std::fs::remove_file(&file);

    eprintln!("naive validator on {naive_count} registrations");
    let naive_bodies = generate(wave.wave_id as u32, naive_count, 2, window)?;
    publish_confirmed(app, queue, &naive_bodies, 4096).await?;
    let naive = naive_validator(&env, naive_count).await?;

    Ok(ValidatorReport {
        registrations: count,
        raw_publish_per_s: rate(count, raw_publish),
        ingest_per_s: rate(count, ingest),
        raw_drain_per_s: rate(count, drain),
        validator_per_s: rate(count, validator),
        validator_seconds: validator.as_secs_f64(),
        validator_peak_rss_mib: peak,
        naive_registrations: naive_count,
        naive_per_s: rate(naive_count, naive),
        validator_vs_raw_drain: drain.as_secs_f64() / validator.as_secs_f64(),
        validator_vs_naive: naive.as_secs_f64() / naive_count as f64 * count as f64
            / validator.as_secs_f64(),
    })
}

fn generate(
    wave_id: u32,
    count: u64,
    seed: u64,
    (opened_at, closes_at): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
) -> anyhow::Result<Vec<Vec<u8>>> {
    let options = GenerateOptions::new(wave_id, count, seed, opened_at, closes_at);
    Generator::new(options)
        .map(|v| Ok(serde_json::to_vec(&v)?))
        .collect()
}

/// One transaction (the validator's own `store_batch` of one registration)
/// and one ack per message.
async fn naive_validator(env: &BenchEnv, count: u64) -> anyhow::Result<Duration> {
    let app = &env.app;
    let connection = shared::amqp::connect(&app.settings.amqp, "bench naive").await?;
    let channel = connection.create_channel().await?;
    channel.basic_qos(100, BasicQosOptions::default()).await?;
    let mut consumer = channel
        .basic_consume(
            app.topology
                .name(Queue::RegistrationsSubmitted)
                .as_str()
                .into(),
            "bench-naive".into(),
            BasicConsumeOptions::default(),
            Default::default(),
        )
        .await?;
    let started = Instant::now();
    let mut done = 0;
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        let record =
            RegistrationRecord::from_json(&delivery.data).map_err(|e| anyhow::anyhow!("{e}"))?;
        workers::validator::store_batch(
            &app.pool,
            std::slice::from_ref(&record),
            chrono::Duration::seconds(i64::from(app.settings.validator.clock_allowance_secs)),
        )
        .await?;
        delivery.ack(BasicAckOptions::default()).await?;
        done += 1;
        if done == count {
            break;
        }
    }
    let elapsed = started.elapsed();
    let _ = connection.close(200, "done".into()).await;
    Ok(elapsed)
}
