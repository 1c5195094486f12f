//! A three-node RabbitMQ cluster of private nodes, every quorum queue
//! replicated on all three; the node leading the queue at work is killed.
//! The workers, given every node's address, move to a live node; no
//! confirmed publish is lost and nothing acked is processed again.

use std::time::Duration;

use shared::amqp::Queue;

use crate::data;
use crate::fault_support::{
    OUTBOX, REGISTRATIONS, count, paid, paid_once, prakerja, ready_to_pay, spawn, stop_cleanly,
    succeeded, wait_count,
};
use crate::faults::assert_all_judged;
use crate::helpers::{RabbitCluster, Services, TestEnv, WorkerKind};

async fn on_cluster() -> (RabbitCluster, TestEnv) {
    let cluster = RabbitCluster::start(3).await;
    let services = Services {
        amqp_url: cluster.urls(),
        ..Services::shared()
    };
    let env = TestEnv::on(&services, |_| {}).await;
    (cluster, env)
}

/// The node leading `queue`, after checking it has a replica on all three.
async fn leader(cluster: &RabbitCluster, queue: &str) -> usize {
    let placement = cluster.placement(queue).await;
    assert_eq!(placement.members.len(), 3, "{queue}: {placement:?}");
    placement.leader
}

#[tokio::test]
async fn the_queue_leader_killed_mid_validation_loses_and_repeats_nothing() {
    let (mut cluster, env) = on_cluster().await;
    let (_, records) = data::queued_wave(&env, "national:10", 20_000, 47, 0.1).await;
    let queue = env.topology().name(Queue::RegistrationsSubmitted);
    let old = leader(&cluster, &queue).await;
    let validator = spawn(&env, WorkerKind::Validator, &[], &[]);
    wait_count(&env, REGISTRATIONS, 2_000, Duration::from_secs(60)).await;
    cluster.nodes[old].kill();
    let at_kill = count(&env, REGISTRATIONS).await.expect("count");
    assert!(
        at_kill < records.len() as i64,
        "killed mid-validation ({at_kill} stored)"
    );
    wait_count(
        &env,
        REGISTRATIONS,
        records.len() as i64,
        Duration::from_secs(180),
    )
    .await;
    let new = cluster.placement(&queue).await.leader;
    assert_ne!(new, old, "a surviving node leads {queue}");
    stop_cleanly([validator]).await;
    assert_all_judged(&env, &records).await;
    assert_eq!(env.drain(&queue).await.len(), 0, "nothing left in {queue}");
    eprintln!(
        "measured: leader {old} -> {new}; {} queued, {at_kill} stored at the kill, {} in the end, 0 left",
        records.len(),
        count(&env, REGISTRATIONS).await.unwrap_or(-1)
    );
}

#[tokio::test]
async fn the_queue_leader_killed_mid_publishing_pays_every_entitlement_once() {
    let (mut cluster, env) = on_cluster().await;
    let relay = [("PRAKERJA__DISBURSER__RELAY_BATCH", "20")];
    let (participants, date, gateway, disburser) = ready_to_pay(&env, 6_000, 4_000, &relay).await;
    let queue = env.topology().name(Queue::PaymentsInstructions);
    let old = leader(&cluster, &queue).await;
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
    cluster.nodes[old].kill();
    let unconfirmed = count(&env, OUTBOX).await.expect("outbox");
    assert!(unconfirmed > 0, "killed mid-publishing");
    succeeded(run).await;
    let (counts, copies) = paid(&env, participants).await;
    assert_eq!(counts, paid_once(participants));
    assert!(copies >= participants, "{copies} copies received");
    let new = cluster.placement(&queue).await.leader;
    assert_ne!(new, old, "a surviving node leads {queue}");
    eprintln!(
        "measured: leader {old} -> {new}; {unconfirmed} unconfirmed at the kill; {counts:?}; {copies} copies received"
    );
    stop_cleanly([disburser, gateway]).await;
}
