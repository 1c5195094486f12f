//! What every benchmark needs: its own database and queue prefix on the
//! real services, the worker binaries, timing, peak memory, and the broker's
//! raw rates to compare with.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use secrecy::{ExposeSecret, SecretString};
use shared::amqp::{Publisher, Queue, Topology, confirmed, json_properties};
use shared::config::Settings;
use sqlx::{Connection, PgConnection};
use workers::app::App;
use workers::procs::{Worker, sibling_binary};
use workers::waves::{OpenRequest, Wave, open_wave};

/// A benchmark's database and queues.
pub struct BenchEnv {
    pub app: App,
    pub database_url: String,
    pub prefix: String,
}

impl BenchEnv {
    /// Recreates database `name` (migrated) and uses queue prefix `name.`.
    pub async fn create(name: &str) -> anyhow::Result<BenchEnv> {
        let mut settings = Settings::load()?;
        let admin = settings.database.connect_options()?.database("postgres");
        let mut connection = PgConnection::connect_with(&admin)
            .await
            .context("PostgreSQL")?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut connection)
            .await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut connection)
            .await?;
        let _ = connection.close().await;
        let base = settings.database.url.expose_secret().to_owned();
        let cut = base.rfind('/').context("database URL")?;
        let database_url = format!("{}/{name}", &base[..cut]);
        settings.database.url = SecretString::from(database_url.clone());
        settings.amqp.prefix = format!("{name}.");
        settings.disburser.schedule_enabled = false;
        let prefix = settings.amqp.prefix.clone();
        let app = App::new(settings)?;
        shared::db::migrate(&app.pool).await?;
        let env = BenchEnv {
            app,
            database_url,
            prefix,
        };
        env.reset_queues().await?;
        Ok(env)
    }

    /// Deletes and redeclares this benchmark's queues.
    pub async fn reset_queues(&self) -> anyhow::Result<()> {
        let connection = shared::amqp::connect(&self.app.settings.amqp, "bench").await?;
        let channel = connection.create_channel().await?;
        self.app.topology.delete_all(&channel).await?;
        self.app.topology.declare(&channel).await?;
        let _ = connection.close(200, "done".into()).await;
        Ok(())
    }

    /// Environment for a worker process on this benchmark's database and queues.
    pub fn process_env(&self) -> Vec<(String, String)> {
        vec![
            ("PRAKERJA__DATABASE__URL".into(), self.database_url.clone()),
            ("PRAKERJA__AMQP__PREFIX".into(), self.prefix.clone()),
            (
                "PRAKERJA__DISBURSER__SCHEDULE_ENABLED".into(),
                "false".into(),
            ),
            // BENCH_RUST_LOG=info shows a worker's phases (the selector's
            // load, draw and store times) in its log file.
            (
                "RUST_LOG".into(),
                std::env::var("BENCH_RUST_LOG").unwrap_or_else(|_| "warn".into()),
            ),
            (
                "PRAKERJA__SELECTION__FAMILY_KEY".into(),
                crate::selection_e2e::BENCH_FAMILY_KEY.into(),
            ),
            // Metrics and health on a free port each (several workers per host).
            ("PRAKERJA__METRICS__LISTEN".into(), "127.0.0.1:0".into()),
        ]
    }

    pub fn topology(&self) -> &Topology {
        &self.app.topology
    }

    /// Opens a v1 wave of scheme 2020 closing at `closes_at`, with a secret
    /// the system draws and keeps.
    pub async fn open_wave(
        &self,
        allocation: &str,
        closes_at: DateTime<Utc>,
    ) -> anyhow::Result<Wave> {
        self.open_wave_with(allocation, closes_at, workers::waves::Selection::V1)
            .await
    }

    /// As [`open_wave`](Self::open_wave), with the selection algorithm.
    pub async fn open_wave_with(
        &self,
        allocation: &str,
        closes_at: DateTime<Utc>,
        selection: workers::waves::Selection,
    ) -> anyhow::Result<Wave> {
        open_wave(
            &self.app.pool,
            OpenRequest {
                name: "bench".into(),
                closes_at,
                allocation: allocation.parse()?,
                scheme_name: "2020".into(),
                scheme: self.app.settings.scheme("2020")?.clone(),
                commitment: None,
                beacon: None,
                kk_cap: None,
                selection,
            },
        )
        .await
    }

    /// Starts worker binary `name` on this benchmark's database and queues,
    /// logging to `prakerja-bench-<name>.log` in the temporary directory.
    pub fn spawn_worker(&self, name: &str) -> anyhow::Result<Worker> {
        Worker::spawn(
            &sibling_binary(name)?,
            &[],
            &self.process_env(),
            &std::env::temp_dir().join(format!("prakerja-bench-{name}.log")),
        )
    }
}

/// Publishes `bodies` to a queue with publisher confirms, `window` confirms
/// outstanding at most; returns the elapsed time.
pub async fn publish_confirmed(
    app: &App,
    queue: Queue,
    bodies: &[Vec<u8>],
    window: usize,
) -> anyhow::Result<Duration> {
    let connection = shared::amqp::connect(&app.settings.amqp, "bench publisher").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    let started = Instant::now();
    let mut pending = VecDeque::with_capacity(window);
    for (i, body) in bodies.iter().enumerate() {
        pending.push_back(
            publisher
                .send(queue, body, json_properties(&i.to_string()))
                .await?,
        );
        if pending.len() >= window
            && let Some(oldest) = pending.pop_front()
        {
            confirmed(oldest).await?;
        }
    }
    while let Some(confirm) = pending.pop_front() {
        confirmed(confirm).await?;
    }
    let elapsed = started.elapsed();
    let _ = connection.close(200, "done".into()).await;
    Ok(elapsed)
}

/// Consumes and acks `count` messages with no processing (acks batched with
/// `multiple` every `batch`, `prefetch` in flight): the broker's drain ceiling.
pub async fn raw_drain(
    app: &App,
    queue: Queue,
    count: u64,
    prefetch: u16,
    batch: u64,
) -> anyhow::Result<Duration> {
    let connection = shared::amqp::connect(&app.settings.amqp, "bench drain").await?;
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await?;
    let mut consumer = channel
        .basic_consume(
            app.topology.name(queue).as_str().into(),
            "bench-drain".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let started = Instant::now();
    let mut seen = 0u64;
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        seen += 1;
        if seen.is_multiple_of(batch) || seen == count {
            channel
                .basic_ack(delivery.delivery_tag, BasicAckOptions { multiple: true })
                .await?;
        }
        if seen == count {
            break;
        }
    }
    let elapsed = started.elapsed();
    let _ = connection.close(200, "done".into()).await;
    Ok(elapsed)
}

/// Messages ready in a queue (a passive declaration; cheap).
pub async fn queue_ready(app: &App, queue: Queue) -> anyhow::Result<u32> {
    let connection = shared::amqp::connect(&app.settings.amqp, "bench inspect").await?;
    let channel = connection.create_channel().await?;
    let state = app.topology.inspect(&channel, queue).await?;
    let _ = connection.close(200, "done".into()).await;
    Ok(state.ready)
}

/// Peak resident memory of a process so far (VmHWM), in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Polls `check` every 250 ms until it is true; returns the time it took.
pub async fn time_until<F, Fut>(
    started: Instant,
    timeout: Duration,
    mut check: F,
) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    loop {
        if check().await? {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(started.elapsed() < timeout, "timed out after {timeout:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Messages or rows per second.
pub fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Starts a `selector` process, closes `wave_id` and waits until the wave is
/// drawn: the selector's time from the close to the stored draw, and its
/// peak RSS (MiB). The selector is stopped afterwards.
pub async fn selector_close_to_drawn(
    env: &BenchEnv,
    wave_id: i32,
) -> anyhow::Result<(Duration, f64)> {
    let pool = &env.app.pool;
    let started = Instant::now();
    let worker = env.spawn_worker("selector")?;
    workers::waves::close_wave(
        pool,
        i64::from(wave_id),
        &workers::waves::CloseRequest::default(),
    )
    .await?;
    let pid = worker.pid().unwrap_or_default();
    let mut peak = 0.0_f64;
    let took = time_until(started, Duration::from_secs(7200), || {
        peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
        let pool = pool.clone();
        async move {
            let state: workers::waves::WaveState =
                sqlx::query_scalar("SELECT state FROM waves WHERE wave_id = $1")
                    .bind(wave_id)
                    .fetch_one(&pool)
                    .await?;
            Ok(state == workers::waves::WaveState::Drawn)
        }
    })
    .await?;
    peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
    worker.stop(Duration::from_secs(30)).await?;
    Ok((took, peak))
}
