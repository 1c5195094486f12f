//! Metrics and health of real worker processes: the counts a validator
//! serves match what it was sent, and `/readyz` follows the services.

use std::collections::BTreeMap;
use std::time::Duration;

use shared::amqp::Queue;
use shared::domain::ReasonCode;
use workers::procs::Worker;

use crate::data;
use crate::helpers::scrape::{self, value, wait_for};
use crate::helpers::{DbRole, Proxy, TestEnv, WorkerKind, bin, eventually_async};
use crate::validator::wait_for_rows;

/// A worker process serving metrics on a free port; returns it and its address.
pub(crate) async fn spawn_observed(
    env: &TestEnv,
    kind: WorkerKind,
    extra: &[(String, String)],
    name: &str,
) -> (Worker, String) {
    let file = env.dir.join(format!("{name}.addr"));
    let mut vars = env.process_env(kind);
    vars.push((
        "PRAKERJA__METRICS__ADDRESS_FILE".into(),
        file.display().to_string(),
    ));
    vars.extend_from_slice(extra);
    let worker = Worker::spawn(&bin(kind), &[], &vars, &env.dir.join(format!("{name}.log")))
        .expect("worker starts");
    (worker, scrape::address(&file).await)
}

async fn status(address: &str, path: &str) -> Option<(u16, String)> {
    scrape::get(address, path).await
}

/// Waits until `path` answers `code`; returns the body.
async fn wait_status(address: &str, path: &str, code: u16) -> String {
    eventually_async(
        &format!("{path} answering {code}"),
        Duration::from_secs(60),
        || async {
            status(address, path)
                .await
                .filter(|(s, _)| *s == code)
                .map(|(_, body)| body)
        },
    )
    .await
}

#[tokio::test]
async fn a_validator_serves_counts_that_match_what_it_was_sent() {
    let env = TestEnv::new().await;
    let (_, records) = data::queued_wave(&env, "national:10", 400, 41, 0.3).await;
    let garbage: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"[1, 2]".to_vec(),
        b"\"text\"".to_vec(),
    ];
    env.publish_raw(Queue::RegistrationsSubmitted, &garbage)
        .await;
    let (worker, address) = spawn_observed(&env, WorkerKind::Validator, &[], "validator").await;
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(60)).await;
    let queue = [("queue", "registrations.submitted")];
    let sent = (records.len() + garbage.len()) as f64;
    wait_for(&address, "prakerja_messages_consumed_total", &queue, sent).await;

    // What the generator meant, at first judgement (DUPLICATE_NIK is
    // decided after, among the stored).
    let mut eligible = 0.0;
    let mut reasons: BTreeMap<&str, f64> = BTreeMap::new();
    for record in &records {
        let first: Vec<ReasonCode> = data::expected(record)
            .iter()
            .filter(|r| *r != ReasonCode::DuplicateNik)
            .collect();
        if first.is_empty() {
            eligible += 1.0;
        }
        for reason in first {
            *reasons.entry(reason.as_str()).or_default() += 1.0;
        }
    }
    let rejected = records.len() as f64 - eligible;
    assert!(rejected > 0.0 && eligible > 0.0, "a mix of both");
    let (code, page) = status(&address, "/metrics").await.expect("metrics answer");
    assert_eq!(code, 200);
    let read = |name: &str, labels: &[(&str, &str)]| value(&page, name, labels);
    assert_eq!(
        read("prakerja_messages_stored_total", &queue),
        Some(records.len() as f64)
    );
    assert_eq!(
        read(
            "prakerja_messages_dead_lettered_total",
            &[
                ("queue", "registrations.submitted"),
                ("reason", "undecodable")
            ]
        ),
        Some(garbage.len() as f64)
    );
    assert_eq!(
        read(
            "prakerja_registrations_stored_total",
            &[("status", "eligible")]
        ),
        Some(eligible)
    );
    assert_eq!(
        read(
            "prakerja_registrations_stored_total",
            &[("status", "rejected")]
        ),
        Some(rejected)
    );
    for (reason, count) in &reasons {
        assert_eq!(
            read(
                "prakerja_registrations_rejected_total",
                &[("reason", reason)]
            ),
            Some(*count),
            "rejected {reason}"
        );
    }
    assert!(read("prakerja_batch_size_count", &queue).is_some_and(|n| n >= 1.0));
    assert!(read("prakerja_batch_seconds_count", &queue).is_some_and(|n| n >= 1.0));
    assert!(
        page.contains("binary=\"validator\""),
        "every series names its binary"
    );
    assert_eq!(
        env.ready(&env.topology().dead_name(Queue::RegistrationsSubmitted))
            .await,
        3
    );
    assert_eq!(status(&address, "/healthz").await.map(|s| s.0), Some(200));
    assert_eq!(status(&address, "/readyz").await.map(|s| s.0), Some(200));
    assert!(worker.stop(Duration::from_secs(20)).await.expect("stopped"));
}

#[tokio::test]
async fn readyz_is_503_while_a_service_is_out_of_reach_and_200_again_after() {
    let env = TestEnv::new().await;
    let rabbit = Proxy::start("127.0.0.1:5672".parse().expect("addr")).await;
    let postgres = Proxy::start("127.0.0.1:5432".parse().expect("addr")).await;
    let (worker, address) = spawn_observed(
        &env,
        WorkerKind::Validator,
        &[
            ("PRAKERJA__AMQP__URL".into(), rabbit.url(&env.amqp_url)),
            (
                "PRAKERJA__DATABASE__URL".into(),
                postgres.url(&env.url_as(DbRole::Validator)),
            ),
        ],
        "validator",
    )
    .await;
    wait_status(&address, "/readyz", 200).await;

    rabbit.cut();
    let body = wait_status(&address, "/readyz", 503).await;
    assert!(body.contains("RabbitMQ"), "{body}");
    assert_eq!(
        status(&address, "/healthz").await.map(|s| s.0),
        Some(200),
        "alive all along"
    );
    rabbit.restore();
    wait_status(&address, "/readyz", 200).await;

    postgres.cut();
    let body = wait_status(&address, "/readyz", 503).await;
    assert!(body.contains("PostgreSQL"), "{body}");
    postgres.restore();
    wait_status(&address, "/readyz", 200).await;

    // Ready means consuming: what arrives now is stored.
    let (_, records) = data::queued_wave(&env, "national:1", 20, 43, 0.0).await;
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(60)).await;
    let reconnects = value(
        &status(&address, "/metrics").await.expect("metrics").1,
        "prakerja_amqp_reconnects_total",
        &[("connection", "validator")],
    );
    assert!(
        reconnects.is_some_and(|n| n >= 1.0),
        "the cut session counted: {reconnects:?}"
    );
    assert!(worker.stop(Duration::from_secs(20)).await.expect("stopped"));
}
