//! Closing does not race the queue: a registration submitted before the
//! close and still queued (or in a validator's hands) is in the draw; one
//! submitted after the close is rejected WAVE_CLOSED.

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use serde_json::json;
use shared::amqp::Queue;
use uuid::Uuid;

use crate::data;
use crate::helpers::{TestEnv, eventually_async};
use crate::selection::{close, spawn_selector, wait_drawn};
use crate::validator::spawn_validator;

#[tokio::test]
async fn closing_with_100000_registrations_still_queued_draws_every_one_of_them() {
    let env = TestEnv::new().await;
    let scheduled_close = Utc::now() + Days::days(1);
    let wave = data::open(&env, "w", "proportional:5000", scheduled_close).await;
    // Registered in the wave's first two seconds (before the close).
    data::wait_until(wave.opened_at + Days::seconds(2)).await;
    let records = data::generate(&wave, 100_000, 41, 0.0);
    env.publish_raw(Queue::RegistrationsSubmitted, &data::bodies(&records))
        .await;
    let (stop_selector, selector) = spawn_selector(&env);
    let (stop_a, a) = spawn_validator(&env);
    let (stop_b, b) = spawn_validator(&env);
    eventually_async("validation under way", Duration::from_secs(60), || async {
        (crate::validator::stored_count(&env).await > 0).then_some(())
    })
    .await;
    close(&env, wave.wave_id).await;
    let queued_at_close = env
        .ready(&env.topology().name(Queue::RegistrationsSubmitted))
        .await;
    let stored_at_close = crate::validator::stored_count(&env).await;
    assert!(
        queued_at_close > 10_000,
        "closed while the queue was full ({queued_at_close} queued)"
    );
    assert!(
        stored_at_close < 90_000,
        "closed before validation finished ({stored_at_close} stored)"
    );

    // Submitted after the close: rejected, whenever it arrives.
    let late: Vec<Vec<u8>> = records[..50]
        .iter()
        .map(|r| {
            let mut body = r.json.clone();
            body["registration_id"] = json!(Uuid::new_v4());
            body["nik"] = json!(format!(
                "{}",
                3_171_019_900_000_000_u64 + body["nik"].as_str().map_or(0, |n| n.len() as u64)
            ));
            body["submitted_at"] = json!((Utc::now() + Days::minutes(1)).to_rfc3339());
            serde_json::to_vec(&body).expect("json")
        })
        .collect();
    env.publish_raw(Queue::RegistrationsSubmitted, &late).await;

    wait_drawn(&env, wave.wave_id, Duration::from_secs(300)).await;
    let (eligible, candidates): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM registrations WHERE wave_id = $1 AND status = 'eligible'), \
                (SELECT count(*) FROM selection_results WHERE wave_id = $1)",
    )
    .bind(i64::from(wave.wave_id))
    .fetch_one(env.pool())
    .await
    .expect("counts");
    let valid = records.iter().filter(|r| r.expected.is_empty()).count() as i64;
    assert_eq!(
        eligible, valid,
        "every registration submitted before the close is eligible"
    );
    assert_eq!(candidates, eligible, "and every one of them is in the draw");

    // One submitted before the close but delivered after the draw started is
    // refused as well: the draw's inputs never change once frozen.
    let mut straggler = records[0].json.clone();
    straggler["registration_id"] = json!(Uuid::new_v4());
    straggler["nik"] = json!("3171015508900009");
    env.publish_raw(
        Queue::RegistrationsSubmitted,
        &[serde_json::to_vec(&straggler).expect("json")],
    )
    .await;
    let closed = eventually_async("the late ones judged", Duration::from_secs(60), || async {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations WHERE wave_id = $1 AND 'WAVE_CLOSED' = ANY(reasons)")
            .bind(i64::from(wave.wave_id))
            .fetch_one(env.pool())
            .await
            .expect("count");
        (n >= 51).then_some(n)
    })
    .await;
    for stop in [stop_selector, stop_a, stop_b] {
        stop.cancel();
    }
    for handle in [selector, a, b] {
        handle.await.expect("joined").expect("worker ran");
    }
    assert_eq!(closed, 51);
}
