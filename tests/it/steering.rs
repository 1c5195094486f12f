//! Operators steer payments: a pause stops runs instructing a provider and
//! the relay publishing to it; a run over the ceiling waits for a second
//! operator and then pays exactly once.

use std::time::Duration;

use chrono::Days;
use serde_json::Value;
use shared::amqp::Queue;
use tokio_util::sync::CancellationToken;
use workers::relay::{Instructions, OutboxSource};

use crate::cli::{stderr, stdout};
use crate::disbursement::{drawn_wave, months_ahead, run};
use crate::helpers::scrape::wait_for;
use crate::helpers::{TestEnv, WorkerKind, bin, eventually_async};
use crate::metrics_health::spawn_observed;

/// `prakerja --json ARGS` as `operator`, with `extra` settings; its exit
/// code and JSON output.
pub(crate) async fn operator_json(
    env: &TestEnv,
    operator: &str,
    extra: &[(&str, &str)],
    args: &[&str],
) -> (i32, Value) {
    // Asynchronous: workers of the test's own runtime serve the command.
    let mut command = tokio::process::Command::new(bin(WorkerKind::Prakerja));
    command
        .arg("--json")
        .args(args)
        .envs(env.process_env(WorkerKind::Prakerja));
    command.env("PRAKERJA__DISBURSER__OPERATOR_NAME", operator);
    for (key, value) in extra {
        command.env(key, value);
    }
    let output = command.output().await.expect("prakerja runs");
    let json = serde_json::from_str(stdout(&output).trim()).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), json)
}

async fn count(env: &TestEnv, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(env.pool())
        .await
        .expect(sql)
}

#[tokio::test]
async fn a_paused_provider_is_not_instructed_until_a_run_after_the_resume() {
    let env = TestEnv::with(months_ahead).await;
    let (wave_id, day) = drawn_wave(&env, 30, 5).await;
    let ahead = (
        "PRAKERJA__DISBURSER__MAX_DAYS_AHEAD".to_owned(),
        "200".to_owned(),
    );
    let (disburser, address) = spawn_observed(
        &env,
        WorkerKind::Disburser,
        std::slice::from_ref(&ahead),
        "disburser",
    )
    .await;
    let ahead = [("PRAKERJA__DISBURSER__MAX_DAYS_AHEAD", "200")];

    let (code, paused) = operator_json(
        &env,
        "siti",
        &[],
        &[
            "disburse",
            "pause",
            "--provider",
            "prakerja_card",
            "--note",
            "card switch down",
        ],
    )
    .await;
    assert_eq!(code, 0, "{paused}");
    assert_eq!(paused["pause"]["paused_by"], "siti");
    let card = [("provider", "PRAKERJA_CARD")];
    wait_for(&address, "prakerja_payments_paused", &card, 1.0).await;

    let date = day.to_string();
    let (code, first) =
        operator_json(&env, "siti", &ahead, &["disburse", "run", "--date", &date]).await;
    assert_eq!(code, 0, "{first}");
    assert_eq!(first["summary"]["instructions_created"], 0, "{first}");
    assert_eq!(first["paused"][0]["scope"], "PRAKERJA_CARD");
    assert_eq!(
        count(&env, "SELECT count(*) FROM entitlements").await,
        5,
        "due, recorded"
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM payment_instructions").await,
        0
    );

    let wave = wave_id.to_string();
    let (_, status) = operator_json(&env, "siti", &[], &["wave", "status", &wave]).await;
    assert_eq!(
        status["payments"]["pauses"][0]["scope"], "PRAKERJA_CARD",
        "{status}"
    );
    let (_, report) = operator_json(&env, "siti", &[], &["disburse", "report"]).await;
    assert_eq!(
        report["payments"]["pauses"][0]["note"], "card switch down",
        "{report}"
    );

    let (code, bad) = operator_json(
        &env,
        "siti",
        &[],
        &["disburse", "pause", "--provider", "XYZ", "--note", "x"],
    )
    .await;
    assert_eq!(code, 2, "an unknown provider: {bad}");
    let (code, resumed) = operator_json(
        &env,
        "siti",
        &[],
        &[
            "disburse",
            "resume",
            "--provider",
            "PRAKERJA_CARD",
            "--note",
            "switch back",
        ],
    )
    .await;
    assert_eq!(code, 0, "{resumed}");
    assert_eq!(resumed["resumed"][0], "PRAKERJA_CARD");
    wait_for(&address, "prakerja_payments_paused", &card, 0.0).await;

    let next = (day + Days::new(1)).to_string();
    let (code, second) =
        operator_json(&env, "siti", &ahead, &["disburse", "run", "--date", &next]).await;
    assert_eq!(code, 0, "{second}");
    assert_eq!(
        second["summary"]["instructions_created"], 5,
        "the run after the resume instructs them"
    );
    let queue = env.topology().name(Queue::PaymentsInstructions);
    eventually_async(
        "five instructions published",
        Duration::from_secs(60),
        || async { (env.ready(&queue).await == 5).then_some(()) },
    )
    .await;
    wait_for(
        &address,
        "prakerja_relay_published_total",
        &[("relay", "payment-instructions")],
        5.0,
    )
    .await;
    wait_for(
        &address,
        "prakerja_instructions",
        &[("status", "pending"), ("provider", "PRAKERJA_CARD")],
        5.0,
    )
    .await;
    let log = count(
        &env,
        "SELECT count(*) FROM payment_pause_log WHERE done_by = 'siti'",
    )
    .await;
    assert_eq!(log, 2, "the pause and the resume, with who");
    assert!(
        disburser
            .stop(Duration::from_secs(20))
            .await
            .expect("stopped")
    );
}

#[tokio::test]
async fn the_relay_publishes_nothing_to_a_paused_provider_already_in_the_outbox() {
    let env = TestEnv::new().await;
    let (_, day) = drawn_wave(&env, 30, 5).await;
    run(&env, day).await;
    let source = Instructions {
        pool: env.pool().clone(),
    };
    assert_eq!(source.fetch(0, 100).await.expect("fetch").len(), 5);
    let (code, out) = operator_json(
        &env,
        "siti",
        &[],
        &["disburse", "pause", "--note", "provider outage"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["relay_settled"], true);
    assert!(
        source.fetch(0, 100).await.expect("fetch").is_empty(),
        "the relay gets nothing to publish"
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM instruction_outbox").await,
        5,
        "kept for later"
    );

    let stop = CancellationToken::new();
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let disburser = env.app_for(WorkerKind::Disburser);
    let relay = tokio::spawn(workers::relay::supervise(
        disburser.clone(),
        Instructions {
            pool: disburser.pool.clone(),
        },
        wake,
        stop.clone(),
    ));
    let (code, _) =
        operator_json(&env, "siti", &[], &["disburse", "resume", "--note", "back"]).await;
    assert_eq!(code, 0);
    let queue = env.topology().name(Queue::PaymentsInstructions);
    eventually_async(
        "published after the resume",
        Duration::from_secs(60),
        || async { (env.ready(&queue).await == 5).then_some(()) },
    )
    .await;
    stop.cancel();
    relay.await.expect("joined").expect("relay ran");
}

#[tokio::test]
async fn a_run_over_the_ceiling_waits_for_a_second_operator_and_then_pays_exactly_once() {
    let env = TestEnv::with(|s| s.disburser.approval_ceiling = Some(4_000_000)).await;
    let (_, day) = drawn_wave(&env, 30, 5).await;
    let stop = CancellationToken::new();
    let disburser = tokio::spawn(workers::disburser::run(
        env.app_for(WorkerKind::Disburser),
        stop.clone(),
    ));
    let gateway = tokio::spawn(workers::gateway_sim::run(
        env.app_for(WorkerKind::GatewaySimulator),
        workers::gateway_sim::Behaviour::perfect(),
        stop.clone(),
    ));
    let date = day.to_string();
    let (code, ran) =
        operator_json(&env, "alice", &[], &["disburse", "run", "--date", &date]).await;
    assert_eq!(code, 0, "{ran}");
    assert_eq!(ran["hold"]["state"], "awaiting_approval", "{ran}");
    assert_eq!(ran["hold"]["total_amount"], 5_000_000);
    assert_eq!(ran["hold"]["requested_by"][0], "alice");
    let source = Instructions {
        pool: env.pool().clone(),
    };
    assert!(
        source.fetch(0, 100).await.expect("fetch").is_empty(),
        "held from the relay"
    );

    let (code, _) = operator_json(&env, "alice", &[], &["disburse", "approve", &date]).await;
    assert_eq!(code, 2, "the requester cannot approve");
    let output = {
        let mut command = std::process::Command::new(bin(WorkerKind::Prakerja));
        command
            .args(["disburse", "approve", &date])
            .envs(env.process_env(WorkerKind::Prakerja));
        command
            .env("PRAKERJA__DISBURSER__OPERATOR_NAME", "alice")
            .output()
            .expect("runs")
    };
    assert!(
        stderr(&output).contains("second operator"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM payment_instructions WHERE status <> 'pending'"
        )
        .await,
        0,
        "nothing answered: nothing left"
    );
    let (code, approved) = operator_json(
        &env,
        "bob",
        &[],
        &["disburse", "approve", &date, "--note", "checked"],
    )
    .await;
    assert_eq!(code, 0, "{approved}");
    assert_eq!(approved["hold"]["approved_by"], "bob");

    eventually_async(
        "every instruction paid",
        Duration::from_secs(60),
        || async {
            let paid = count(
                &env,
                "SELECT count(*) FROM payment_instructions WHERE status = 'success'",
            )
            .await;
            (paid == 5).then_some(())
        },
    )
    .await;
    let (code, again) =
        operator_json(&env, "alice", &[], &["disburse", "run", "--date", &date]).await;
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["summary"]["instructions_created"], 0);
    let (code, _) = operator_json(&env, "carol", &[], &["disburse", "approve", &date]).await;
    assert_eq!(code, 2, "approved already");
    let (code, _) = operator_json(&env, "carol", &[], &["disburse", "approve", "2020-01-01"]).await;
    assert_eq!(code, 2, "no such run");
    eventually_async(
        "the gateway saw every key",
        Duration::from_secs(30),
        || async {
            (count(&env, "SELECT count(*) FROM gateway_sim.payments").await == 5).then_some(())
        },
    )
    .await;
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM ledger_entries WHERE entry = 'paid'"
        )
        .await,
        5
    );
    assert_eq!(
        count(
            &env,
            "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries"
        )
        .await,
        5_000_000,
        "paid exactly once"
    );
    // The database holds the rule too.
    let refused = sqlx::query("UPDATE run_holds SET approved_by = 'alice' WHERE run_date = $1")
        .bind(day)
        .execute(env.pool())
        .await;
    assert!(refused.is_err(), "an approved hold never changes");
    stop.cancel();
    disburser.await.expect("joined").expect("disburser ran");
    gateway.await.expect("joined").expect("gateway ran");
}
