//! `submitted_at` is the front end's word, so it is bounded: before the wave
//! opened, or later than the registration's receipt beyond the clock
//! allowance, it is `FIELD_INVALID`, and such a registration takes no NIK
//! claim from anyone.

use std::time::Duration;

use chrono::{DateTime, Duration as Days, Utc};
use serde_json::json;
use shared::amqp::Queue;
use uuid::Uuid;

use crate::data;
use crate::helpers::TestEnv;
use crate::validator::{judged, spawn_validator, wait_for_rows};

/// `body` under a new id, claiming `at`.
fn claiming(body: &serde_json::Value, at: DateTime<Utc>) -> (Uuid, Vec<u8>) {
    let mut body = body.clone();
    let id = Uuid::new_v4();
    body["registration_id"] = json!(id);
    body["submitted_at"] = json!(at.to_rfc3339());
    (id, serde_json::to_vec(&body).expect("json"))
}

#[tokio::test]
async fn a_submitted_at_out_of_bounds_is_field_invalid_and_takes_no_claim() {
    let env = TestEnv::new().await;
    let closes = Utc::now() + Days::days(1);
    let wave = data::open(&env, "w", "national:10", closes).await;
    data::wait_until(wave.opened_at + Days::seconds(1)).await;
    let records = data::generate(&wave, 6, 71, 0.0);
    let now = Utc::now();
    let before_open = wave.opened_at - Days::seconds(1);
    let (early, early_body) = claiming(&records[0].json, before_open);
    let (future, future_body) = claiming(&records[1].json, now + Days::hours(1));
    let (skewed, skewed_body) = claiming(&records[2].json, now + Days::seconds(30));
    // A holds its NIK, then a copy claiming a time before the wave opened
    // arrives; for B's NIK the copy arrives first.
    let (holder_a, holder_a_body) = claiming(&records[3].json, now);
    let (thief_a, thief_a_body) = claiming(&records[3].json, wave.opened_at - Days::hours(1));
    let (thief_b, thief_b_body) = claiming(&records[4].json, wave.opened_at - Days::hours(1));
    let (holder_b, holder_b_body) = claiming(&records[4].json, now);
    let (stop, validator) = spawn_validator(&env);
    let mut stored = 0;
    for bodies in [
        vec![
            early_body,
            future_body,
            skewed_body,
            holder_a_body,
            thief_b_body,
        ],
        vec![thief_a_body, holder_b_body],
    ] {
        stored += bodies.len() as i64;
        env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
            .await;
        wait_for_rows(&env, stored, Duration::from_secs(30)).await;
    }
    stop.cancel();
    validator.await.expect("joined").expect("validator ran");
    let judged = judged(&env).await;
    let field_invalid = ("rejected".to_owned(), vec!["FIELD_INVALID".to_owned()]);
    assert_eq!(
        judged[&early], field_invalid,
        "submitted before the wave opened"
    );
    assert_eq!(
        judged[&future], field_invalid,
        "submitted an hour after its receipt"
    );
    assert_eq!(
        judged[&skewed].0, "eligible",
        "30 s ahead is within the clock allowance"
    );
    assert_eq!(judged[&thief_a], field_invalid);
    assert_eq!(judged[&thief_b], field_invalid);
    assert_eq!(judged[&holder_a].0, "eligible", "{:?}", judged[&holder_a]);
    assert_eq!(judged[&holder_b].0, "eligible", "{:?}", judged[&holder_b]);
    let holders: Vec<Uuid> = sqlx::query_scalar(
        "SELECT registration_id FROM nik_claims WHERE nik = ANY($1) ORDER BY nik",
    )
    .bind(vec![
        records[3].json["nik"].as_str().expect("nik"),
        records[4].json["nik"].as_str().expect("nik"),
    ])
    .fetch_all(env.pool())
    .await
    .expect("claims");
    let mut expected = vec![
        (records[3].json["nik"].as_str().expect("nik"), holder_a),
        (records[4].json["nik"].as_str().expect("nik"), holder_b),
    ];
    expected.sort();
    assert_eq!(
        holders,
        expected.into_iter().map(|e| e.1).collect::<Vec<_>>()
    );
}
