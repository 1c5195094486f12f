//! `prakerja participant payout`: a participant whose incentive failed gets
//! a new account, validated like a registration's, recorded with history;
//! the next attempt uses it, in the instruction and in its body.

use chrono::Days;
use shared::messages::{PaymentStatus, TrainingEventKind};
use workers::consume::Handler;
use workers::disburser::{EventsHandler, ResultsHandler};

use crate::disbursement::{
    drawn_wave, event, instructions, months_ahead, participants, result, run,
};
use crate::helpers::TestEnv;
use crate::steering::operator_json;

#[tokio::test]
async fn a_failed_payout_gets_a_new_account_and_the_next_attempt_uses_it() {
    let env = TestEnv::with(months_ahead).await;
    let (_, day) = drawn_wave(&env, 30, 3).await;
    run(&env, day).await;
    let results = ResultsHandler {
        pool: env.pool().clone(),
    };
    let funds: Vec<_> = instructions(&env)
        .await
        .iter()
        .map(|i| result(i.0, &i.1, PaymentStatus::Success))
        .collect();
    results.store(&funds).await.expect("training funds paid");
    let (_, nik, _) = participants(&env).await.remove(0);
    let events = EventsHandler::new(env.pool().clone(), &env.app.settings);
    events
        .store(&[
            event(
                &nik,
                TrainingEventKind::Purchased,
                day + Days::new(1),
                None,
                "Pintaria",
            ),
            event(
                &nik,
                TrainingEventKind::Completed,
                day + Days::new(2),
                None,
                "Pintaria",
            ),
        ])
        .await
        .expect("events");
    run(&env, day + Days::new(3)).await;
    let first: (uuid::Uuid, String, String, String) = sqlx::query_as(
        "SELECT instruction_id, idempotency_key, payout_provider, payout_account FROM payment_instructions \
          WHERE kind = 'incentive'",
    )
    .fetch_one(env.pool())
    .await
    .expect("the incentive's first attempt");
    assert_eq!(first.2, "OVO");
    results
        .store(&[result(first.0, &first.1, PaymentStatus::Failed)])
        .await
        .expect("it failed");

    let change = async |args: &[&str]| {
        let mut all = vec!["participant", "payout"];
        all.extend_from_slice(args);
        operator_json(&env, "dewi", &[], &all).await
    };
    let (code, out) = change(&[
        "3171019999999999",
        "--method",
        "bank",
        "--provider",
        "BNI",
        "--account",
        "1234567890",
    ])
    .await;
    assert_eq!(code, 2, "an unknown NIK: {out}");
    assert!(
        out["error"]
            .as_str()
            .unwrap_or_default()
            .contains("no participant"),
        "{out}"
    );
    let (code, out) = change(&[
        &nik,
        "--method",
        "ewallet",
        "--provider",
        "OVO",
        "--account",
        "081299999999",
    ])
    .await;
    assert_eq!(
        code, 2,
        "an e-wallet that is not the registered phone: {out}"
    );
    assert!(
        out["error"]
            .as_str()
            .unwrap_or_default()
            .contains("registered phone"),
        "{out}"
    );
    let (code, out) = change(&[
        &nik,
        "--method",
        "bank",
        "--provider",
        "BNI",
        "--account",
        "12345",
    ])
    .await;
    assert_eq!(code, 2, "a BNI account has 10 digits: {out}");
    let (code, out) = change(&[
        &nik,
        "--method",
        "ewallet",
        "--provider",
        "BNI",
        "--account",
        "1234567890",
    ])
    .await;
    assert_eq!(code, 2, "BNI is a bank: {out}");
    let (code, out) = change(&[
        &nik,
        "--method",
        "bank",
        "--provider",
        "BNI",
        "--account",
        "1234567890",
        "--note",
        "ACCOUNT_BLOCKED, ticket 42",
    ])
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["new"], "bank BNI 1234****90");
    assert!(!out.to_string().contains("1234567890"), "masked: {out}");

    let history: (String, String, String) =
        sqlx::query_as("SELECT old_masked, new_masked, changed_by FROM payout_changes")
            .fetch_one(env.pool())
            .await
            .expect("history");
    assert_eq!(history.1, "1234****90");
    assert_eq!(history.2, "dewi");
    assert!(
        history.0.starts_with("0812") && history.0.contains('*'),
        "{history:?}"
    );

    run(&env, day + Days::new(4)).await;
    let second: (i32, String, String, String) = sqlx::query_as(
        "SELECT attempt, payout_provider, payout_account, body FROM payment_instructions \
          WHERE kind = 'incentive' ORDER BY attempt DESC LIMIT 1",
    )
    .fetch_one(env.pool())
    .await
    .expect("the next attempt");
    assert_eq!(
        (second.0, second.1.as_str(), second.2.as_str()),
        (2, "BNI", "1234567890")
    );
    let body: serde_json::Value = serde_json::from_str(&second.3).expect("json body");
    assert_eq!(body["payout"]["method"], "bank");
    assert_eq!(body["payout"]["provider"], "BNI");
    assert_eq!(body["payout"]["account"], "1234567890");
}
