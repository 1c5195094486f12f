//! Frozen means frozen: once a wave's draw inputs are frozen (`drawing`),
//! nothing that arrives can change its candidates, whatever time it claims.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, Utc};
use serde_json::json;
use shared::amqp::Queue;
use shared::generate::Generated;
use uuid::Uuid;
use workers::waves::Wave;

use crate::data;
use crate::helpers::TestEnv;
use crate::selection::{close, spawn_selector, wait_drawn};
use crate::validator::{judged, spawn_validator, stored_count, wait_for_rows};

/// A copy of `record` under a new id, claiming to be submitted one second
/// before it.
fn backdated_copy(record: &Generated) -> (Uuid, Vec<u8>) {
    let mut body = record.json.clone();
    let id = Uuid::new_v4();
    body["registration_id"] = json!(id);
    let at = DateTime::parse_from_rfc3339(body["submitted_at"].as_str().expect("submitted_at"))
        .expect("a time");
    body["submitted_at"] = json!((at - Days::seconds(1)).to_rfc3339());
    (id, serde_json::to_vec(&body).expect("json"))
}

/// Every claim of the wave: NIK -> (submitted_at, holder).
async fn claims(env: &TestEnv, wave_id: i32) -> BTreeMap<String, (DateTime<Utc>, Uuid)> {
    let rows: Vec<(String, DateTime<Utc>, Uuid)> = sqlx::query_as(
        "SELECT nik, submitted_at, registration_id FROM nik_claims WHERE wave_id = $1",
    )
    .bind(i64::from(wave_id))
    .fetch_all(env.pool())
    .await
    .expect("claims");
    rows.into_iter()
        .map(|(nik, at, id)| (nik, (at, id)))
        .collect()
}

/// Delivers the copies, waits until they are stored, and checks that each
/// was rejected `WAVE_CLOSED` and that nothing else changed.
async fn deliver_copies_and_check(env: &TestEnv, wave_id: i32, originals: &[&Generated]) {
    let before_claims = claims(env, wave_id).await;
    let before = judged(env).await;
    let (ids, bodies): (Vec<Uuid>, Vec<Vec<u8>>) =
        originals.iter().map(|r| backdated_copy(r)).unzip();
    env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    wait_for_rows(
        env,
        before.len() as i64 + ids.len() as i64,
        Duration::from_secs(60),
    )
    .await;
    let after = judged(env).await;
    for id in &ids {
        let (status, reasons) = &after[id];
        assert_eq!(status, "rejected");
        assert!(
            reasons.contains(&"WAVE_CLOSED".to_owned()),
            "a copy delivered after the freeze is WAVE_CLOSED: {reasons:?}"
        );
    }
    for (id, judgement) in &before {
        assert_eq!(&after[id], judgement, "registration {id} was judged again");
    }
    for original in originals {
        assert_eq!(after[&data::id(original)].0, "eligible");
    }
    assert_eq!(
        claims(env, wave_id).await,
        before_claims,
        "no NIK claim moved"
    );
}

async fn audit_matches(env: &TestEnv, wave_id: i32) {
    let report = workers::audit::audit_wave(env.pool(), i64::from(wave_id), 0.001)
        .await
        .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);
}

#[tokio::test]
async fn a_backdated_copy_delivered_while_the_wave_is_drawing_takes_nothing() {
    let env = TestEnv::new().await;
    let (wave, records) = data::queued_wave(&env, "proportional:40", 400, 61, 0.0).await;
    let (stop_validator, validator) = spawn_validator(&env);
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(60)).await;
    workers::waves::close_wave(
        env.pool(),
        i64::from(wave.wave_id),
        &workers::waves::CloseRequest::default(),
    )
    .await
    .expect("close");
    // What the selector does once the queue has drained: the inputs freeze.
    assert!(
        workers::selector::inputs::freeze(env.pool(), wave.wave_id)
            .await
            .expect("freeze")
    );
    let originals: Vec<&Generated> = records.iter().step_by(10).collect();
    deliver_copies_and_check(&env, wave.wave_id, &originals).await;

    // The draw resumes from the frozen inputs; every original is a candidate.
    let (stop_selector, selector) = spawn_selector(&env);
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop_selector.cancel();
    stop_validator.cancel();
    selector.await.expect("joined").expect("selector ran");
    validator.await.expect("joined").expect("validator ran");
    audit_matches(&env, wave.wave_id).await;
    let candidates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM selection_results WHERE wave_id = $1 AND registration_id = ANY($2)",
    )
    .bind(wave.wave_id)
    .bind(originals.iter().map(|r| data::id(r)).collect::<Vec<_>>())
    .fetch_one(env.pool())
    .await
    .expect("count");
    assert_eq!(candidates, originals.len() as i64);
}

#[tokio::test]
async fn a_backdated_copy_of_a_selected_registrant_after_the_draw_takes_nothing() {
    let env = TestEnv::new().await;
    let (wave, records) = data::queued_wave(&env, "proportional:40", 400, 67, 0.0).await;
    let (stop_validator, validator) = spawn_validator(&env);
    let (stop_selector, selector) = spawn_selector(&env);
    wait_for_rows(&env, records.len() as i64, Duration::from_secs(60)).await;
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop_selector.cancel();
    selector.await.expect("joined").expect("selector ran");
    let selected: Vec<Uuid> = sqlx::query_scalar(
        "SELECT registration_id FROM selection_results WHERE wave_id = $1 AND status = 'SELECTED'",
    )
    .bind(wave.wave_id)
    .fetch_all(env.pool())
    .await
    .expect("selected");
    assert!(!selected.is_empty());
    let originals: Vec<&Generated> = records
        .iter()
        .filter(|r| selected.contains(&data::id(r)))
        .collect();
    deliver_copies_and_check(&env, wave.wave_id, &originals).await;
    stop_validator.cancel();
    validator.await.expect("joined").expect("validator ran");
    audit_matches(&env, wave.wave_id).await;
    assert_eq!(
        stored_count(&env).await,
        (records.len() + originals.len()) as i64
    );
}

#[tokio::test]
async fn a_draw_restarted_after_the_freeze_reads_exactly_the_frozen_inputs() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "national:30", Utc::now() + Days::days(1)).await;
    let other = data::open(&env, "other", "national:30", Utc::now() + Days::days(1)).await;
    data::seed_eligible(
        &env,
        wave.wave_id,
        300,
        3_171_010_000_000_000,
        &["31", "32"],
    )
    .await;
    workers::waves::close_wave(
        env.pool(),
        i64::from(wave.wave_id),
        &workers::waves::CloseRequest::default(),
    )
    .await
    .expect("close");
    assert!(
        workers::selector::inputs::freeze(env.pool(), wave.wave_id)
            .await
            .expect("freeze")
    );
    // The first attempt reads its inputs and draws, then dies before storing.
    let inputs = workers::selector::inputs::candidates(env.pool(), wave.wave_id, None)
        .await
        .expect("candidates");
    let found = Wave::find(env.pool(), i64::from(wave.wave_id))
        .await
        .expect("wave")
        .expect("exists");
    let mut params = found.draw_params(env.pool()).await.expect("params");
    params.prior = workers::selector::prior_counts(env.pool(), wave.wave_id)
        .await
        .expect("prior");
    let first = shared::selection::draw(&params, inputs.iter().map(|c| c.candidate()).collect())
        .expect("draw");
    // Meanwhile another wave bars two of the candidates (as a promotion
    // there would) and a revocation rewrites when a NIK was barred.
    for nik in ["3171010000000007", "3171010000000008"] {
        sqlx::query("INSERT INTO barred_niks (nik, wave_id, reason) VALUES ($1, $2, 'selected')")
            .bind(nik)
            .bind(other.wave_id)
            .execute(env.pool())
            .await
            .expect("barred elsewhere");
    }
    sqlx::query(
        "UPDATE barred_niks SET reason = 'revoked', since = now() WHERE nik = '3171010000000008'",
    )
    .execute(env.pool())
    .await
    .expect("revoked");

    // The restarted job stores exactly the first attempt's draw.
    let (stop, selector) = spawn_selector(&env);
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let text: String =
        sqlx::query_scalar("SELECT manifest_text FROM selections WHERE wave_id = $1")
            .bind(wave.wave_id)
            .fetch_one(env.pool())
            .await
            .expect("manifest");
    let stored = shared::selection::Manifest::from_json(&text).expect("manifest");
    assert_eq!(stored.input_digest, first.manifest.input_digest);
    assert_eq!(stored.output_digest, first.manifest.output_digest);
    audit_matches(&env, wave.wave_id).await;
}
