//! Wave close, the selector's draw, audit and export, against the real
//! services.

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use shared::amqp::Queue;
use shared::messages::WaveClosed;
use shared::selection::bundle::Bundle;
use shared::selection::{Allocation, Candidate, draw, parse_id};
use tokio_util::sync::CancellationToken;
use workers::procs::Worker;
use workers::waves::{CloseRequest, Wave, WaveState, close_wave};

use crate::data;
use crate::helpers::{TestEnv, WorkerKind, bin, eventually_async};

pub fn spawn_selector(
    env: &TestEnv,
) -> (
    CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let token = CancellationToken::new();
    (
        token.clone(),
        tokio::spawn(workers::selector::run(
            env.app_for(WorkerKind::Selector),
            token,
        )),
    )
}

pub async fn wait_drawn(env: &TestEnv, wave_id: i32, timeout: Duration) -> Wave {
    eventually_async(&format!("wave {wave_id} drawn"), timeout, || async {
        let wave = Wave::find(env.pool(), i64::from(wave_id))
            .await
            .expect("wave");
        wave.filter(|w| w.state == WaveState::Drawn)
    })
    .await
}

pub async fn close(env: &TestEnv, wave_id: i32) {
    close_wave(env.pool(), i64::from(wave_id), &CloseRequest::default())
        .await
        .expect("close");
    let message = serde_json::to_vec(&WaveClosed {
        wave_id: wave_id as u32,
        closed_at: Utc::now(),
    })
    .expect("json");
    env.publish_raw(Queue::WavesClosed, &[message]).await;
}

/// The draw recomputed from the wave's eligible registrations, independently
/// of what the selector stored.
pub async fn independent_draw(env: &TestEnv, wave: &Wave) -> shared::selection::Draw {
    let rows: Vec<(String, String, String, i16)> = sqlx::query_as(
        "SELECT nik, kk, domicile_province, tier FROM registrations WHERE wave_id = $1 AND status = 'eligible' \
           AND NOT EXISTS (SELECT 1 FROM barred_niks b WHERE b.nik = registrations.nik AND b.wave_id <> $1)",
    )
    .bind(i64::from(wave.wave_id))
    .fetch_all(env.pool())
    .await
    .expect("candidates");
    let candidates = rows
        .into_iter()
        .map(|(nik, kk, province, tier)| Candidate {
            nik: parse_id(&nik).expect("nik"),
            kk: parse_id(&kk).expect("kk"),
            province: province.parse().expect("province"),
            tier: tier as u8,
        })
        .collect();
    let mut params = wave.draw_params(env.pool()).await.expect("params");
    params.prior = workers::selector::prior_counts(env.pool(), wave.wave_id)
        .await
        .expect("prior");
    draw(&params, candidates).expect("draw")
}

pub async fn stored_manifest(env: &TestEnv, wave_id: i32) -> shared::selection::Manifest {
    let text: String =
        sqlx::query_scalar("SELECT manifest_text FROM selections WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_one(env.pool())
            .await
            .expect("a stored manifest");
    shared::selection::Manifest::from_json(&text).expect("manifest")
}

pub fn required(manifest: &shared::selection::Manifest) -> serde_json::Value {
    let mut value = serde_json::to_value(manifest).expect("json");
    let object = value.as_object_mut().expect("object");
    object.retain(|key, _| shared::selection::REQUIRED_FIELDS.contains(&key.as_str()));
    value
}

#[tokio::test]
async fn a_closed_wave_is_drawn_once_announced_audited_and_exported() {
    let env = TestEnv::new().await;
    let (wave, _) = data::queued_wave(&env, "proportional:60", 1500, 31, 0.1).await;
    let (stop_validator, validator) = crate::validator::spawn_validator(&env);
    let (stop_selector, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    close(&env, wave.wave_id).await; // a repeated close
    let drawn = wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    // A redelivered close after the draw changes nothing.
    close(&env, wave.wave_id).await;
    let stored = stored_manifest(&env, wave.wave_id).await;
    let recomputed = independent_draw(&env, &drawn).await;
    assert_eq!(required(&stored), required(&recomputed.manifest));
    assert_eq!(stored.selected, 60);
    assert!(stored.extra.contains_key("skew_check"));

    let announced = eventually_async("60 announcements", Duration::from_secs(30), || async {
        let n = env
            .ready(&env.topology().name(Queue::ParticipantsSelected))
            .await;
        (n >= 60).then_some(n)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_selector.cancel();
    stop_validator.cancel();
    selector.await.expect("joined").expect("selector ran");
    validator.await.expect("joined").expect("validator ran");
    assert_eq!(announced, 60);
    let messages = env
        .drain(&env.topology().name(Queue::ParticipantsSelected))
        .await;
    let first: serde_json::Value =
        serde_json::from_slice(&messages[0].delivery.data).expect("json");
    for key in [
        "wave_id",
        "nik",
        "stratum",
        "rank",
        "card_number",
        "email",
        "phone",
    ] {
        assert!(
            first.get(key).is_some(),
            "participants.selected carries {key}: {first}"
        );
    }
    let (selections, participants): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM selections), (SELECT count(*) FROM participants)",
    )
    .fetch_one(env.pool())
    .await
    .expect("counts");
    assert_eq!((selections, participants), (1, 60), "drawn once");

    let report = workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
        .await
        .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);

    // A rejected NIK written as a spreadsheet formula.
    data::tamper(
        &env,
        "UPDATE registrations SET nik = '=HYPERLINK(\"x\")' WHERE registration_id = \
           (SELECT min(registration_id::text)::uuid FROM registrations \
             WHERE wave_id = $1 AND status = 'rejected')",
        wave.wave_id,
    )
    .await;
    let dir = env.dir.join("bundle");
    workers::cli::export::run(&env.app, i64::from(wave.wave_id), &dir)
        .await
        .expect("export");
    let notice = std::fs::read_to_string(dir.join(workers::cli::export::NOTICE_FILE))
        .expect("the personal-data notice");
    assert!(notice.starts_with("PERSONAL DATA"), "{notice}");
    let bundle = Bundle::read(&dir).expect("a readable bundle");
    assert_eq!(
        bundle.candidates.len() as u64,
        stored.selected + stored.waitlist + stored.kk_cap
    );
    assert!(
        workers::audit::audit_bundle(&dir)
            .expect("bundle audit")
            .matched()
    );
    let rejected = std::fs::read_to_string(dir.join("rejected.csv")).expect("rejected.csv");
    let mut lines = rejected.lines();
    assert_eq!(lines.next(), Some("registration_id,nik,reasons"));
    let ids: Vec<&str> = lines
        .clone()
        .map(|l| l.split(',').next().expect("id"))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "sorted by registration_id");
    assert!(
        lines.any(|l| l.ends_with("DUPLICATE_NIK") || l.contains('|')),
        "reasons joined by |"
    );
    assert!(
        rejected.contains(",\"'=HYPERLINK(\"\"x\"\")\",")
            && !rejected.contains(",=")
            && !rejected.contains(",\"="),
        "a formula is neutralised: {rejected}"
    );
}

#[tokio::test]
async fn audit_catches_a_result_altered_behind_the_systems_back() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "national:50", Utc::now() + Days::days(1)).await;
    data::seed_eligible(
        &env,
        wave.wave_id,
        500,
        3_171_010_000_000_000,
        &["31", "32", "33"],
    )
    .await;
    let (stop, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    assert!(
        workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
            .await
            .expect("audit")
            .matched()
    );

    // Swap a winner with the first of the waiting list: the database refuses,
    // but someone who switches its guards off is caught by the audit.
    let swap = "UPDATE selection_results SET status = CASE status WHEN 'SELECTED' THEN 'WAITLIST' ELSE 'SELECTED' END \
          WHERE wave_id = $1 AND rank IN (1, 51)";
    let refused = sqlx::query(swap)
        .bind(wave.wave_id)
        .execute(env.pool())
        .await
        .expect_err("the results of a drawn wave are final");
    assert!(
        refused.to_string().contains("selection_results_final"),
        "{refused}"
    );
    data::tamper(&env, swap, wave.wave_id).await;
    let report = workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
        .await
        .expect("audit");
    assert_eq!(report.verdict, "MISMATCH");
    assert!(
        report.differences.iter().any(|d| d.contains("line 2")),
        "{:?}",
        report.differences
    );
    assert!(
        report
            .differences
            .iter()
            .any(|d| d.contains("output digest")),
        "{:?}",
        report.differences
    );
}

#[tokio::test]
async fn a_draw_whose_winners_cluster_by_submission_time_is_flagged() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "national:200", Utc::now() + Days::days(1)).await;
    data::seed_eligible(&env, wave.wave_id, 4000, 3_171_010_000_000_000, &["31"]).await;
    let (stop, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let fair = workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
        .await
        .expect("audit");
    assert!(
        !fair.skew.as_ref().expect("skew").flagged,
        "a fair draw is not flagged: {}",
        fair.skew.expect("skew").summary()
    );

    // The DV-2012 failure: winners are the earliest submissions of each tier
    // (stored behind the database's guards, as a faulty algorithm would have).
    data::tamper(
        &env,
        "WITH ranked AS (SELECT s.nik, row_number() OVER (PARTITION BY s.tier ORDER BY r.submitted_at) AS n, \
                                count(*) FILTER (WHERE s.status = 'SELECTED') OVER (PARTITION BY s.tier) AS seats \
                           FROM selection_results s JOIN registrations r USING (registration_id) WHERE s.wave_id = $1) \
         UPDATE selection_results s SET status = CASE WHEN ranked.n <= ranked.seats THEN 'SELECTED' ELSE 'WAITLIST' END \
           FROM ranked WHERE s.nik = ranked.nik AND s.wave_id = $1",
        wave.wave_id,
    )
    .await;
    let report = workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
        .await
        .expect("audit");
    let skew = report.skew.as_ref().expect("skew");
    assert!(skew.flagged, "{}", skew.summary());
    assert!(
        skew.tests
            .iter()
            .any(|t| t.dimension == "submission_day" && t.significant)
    );
    assert_eq!(report.verdict, "MISMATCH");
}

#[tokio::test]
async fn a_selector_killed_mid_draw_restarts_to_the_identical_manifest() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "proportional:30000", Utc::now() + Days::days(1)).await;
    let provinces = ["11", "12", "31", "32", "33", "35", "36", "51", "73", "94"];
    data::seed_eligible(
        &env,
        wave.wave_id,
        300_000,
        1_101_010_000_000_000,
        &provinces,
    )
    .await;
    let mut vars = env.process_env(WorkerKind::Selector);
    vars.push(("RUST_LOG".into(), "info".into()));
    let first = Worker::spawn(
        &bin(WorkerKind::Selector),
        &[],
        &vars,
        &env.dir.join("selector-1.log"),
    )
    .expect("selector");
    close(&env, wave.wave_id).await;
    eventually_async("the draw started", Duration::from_secs(60), || async {
        let state: WaveState = sqlx::query_scalar("SELECT state FROM waves WHERE wave_id = $1")
            .bind(wave.wave_id)
            .fetch_one(env.pool())
            .await
            .expect("state");
        (state == WaveState::Drawing).then_some(())
    })
    .await;
    first.crash().await.expect("killed mid-draw");
    let selections: i64 = sqlx::query_scalar("SELECT count(*) FROM selections")
        .fetch_one(env.pool())
        .await
        .expect("count");
    assert_eq!(selections, 0, "killed before the draw was stored");
    let second = Worker::spawn(
        &bin(WorkerKind::Selector),
        &[],
        &vars,
        &env.dir.join("selector-2.log"),
    )
    .expect("selector");
    let drawn = wait_drawn(&env, wave.wave_id, Duration::from_secs(240)).await;
    assert!(second.stop(Duration::from_secs(20)).await.expect("stopped"));
    let stored = stored_manifest(&env, wave.wave_id).await;
    let recomputed = independent_draw(&env, &drawn).await;
    assert_eq!(required(&stored), required(&recomputed.manifest));
    let attempts: i32 =
        sqlx::query_scalar("SELECT attempts FROM selection_jobs WHERE wave_id = $1")
            .bind(wave.wave_id)
            .fetch_one(env.pool())
            .await
            .expect("attempts");
    assert!(attempts >= 2, "the job was resumed");
}

#[tokio::test]
async fn the_kk_cap_counts_beneficiaries_of_earlier_waves() {
    let env = TestEnv::new().await;
    let closes = Utc::now() + Days::days(1);
    // Wave 1: everyone selected; NIKs base..base+9, KKs shared by threes.
    let first = data::open(&env, "first", "national:100", closes).await;
    data::seed_eligible(&env, first.wave_id, 9, 3_171_010_000_000_000, &["31"]).await;
    let (stop, selector) = spawn_selector(&env);
    close(&env, first.wave_id).await;
    wait_drawn(&env, first.wave_id, Duration::from_secs(60)).await;
    // Wave 2: the same families again (new NIKs, same KKs), plus a wave-1
    // beneficiary registering again.
    let second = data::open(&env, "second", "national:100", closes).await;
    data::seed_eligible(&env, second.wave_id, 9, 3_171_010_000_000_100, &["31"]).await;
    sqlx::query(
        "UPDATE registrations SET kk = lpad((5000000000000000 + 3171010000000000 + (nik::bigint - 3171010000000100) / 3)::text, 16, '0') \
          WHERE wave_id = $1",
    )
    .bind(i64::from(second.wave_id))
    .execute(env.pool())
    .await
    .expect("same families");
    sqlx::query(
        "INSERT INTO registrations (registration_id, wave_id, status, submitted_at, nik, kk, full_name, \
             domicile_province, occupation, tier, payout_method, payout_provider, payout_account, email, phone) \
         SELECT gen_random_uuid(), $2, status, submitted_at, nik, kk, full_name, domicile_province, occupation, \
                tier, payout_method, payout_provider, payout_account, email, phone \
           FROM registrations r WHERE r.wave_id = $1 \
            AND r.nik = (SELECT nik FROM selection_results WHERE wave_id = $1 AND status = 'SELECTED' LIMIT 1)",
    )
    .bind(i64::from(first.wave_id))
    .bind(i64::from(second.wave_id))
    .execute(env.pool())
    .await
    .expect("a beneficiary registers again");
    close(&env, second.wave_id).await;
    wait_drawn(&env, second.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let manifest = stored_manifest(&env, second.wave_id).await;
    // Families of three had 2 beneficiaries each (cap 2) after wave 1: all
    // of wave 2's members are held back; the repeat beneficiary is not a
    // candidate at all.
    let first_manifest = stored_manifest(&env, first.wave_id).await;
    assert_eq!((first_manifest.selected, first_manifest.kk_cap), (6, 3));
    assert_eq!((manifest.selected, manifest.kk_cap), (0, 9));
    let candidates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM selection_results WHERE wave_id = $1")
            .bind(second.wave_id)
            .fetch_one(env.pool())
            .await
            .expect("count");
    assert_eq!(
        candidates, 9,
        "ALREADY_BENEFICIARY is re-checked at the draw"
    );
}

#[tokio::test]
async fn an_explicit_quota_larger_than_its_pool_selects_everyone_there_and_moves_nothing() {
    let env = TestEnv::new().await;
    let quotas = [
        ("31".parse().expect("p"), 1000u64),
        ("32".parse().expect("p"), 5),
    ]
    .into_iter()
    .collect();
    let wave = data::open_with(
        &env,
        "w",
        Allocation::Explicit(quotas),
        Utc::now() + Days::days(1),
        None,
    )
    .await;
    data::seed_eligible(&env, wave.wave_id, 60, 3_171_010_000_000_000, &["31", "32"]).await;
    let (stop, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let by_stratum: Vec<(String, i64)> = sqlx::query_as(
        "SELECT stratum, count(*) FILTER (WHERE status = 'SELECTED') FROM selection_results WHERE wave_id = $1 GROUP BY 1 ORDER BY 1",
    )
    .bind(wave.wave_id)
    .fetch_all(env.pool())
    .await
    .expect("strata");
    let capped: i64 = sqlx::query_scalar("SELECT count(*) FROM selection_results WHERE wave_id = $1 AND stratum = '31' AND status = 'KK_CAP'")
        .bind(wave.wave_id)
        .fetch_one(env.pool())
        .await
        .expect("capped");
    assert_eq!(
        by_stratum[0].1 + capped,
        30,
        "every candidate of 31 selected (or capped)"
    );
    assert_eq!(by_stratum[1], ("32".to_owned(), 5));
    assert!(
        workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
            .await
            .expect("audit")
            .matched()
    );
}

#[tokio::test]
async fn a_wave_with_no_eligible_registrant_is_drawn_empty() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "proportional:10", Utc::now() + Days::days(1)).await;
    let (stop, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let manifest = stored_manifest(&env, wave.wave_id).await;
    assert_eq!(
        (manifest.selected, manifest.waitlist, manifest.kk_cap),
        (0, 0, 0)
    );
    assert!(manifest.quotas.is_empty());
    assert!(
        workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
            .await
            .expect("audit")
            .matched()
    );
}
