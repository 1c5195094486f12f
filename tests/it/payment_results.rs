//! Payment results that are not believed: conflicts put the entitlement on
//! hold until an operator resolves them, overpayments are named, results
//! with a wrong key or for an unknown instruction are recorded, never applied.

use chrono::{Days, NaiveDate};
use shared::messages::PaymentStatus;
use shared::payments::{Decision, InstructionStatus};
use uuid::Uuid;
use workers::consume::Handler;
use workers::disburser::ResultsHandler;
use workers::disburser::resolve::{ResolveError, resolve};

use crate::cli::prakerja;
use crate::disbursement::{drawn_wave, months_ahead, result, run};
use crate::helpers::TestEnv;

/// One attempt at one entitlement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Attempt {
    pub instruction_id: Uuid,
    pub idempotency_key: String,
    pub entitlement_id: i64,
    pub attempt: i32,
    pub status: InstructionStatus,
}

pub(crate) async fn attempts(env: &TestEnv, entitlement_id: i64) -> Vec<Attempt> {
    sqlx::query_as(
        "SELECT instruction_id, idempotency_key, entitlement_id, attempt, status \
           FROM payment_instructions WHERE entitlement_id = $1 ORDER BY attempt",
    )
    .bind(entitlement_id)
    .fetch_all(env.pool())
    .await
    .expect("attempts")
}

/// The first attempt of every training fund, one per participant.
pub(crate) async fn first_attempts(env: &TestEnv) -> Vec<Attempt> {
    sqlx::query_as(
        "SELECT instruction_id, idempotency_key, entitlement_id, attempt, status \
           FROM payment_instructions WHERE attempt = 1 ORDER BY entitlement_id",
    )
    .fetch_all(env.pool())
    .await
    .expect("attempts")
}

/// What the ledger says was paid for an entitlement, net.
pub(crate) async fn net(env: &TestEnv, entitlement_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE entitlement_id = $1 \
            AND entry IN ('paid', 'reversed', 'corrected', 'recovered')",
    )
    .bind(entitlement_id)
    .fetch_one(env.pool())
    .await
    .expect("net")
}

pub(crate) async fn on_hold(env: &TestEnv, entitlement_id: i64) -> bool {
    let mut connection = env.pool().acquire().await.expect("connection");
    workers::disburser::resolve::on_hold(&mut connection, entitlement_id)
        .await
        .expect("hold")
}

/// The report's verdict, exactly as `prakerja disburse report` decides its
/// exit code; the invariants must hold in every case here.
pub(crate) async fn report_clean(env: &TestEnv) -> bool {
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("report");
    for invariant in &report.invariants {
        assert!(invariant.holds, "{}: {}", invariant.name, invariant.detail);
    }
    workers::cli::disburse_report::verdict(&report).is_ok()
}

pub(crate) async fn store(env: &TestEnv, attempt: &Attempt, statuses: &[PaymentStatus]) {
    let handler = ResultsHandler {
        pool: env.pool().clone(),
    };
    let batch: Vec<_> = statuses
        .iter()
        .map(|s| result(attempt.instruction_id, &attempt.idempotency_key, *s))
        .collect();
    handler.store(&batch).await.expect("results stored");
}

#[tokio::test]
async fn a_success_after_a_failure_holds_the_entitlement_and_fails_the_report() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 1).await;
    run(&env, selected_on).await;
    let a = first_attempts(&env).await.remove(0);
    store(&env, &a, &[PaymentStatus::Failed]).await;
    store(&env, &a, &[PaymentStatus::Success]).await;
    let report = prakerja(Some(&env), &["disburse", "report"]);
    assert_eq!(
        report.status.code(),
        Some(1),
        "an unresolved conflict fails the report"
    );
    let next = run(&env, selected_on + Days::new(1)).await;
    assert_eq!(
        next.instructions_created, 0,
        "the money may have gone out: no new attempt until an operator resolves it"
    );
}

/// One case: results for one instruction, in order (each also delivered
/// with copies), and what must follow.
struct Case {
    results: [PaymentStatus; 2],
    status: InstructionStatus,
    paid: bool,
    conflict: bool,
}

#[tokio::test]
async fn every_ordered_pair_of_results_with_and_without_copies() {
    use InstructionStatus as I;
    use PaymentStatus::{Failed as F, Reversed as R, Success as S};
    let case = |results, status, paid, conflict| Case {
        results,
        status,
        paid,
        conflict,
    };
    let cases = [
        case([S, S], I::Success, true, false),
        case([F, F], I::Failed, false, false),
        case([R, R], I::Reversed, false, false),
        case([S, F], I::Success, true, true),
        case([F, S], I::Failed, false, true),
        // The normal way back to a new attempt.
        case([S, R], I::Reversed, false, false),
        // A success arriving after the reversal that undid it: a late copy.
        case([R, S], I::Reversed, false, false),
        case([F, R], I::Failed, false, true),
        case([R, F], I::Reversed, false, true),
    ];
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 40, 2 * cases.len() as u64).await;
    run(&env, selected_on).await;
    let firsts = first_attempts(&env).await;
    let mut date = selected_on;
    for (i, case) in cases.iter().enumerate() {
        let [a, b] = case.results;
        let sequences = [vec![a, b], vec![a, a, b, a, b, b]];
        for (copies, statuses) in sequences.iter().enumerate() {
            let attempt = &firsts[2 * i + copies];
            let what = format!(
                "{a:?} then {b:?}{}",
                if copies == 1 { " with copies" } else { "" }
            );
            // Delivered one result per batch, then the whole sequence again
            // as one batch (a redelivery): it changes nothing.
            for status in statuses {
                store(&env, attempt, &[*status]).await;
            }
            store(&env, attempt, statuses).await;
            let e = attempt.entitlement_id;
            let now = attempts(&env, e).await;
            assert_eq!(now.len(), 1, "{what}");
            assert_eq!(now[0].status, case.status, "{what}: status");
            let amount = 1_000_000;
            assert_eq!(
                net(&env, e).await,
                if case.paid { amount } else { 0 },
                "{what}: ledger"
            );
            assert_eq!(on_hold(&env, e).await, case.conflict, "{what}: hold");
            assert_eq!(report_clean(&env).await, !case.conflict, "{what}: report");

            date = date + Days::new(1);
            run(&env, date).await;
            let retried = attempts(&env, e).await.len() > 1;
            let expect_retry = !case.paid && !case.conflict;
            assert_eq!(
                retried, expect_retry,
                "{what}: a new attempt on the next run"
            );

            if case.conflict {
                // The operator checks with the provider; the hold lifts.
                let decision = if case.paid {
                    Decision::Success
                } else {
                    Decision::Failed
                };
                resolve(
                    env.pool(),
                    attempt.instruction_id,
                    decision,
                    "checked",
                    "test",
                )
                .await
                .expect("resolved");
                assert!(!on_hold(&env, e).await, "{what}: hold lifted");
                assert!(
                    report_clean(&env).await,
                    "{what}: report clean once resolved"
                );
                assert_eq!(net(&env, e).await, if case.paid { amount } else { 0 });
                date = date + Days::new(1);
                run(&env, date).await;
                assert_eq!(
                    attempts(&env, e).await.len() > 1,
                    !case.paid,
                    "{what}: after the resolution, a new attempt only if it was not paid"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_late_success_of_a_failed_attempt_after_the_retry_paid_is_an_overpayment_to_recover() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 2).await;
    run(&env, selected_on).await;
    let firsts = first_attempts(&env).await;
    let mut date = selected_on;
    // Two orders: the retry's success before the late success, and after it.
    for (n, first) in firsts.iter().enumerate() {
        let e = first.entitlement_id;
        store(&env, first, &[PaymentStatus::Failed]).await;
        date = date + Days::new(1);
        run(&env, date).await;
        let retry = attempts(&env, e).await.remove(1);
        assert_eq!(retry.attempt, 2);
        if n == 0 {
            store(&env, &retry, &[PaymentStatus::Success]).await;
            store(
                &env,
                first,
                &[PaymentStatus::Success, PaymentStatus::Success],
            )
            .await;
        } else {
            store(&env, first, &[PaymentStatus::Success]).await;
            assert!(on_hold(&env, e).await);
            assert!(!report_clean(&env).await);
            store(
                &env,
                &retry,
                &[PaymentStatus::Success, PaymentStatus::Success],
            )
            .await;
        }
        assert!(on_hold(&env, e).await);
        assert_eq!(
            net(&env, e).await,
            1_000_000,
            "the ledger shows what was confirmed"
        );
        let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
            .await
            .expect("report");
        let over = &report.unresolved.overpayments;
        assert_eq!(over.len(), 1, "{over:?}");
        assert_eq!(
            (
                over[0].entitlement_id,
                over[0].amount,
                over[0].paid_instruction,
                over[0].conflicting_instruction
            ),
            (e, 1_000_000, retry.instruction_id, first.instruction_id)
        );
        assert!(over[0].nik_masked.contains("**"), "the NIK is masked");
        assert!(workers::cli::disburse_report::verdict(&report).is_err());
        date = date + Days::new(1);
        run(&env, date).await;
        assert_eq!(attempts(&env, e).await.len(), 2, "no third attempt");

        // Success is not a possible answer: the retry paid.
        let refused = resolve(
            env.pool(),
            first.instruction_id,
            Decision::Success,
            "?",
            "test",
        )
        .await;
        assert!(
            matches!(refused, Err(ResolveError::Refused(_))),
            "{refused:?}"
        );
        if n == 0 {
            // Both paid; the money came back.
            resolve(
                env.pool(),
                first.instruction_id,
                Decision::Recovered,
                "returned by the participant",
                "test",
            )
            .await
            .expect("recovered");
            let entries: Vec<(String, i64)> = sqlx::query_as(
                "SELECT entry, amount FROM ledger_entries WHERE entitlement_id = $1 ORDER BY entry_id",
            )
            .bind(e)
            .fetch_all(env.pool())
            .await
            .expect("ledger");
            assert_eq!(
                entries,
                [
                    ("paid".to_owned(), 1_000_000),
                    ("corrected".into(), 1_000_000),
                    ("recovered".into(), -1_000_000)
                ],
                "the ledger shows both payments and the recovery"
            );
        } else {
            resolve(
                env.pool(),
                first.instruction_id,
                Decision::Failed,
                "the bank says it bounced",
                "test",
            )
            .await
            .expect("failed");
        }
        assert_eq!(net(&env, e).await, 1_000_000);
        assert!(report_clean(&env).await);
    }
}

#[tokio::test]
async fn a_failure_after_a_success_resolved_as_failed_is_tried_again_and_the_ledger_keeps_both() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 1).await;
    run(&env, selected_on).await;
    let a = first_attempts(&env).await.remove(0);
    store(&env, &a, &[PaymentStatus::Success, PaymentStatus::Failed]).await;
    let resolved = resolve(
        env.pool(),
        a.instruction_id,
        Decision::Failed,
        "never credited",
        "siti",
    )
    .await
    .expect("resolved");
    assert_eq!(resolved.status_after, Some(InstructionStatus::Failed));
    let (paid, by, note): (bool, String, String) = sqlx::query_as(
        "SELECT e.paid, r.resolved_by, r.note FROM entitlements e, payment_resolutions r \
          WHERE e.entitlement_id = $1 AND r.instruction_id = $2",
    )
    .bind(a.entitlement_id)
    .bind(a.instruction_id)
    .fetch_one(env.pool())
    .await
    .expect("resolution");
    assert_eq!(
        (paid, by.as_str(), note.as_str()),
        (false, "siti", "never credited")
    );
    let entries: Vec<(String, i64)> = sqlx::query_as(
        "SELECT entry, amount FROM ledger_entries WHERE entitlement_id = $1 ORDER BY entry_id",
    )
    .bind(a.entitlement_id)
    .fetch_all(env.pool())
    .await
    .expect("ledger");
    assert_eq!(
        entries,
        [
            ("paid".to_owned(), 1_000_000),
            ("corrected".into(), -1_000_000)
        ]
    );
    run(&env, selected_on + Days::new(1)).await;
    assert_eq!(attempts(&env, a.entitlement_id).await.len(), 2);
    // A copy of the conflicting result arriving now changes nothing.
    store(&env, &a, &[PaymentStatus::Failed, PaymentStatus::Success]).await;
    assert!(!on_hold(&env, a.entitlement_id).await);
    assert!(report_clean(&env).await);
}

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
    let disburser = tokio::spawn(workers::disburser::run(env.app.clone(), stop.clone()));
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
