//! The soak's fault injector: at random moments (seeded, bounded) it
//! SIGKILLs a worker process and starts a new one, or kills the private
//! RabbitMQ node or the private PostgreSQL server and boots it again. Every
//! action is logged with its time; after each, the time until the pipeline
//! makes progress again is measured.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::{Mutex, watch};
use workers::procs::Worker;

use crate::fault_support::{count, spawn};
use crate::helpers::{PrivatePostgres, PrivateRabbit, TestEnv, WorkerKind};

/// Settings every process of the soak gets: run dates up to 200 days ahead.
pub const AHEAD: (&str, &str) = ("PRAKERJA__DISBURSER__MAX_DAYS_AHEAD", "200");

/// The gateway simulator's flags: pays everything, answers within a second,
/// sends 5% of its results twice.
const GATEWAY: [&str; 5] = [
    "--failure-rate=0",
    "--silence-rate=0",
    "--reversal-rate=0",
    "--duplicate-rate=0.05",
    "--max-delay-ms=1000",
];

/// What moves when the pipeline works: rows stored, drawn, paid, announced.
const PROGRESS: &str = "SELECT (SELECT count(*) FROM registrations) \
    + (SELECT count(*) FROM selection_results) + (SELECT count(*) FROM payment_instructions) \
    + (SELECT count(*) FROM payment_results) + (SELECT count(*) FROM participants WHERE announced_at IS NOT NULL) \
    + (SELECT count(*) FROM instruction_outbox)";

const KINDS: [WorkerKind; 4] = [
    WorkerKind::Validator,
    WorkerKind::Selector,
    WorkerKind::Disburser,
    WorkerKind::GatewaySimulator,
];

/// The soak's processes and servers.
pub struct Fleet {
    pub pg: PrivatePostgres,
    pub rabbit: PrivateRabbit,
    workers: Vec<(WorkerKind, Worker)>,
}

fn start(env: &TestEnv, kind: WorkerKind) -> Worker {
    let args: &[&str] = match kind {
        WorkerKind::GatewaySimulator => &GATEWAY,
        _ => &[],
    };
    spawn(env, kind, args, &[AHEAD])
}

impl Fleet {
    pub fn start(env: &TestEnv, pg: PrivatePostgres, rabbit: PrivateRabbit) -> Fleet {
        let workers = KINDS
            .iter()
            .map(|kind| (*kind, start(env, *kind)))
            .collect();
        Fleet {
            pg,
            rabbit,
            workers,
        }
    }

    /// Stops every worker (SIGTERM); returns how many stopped cleanly.
    pub async fn stop(self) -> (usize, PrivatePostgres, PrivateRabbit) {
        let mut clean = 0;
        for (_, worker) in self.workers {
            clean += usize::from(worker.stop(Duration::from_secs(30)).await.unwrap_or(false));
        }
        (clean, self.pg, self.rabbit)
    }
}

/// One injected fault.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fault {
    /// Seconds since the soak started.
    pub at_secs: f64,
    pub what: String,
    /// How long the victim was away (killed until started again and answering).
    pub down_secs: f64,
    /// From its return until the pipeline's progress count moved again
    /// (`None`: nothing moved within 60 s, e.g. no work was waiting).
    pub progress_after_secs: Option<f64>,
}

/// Injects faults until `stop` turns true; then leaves everything running.
/// `calm` is held while a server is down, so that the soak's own direct
/// database steps (opening a wave, auditing) wait for it.
pub async fn inject(
    env: Arc<TestEnv>,
    mut fleet: Fleet,
    seed: u64,
    calm: Arc<Mutex<()>>,
    mut stop: watch::Receiver<bool>,
    started: Instant,
) -> (Fleet, Vec<Fault>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut faults = Vec::new();
    loop {
        let pause = Duration::from_millis(rng.random_range(10_000..40_000));
        tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => break,
            () = tokio::time::sleep(pause) => {}
        }
        let at = started.elapsed().as_secs_f64();
        let choice = rng.random_range(0..10u32);
        let away = Duration::from_millis(rng.random_range(500..8_000));
        let before = count(&env, PROGRESS).await;
        let (what, down) = match choice {
            0..=5 => {
                let index = rng.random_range(0..fleet.workers.len());
                let (kind, worker) = fleet.workers.remove(index);
                let killed = Instant::now();
                worker.crash().await.expect("SIGKILL");
                tokio::time::sleep(away).await; // the outage itself
                fleet.workers.push((kind, start(&env, kind)));
                (format!("SIGKILL {kind:?}, restarted"), killed.elapsed())
            }
            6 | 7 => {
                let _calm = calm.lock().await;
                let killed = Instant::now();
                fleet.rabbit.kill();
                tokio::time::sleep(away).await; // the outage itself
                fleet.rabbit.boot().await;
                ("SIGKILL RabbitMQ node, booted".to_owned(), killed.elapsed())
            }
            _ => {
                let _calm = calm.lock().await;
                let killed = Instant::now();
                fleet.pg.kill();
                tokio::time::sleep(away).await; // the outage itself
                fleet.pg.boot().await;
                ("SIGKILL PostgreSQL, booted".to_owned(), killed.elapsed())
            }
        };
        let progress_after_secs = progress_after(&env, before).await;
        let fault = Fault {
            at_secs: at,
            what,
            down_secs: down.as_secs_f64(),
            progress_after_secs,
        };
        eprintln!(
            "soak: [{:>7.1} s] {} (down {:.1} s; progress {})",
            fault.at_secs,
            fault.what,
            fault.down_secs,
            fault
                .progress_after_secs
                .map_or("none within 60 s".to_owned(), |s| format!("after {s:.1} s"))
        );
        faults.push(fault);
    }
    (fleet, faults)
}

/// Seconds until the progress count differs from `before`, up to 60 s.
async fn progress_after(env: &TestEnv, before: Option<i64>) -> Option<f64> {
    let back = Instant::now();
    while back.elapsed() < Duration::from_secs(60) {
        let now = count(env, PROGRESS).await;
        if now.is_some() && now != before {
            return Some(back.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}
