//! Overpayments and resolutions: a late success of a failed attempt after
//! the retry paid is named as an overpayment to recover; resolutions set
//! what the provider confirmed and the ledger keeps every entry.

use chrono::Days;
use shared::messages::PaymentStatus;
use shared::payments::{Decision, InstructionStatus};
use workers::disburser::resolve::{ResolveError, resolve};

use crate::disbursement::{drawn_wave, run};
use crate::helpers::TestEnv;
use crate::payment_results::{attempts, first_attempts, net, on_hold, report_clean, store};

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
