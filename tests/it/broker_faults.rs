//! A private RabbitMQ node SIGKILLed and restarted in the middle of the
//! work: while `prakerja ingest` publishes, while the validator consumes,
//! and while the disburser's relay publishes a nightly run's instructions.
//! Afterwards every count is exact: each registration stored once, each
//! entitlement instructed and paid once.

use std::io::Write;
use std::time::Duration;

use shared::amqp::Queue;

use crate::data;
use crate::fault_support::{
    OUTBOX, REGISTRATIONS, count, paid, paid_once, prakerja, ready, ready_to_pay, spawn,
    stop_cleanly, succeeded, wait_count,
};
use crate::faults::assert_all_judged;
use crate::helpers::{PrivateRabbit, Services, TestEnv, WorkerKind, eventually_async};

/// A private node whose queues exist (declared, then written by a clean
/// restart) before any work starts, as in a deployment.
async fn on_private_node(name: &str) -> (PrivateRabbit, TestEnv) {
    let mut rabbit = PrivateRabbit::start(name).await;
    let services = Services {
        amqp_url: rabbit.url(),
        ..Services::shared()
    };
    let env = TestEnv::on(&services, |_| {}).await;
    rabbit.declare_durably(env.topology()).await;
    (rabbit, env)
}

/// Every registration stored once, and no message left in the queue: the
/// deliveries acked before the kill did not come back after the restart.
async fn validated_once(env: &TestEnv, records: &[shared::generate::Generated]) {
    assert_all_judged(env, records).await;
    let queue = env.topology().name(Queue::RegistrationsSubmitted);
    assert_eq!(env.drain(&queue).await.len(), 0, "nothing left in {queue}");
}

#[tokio::test]
async fn a_broker_killed_during_ingest_loses_no_registration_and_stores_none_twice() {
    let (mut rabbit, env) = on_private_node("ingest").await;
    // Open for a few seconds, so the registrations claim times inside it.
    let wave = data::open_briefly(&env, "w", "national:10", chrono::Duration::seconds(3)).await;
    let records = data::generate(&wave, 40_000, 41, 0.1);
    let file = env.dir.join("registrations.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("file"));
    for body in data::bodies(&records) {
        out.write_all(&body).expect("write");
        out.write_all(b"\n").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    let path = file.display().to_string();
    let ingest = prakerja(&env, &["--json", "ingest", &path]);
    let queue = env.topology().name(Queue::RegistrationsSubmitted);
    eventually_async("ingest under way", Duration::from_secs(60), || async {
        (ready(&env, &queue).await >= 2_000).then_some(())
    })
    .await;
    rabbit.kill();
    assert!(!ingest.is_finished(), "the broker was killed mid-ingest");
    rabbit.boot().await;
    let report = succeeded(ingest).await;
    assert_eq!(report["published"], records.len() as u64, "{report}");
    assert!(report["reconnections"].as_u64() >= Some(1), "{report}");
    let validator = spawn(&env, WorkerKind::Validator, &[], &[]);
    wait_count(
        &env,
        REGISTRATIONS,
        records.len() as i64,
        Duration::from_secs(180),
    )
    .await;
    stop_cleanly([validator]).await;
    validated_once(&env, &records).await;
    eprintln!(
        "measured: {} lines, ingest {report}; {} registrations stored",
        records.len(),
        count(&env, REGISTRATIONS).await.unwrap_or(-1)
    );
}

#[tokio::test]
async fn a_broker_killed_during_validation_loses_no_registration_and_stores_none_twice() {
    let (mut rabbit, env) = on_private_node("validation").await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 43, 0.1).await;
    let validator = spawn(&env, WorkerKind::Validator, &[], &[]);
    wait_count(&env, REGISTRATIONS, 2_000, Duration::from_secs(60)).await;
    rabbit.kill();
    let at_kill = count(&env, REGISTRATIONS).await.expect("count");
    assert!(
        at_kill < records.len() as i64,
        "killed mid-validation ({at_kill} stored)"
    );
    rabbit.boot().await;
    wait_count(
        &env,
        REGISTRATIONS,
        records.len() as i64,
        Duration::from_secs(180),
    )
    .await;
    stop_cleanly([validator]).await;
    validated_once(&env, &records).await;
    eprintln!(
        "measured: {} queued, {at_kill} stored at the kill, {} stored in the end, 0 left in the queue",
        records.len(),
        count(&env, REGISTRATIONS).await.unwrap_or(-1)
    );
}

#[tokio::test]
async fn a_broker_killed_while_a_run_is_published_pays_every_entitlement_once() {
    let (mut rabbit, env) = on_private_node("publishing").await;
    let relay = [("PRAKERJA__DISBURSER__RELAY_BATCH", "20")];
    let (participants, date, gateway, disburser) = ready_to_pay(&env, 6_000, 4_000, &relay).await;
    let run = prakerja(
        &env,
        &["--json", "disburse", "run", "--date", &date.to_string()],
    );
    wait_count(
        &env,
        "SELECT count(*) - (SELECT count(*) FROM instruction_outbox) FROM payment_instructions",
        200,
        Duration::from_secs(120),
    )
    .await;
    rabbit.kill();
    let unconfirmed = count(&env, OUTBOX).await.expect("outbox");
    assert!(unconfirmed > 0, "killed mid-publishing");
    rabbit.boot().await;
    succeeded(run).await;
    let (counts, copies) = paid(&env, participants).await;
    assert_eq!(counts, paid_once(participants));
    assert!(copies >= participants, "{copies} copies received");
    eprintln!(
        "measured: {unconfirmed} unconfirmed at the kill; {counts:?}; {copies} copies received"
    );
    stop_cleanly([disburser, gateway]).await;
}
