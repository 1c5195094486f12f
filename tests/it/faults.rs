//! Fault injection: workers killed, PostgreSQL and RabbitMQ taken away
//! mid-run (through a proxy only this test uses). Nothing is lost, nothing
//! is stored twice.

use std::net::SocketAddr;
use std::time::Duration;

use shared::amqp::Queue;
use workers::procs::Worker;

use crate::data;
use crate::fault_support::stop_cleanly;
use crate::helpers::{DbRole, Proxy, TestEnv, WorkerKind, bin, eventually_async};
use crate::validator::{judged, stored_count, wait_for_rows};

fn spawn(env: &TestEnv, kind: WorkerKind, extra: &[(String, String)], log: &str) -> Worker {
    let mut vars = env.process_env(kind);
    vars.extend_from_slice(extra);
    Worker::spawn(&bin(kind), &[], &vars, &env.dir.join(log)).expect("worker starts")
}

/// Everything stored matches what the generator meant, once per id.
pub async fn assert_all_judged(env: &TestEnv, records: &[shared::generate::Generated]) {
    let stored = judged(env).await;
    assert_eq!(
        stored.len(),
        records.len(),
        "every registration exactly once"
    );
    for record in records {
        let expected: Vec<String> = data::expected(record)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        assert_eq!(stored[&data::id(record)].1, expected);
    }
}

#[tokio::test]
async fn a_validator_killed_mid_stream_and_restarted_loses_and_duplicates_nothing() {
    let env = TestEnv::new().await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 21, 0.1).await;
    let first = spawn(&env, WorkerKind::Validator, &[], "validator-1.log");
    eventually_async(
        "the validator got going",
        Duration::from_secs(60),
        || async { (stored_count(&env).await > 2000).then_some(()) },
    )
    .await;
    first.crash().await.expect("killed");
    let at_crash = stored_count(&env).await;
    assert!(
        at_crash < records.len() as i64,
        "killed mid-stream ({at_crash} stored)"
    );
    let second = spawn(&env, WorkerKind::Validator, &[], "validator-2.log");
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(120)).await;
    assert!(
        second.stop(Duration::from_secs(20)).await.expect("stopped"),
        "a clean stop on SIGTERM"
    );
    assert_all_judged(&env, &records).await;
    assert_eq!(
        env.ready(&env.topology().name(Queue::RegistrationsSubmitted))
            .await,
        0
    );
}

#[tokio::test]
async fn sigterm_settles_the_batch_in_hand_and_hands_the_rest_back() {
    let env = TestEnv::new().await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 23, 0.1).await;
    let worker = spawn(&env, WorkerKind::Validator, &[], "validator.log");
    eventually_async(
        "the validator got going",
        Duration::from_secs(60),
        || async { (stored_count(&env).await > 1000).then_some(()) },
    )
    .await;
    stop_cleanly([worker]).await;
    let stored = stored_count(&env).await;
    let ready = env
        .ready(&env.topology().name(Queue::RegistrationsSubmitted))
        .await;
    assert!(stored < records.len() as i64, "stopped mid-stream");
    // Every message is either stored (and acked) or back in the queue; a
    // stored one may also be back (stored, ack lost) but none is missing.
    assert!(
        stored + i64::from(ready) >= records.len() as i64,
        "{stored} stored + {ready} queued"
    );
    let restarted = spawn(&env, WorkerKind::Validator, &[], "validator-2.log");
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(120)).await;
    restarted
        .stop(Duration::from_secs(20))
        .await
        .expect("stopped");
    assert_all_judged(&env, &records).await;
}

async fn run_through_outage(service: SocketAddr, url_var: &str, url: impl Fn(&TestEnv) -> String) {
    let env = TestEnv::new().await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 29, 0.1).await;
    let proxy = Proxy::start(service).await;
    let worker = spawn(
        &env,
        WorkerKind::Validator,
        &[(url_var.to_owned(), proxy.url(&url(&env)))],
        "validator.log",
    );
    eventually_async(
        "the validator got going",
        Duration::from_secs(60),
        || async { (stored_count(&env).await > 2000).then_some(()) },
    )
    .await;
    proxy.cut();
    let during = stored_count(&env).await;
    tokio::time::sleep(Duration::from_secs(3)).await; // the outage itself
    assert!(during < records.len() as i64, "the outage hit mid-stream");
    proxy.restore();
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(180)).await;
    assert!(worker.stop(Duration::from_secs(20)).await.expect("stopped"));
    assert_all_judged(&env, &records).await;
}

#[tokio::test]
async fn the_validator_rides_out_postgres_going_away() {
    run_through_outage(
        "127.0.0.1:5432".parse().expect("addr"),
        "PRAKERJA__DATABASE__URL",
        |env| env.url_as(DbRole::Validator),
    )
    .await;
}

#[tokio::test]
async fn the_validator_rides_out_rabbitmq_going_away() {
    run_through_outage(
        "127.0.0.1:5672".parse().expect("addr"),
        "PRAKERJA__AMQP__URL",
        |env| env.amqp_url.clone(),
    )
    .await;
}
