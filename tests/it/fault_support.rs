//! What the tests with real server faults share: worker processes on a
//! test's services, counts that wait out an outage, and the exact counts
//! every fault must end with.

use std::time::Duration;

use chrono::NaiveDate;
use workers::procs::Worker;

use crate::helpers::{TestEnv, WorkerKind, bin, eventually_async, passive_count};

/// Starts a worker binary on the test's services, with `extra` settings.
pub fn spawn(env: &TestEnv, kind: WorkerKind, args: &[&str], extra: &[(&str, &str)]) -> Worker {
    let mut vars = env.process_env(kind);
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let log = env
        .dir
        .join(format!("{kind:?}-{}.log", uuid::Uuid::new_v4()));
    Worker::spawn(&bin(kind), args, &vars, &log).expect("worker starts")
}

/// Everything the workers of `kind` started by [`spawn`] have logged.
pub fn logs(env: &TestEnv, kind: WorkerKind) -> String {
    let prefix = format!("{kind:?}-");
    let mut text = String::new();
    for entry in std::fs::read_dir(&env.dir)
        .expect("test directory")
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    text
}

/// A count, or `None` while the database cannot answer (killed, failing over).
pub async fn count(env: &TestEnv, sql: &str) -> Option<i64> {
    sqlx::query_scalar(sql).fetch_one(env.pool()).await.ok()
}

/// Waits until `sql` counts at least `at_least`; returns the count.
pub async fn wait_count(env: &TestEnv, sql: &str, at_least: i64, timeout: Duration) -> i64 {
    eventually_async(&format!("{sql} >= {at_least}"), timeout, || async {
        count(env, sql).await.filter(|n| *n >= at_least)
    })
    .await
}

pub const REGISTRATIONS: &str = "SELECT count(*) FROM registrations";

/// A drawn wave, the gateway simulator (paying everything, answering at
/// once) and a disburser, all running; returns the participants' count and
/// the date of their first run.
pub async fn ready_to_pay(
    env: &TestEnv,
    candidates: i64,
    seats: u64,
    disburser: &[(&str, &str)],
) -> (i64, NaiveDate, Worker, Worker) {
    let (_, date) = crate::disbursement::drawn_wave(env, candidates, seats).await;
    let participants = count(env, "SELECT count(*) FROM participants")
        .await
        .expect("participants");
    let gateway = perfect_gateway(env);
    let disburser = spawn(env, WorkerKind::Disburser, &[], disburser);
    (participants, date, gateway, disburser)
}

/// Stops each worker with SIGTERM, asserting it exited 0 within 30 s.
pub async fn stop_cleanly(workers: impl IntoIterator<Item = Worker>) {
    for worker in workers {
        assert!(
            worker.stop(Duration::from_secs(30)).await.expect("stopped"),
            "exit 0 after SIGTERM"
        );
    }
}

/// The gateway simulator paying everything, answering at once.
pub fn perfect_gateway(env: &TestEnv) -> Worker {
    let perfect = [
        "--failure-rate=0",
        "--silence-rate=0",
        "--reversal-rate=0",
        "--duplicate-rate=0",
        "--max-delay-ms=0",
    ];
    spawn(env, WorkerKind::GatewaySimulator, &perfect, &[])
}

/// Instructions still waiting in the outbox for their confirm.
pub const OUTBOX: &str = "SELECT count(*) FROM instruction_outbox";
/// Instructions the gateway has seen (one row per idempotency key).
pub const GATEWAY_KEYS: &str = "SELECT count(*) FROM gateway_sim.payments";

/// What a run that paid everyone once looks like, counted in the database.
#[derive(Debug, PartialEq, Eq)]
pub struct Paid {
    pub entitlements: i64,
    pub instructions: i64,
    pub first_attempts: i64,
    pub succeeded: i64,
    pub paid_entries: i64,
    pub paid_amount: i64,
    pub gateway_keys: i64,
}

/// Waits until every instruction is answered, then counts; also checks the
/// reconciliation's invariants. Returns the counts and the copies the
/// gateway received (re-sends after a fault carry the same key).
pub async fn paid(env: &TestEnv, participants: i64) -> (Paid, i64) {
    wait_count(
        env,
        "SELECT count(*) FROM payment_instructions WHERE status = 'success'",
        participants,
        Duration::from_secs(240),
    )
    .await;
    wait_count(
        env,
        "SELECT (count(*) = 0)::int::bigint FROM instruction_outbox",
        1,
        Duration::from_secs(60),
    )
    .await;
    let one = |sql: &'static str| async move { count(env, sql).await.expect(sql) };
    let counts = Paid {
        entitlements: one("SELECT count(*) FROM entitlements").await,
        instructions: one("SELECT count(*) FROM payment_instructions").await,
        first_attempts: one("SELECT count(*) FROM payment_instructions WHERE attempt = 1").await,
        succeeded: one("SELECT count(*) FROM payment_instructions WHERE status = 'success'").await,
        paid_entries: one("SELECT count(*) FROM ledger_entries WHERE entry = 'paid'").await,
        paid_amount: one(
            "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE entry = 'paid'",
        )
        .await,
        gateway_keys: one(GATEWAY_KEYS).await,
    };
    let copies = one("SELECT COALESCE(sum(received), 0)::bigint FROM gateway_sim.payments").await;
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("reconciliation");
    for invariant in &report.invariants {
        assert!(invariant.holds, "{}: {}", invariant.name, invariant.detail);
    }
    (counts, copies)
}

/// Everyone entitled once, instructed once, paid once.
pub fn paid_once(participants: i64) -> Paid {
    Paid {
        entitlements: participants,
        instructions: participants,
        first_attempts: participants,
        succeeded: participants,
        paid_entries: participants,
        paid_amount: participants * 1_000_000,
        gateway_keys: participants,
    }
}

/// Runs `prakerja ARGS` on the test's services in the background.
pub fn prakerja(
    env: &TestEnv,
    args: &[&str],
) -> tokio::task::JoinHandle<std::io::Result<std::process::Output>> {
    let mut command = tokio::process::Command::new(bin(WorkerKind::Prakerja));
    command
        .args(args)
        .envs(env.process_env(WorkerKind::Prakerja))
        .kill_on_drop(true);
    tokio::spawn(command.output())
}

/// A finished `prakerja` command's JSON result; panics with its stderr if it failed.
pub async fn succeeded(
    handle: tokio::task::JoinHandle<std::io::Result<std::process::Output>>,
) -> serde_json::Value {
    let output = handle.await.expect("joined").expect("prakerja ran");
    assert!(
        output.status.success(),
        "prakerja failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null)
}

/// Messages ready in a queue, or 0 while it cannot be asked (not declared
/// yet, broker away).
pub async fn ready(env: &TestEnv, queue: &str) -> u32 {
    passive_count(&env.app.settings.amqp, queue)
        .await
        .unwrap_or(0)
}
