//! Worker processes that die at the steps that matter, through the
//! failpoints compiled into the test build (`workers/src/failpoint.rs`,
//! `FAILPOINTS` on the spawned process): the disburser after a slice's
//! commit and before its publish, after a publish and before its confirm,
//! after the confirm and before the outbox row is deleted; the selector after
//! freezing and before storing. A worker restarted without the failpoint
//! finishes the work, and the end state is that of an undisturbed run:
//! everyone entitled, instructed, paid and booked once, the outbox empty, and
//! the gateway seeing only copies of each instruction's one idempotency key.

use std::time::Duration;

use chrono::Utc;
use workers::failpoint::CRASH_STATUS;
use workers::procs::Worker;

use crate::data;
use crate::fault_support::{
    OUTBOX, count, logs, paid, paid_once, perfect_gateway, prakerja, spawn, stop_cleanly, succeeded,
};
use crate::helpers::{TestEnv, WorkerKind};
use crate::selection;

/// No run starts by the schedule: the test requests it.
pub const NO_SCHEDULE: (&str, &str) = ("PRAKERJA__DISBURSER__SCHEDULE_ENABLED", "false");

/// Waits for a worker that a failpoint ends; panics unless it exited there.
pub async fn died_at_failpoint(mut worker: Worker, what: &str) {
    let status = worker
        .wait_exit(Duration::from_secs(120))
        .await
        .unwrap_or_else(|| panic!("the {what} failpoint never ended the process"));
    assert_eq!(status.code(), Some(CRASH_STATUS), "{what}: {status}");
}

/// Entitlements not in the state an undisturbed run with a gateway paying
/// everything leaves them in: paid, one instruction (attempt 1, key
/// `E<entitlement>-A1`, success), one `paid` entry of its amount, and one
/// payment at the gateway under that key.
pub const NOT_SETTLED: &str = "WITH i AS ( \
        SELECT entitlement_id, count(*) AS n, min(amount) AS low, \
               bool_and(attempt = 1 AND status = 'success' \
                        AND idempotency_key = 'E' || entitlement_id || '-A1') AS ok \
          FROM payment_instructions GROUP BY entitlement_id), \
     l AS ( \
        SELECT entitlement_id, count(*) AS n, min(amount) AS low, \
               bool_and(entry = 'paid') AS ok \
          FROM ledger_entries GROUP BY entitlement_id) \
     SELECT count(*) FROM entitlements e \
       LEFT JOIN i ON i.entitlement_id = e.entitlement_id \
       LEFT JOIN l ON l.entitlement_id = e.entitlement_id \
       LEFT JOIN gateway_sim.payments g \
              ON g.idempotency_key = 'E' || e.entitlement_id || '-A1' AND g.outcome = 'SUCCESS' \
      WHERE NOT e.paid OR i.n IS DISTINCT FROM 1 OR NOT i.ok OR i.low <> e.amount \
         OR l.n IS DISTINCT FROM 1 OR NOT l.ok OR l.low <> e.amount OR g.idempotency_key IS NULL";

/// Checks the end state of a run over `participants`; returns the copies
/// the gateway received.
pub async fn settled_once(env: &TestEnv, participants: i64) -> i64 {
    let (counts, copies) = paid(env, participants).await;
    assert_eq!(counts, paid_once(participants));
    assert_eq!(
        count(env, NOT_SETTLED).await,
        Some(0),
        "every entitlement settled once"
    );
    assert_eq!(count(env, OUTBOX).await, Some(0), "the outbox is drained");
    let runs = count(
        env,
        "SELECT count(*) FROM disbursement_runs WHERE finished_at IS NOT NULL",
    );
    assert_eq!(runs.await, Some(1), "one run, finished");
    assert!(copies >= participants, "{copies} copies received");
    copies
}

/// A drawn wave of 4,000 participants, the perfect gateway, and a disburser
/// with `failpoint` set; `prakerja disburse run` requests the date; the
/// disburser dies at the failpoint and a new one finishes. Returns what was
/// counted at the death (instructions, outbox rows, gateway keys) and the
/// copies received in the end.
async fn disburser_dies_at(failpoint: &str) -> ((i64, i64, i64), i64) {
    let env = TestEnv::new().await;
    let (_, date) = crate::disbursement::drawn_wave(&env, 6_000, 4_000).await;
    let participants = count(&env, "SELECT count(*) FROM participants")
        .await
        .expect("count");
    let gateway = perfect_gateway(&env);
    let points = format!("{failpoint}=return");
    let doomed = spawn(
        &env,
        WorkerKind::Disburser,
        &[],
        &[NO_SCHEDULE, ("FAILPOINTS", &points)],
    );
    let run = prakerja(
        &env,
        &["--json", "disburse", "run", "--date", &date.to_string()],
    );
    died_at_failpoint(doomed, failpoint).await;
    let at_death = (
        count(&env, "SELECT count(*) FROM payment_instructions")
            .await
            .expect("count"),
        count(&env, OUTBOX).await.expect("count"),
        count(&env, "SELECT count(*) FROM gateway_sim.payments")
            .await
            .expect("count"),
    );
    let disburser = spawn(&env, WorkerKind::Disburser, &[], &[NO_SCHEDULE]);
    let report = succeeded(run).await;
    assert_eq!(report["run_date"], date.to_string(), "{report}");
    let copies = settled_once(&env, participants).await;
    stop_cleanly([disburser, gateway]).await;
    eprintln!(
        "measured: {failpoint}: at the death {} instructions, {} in the outbox, {} gateway keys; \
         in the end {participants} settled once, {copies} copies received",
        at_death.0, at_death.1, at_death.2
    );
    (at_death, copies)
}

#[tokio::test]
async fn the_disburser_dies_after_a_slice_commit_before_its_publish() {
    let ((instructions, outbox, keys), copies) =
        disburser_dies_at("disburser-slice-committed").await;
    assert_eq!(
        (instructions, outbox, keys),
        (4_000, 4_000, 0),
        "committed, none published"
    );
    assert_eq!(
        copies, 4_000,
        "each instruction published once, after the restart"
    );
}

#[tokio::test]
async fn the_disburser_dies_after_a_publish_before_its_confirm() {
    let ((instructions, outbox, _), _) =
        disburser_dies_at("relay-payment-instructions-published").await;
    assert_eq!(
        (instructions, outbox),
        (4_000, 4_000),
        "nothing marked sent"
    );
}

#[tokio::test]
async fn the_disburser_dies_after_the_confirm_before_the_outbox_delete() {
    let ((instructions, outbox, _), copies) =
        disburser_dies_at("relay-payment-instructions-confirmed").await;
    assert_eq!(
        (instructions, outbox),
        (4_000, 4_000),
        "nothing marked sent"
    );
    assert!(
        copies > 4_000,
        "the confirmed batch was sent again ({copies} copies)"
    );
}

#[tokio::test]
async fn the_selector_dies_after_freezing_before_storing() {
    let env = TestEnv::new().await;
    let closes = Utc::now() + chrono::Duration::days(1);
    let wave = data::open(&env, "w", "proportional:3000", closes).await;
    let provinces = ["11", "31", "32", "35", "51", "94"];
    data::seed_eligible(
        &env,
        wave.wave_id,
        20_000,
        1_101_020_000_000_000,
        &provinces,
    )
    .await;
    let doomed = spawn(
        &env,
        WorkerKind::Selector,
        &[],
        &[("FAILPOINTS", "selector-inputs-frozen=return")],
    );
    selection::close(&env, wave.wave_id).await;
    died_at_failpoint(doomed, "selector-inputs-frozen").await;
    let state = format!(
        "SELECT count(*) FROM waves WHERE wave_id = {} AND state = 'drawing'",
        wave.wave_id
    );
    assert_eq!(count(&env, &state).await, Some(1), "frozen");
    assert_eq!(
        count(&env, "SELECT count(*) FROM selections").await,
        Some(0),
        "nothing stored"
    );
    let selector = spawn(&env, WorkerKind::Selector, &[], &[]);
    let drawn = selection::wait_drawn(&env, wave.wave_id, Duration::from_secs(120)).await;
    stop_cleanly([selector]).await;
    assert!(logs(&env, WorkerKind::Selector).contains("resuming a draw whose inputs are frozen"));
    let report = workers::audit::audit_wave(
        env.pool(),
        i64::from(wave.wave_id),
        env.app.settings.selector.skew_alpha,
    )
    .await
    .expect("audit");
    assert_eq!(report.verdict, "MATCH", "{report:?}");
    let stored = selection::stored_manifest(&env, wave.wave_id).await;
    let recomputed = selection::independent_draw(&env, &drawn).await;
    assert_eq!(
        selection::required(&stored),
        selection::required(&recomputed.manifest)
    );
    let results = count(&env, "SELECT count(*) FROM selection_results").await;
    assert_eq!(results, Some(20_000), "one result per candidate");
    eprintln!(
        "measured: selector died frozen; restarted: {} results, {} participants, audit {}",
        results.unwrap_or(-1),
        count(&env, "SELECT count(*) FROM participants")
            .await
            .unwrap_or(-1),
        report.verdict
    );
}
