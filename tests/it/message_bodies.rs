//! Every body the outboxes publish is serialized from its contract type in
//! `shared::messages` (no JSON is assembled in SQL): each parses back into
//! its type, and that type writes exactly the same JSON again (no field
//! missing, none extra, none of another type).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::amqp::Queue;
use shared::messages::{ParticipantSelected, PaymentInstruction};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use workers::relay::{self, Instructions};

use crate::data;
use crate::disbursement::run;
use crate::helpers::{TestEnv, eventually_async};
use crate::selection::{close, spawn_selector, wait_drawn};

/// Parses `body` into `T` and checks that `T` writes the same JSON value.
fn parses_back<T: Serialize + DeserializeOwned>(queue: &str, body: &[u8]) -> T {
    let text = String::from_utf8_lossy(body);
    let typed: T = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("a {queue} body is not its type ({e}): {text}"));
    let again = serde_json::to_value(&typed).expect("serializable");
    let published: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(
        again, published,
        "a {queue} body is not what its type writes"
    );
    typed
}

async fn unsent(env: &TestEnv, sql: &str) -> Option<()> {
    let left: i64 = sqlx::query_scalar(sql)
        .fetch_one(env.pool())
        .await
        .expect("count");
    (left == 0).then_some(())
}

#[tokio::test]
async fn announcements_and_instructions_are_their_contract_types() {
    let env = TestEnv::new().await;
    let wave = data::open(
        &env,
        "w",
        "national:6",
        Utc::now() + chrono::Duration::days(1),
    )
    .await;
    data::seed_eligible(&env, wave.wave_id, 40, 3_171_010_000_000_000, &["31", "32"]).await;
    let (stop_selector, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    eventually_async(
        "every participant announced",
        Duration::from_secs(30),
        || {
            unsent(
                &env,
                "SELECT count(*) FROM participants WHERE announced_at IS NULL",
            )
        },
    )
    .await;
    stop_selector.cancel();
    selector.await.expect("joined").expect("selector ran");

    let announced = env
        .drain(&env.topology().name(Queue::ParticipantsSelected))
        .await;
    assert_eq!(announced.len(), 6, "one announcement per participant");
    for message in &announced {
        let selected: ParticipantSelected = parses_back("participants.selected", &message.data);
        assert_eq!(selected.wave_id, wave.wave_id as u32);
        assert_eq!(selected.card_number.len(), 16);
    }

    let selected_on: chrono::NaiveDate =
        sqlx::query_scalar("SELECT min(selected_on) FROM participants")
            .fetch_one(env.pool())
            .await
            .expect("selected_on");
    let summary = run(&env, selected_on).await;
    assert!(summary.first_execution);
    let stop_relay = CancellationToken::new();
    let relay = tokio::spawn(relay::supervise(
        env.app.clone(),
        Instructions {
            pool: env.pool().clone(),
        },
        Arc::new(Notify::new()),
        stop_relay.clone(),
    ));
    eventually_async(
        "every instruction published",
        Duration::from_secs(30),
        || unsent(&env, "SELECT count(*) FROM instruction_outbox"),
    )
    .await;
    stop_relay.cancel();
    relay.await.expect("joined").expect("relay ran");

    let published = env
        .drain(&env.topology().name(Queue::PaymentsInstructions))
        .await;
    assert_eq!(published.len(), 6, "one training-fund instruction each");
    for message in &published {
        let instruction: PaymentInstruction = parses_back("payments.instructions", &message.data);
        let (key, attempt, stored): (String, i32, String) = sqlx::query_as(
            "SELECT idempotency_key, attempt, body FROM payment_instructions WHERE instruction_id = $1",
        )
        .bind(instruction.instruction_id)
        .fetch_one(env.pool())
        .await
        .expect("the instruction is stored");
        assert_eq!(instruction.idempotency_key, key);
        assert_eq!(instruction.attempt as i32, attempt);
        assert_eq!(stored.as_bytes(), &message.data[..], "sent as stored");
        assert_eq!(instruction.currency, "IDR");
        assert_eq!(instruction.created_at.offset().local_minus_utc(), 7 * 3600);
    }
}
