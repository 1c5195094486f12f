//! A drawn wave is final and a frozen wave's inputs never change, whoever
//! sends the statement (migration 20261130010001): each refusal is SQLSTATE
//! 23001 (restrict_violation) from the trigger named in its message.

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use workers::waves::{CloseRequest, close_wave};

use crate::data;
use crate::helpers::{TestEnv, allowed, refused};
use crate::selection::{close, spawn_selector, wait_drawn};

/// A wave drawn by the real selector from 60 seeded registrations, with an
/// entitlement and a ledger entry for one of its participants.
async fn drawn_wave(env: &TestEnv) -> i32 {
    let wave = data::open(env, "drawn", "national:10", Utc::now() + Days::days(1)).await;
    data::seed_eligible(env, wave.wave_id, 60, 3_171_010_000_000_000, &["31"]).await;
    let (stop, selector) = spawn_selector(env);
    close(env, wave.wave_id).await;
    wait_drawn(env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    allowed(
        env.pool(),
        "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
         SELECT participant_id, 'training_fund', 1, 1000000, current_date, current_date \
           FROM participants ORDER BY participant_id LIMIT 1",
    )
    .await;
    allowed(
        env.pool(),
        "INSERT INTO ledger_entries (participant_id, entitlement_id, entry, amount) \
         SELECT participant_id, entitlement_id, 'returned', -amount FROM entitlements",
    )
    .await;
    wave.wave_id
}

#[tokio::test]
async fn a_drawn_waves_results_manifest_and_frozen_inputs_never_change() {
    let env = TestEnv::new().await;
    let pool = env.pool();
    let w = drawn_wave(&env).await;
    let stmts = [
        (
            format!("UPDATE selection_results SET status = 'SELECTED' WHERE wave_id = {w}"),
            "selection_results_final",
        ),
        (
            format!("DELETE FROM selection_results WHERE wave_id = {w} AND rank = 1"),
            "selection_results_final",
        ),
        ("TRUNCATE selection_results".to_owned(), "selection_results_final"),
        (
            format!("UPDATE selections SET manifest_text = '{{}}' WHERE wave_id = {w}"),
            "selections_final",
        ),
        (format!("DELETE FROM selections WHERE wave_id = {w}"), "selections_final"),
        (
            format!(
                "INSERT INTO selection_prior (wave_id, kk, count) VALUES ({w}, '5000000000000000', 1)"
            ),
            "selection_prior_written_by_the_freeze",
        ),
        (
            format!("UPDATE selection_prior SET count = 2 WHERE wave_id = {w}"),
            "selection_prior_final",
        ),
        (
            format!("INSERT INTO selection_excluded (wave_id, nik) VALUES ({w}, '3171010000000001')"),
            "selection_excluded_written_by_the_freeze",
        ),
        (
            format!("DELETE FROM selection_excluded WHERE wave_id = {w}"),
            "selection_excluded_final",
        ),
        (
            format!("UPDATE registrations SET status = 'rejected', reasons = '{{DUPLICATE_NIK}}' WHERE wave_id = {w} AND nik = '3171010000000001'"),
            "registrations_frozen_update",
        ),
        (
            format!("DELETE FROM registrations WHERE wave_id = {w} AND nik = '3171010000000002'"),
            "registrations_frozen_delete",
        ),
        (
            format!("INSERT INTO registrations (registration_id, wave_id, status, submitted_at, nik) \
                     VALUES (gen_random_uuid(), {w}, 'eligible', now() - interval '1 hour', '3171019999000001')"),
            "registrations_frozen_insert",
        ),
        (
            format!("INSERT INTO nik_claims (wave_id, nik, submitted_at, registration_id) \
                     VALUES ({w}, '3171010000000001', '2000-01-01', gen_random_uuid())"),
            "nik_claims_frozen_insert",
        ),
        ("DELETE FROM barred_niks".to_owned(), "barred_niks_never_lifted"),
        (
            "UPDATE barred_niks SET nik = '3171019999999999' WHERE nik = (SELECT min(nik) FROM barred_niks)".to_owned(),
            "barred_niks_for_good",
        ),
        ("UPDATE ledger_entries SET amount = -1".to_owned(), "ledger_entries_append_only"),
        ("DELETE FROM ledger_entries".to_owned(), "ledger_entries_append_only"),
        ("TRUNCATE ledger_entries".to_owned(), "ledger_entries_append_only"),
    ];
    for (sql, trigger) in &stmts {
        refused(pool, sql, trigger).await;
    }
    // What stays possible: a registration delivered late is stored rejected
    // WAVE_CLOSED, and a revocation rewrites why and since when a NIK is barred.
    allowed(
        pool,
        &format!(
            "INSERT INTO registrations (registration_id, wave_id, status, reasons, submitted_at, nik) \
             VALUES (gen_random_uuid(), {w}, 'rejected', '{{WAVE_CLOSED}}', now(), '3171010000000001')"
        ),
    )
    .await;
    allowed(
        pool,
        "UPDATE barred_niks SET reason = 'revoked', since = now() WHERE nik = (SELECT min(nik) FROM barred_niks)",
    )
    .await;
    assert!(
        workers::audit::audit_wave(pool, i64::from(w), 0.001)
            .await
            .expect("audit")
            .matched()
    );
}

#[tokio::test]
async fn a_claim_of_a_frozen_wave_never_moves() {
    let env = TestEnv::new().await;
    let pool = env.pool();
    let wave = data::open(&env, "w", "national:10", Utc::now() + Days::days(1)).await;
    let w = wave.wave_id;
    allowed(
        pool,
        &format!(
            "INSERT INTO nik_claims (wave_id, nik, submitted_at, registration_id) \
             VALUES ({w}, '3171010000000001', now(), gen_random_uuid())"
        ),
    )
    .await;
    close_wave(pool, i64::from(w), &CloseRequest::default())
        .await
        .expect("close");
    assert!(
        workers::selector::inputs::freeze(pool, w)
            .await
            .expect("freeze")
    );
    refused(
        pool,
        &format!("UPDATE nik_claims SET registration_id = gen_random_uuid() WHERE wave_id = {w}"),
        "nik_claims_frozen_update",
    )
    .await;
    refused(
        pool,
        &format!("DELETE FROM nik_claims WHERE wave_id = {w}"),
        "nik_claims_frozen_delete",
    )
    .await;
    refused(pool, "TRUNCATE nik_claims", "nik_claims_no_truncate").await;
}
