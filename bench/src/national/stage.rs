//! One stage of the national benchmark: its wall time, throughput, the
//! processes it ran (peak memory, CPU), the servers' CPU over it, and the
//! disk in use when it ended.

use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::PgPool;
use workers::procs::Worker;

use super::probe::{self, ProcessFigures, ServerCpu};
use crate::common::{BenchEnv, peak_rss_mib};

#[derive(Debug, Serialize)]
pub struct Stage {
    pub stage: String,
    pub items: u64,
    pub seconds: f64,
    pub per_s: f64,
    pub processes: Vec<ProcessFigures>,
    pub servers_cpu: ServerCpu,
    pub load_average_at_end: f64,
    pub database_bytes_after: i64,
    pub broker_bytes_after: Option<u64>,
}

/// A stage under way (copied to end two stages that start together).
#[derive(Clone, Copy)]
pub struct Clock {
    started: Instant,
    servers: ServerCpu,
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            started: Instant::now(),
            servers: ServerCpu::now(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Ends the stage (its wall time is `seconds`, when the stage measures
    /// less than the clock's whole span, or the clock's own).
    pub async fn finish(
        self,
        pool: &PgPool,
        name: &str,
        items: u64,
        seconds: Option<Duration>,
        processes: Vec<ProcessFigures>,
    ) -> anyhow::Result<Stage> {
        let elapsed = seconds.unwrap_or_else(|| self.started.elapsed());
        let stage = Stage {
            stage: name.to_owned(),
            items,
            seconds: elapsed.as_secs_f64(),
            per_s: items as f64 / elapsed.as_secs_f64(),
            processes,
            servers_cpu: ServerCpu::now().since(self.servers),
            load_average_at_end: probe::load_average(),
            database_bytes_after: probe::database_bytes(pool).await?,
            broker_bytes_after: probe::broker_bytes(),
        };
        eprintln!(
            "  {name}: {items} in {:.1} s ({:.0}/s), load {:.2}",
            stage.seconds, stage.per_s, stage.load_average_at_end
        );
        // Each stage as it ends, so that a run cut short keeps its figures.
        eprintln!("  stage {}", serde_json::to_string(&stage)?);
        Ok(stage)
    }
}

/// Worker processes a stage started, with their peak memory sampled as it runs.
pub struct Fleet {
    workers: Vec<(String, Worker, f64)>,
}

impl Fleet {
    /// Starts `binary` with `args`, labelled `label`.
    pub fn spawn(
        &mut self,
        env: &BenchEnv,
        binary: &str,
        label: &str,
        args: &[&str],
    ) -> anyhow::Result<()> {
        let worker = Worker::spawn(
            &workers::procs::sibling_binary(binary)?,
            args,
            &env.process_env(),
            &std::env::temp_dir().join(format!("prakerja-bench-national-{label}.log")),
        )?;
        self.workers.push((label.to_owned(), worker, 0.0));
        Ok(())
    }

    pub fn new() -> Fleet {
        Fleet {
            workers: Vec::new(),
        }
    }

    /// Reads each worker's VmHWM now (call it while they run).
    pub fn sample(&mut self) {
        for (_, worker, peak) in &mut self.workers {
            let pid = worker.pid().unwrap_or_default();
            *peak = peak.max(peak_rss_mib(pid).unwrap_or(0.0));
        }
    }

    /// Stops every worker (SIGTERM), returning their figures; fails if one
    /// died during the stage.
    pub async fn stop(mut self) -> anyhow::Result<Vec<ProcessFigures>> {
        self.sample();
        let mut figures = Vec::new();
        for (label, mut worker, peak) in self.workers {
            anyhow::ensure!(worker.is_running(), "{label} died during the benchmark");
            let cpu = probe::cpu_seconds(worker.pid().unwrap_or_default());
            worker.stop(Duration::from_secs(60)).await?;
            figures.push(ProcessFigures {
                process: label,
                peak_rss_mib: peak,
                cpu_seconds: cpu,
            });
        }
        Ok(figures)
    }
}
