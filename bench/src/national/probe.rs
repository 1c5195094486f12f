//! What the national benchmark reads about the machine while it runs: peak
//! memory and CPU time of each process it starts (from `/proc`, or from GNU
//! `time` for the `prakerja` commands), CPU time of the PostgreSQL and
//! RabbitMQ servers, the load average, and the disk the database and the
//! broker's quorum-queue logs use.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use sqlx::PgPool;

use crate::common::BenchEnv;

/// Where Debian's RabbitMQ keeps its quorum queues' logs and segments.
const RABBIT_QUORUM_DIR: &str = "/var/lib/rabbitmq/mnesia";
/// The machine's servers (Debian's packages), by their pid files.
const POSTGRES_PID_FILE: &str = "/var/lib/postgresql/15/main/postmaster.pid";
const RABBIT_PID_FILE: &str = "/var/lib/rabbitmq/mnesia/rabbit@localhost.pid";
/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 on Linux).
const TICKS: f64 = 100.0;

/// One process of a stage: its peak resident memory and the CPU it used.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessFigures {
    pub process: String,
    pub peak_rss_mib: f64,
    pub cpu_seconds: f64,
}

/// CPU seconds used so far by the machine's PostgreSQL server (every
/// backend, living or exited) and by its RabbitMQ node (`beam.smp`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ServerCpu {
    pub postgres_seconds: f64,
    pub rabbitmq_seconds: f64,
}

impl ServerCpu {
    pub fn now() -> ServerCpu {
        ServerCpu {
            postgres_seconds: postgres_seconds(),
            rabbitmq_seconds: pid_file(RABBIT_PID_FILE)
                .and_then(|pid| Stat::read(&proc_dir(pid)))
                .map(|s| s.own_seconds())
                .unwrap_or(0.0),
        }
    }

    pub fn since(self, before: ServerCpu) -> ServerCpu {
        ServerCpu {
            postgres_seconds: self.postgres_seconds - before.postgres_seconds,
            rabbitmq_seconds: self.rabbitmq_seconds - before.rabbitmq_seconds,
        }
    }
}

/// The machine's PostgreSQL (not the private instances tests start): its
/// postmaster, the postmaster's exited children and its living children.
fn postgres_seconds() -> f64 {
    let Some(postmaster) = pid_file(POSTGRES_PID_FILE) else {
        return 0.0;
    };
    let Some(stat) = Stat::read(&proc_dir(postmaster)) else {
        return 0.0;
    };
    let mut seconds = stat.own_seconds() + stat.children_seconds();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            if let Some(child) = Stat::read(&entry.path())
                && child.ppid == postmaster
            {
                seconds += child.own_seconds();
            }
        }
    }
    seconds
}

fn pid_file(path: &str) -> Option<u32> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn proc_dir(pid: u32) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("/proc/{pid}"))
}

struct Stat {
    ppid: u32,
    fields: Vec<u64>,
}

impl Stat {
    fn read(dir: &Path) -> Option<Stat> {
        let text = std::fs::read_to_string(dir.join("stat")).ok()?;
        let close = text.rfind(')')?;
        let rest: Vec<&str> = text[close + 2..].split_whitespace().collect();
        let ppid = rest.get(1)?.parse().ok()?;
        // rest[0] is field 3 of stat(5) (the state), so field n is rest[n - 3].
        let fields = rest.iter().map(|f| f.parse().unwrap_or(0)).collect();
        Some(Stat { ppid, fields })
    }

    fn field(&self, stat_field: usize) -> u64 {
        self.fields.get(stat_field - 3).copied().unwrap_or(0)
    }

    fn own_seconds(&self) -> f64 {
        (self.field(14) + self.field(15)) as f64 / TICKS
    }

    fn children_seconds(&self) -> f64 {
        (self.field(16) + self.field(17)) as f64 / TICKS
    }
}

/// CPU seconds a living process has used.
pub fn cpu_seconds(pid: u32) -> f64 {
    Stat::read(Path::new(&format!("/proc/{pid}")))
        .map(|s| s.own_seconds())
        .unwrap_or(0.0)
}

/// The one-minute load average.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Bytes of the benchmark's database.
pub async fn database_bytes(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(pool)
            .await?,
    )
}

/// Bytes of one table with its indexes and TOAST.
pub async fn table_bytes(pool: &PgPool, table: &str) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT pg_total_relation_size($1::regclass)")
            .bind(table)
            .fetch_one(pool)
            .await?,
    )
}

/// Bytes under RabbitMQ's data directory (every vhost's queues, the other
/// users' of the machine too), if this process may read it.
pub fn broker_bytes() -> Option<u64> {
    fn walk(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    std::fs::read_dir(RABBIT_QUORUM_DIR).ok()?;
    Some(walk(Path::new(RABBIT_QUORUM_DIR)))
}

/// Runs `prakerja ARGS` on the benchmark's database and queues under GNU
/// `time`, stdout to `stdout` (or discarded); returns its figures, wall time
/// and whether it exited 0.
pub async fn prakerja(
    env: &BenchEnv,
    label: &str,
    args: &[&str],
    stdout: Option<&Path>,
) -> anyhow::Result<(ProcessFigures, Duration, bool)> {
    let binary = workers::procs::sibling_binary("prakerja")?;
    let times = std::env::temp_dir().join(format!("prakerja-bench-national-{label}.time"));
    let out = match stdout {
        Some(path) => std::process::Stdio::from(std::fs::File::create(path)?),
        None => std::process::Stdio::null(),
    };
    let started = Instant::now();
    let status = tokio::process::Command::new("/usr/bin/time")
        .args(["-f", "%M %U %S", "-o"])
        .arg(&times)
        .arg(&binary)
        .args(args)
        .envs(env.process_env())
        .stdout(out)
        .status()
        .await
        .context("running prakerja under /usr/bin/time")?;
    let elapsed = started.elapsed();
    let text = std::fs::read_to_string(&times)?;
    let numbers: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    anyhow::ensure!(numbers.len() == 3, "unreadable GNU time output: {text}");
    Ok((
        ProcessFigures {
            process: format!("prakerja {label}"),
            peak_rss_mib: numbers[0] / 1024.0,
            cpu_seconds: numbers[1] + numbers[2],
        },
        elapsed,
        status.success(),
    ))
}
