//! The validator end to end: queue in, judged rows out.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, Timelike, Utc};
use serde_json::json;
use shared::amqp::{Queue, dead_reason};
use shared::domain::ReasonCode;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::data;
use crate::helpers::{TestEnv, WorkerKind, eventually_async};

/// Runs a validator in this process until the token is cancelled.
pub fn spawn_validator(
    env: &TestEnv,
) -> (
    CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let token = CancellationToken::new();
    let handle = tokio::spawn(workers::validator::run(
        env.app_for(WorkerKind::Validator),
        token.clone(),
    ));
    (token, handle)
}

pub async fn stored_count(env: &TestEnv) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM registrations")
        .fetch_one(env.pool())
        .await
        .expect("count")
}

pub async fn wait_for_rows(env: &TestEnv, rows: i64, timeout: Duration) {
    eventually_async(&format!("{rows} stored registrations"), timeout, || async {
        (stored_count(env).await >= rows).then_some(())
    })
    .await;
}

/// Every stored registration: id -> (status, reasons).
pub async fn judged(env: &TestEnv) -> BTreeMap<Uuid, (String, Vec<String>)> {
    let rows: Vec<(Uuid, String, Vec<String>)> =
        sqlx::query_as("SELECT registration_id, status, reasons::text[] FROM registrations")
            .fetch_all(env.pool())
            .await
            .expect("rows");
    rows.into_iter()
        .map(|(id, status, reasons)| (id, (status, reasons)))
        .collect()
}

#[tokio::test]
async fn ingested_registrations_are_stored_once_with_every_reason_that_applies() {
    let env = TestEnv::new().await;
    let (_, records) = data::queued_wave(&env, "proportional:100", 3000, 7, 0.15).await;
    let (stop, handle) = spawn_validator(&env);
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(60)).await;
    stop.cancel();
    handle.await.expect("joined").expect("validator ran");

    let stored = judged(&env).await;
    assert_eq!(stored.len(), records.len(), "one row per registration_id");
    let mut seen_reasons = std::collections::BTreeSet::new();
    for record in &records {
        let (status, reasons) = &stored[&data::id(record)];
        let expected: Vec<String> = data::expected(record)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        assert_eq!(reasons, &expected, "reasons of {}", record.json);
        assert_eq!(status == "eligible", expected.is_empty());
        seen_reasons.extend(expected);
    }
    for code in [
        "NIK_FORMAT",
        "NIK_SEX",
        "DUPLICATE_NIK",
        "WAVE_UNKNOWN",
        "WAVE_CLOSED",
        "FIELD_MISSING",
        "CONTACT",
        "PAYOUT_ACCOUNT",
    ] {
        assert!(seen_reasons.contains(code), "the data exercises {code}");
    }
    assert_eq!(
        env.ready(&env.topology().name(Queue::RegistrationsSubmitted))
            .await,
        0
    );
}

#[tokio::test]
async fn a_registration_id_delivered_again_is_one_registration() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let records = data::generate(&wave, 20, 3, 0.0);
    let original = records[0].json.clone();
    let mut changed = original.clone();
    changed["full_name"] = json!("Someone Else");
    let bodies: Vec<Vec<u8>> = [&original, &original, &changed, &original]
        .iter()
        .map(|v| serde_json::to_vec(v).expect("json"))
        .collect();
    env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    let (stop, handle) = spawn_validator(&env);
    wait_for_rows(&env, 1, Duration::from_secs(30)).await;
    eventually_async("the queue drained", Duration::from_secs(30), || async {
        (env.ready(&env.topology().name(Queue::RegistrationsSubmitted))
            .await
            == 0)
            .then_some(())
    })
    .await;
    stop.cancel();
    handle.await.expect("joined").expect("validator ran");
    assert_eq!(stored_count(&env).await, 1);
    let name: String = sqlx::query_scalar("SELECT full_name FROM registrations")
        .fetch_one(env.pool())
        .await
        .expect("row");
    assert_eq!(
        name,
        original["full_name"].as_str().expect("name"),
        "the first delivery is the registration"
    );
}

#[tokio::test]
async fn poison_messages_are_dead_lettered_with_a_reason_and_block_nothing() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 10, 5, 0.0);
    let mut bodies: Vec<Vec<u8>> = vec![
        b"this is not json".to_vec(),
        b"[1, 2, 3]".to_vec(),
        serde_json::to_vec(&json!({"wave_id": wave.wave_id})).expect("json"),
        serde_json::to_vec(&json!({"registration_id": "not-a-uuid", "wave_id": wave.wave_id}))
            .expect("json"),
        serde_json::to_vec(&json!({"registration_id": Uuid::new_v4(), "wave_id": -5}))
            .expect("json"),
    ];
    // Broken but storable: rejected with FIELD_MISSING, not dead-lettered.
    let incomplete = Uuid::new_v4();
    bodies.push(
        serde_json::to_vec(&json!({"registration_id": incomplete, "wave_id": wave.wave_id}))
            .expect("json"),
    );
    bodies.extend(data::bodies(&good));
    env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    let (stop, handle) = spawn_validator(&env);
    wait_for_rows(&env, 11, Duration::from_secs(30)).await;
    let dead_queue = env.topology().dead_name(Queue::RegistrationsSubmitted);
    let dead = eventually_async("five dead letters", Duration::from_secs(30), || async {
        let ready = env.ready(&dead_queue).await;
        (ready >= 5).then_some(ready)
    })
    .await;
    stop.cancel();
    handle.await.expect("joined").expect("validator ran");
    assert_eq!(dead, 5);
    let messages = env.drain(&dead_queue).await;
    for message in &messages {
        let reason = dead_reason(&message.delivery.properties).expect("a reason header");
        assert!(!reason.is_empty());
    }
    let reasons: Vec<String> = messages
        .iter()
        .filter_map(|m| dead_reason(&m.delivery.properties))
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("registration_id")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("wave_id")), "{reasons:?}");
    let (status, reasons): (String, Vec<String>) = sqlx::query_as(
        "SELECT status, reasons::text[] FROM registrations WHERE registration_id = $1",
    )
    .bind(incomplete)
    .fetch_one(env.pool())
    .await
    .expect("the incomplete registration is stored");
    assert_eq!(status, "rejected");
    assert!(reasons.contains(&ReasonCode::FieldMissing.as_str().to_owned()));
    assert_eq!(
        env.ready(&env.topology().name(Queue::RegistrationsSubmitted))
            .await,
        0
    );
}

/// Registrations sharing NIKs, submitted in both orders: every third one
/// has a copy claiming the window's first second (no later than it) or its
/// last (no earlier).
fn with_duplicates(wave_id: u32, window: (DateTime<Utc>, DateTime<Utc>)) -> Vec<Vec<u8>> {
    let records = data::generate_between(wave_id, 1500, 11, window, 0.0);
    let first = window.0.with_nanosecond(0).expect("whole second") + Days::seconds(1);
    let last = window.1.with_nanosecond(0).expect("whole second") - Days::seconds(1);
    let mut bodies = Vec::new();
    for (i, record) in records.iter().enumerate() {
        bodies.push(serde_json::to_vec(&record.json).expect("json"));
        if i % 3 == 0 {
            let mut copy = record.json.clone();
            copy["registration_id"] = json!(Uuid::new_v4());
            let at = if i % 2 == 0 { first } else { last };
            copy["submitted_at"] = json!(at.to_rfc3339());
            bodies.push(serde_json::to_vec(&copy).expect("json"));
        }
    }
    // A fixed shuffle, so both runs see the same input in a scrambled order.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in (1..bodies.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bodies.swap(i, (state % (i as u64 + 1)) as usize);
    }
    bodies
}

#[tokio::test]
async fn two_validators_leave_exactly_the_state_one_would() {
    let one = TestEnv::new().await;
    let two = TestEnv::new().await;
    let closes = Utc::now() + Days::seconds(3);
    let wave_one = data::open(&one, "w", "national:10", closes).await;
    let wave_two = data::open(&two, "w", "national:10", closes).await;
    assert_eq!(wave_one.wave_id, wave_two.wave_id);
    data::wait_until(closes).await;
    // One body for both databases: inside both waves' windows.
    let window = (wave_one.opened_at.max(wave_two.opened_at), closes);
    let bodies = with_duplicates(wave_one.wave_id as u32, window);
    one.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    two.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;

    let (stop_one, single) = spawn_validator(&one);
    let (stop_a, a) = spawn_validator(&two);
    let (stop_b, b) = spawn_validator(&two);
    wait_for_rows(&one, bodies.len() as i64, Duration::from_secs(90)).await;
    wait_for_rows(&two, bodies.len() as i64, Duration::from_secs(90)).await;
    for stop in [stop_one, stop_a, stop_b] {
        stop.cancel();
    }
    for handle in [single, a, b] {
        handle.await.expect("joined").expect("validator ran");
    }
    let alone = judged(&one).await;
    let together = judged(&two).await;
    let duplicates = alone
        .values()
        .filter(|(_, r)| r.contains(&"DUPLICATE_NIK".to_owned()))
        .count();
    assert_eq!(duplicates, 500, "one of each pair is the duplicate");
    assert_eq!(alone, together);
}
