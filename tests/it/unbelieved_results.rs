//! Results with a wrong key or for an unknown instruction are recorded,
//! never applied; and a conflict through the real queues holds until an
//! operator resolves it with the `prakerja` binary.

use chrono::{Days, NaiveDate};
use shared::messages::PaymentStatus;
use shared::payments::{Decision, InstructionStatus};
use uuid::Uuid;
use workers::consume::Handler;
use workers::disburser::ResultsHandler;
use workers::disburser::resolve::{ResolveError, resolve};

use crate::cli::prakerja;
use crate::disbursement::{drawn_wave, months_ahead, result, run};
use crate::helpers::{TestEnv, WorkerKind};
use crate::payment_results::{attempts, first_attempts, net, on_hold, report_clean, store};

#[tokio::test]
async fn results_with_a_wrong_key_or_for_an_unknown_instruction_are_never_applied() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 1).await;
    run(&env, selected_on).await;
    let a = first_attempts(&env).await.remove(0);
    let handler = ResultsHandler {
        pool: env.pool().clone(),
    };
    let stranger = Uuid::new_v4();
    let forged = result(a.instruction_id, "E1-A9", PaymentStatus::Success);
    let outcome = handler
        .store(&[
            forged.clone(),
            forged.clone(),
            result(stranger, "E999-A1", PaymentStatus::Success),
        ])
        .await
        .expect("stored");
    assert_eq!(
        (outcome.mismatched, outcome.unknown, outcome.duplicates),
        (1, 1, 1)
    );
    assert_eq!(
        attempts(&env, a.entitlement_id).await[0].status,
        InstructionStatus::Pending
    );
    assert_eq!(net(&env, a.entitlement_id).await, 0);
    assert!(!report_clean(&env).await);
    // The genuine result is not shadowed by the forged one.
    store(&env, &a, &[PaymentStatus::Success]).await;
    assert_eq!(
        attempts(&env, a.entitlement_id).await[0].status,
        InstructionStatus::Success
    );

    let wrong = resolve(env.pool(), a.instruction_id, Decision::Failed, "x", "test").await;
    assert!(
        matches!(wrong, Err(ResolveError::Refused(_))),
        "no conflict: {wrong:?}"
    );
    let unknown = resolve(env.pool(), stranger, Decision::Success, "x", "test").await;
    assert!(
        matches!(unknown, Err(ResolveError::Refused(_))),
        "{unknown:?}"
    );
    let empty = resolve(env.pool(), stranger, Decision::Acknowledged, " ", "test").await;
    assert!(
        matches!(empty, Err(ResolveError::Refused(_))),
        "a note is required"
    );
    for id in [a.instruction_id, stranger] {
        resolve(
            env.pool(),
            id,
            Decision::Acknowledged,
            "forwarded to the gateway's operator",
            "test",
        )
        .await
        .expect("acknowledged");
    }
    assert!(report_clean(&env).await);
    let again = resolve(
        env.pool(),
        stranger,
        Decision::Acknowledged,
        "again",
        "test",
    )
    .await;
    assert!(
        matches!(again, Err(ResolveError::Refused(_))),
        "nothing left: {again:?}"
    );
}

#[tokio::test]
async fn a_conflict_through_the_queues_holds_until_resolved_with_the_cli() {
    let env = TestEnv::with(months_ahead).await;
    let (_, selected_on) = drawn_wave(&env, 12, 1).await;
    let stop = tokio_util::sync::CancellationToken::new();
    let disburser = tokio::spawn(workers::disburser::run(
        env.app_for(WorkerKind::Disburser),
        stop.clone(),
    ));
    let quiet = workers::cli::output::Output { json: true };
    let run_cli = |date: NaiveDate| {
        let app = env.app.clone();
        async move {
            let args = workers::cli::disburse_run::RunArgs {
                date: Some(date.to_string()),
                no_wait: false,
                timeout: 60,
            };
            workers::cli::disburse_run::run(&app, quiet, args)
                .await
                .expect("run")
                .summary
                .expect("summary")
        }
    };
    run_cli(selected_on).await;
    let a = first_attempts(&env).await.remove(0);
    let (connection, publisher) = env.publisher().await;
    for status in [
        PaymentStatus::Failed,
        PaymentStatus::Success,
        PaymentStatus::Success,
    ] {
        let body = result(a.instruction_id, &a.idempotency_key, status);
        publisher
            .publish_json(
                shared::amqp::Queue::PaymentsResults,
                &a.idempotency_key,
                &body,
            )
            .await
            .expect("published");
    }
    let _ = connection.close(200, "done".into()).await;
    crate::helpers::eventually_async(
        "the conflict recorded",
        std::time::Duration::from_secs(30),
        || async { on_hold(&env, a.entitlement_id).await.then_some(()) },
    )
    .await;
    let next = run_cli(selected_on + Days::new(1)).await;
    assert_eq!(next.instructions_created, 0, "on hold");
    assert_eq!(
        prakerja(Some(&env), &["disburse", "report"]).status.code(),
        Some(1)
    );
    let id = a.instruction_id.to_string();
    let no_note = prakerja(
        Some(&env),
        &["disburse", "resolve", &id, "--as", "failed", "--note", ""],
    );
    assert_eq!(no_note.status.code(), Some(2));
    let resolved = prakerja(
        Some(&env),
        &[
            "--json",
            "disburse",
            "resolve",
            &id,
            "--as",
            "failed",
            "--note",
            "bank: never credited",
        ],
    );
    assert_eq!(
        resolved.status.code(),
        Some(0),
        "{}",
        crate::cli::stderr(&resolved)
    );
    let body: serde_json::Value =
        serde_json::from_slice(&resolved.stdout).expect("one JSON object");
    assert_eq!(body["decision"], "failed");
    assert_eq!(body["results"], 1);
    let twice = prakerja(
        Some(&env),
        &[
            "disburse", "resolve", &id, "--as", "failed", "--note", "again",
        ],
    );
    assert_eq!(twice.status.code(), Some(2), "nothing left to resolve");
    assert_eq!(
        prakerja(Some(&env), &["disburse", "report"]).status.code(),
        Some(0)
    );
    let after = run_cli(selected_on + Days::new(2)).await;
    assert_eq!(
        after.instructions_created, 1,
        "tried again, under a new attempt"
    );
    stop.cancel();
    disburser.await.expect("joined").expect("disburser ran");
}
