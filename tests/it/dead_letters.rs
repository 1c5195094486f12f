//! `prakerja dead list` and `dead replay` on real queues: dead letters are
//! listed masked and left in place; a replay sends them back with confirms,
//! is recorded, and stops at the cap; a message the consumer now accepts is
//! stored once, even when a copy arrives too.

use std::sync::Arc;
use std::time::Duration;

use chrono::Days;
use shared::amqp::Queue;
use shared::messages::DisbursementRun;
use tokio_util::sync::CancellationToken;
use workers::consume::{BatchOptions, serve};
use workers::disburser::{DateBounds, EventsHandler, RequestsHandler};

use crate::helpers::{TestEnv, WorkerKind, eventually_async};
use crate::steering::operator_json;

fn options() -> BatchOptions {
    BatchOptions {
        batch_size: 10,
        max_wait: Duration::from_millis(10),
        prefetch: 20,
        max_backoff: Duration::from_secs(2),
        parallel: 1,
        max_body_bytes: shared::config::DEFAULT_MAX_BODY_BYTES,
    }
}

async fn wait_ready(env: &TestEnv, queue: &str, n: u32) {
    eventually_async(
        &format!("{n} in {queue}"),
        Duration::from_secs(60),
        || async { (env.ready(queue).await == n).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn dead_letters_are_listed_masked_and_replayed_up_to_the_cap() {
    let env = TestEnv::new().await;
    let stop = CancellationToken::new();
    let app = env.app_for(WorkerKind::Disburser);
    let handler = Arc::new(EventsHandler::new(app.pool.clone(), &app.settings));
    let token = stop.clone();
    let consumer =
        tokio::spawn(
            async move { serve(&app, handler, "test", "test-events", options(), token).await },
        );
    let bad = [
        br#"{"nik": "3171014708900001", "phone": "+6281234567890", "kind": "purchased"}"#.to_vec(),
        b"\xff not json".to_vec(),
    ];
    env.publish_raw(Queue::TrainingEvents, &bad).await;
    let dead = env.topology().dead_name(Queue::TrainingEvents);
    wait_ready(&env, &dead, 2).await;

    let cap = [("PRAKERJA__DEAD_LETTERS__MAX_REPLAYS", "1")];
    let (code, listed) =
        operator_json(&env, "eko", &cap, &["dead", "list", "training.events"]).await;
    assert_eq!(code, 0, "{listed}");
    assert_eq!(listed["total"], 2);
    let text = listed.to_string();
    assert!(text.contains("nik=3171**********01"), "{text}");
    assert!(
        !text.contains("3171014708900001") && !text.contains("81234567890"),
        "masked: {text}"
    );
    for message in listed["messages"].as_array().expect("messages") {
        assert_eq!(message["kind"], "undecodable");
        assert!(
            message["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("not a TrainingEvent")
        );
        assert!(
            message["age_secs"].as_i64().is_some_and(|a| a >= 0),
            "{message}"
        );
        assert_eq!(message["replays"], 0);
    }
    wait_ready(&env, &dead, 2).await;
    let (code, _) = operator_json(&env, "eko", &[], &["dead", "list", "no.such.queue"]).await;
    assert_eq!(code, 2, "an unknown queue");

    let (code, out) = operator_json(
        &env,
        "eko",
        &cap,
        &[
            "dead",
            "replay",
            "training.events",
            "--filter",
            "refused_by_database",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        (out["replayed"].as_u64(), out["not_matching"].as_u64()),
        (Some(0), Some(2))
    );
    let (code, out) = operator_json(
        &env,
        "eko",
        &cap,
        &["dead", "replay", "training.events", "--limit", "1"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["replayed"], 1);
    // Still undecodable: dead again, with one replay counted.
    wait_ready(&env, &dead, 2).await;
    let (code, out) =
        operator_json(&env, "eko", &cap, &["dead", "replay", "training.events"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["replayed"], 1, "the other one");
    assert_eq!(
        out["over_cap"].as_array().map(Vec::len),
        Some(1),
        "the first one, at the cap"
    );
    // Still undecodable: dead again, each carrying one replay.
    wait_ready(&env, &dead, 2).await;
    let (_, listed) = operator_json(&env, "eko", &cap, &["dead", "list", "training.events"]).await;
    assert!(
        listed["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .all(|m| m["replays"] == 1),
        "{listed}"
    );
    let (code, out) =
        operator_json(&env, "eko", &cap, &["dead", "replay", "training.events"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["replayed"], 0);
    assert_eq!(
        out["over_cap"].as_array().map(Vec::len),
        Some(2),
        "over the cap they stay dead: {out}"
    );
    wait_ready(&env, &dead, 2).await;
    let recorded: Vec<(String, i32, i32, i32, bool)> = sqlx::query_as(
        "SELECT replayed_by, replayed, over_cap, not_matching, finished_at IS NOT NULL \
           FROM dead_replays ORDER BY replay_id",
    )
    .fetch_all(env.pool())
    .await
    .expect("replays");
    assert_eq!(
        recorded,
        [
            ("eko".to_owned(), 0, 0, 2, true),
            ("eko".to_owned(), 1, 0, 0, true),
            ("eko".to_owned(), 1, 1, 0, true),
            ("eko".to_owned(), 0, 2, 0, true),
        ]
    );
    stop.cancel();
    consumer.await.expect("joined").expect("consumer ran");
}

#[tokio::test]
async fn a_replayed_message_the_consumer_now_accepts_is_stored_once_even_with_a_copy() {
    let env = TestEnv::new().await;
    let consume = |max_days_ahead: u32, stop: CancellationToken| {
        let mut settings = env.app.settings.disburser.clone();
        settings.max_days_ahead = max_days_ahead;
        let app = env.app_for(WorkerKind::Disburser);
        let handler = Arc::new(RequestsHandler {
            pool: app.pool.clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
            bounds: DateBounds::from_settings(&settings),
        });
        tokio::spawn(
            async move { serve(&app, handler, "test", "test-runs", options(), stop).await },
        )
    };
    let strict = CancellationToken::new();
    let first = consume(0, strict.clone());
    let date = DateBounds::from_settings(&env.app.settings.disburser).today(chrono::Utc::now())
        + Days::new(3);
    let request = DisbursementRun {
        run_date: date,
        request_id: Some(uuid::Uuid::new_v4()),
        requested_by: Some("test".into()),
    };
    let body = serde_json::to_vec(&request).expect("json");
    env.publish_raw(Queue::DisbursementsRuns, std::slice::from_ref(&body))
        .await;
    let dead = env.topology().dead_name(Queue::DisbursementsRuns);
    wait_ready(&env, &dead, 1).await;
    strict.cancel();
    first.await.expect("joined").expect("ran");

    // The rule is relaxed (a simulation of the weeks ahead), and the
    // message is replayed; a copy (a replay killed after its publish) is
    // dropped by its request id.
    let relaxed = CancellationToken::new();
    let second = consume(10, relaxed.clone());
    let (code, out) = operator_json(
        &env,
        "eko",
        &[],
        &[
            "dead",
            "replay",
            "disbursements.runs",
            "--filter",
            "refused run request",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["replayed"], 1);
    env.publish_raw(Queue::DisbursementsRuns, std::slice::from_ref(&body))
        .await;
    eventually_async("both handled", Duration::from_secs(60), || async {
        let queue = env.topology().name(Queue::DisbursementsRuns);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM run_requests")
            .fetch_one(env.pool())
            .await
            .expect("count");
        (n == 1 && env.ready(&queue).await == 0).then_some(())
    })
    .await;
    assert_eq!(
        env.ready(&dead).await,
        0,
        "removed from the dead-letter queue"
    );
    let stored: (uuid::Uuid, chrono::NaiveDate) =
        sqlx::query_as("SELECT request_id, run_date FROM run_requests")
            .fetch_one(env.pool())
            .await
            .expect("one request");
    assert_eq!(stored, (request.request_id.expect("id"), date));
    relaxed.cancel();
    second.await.expect("joined").expect("ran");
}
