//! Payment results that are not believed: conflicts put the entitlement on
//! hold until an operator resolves them, overpayments are named, results
//! with a wrong key or for an unknown instruction are recorded, never applied.

use chrono::Days;
use shared::messages::PaymentStatus;
use shared::payments::{Decision, InstructionStatus};
use uuid::Uuid;
use workers::consume::Handler;
use workers::disburser::ResultsHandler;
use workers::disburser::resolve::resolve;

use crate::cli::prakerja;
use crate::disbursement::{drawn_wave, result, run};
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
