//! The soak's end: once the faults stop and the work settles, every
//! invariant is checked, and the figures are gathered.

use std::collections::BTreeMap;
use std::time::Duration;

use shared::amqp::Queue;

use crate::fault_support::{GATEWAY_KEYS, count, wait_count};
use crate::faults::assert_all_judged;
use crate::helpers::TestEnv;
use crate::process_faults::NOT_SETTLED;
use crate::soak_faults::Fault;

async fn one(env: &TestEnv, sql: &str) -> i64 {
    count(env, sql).await.unwrap_or_else(|| panic!("{sql}"))
}

/// Checks every invariant (panics naming the first broken one); returns the counts.
pub async fn check(
    env: &TestEnv,
    records: &[shared::generate::Generated],
    waves: u64,
) -> serde_json::Value {
    let settle = Duration::from_secs(600);
    let unanswered = "SELECT (count(*) FILTER (WHERE status <> 'success') = 0)::int::bigint FROM payment_instructions";
    wait_count(env, unanswered, 1, settle).await;
    let drained = "SELECT (count(*) = 0)::int::bigint FROM instruction_outbox";
    wait_count(env, drained, 1, settle).await;
    let unannounced =
        "SELECT (count(*) = 0)::int::bigint FROM participants WHERE announced_at IS NULL";
    wait_count(env, unannounced, 1, settle).await;
    // Each registration stored once, with the reasons the generator meant.
    assert_all_judged(env, records).await;
    let submitted = env.topology().name(Queue::RegistrationsSubmitted);
    assert_eq!(
        env.drain(&submitted).await.len(),
        0,
        "nothing left in {submitted}"
    );
    // Every wave drawn, and its draw what an auditor recomputes.
    let wave_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT wave_id::bigint FROM waves WHERE state = 'drawn' ORDER BY wave_id",
    )
    .fetch_all(env.pool())
    .await
    .expect("waves");
    assert_eq!(wave_ids.len() as u64, waves, "every wave drawn");
    for wave_id in &wave_ids {
        let report =
            workers::audit::audit_wave(env.pool(), *wave_id, env.app.settings.selector.skew_alpha)
                .await
                .expect("audit");
        assert_eq!(report.verdict, "MATCH", "wave {wave_id}: {report:?}");
    }
    // Every participant entitled, every entitlement instructed and paid
    // once, booked once, the gateway holding one payment per key.
    let participants = one(env, "SELECT count(*) FROM participants").await;
    let entitlements = one(env, "SELECT count(*) FROM entitlements").await;
    assert_eq!(
        entitlements, participants,
        "one training fund per participant"
    );
    assert_eq!(
        one(env, NOT_SETTLED).await,
        0,
        "every entitlement settled once"
    );
    let instructions = one(env, "SELECT count(*) FROM payment_instructions").await;
    assert_eq!(
        instructions, entitlements,
        "one instruction per entitlement"
    );
    assert_eq!(
        one(env, GATEWAY_KEYS).await,
        instructions,
        "one gateway payment per key"
    );
    let unfinished = one(
        env,
        "SELECT count(*) FROM disbursement_runs WHERE finished_at IS NULL",
    )
    .await;
    assert_eq!(unfinished, 0, "every run finished");
    let runs = one(env, "SELECT count(*) FROM disbursement_runs").await;
    assert_eq!(runs as u64, waves, "one run per wave's date");
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("reconciliation");
    for invariant in &report.invariants {
        assert!(invariant.holds, "{}: {}", invariant.name, invariant.detail);
    }
    serde_json::json!({
        "registrations": one(env, "SELECT count(*) FROM registrations").await,
        "eligible": one(env, "SELECT count(*) FROM registrations WHERE status = 'eligible'").await,
        "waves_drawn_audit_match": wave_ids.len(),
        "participants": participants,
        "entitlements": entitlements,
        "instructions": instructions,
        "paid_entries": one(env, "SELECT count(*) FROM ledger_entries WHERE entry = 'paid'").await,
        "paid_amount": one(env, "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE entry = 'paid'").await,
        "payment_results_stored": one(env, "SELECT count(*) FROM payment_results").await,
        "gateway_keys": one(env, GATEWAY_KEYS).await,
        "gateway_copies_received": one(env, "SELECT COALESCE(sum(received), 0)::bigint FROM gateway_sim.payments").await,
        "runs": runs,
        "run_requests": one(env, "SELECT count(*) FROM run_requests").await,
        "reconciliation_invariants_held": report.invariants.len(),
    })
}

/// Per kind of fault: how many, time away, and time until progress.
pub fn summary(faults: &[Fault]) -> serde_json::Value {
    let mut by_kind: BTreeMap<&str, Vec<&Fault>> = BTreeMap::new();
    for fault in faults {
        by_kind.entry(fault.what.as_str()).or_default().push(fault);
    }
    let rows: BTreeMap<&str, serde_json::Value> = by_kind
        .into_iter()
        .map(|(kind, list)| {
            let mut progress: Vec<f64> =
                list.iter().filter_map(|f| f.progress_after_secs).collect();
            progress.sort_by(f64::total_cmp);
            let down_max = list.iter().map(|f| f.down_secs).fold(0.0, f64::max);
            let row = serde_json::json!({
                "count": list.len(),
                "down_secs_max": down_max,
                "progress_after_secs_median": progress.get(progress.len() / 2),
                "progress_after_secs_max": progress.last(),
                "no_progress_within_60s": list.len() - progress.len(),
            });
            (kind, row)
        })
        .collect();
    serde_json::json!(rows)
}
