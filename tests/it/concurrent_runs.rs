//! Runs that meet: two disbursers given the same date at the same moment
//! (each holding the runs lock a while once it has it, through the
//! `disburser-run-locked` failpoint, so that the other finds it taken), and
//! the disburser's own schedule firing as the CronJob's `prakerja disburse
//! run` does. One run executes; no entitlement is instructed twice; every
//! request is served.

use std::time::Duration;

use chrono::{Timelike, Utc};

use crate::fault_support::{
    count, logs, perfect_gateway, prakerja, spawn, stop_cleanly, succeeded,
};
use crate::helpers::{TestEnv, WorkerKind};
use crate::process_faults::{NO_SCHEDULE, settled_once};

/// Disbursers log JSON lines, which the test reads.
const JSON: (&str, &str) = ("PRAKERJA__LOG__FORMAT", "json");

/// Requests served, and runs the disbursers' logs report executed.
async fn served_and_executed(env: &TestEnv) -> (i64, usize) {
    let served = count(
        env,
        "SELECT count(*) FROM run_requests WHERE served_at IS NOT NULL",
    )
    .await
    .expect("count");
    let text = logs(env, WorkerKind::Disburser);
    let executed = text
        .lines()
        .filter(|line| {
            line.contains("disbursement run done") && line.contains("\"first_execution\":true")
        })
        .count();
    (served, executed)
}

#[tokio::test]
async fn two_disbursers_given_the_same_date_at_once_run_it_once() {
    let env = TestEnv::new().await;
    let (_, date) = crate::disbursement::drawn_wave(&env, 6_000, 4_000).await;
    let participants = count(&env, "SELECT count(*) FROM participants")
        .await
        .expect("count");
    let gateway = perfect_gateway(&env);
    let hold = ("FAILPOINTS", "disburser-run-locked=sleep(1500)");
    let first = spawn(&env, WorkerKind::Disburser, &[], &[NO_SCHEDULE, hold, JSON]);
    let second = spawn(&env, WorkerKind::Disburser, &[], &[NO_SCHEDULE, hold, JSON]);
    let args = ["--json", "disburse", "run", "--date", &date.to_string()];
    let (one, two) = (prakerja(&env, &args), prakerja(&env, &args));
    let (one, two) = (succeeded(one).await, succeeded(two).await);
    assert_eq!(one["run_date"], date.to_string(), "{one}");
    assert_eq!(two["run_date"], date.to_string(), "{two}");
    let copies = settled_once(&env, participants).await;
    let (served, executed) = served_and_executed(&env).await;
    assert_eq!(served, 2, "both requests served");
    assert_eq!(executed, 1, "one disburser executed the run");
    stop_cleanly([first, second, gateway]).await;
    eprintln!(
        "measured: two disbursers, two requests: {served} served, {executed} first executions logged, \
         {participants} settled once, {copies} copies received"
    );
}

#[tokio::test]
async fn the_schedule_and_the_cronjob_firing_together_run_the_date_once() {
    let env = TestEnv::new().await;
    // Everything below happens on one day in the disburser's zone: a test
    // starting in the last two minutes of a day waits for the next one.
    let zone = env.app.settings.disburser.timezone;
    let now = Utc::now().with_timezone(&zone);
    let left = 86_400 - i64::from(now.time().num_seconds_from_midnight());
    if left < 120 {
        eprintln!("waiting {left} s for the next day in {zone}");
        tokio::time::sleep(Duration::from_secs(left as u64 + 1)).await;
    }
    let (_, date) = crate::disbursement::drawn_wave(&env, 6_000, 4_000).await;
    let participants = count(&env, "SELECT count(*) FROM participants")
        .await
        .expect("count");
    let gateway = perfect_gateway(&env);
    // The schedule's time: a few seconds from now, in the disburser's zone.
    let fire_at = Utc::now() + chrono::Duration::seconds(6);
    let local = fire_at.with_timezone(&zone);
    assert_eq!(
        local.date_naive(),
        date,
        "the test needs the draw's day to last 6 s more"
    );
    let at = local.format("%H:%M:%S").to_string();
    let disburser = spawn(
        &env,
        WorkerKind::Disburser,
        &[],
        &[
            ("PRAKERJA__DISBURSER__SCHEDULE_ENABLED", "true"),
            ("PRAKERJA__DISBURSER__DAILY_RUN_AT", &at),
            JSON,
        ],
    );
    let wait = (fire_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await; // the moment the CronJob fires, by definition
    let cron = succeeded(prakerja(&env, &["--json", "disburse", "run"])).await;
    assert_eq!(cron["run_date"], date.to_string(), "{cron}");
    let copies = settled_once(&env, participants).await;
    let by = "SELECT count(*) FROM run_requests WHERE requested_by = 'schedule' AND served_at IS NOT NULL";
    assert_eq!(
        count(&env, by).await,
        Some(1),
        "the schedule's request was made and served"
    );
    let (served, executed) = served_and_executed(&env).await;
    assert_eq!(served, 2, "the schedule's and the command's request served");
    assert_eq!(executed, 1, "the date ran once");
    stop_cleanly([disburser, gateway]).await;
    eprintln!(
        "measured: schedule at {at} and `disburse run` together: {served} requests served, \
         {executed} first executions logged, {participants} settled once, {copies} copies"
    );
}
