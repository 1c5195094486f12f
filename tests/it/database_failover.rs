//! A primary with a synchronous standby (two private servers, streaming
//! replication): the primary is killed mid-validation and the standby
//! promoted. The workers, given both hosts, find the new primary by
//! themselves; every commit they saw is on it, and nothing is stored twice.

use std::time::Duration;

use crate::data;
use crate::fault_support::{
    REGISTRATIONS, count, logs, prakerja, spawn, stop_cleanly, succeeded, wait_count,
};
use crate::faults::assert_all_judged;
use crate::helpers::{PrivatePostgres, Services, TestEnv, WorkerKind, eventually_async};

#[tokio::test]
async fn the_workers_follow_a_promoted_standby_and_no_committed_row_is_lost() {
    let mut primary =
        PrivatePostgres::start("primary", &[("synchronous_standby_names", "*")]).await;
    let standby = PrivatePostgres::standby_of(&primary, "standby").await;
    eventually_async("a synchronous standby", Duration::from_secs(60), || async {
        primary.has_sync_standby().await.then_some(())
    })
    .await;
    let services = Services {
        admin_url: primary.admin_url(),
        database_hosts: Some(format!("{},{}", primary.host(), standby.host())),
        ..Services::shared()
    };
    let env = TestEnv::on(&services, |_| {}).await;
    let (wave, records) = data::queued_wave(&env, "national:10", 20_000, 59, 0.1).await;
    let validator = spawn(&env, WorkerKind::Validator, &[], &[]);
    let before = wait_count(&env, REGISTRATIONS, 2_000, Duration::from_secs(60)).await;
    primary.kill();
    standby.promote().await;
    let after = wait_count(&env, REGISTRATIONS, 1, Duration::from_secs(60)).await;
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
        logs(&env, WorkerKind::Validator).contains("the database primary moved"),
        "the validator found the new primary by itself"
    );
    assert_all_judged(&env, &records).await;
    eprintln!(
        "measured: {} queued, {before} committed before the kill, {after} on the promoted standby, {} in the end",
        records.len(),
        count(&env, REGISTRATIONS).await.unwrap_or(-1)
    );
    let recovering = count(&env, "SELECT pg_is_in_recovery()::int::bigint").await;
    assert_eq!(
        recovering,
        Some(0),
        "the test's own pool is on the new primary"
    );
    let status = prakerja(
        &env,
        &["--json", "wave", "status", &wave.wave_id.to_string()],
    );
    let status = succeeded(status).await;
    assert!(!status.is_null(), "prakerja finds the new primary too");
}
