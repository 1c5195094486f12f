//! A private PostgreSQL SIGKILLed (postmaster and every backend) and
//! restarted in the middle of the work: while the validator stores batches,
//! while the selector draws, while the disburser runs a date. Crash recovery
//! keeps every committed row; the workers retry and reconnect, and the
//! results are exactly those of an undisturbed run.

use std::time::Duration;

use chrono::Utc;
use workers::waves::Wave;

use crate::data;
use crate::fault_support::{
    REGISTRATIONS, count, logs, paid, paid_once, prakerja, ready_to_pay, spawn, stop_cleanly,
    succeeded, wait_count,
};
use crate::faults::assert_all_judged;
use crate::helpers::{PrivatePostgres, Services, TestEnv, WorkerKind};
use crate::selection;

/// How long the database stays away: longer than the pools' 10 s acquire
/// timeout, so that every query waiting for a connection fails at least once.
const OUTAGE: Duration = Duration::from_secs(12);

async fn on_private_postgres(name: &str) -> (PrivatePostgres, TestEnv) {
    let pg = PrivatePostgres::start(name, &[]).await;
    let services = Services {
        admin_url: pg.admin_url(),
        ..Services::shared()
    };
    let env = TestEnv::on(&services, |_| {}).await;
    (pg, env)
}

/// Kills the server, keeps it away for [`OUTAGE`], and starts it again.
async fn crash_and_recover(pg: &mut PrivatePostgres) {
    pg.kill();
    tokio::time::sleep(OUTAGE).await; // the outage itself, not a synchronisation
    pg.boot().await;
}

#[tokio::test]
async fn postgres_killed_mid_validation_loses_no_committed_row_and_stores_none_twice() {
    let (mut pg, env) = on_private_postgres("validation").await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 53, 0.1).await;
    let validator = spawn(&env, WorkerKind::Validator, &[], &[]);
    let before = wait_count(&env, REGISTRATIONS, 2_000, Duration::from_secs(60)).await;
    crash_and_recover(&mut pg).await;
    let after = count(&env, REGISTRATIONS).await.expect("count");
    assert!(
        after >= before,
        "committed rows survive: {before} before, {after} after"
    );
    assert!(
        after < records.len() as i64,
        "killed mid-validation ({after} stored)"
    );
    wait_count(
        &env,
        REGISTRATIONS,
        records.len() as i64,
        Duration::from_secs(180),
    )
    .await;
    stop_cleanly([validator]).await;
    assert!(
        logs(&env, WorkerKind::Validator).contains("database unavailable; retrying the batch"),
        "the kill interrupted a batch, which was retried"
    );
    assert_all_judged(&env, &records).await;
    eprintln!(
        "measured: {} queued, {before} committed before the kill, {after} after the restart, {} in the end",
        records.len(),
        count(&env, REGISTRATIONS).await.unwrap_or(-1)
    );
}

#[tokio::test]
async fn postgres_killed_mid_draw_stores_the_draw_its_inputs_give() {
    let (mut pg, env) = on_private_postgres("draw").await;
    let closes = Utc::now() + chrono::Duration::days(1);
    let wave = data::open(&env, "w", "proportional:8000", closes).await;
    let provinces = ["11", "12", "31", "32", "33", "35", "36", "51", "73", "94"];
    data::seed_eligible(
        &env,
        wave.wave_id,
        60_000,
        1_101_010_000_000_000,
        &provinces,
    )
    .await;
    let selector = spawn(&env, WorkerKind::Selector, &[], &[]);
    selection::close(&env, wave.wave_id).await;
    let state = format!(
        "SELECT count(*) FROM waves WHERE wave_id = {} AND state = 'drawing'",
        wave.wave_id
    );
    wait_count(&env, &state, 1, Duration::from_secs(60)).await;
    let stored = count(&env, "SELECT count(*) FROM selections").await;
    crash_and_recover(&mut pg).await;
    assert_eq!(stored, Some(0), "killed before the draw was stored");
    let drawn = format!(
        "SELECT count(*) FROM waves WHERE wave_id = {} AND state = 'drawn'",
        wave.wave_id
    );
    wait_count(&env, &drawn, 1, Duration::from_secs(240)).await;
    stop_cleanly([selector]).await;
    assert!(
        logs(&env, WorkerKind::Selector).contains("resuming a draw whose inputs are frozen"),
        "the kill interrupted the draw, which resumed"
    );
    let results = count(&env, "SELECT count(*) FROM selection_results").await;
    assert_eq!(results, Some(60_000), "one result per candidate");
    let drawn = Wave::find(env.pool(), i64::from(wave.wave_id))
        .await
        .expect("wave")
        .expect("the wave exists");
    let stored = selection::stored_manifest(&env, wave.wave_id).await;
    let recomputed = selection::independent_draw(&env, &drawn).await;
    assert_eq!(
        selection::required(&stored),
        selection::required(&recomputed.manifest),
        "the stored draw is the one its inputs give"
    );
    eprintln!(
        "measured: 60000 candidates, {} results, {} participants, manifest = recomputation",
        results.unwrap_or(-1),
        count(&env, "SELECT count(*) FROM participants")
            .await
            .unwrap_or(-1)
    );
}

#[tokio::test]
async fn postgres_killed_mid_run_pays_every_entitlement_once() {
    let (mut pg, env) = on_private_postgres("run").await;
    let json = [("PRAKERJA__LOG__FORMAT", "json")];
    let (participants, date, gateway, disburser) = ready_to_pay(&env, 6_000, 4_000, &json).await;
    let run = prakerja(
        &env,
        &["--json", "disburse", "run", "--date", &date.to_string()],
    );
    let running = "SELECT count(*) FROM disbursement_runs WHERE finished_at IS NULL";
    wait_count(&env, running, 1, Duration::from_secs(60)).await;
    crash_and_recover(&mut pg).await;
    let report = succeeded(run).await;
    assert_eq!(report["run_date"], date.to_string(), "{report}");
    let (counts, copies) = paid(&env, participants).await;
    assert_eq!(counts, paid_once(participants));
    assert!(copies >= participants, "{copies} copies received");
    stop_cleanly([disburser, gateway]).await;
    let interrupted = logs(&env, WorkerKind::Disburser)
        .lines()
        .any(|line| line.contains("\"ERROR\"") && line.contains("disbursement_run"));
    assert!(
        interrupted,
        "the kill interrupted the run itself, which resumed"
    );
    eprintln!("measured: {counts:?}; {copies} copies received");
}
