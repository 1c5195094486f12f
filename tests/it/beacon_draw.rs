//! A drand wave end to end, with a test chain whose key the test generates:
//! opened with `drand:test`, closed, its round fetched and verified by the
//! selector, published in the manifest, re-verified by `audit` and
//! `audit --bundle`; a tampered bundle or database is a MISMATCH naming
//! what is wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use shared::beacon::{Chain, format_instant};
use shared::selection::{Manifest, wave_seed};
use workers::audit::{AuditReport, audit_bundle_pinned, audit_wave_pinned};
use workers::cli::wave_open::{self, OpenArgs};

use crate::helpers::beacon::test_chain;
use crate::helpers::{TestEnv, WorkerKind, bin};
use crate::{data, selection};

/// A test environment whose configuration pins `chain` as `test`.
pub async fn env_with(chain: &Chain) -> TestEnv {
    let chain = chain.clone();
    TestEnv::with(move |settings| {
        settings.drand.chains.insert("test".into(), chain);
    })
    .await
}

/// Opens a wave through `prakerja wave open`'s code, `--beacon drand:test`.
pub async fn open_drand_wave(env: &TestEnv, allocation: &str) -> i32 {
    let opened = wave_open::run(
        &env.app,
        OpenArgs {
            name: "Gelombang drand".into(),
            closes_at: (Utc::now() + Days::days(1)).to_rfc3339(),
            allocation: allocation.into(),
            scheme: "2020".into(),
            commitment: None,
            beacon: Some("drand:test".into()),
            kk_cap: None,
            selection: None,
        },
    )
    .await
    .expect("wave open");
    assert_eq!(opened.beacon_source, "drand:test");
    opened.wave_id
}

fn failed(report: &AuditReport) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.to_owned())
        .collect()
}

/// A copy of `bundle` with its manifest (as JSON) or params edited.
fn tampered(
    bundle: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value, &mut serde_json::Value),
) -> PathBuf {
    let dir = bundle.with_file_name(format!("tampered-{name}"));
    std::fs::create_dir_all(&dir).expect("dir");
    for entry in std::fs::read_dir(bundle).expect("bundle") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
    }
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join(file)).expect(file)).expect("json")
    };
    let (mut manifest, mut params) = (read("manifest.json"), read("params.json"));
    edit(&mut manifest, &mut params);
    for (file, value) in [("manifest.json", &manifest), ("params.json", &params)] {
        std::fs::write(
            dir.join(file),
            serde_json::to_vec_pretty(value).expect("json"),
        )
        .expect("write");
    }
    dir
}

#[tokio::test]
async fn a_drand_wave_draws_with_the_round_after_its_freeze_and_audits_reverify_it() {
    let served = test_chain(1).await;
    let sim = served.sim.clone().expect("simulated");
    let env = env_with(&served.chain).await;
    let pinned = env.app.settings.drand.all();
    let wave_id = open_drand_wave(&env, "national:20").await;
    data::seed_eligible(&env, wave_id, 80, 3_171_010_000_000_000, &["31", "32"]).await;
    let (stop, selector) = selection::spawn_selector(&env);
    selection::close(&env, wave_id).await;
    let wave = selection::wait_drawn(&env, wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");

    // The round follows from the freeze; the beacon is its randomness.
    let chain = &served.chain;
    let frozen_at = wave.frozen_at.expect("frozen");
    let round = u64::try_from(wave.beacon_round.expect("a round")).expect("round");
    assert_eq!(round, chain.round_for(frozen_at));
    assert!(chain.round_time(round) >= frozen_at + Days::seconds(1));
    assert!(chain.round_time(round - 1) < frozen_at + Days::seconds(1));
    let signature = wave.beacon_signature.clone().expect("signature");
    assert_eq!(signature, sim.key.sign(round).to_vec());
    let beacon = wave.beacon.clone().expect("beacon");
    assert_eq!(beacon, shared::beacon::randomness(&signature).to_vec());

    // The manifest publishes it, and its seed takes it.
    let text: String =
        sqlx::query_scalar("SELECT manifest_text FROM selections WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_one(env.pool())
            .await
            .expect("manifest");
    let manifest = Manifest::from_json(&text).expect("manifest");
    let secret: [u8; 32] = wave
        .secret
        .clone()
        .expect("revealed")
        .try_into()
        .expect("32");
    let seed = wave_seed(wave_id as u32, &secret, &beacon).expect("seed");
    assert_eq!(manifest.seed, hex::encode(seed));
    assert_eq!(manifest.extra["beacon_source"], "drand:test");
    assert_eq!(
        manifest.extra["frozen_at"],
        format_instant(frozen_at).as_str()
    );
    let drand = &manifest.extra["drand"];
    assert_eq!(drand["round"], round);
    assert_eq!(drand["signature"], hex::encode(&signature).as_str());
    assert_eq!(drand["chain_hash"], chain.hash_hex().as_str());
    assert_eq!(drand["randomness"], hex::encode(&beacon).as_str());

    // Both audits re-verify it.
    let report = audit_wave_pinned(env.pool(), i64::from(wave_id), 0.001, Some(&pinned))
        .await
        .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);
    for check in [
        "beacon round follows from frozen_at, delay, genesis and period",
        "beacon signature verifies against the chain's public key",
        "the seed's beacon is the round's randomness",
        "the chain's parameters are those pinned in configuration",
        "the manifest publishes the wave's beacon",
    ] {
        assert!(
            report.checks.iter().any(|c| c.name == check && c.ok),
            "{check}: {:?}",
            report.checks
        );
    }
    let bundle = env.dir.join("bundle");
    workers::cli::export::run(&env.app, i64::from(wave_id), &bundle)
        .await
        .expect("export");
    let report = audit_bundle_pinned(&bundle, Some(&pinned)).expect("bundle audit");
    assert!(report.matched(), "{:?}", report.differences);
    assert_eq!(report.checks.iter().filter(|c| c.ok).count(), 5);

    // Tampered bundles: each is a MISMATCH naming what is wrong.
    let round_check = "beacon round follows from frozen_at, delay, genesis and period";
    let signature_check = "beacon signature verifies against the chain's public key";
    let seed_check = "the seed's beacon is the round's randomness";
    let other_signature = hex::encode(sim.key.sign(round + 1));
    let cases: Vec<(&str, PathBuf, Vec<&str>)> = vec![
        (
            "round",
            tampered(&bundle, "round", |m, _| {
                m["drand"]["round"] = (round + 1).into()
            }),
            vec![round_check, signature_check],
        ),
        (
            "signature",
            tampered(&bundle, "signature", |m, _| {
                m["drand"]["signature"] = other_signature.clone().into()
            }),
            vec![signature_check],
        ),
        (
            "frozen_at",
            tampered(&bundle, "frozen_at", |m, _| {
                m["frozen_at"] = format_instant(frozen_at + Days::seconds(5)).into()
            }),
            vec![round_check],
        ),
        (
            "beacon",
            tampered(&bundle, "beacon", |_, p| {
                p["beacon"] = hex::encode([7u8; 32]).into()
            }),
            vec![seed_check],
        ),
    ];
    for (what, dir, expected) in cases {
        let report = audit_bundle_pinned(&dir, Some(&pinned)).expect("bundle audit");
        assert!(!report.matched(), "tampered {what}");
        let failures = failed(&report);
        for name in expected {
            assert!(
                failures.iter().any(|f| f == name),
                "tampered {what}: {failures:?}"
            );
        }
    }
    // The command line says so too (exit 1), with no database.
    let output = std::process::Command::new(bin(WorkerKind::Prakerja))
        .args(["audit", "--bundle"])
        .arg(bundle.with_file_name("tampered-round"))
        .output()
        .expect("prakerja");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(round_check));
    let output = std::process::Command::new(bin(WorkerKind::Prakerja))
        .args(["audit", "--bundle"])
        .arg(&bundle)
        .output()
        .expect("prakerja");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // A round changed in the database behind the guard trigger's back.
    let mut tx = env.pool().begin().await.expect("tx");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("replica");
    sqlx::query("UPDATE waves SET beacon_round = beacon_round + 1 WHERE wave_id = $1")
        .bind(wave_id)
        .execute(&mut *tx)
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");
    let report = audit_wave_pinned(env.pool(), i64::from(wave_id), 0.001, Some(&pinned))
        .await
        .expect("audit");
    assert!(!report.matched());
    let failures = failed(&report);
    for name in [
        round_check,
        signature_check,
        "the manifest publishes the wave's beacon",
    ] {
        assert!(failures.iter().any(|f| f == name), "{failures:?}");
    }
}

#[tokio::test]
async fn a_wave_without_beacon_says_so_in_its_audits() {
    let env = TestEnv::new().await;
    let wave = data::open(&env, "w", "national:5", Utc::now() + Days::days(1)).await;
    assert_eq!(wave.beacon_source, "none");
    data::seed_eligible(&env, wave.wave_id, 20, 3_171_010_000_000_000, &["31"]).await;
    let (stop, selector) = selection::spawn_selector(&env);
    selection::close(&env, wave.wave_id).await;
    selection::wait_drawn(&env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let report = audit_wave_pinned(env.pool(), i64::from(wave.wave_id), 0.001, None)
        .await
        .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);
    assert!(
        report.beacon.description.starts_with("none"),
        "{:?}",
        report.beacon
    );
    assert!(
        report
            .beacon
            .notes
            .iter()
            .any(|n| n.contains("no public randomness"))
    );
    let bundle = env.dir.join("bundle");
    workers::cli::export::run(&env.app, i64::from(wave.wave_id), &bundle)
        .await
        .expect("export");
    let output = std::process::Command::new(bin(WorkerKind::Prakerja))
        .args(["audit", "--bundle"])
        .arg(&bundle)
        .output()
        .expect("prakerja");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("beacon: none"), "{stdout}");
    // A beacon slipped into the bundle of a wave that declared none.
    let dir = tampered(&bundle, "none", |_, p| p["beacon"] = "00ff".into());
    let report = audit_bundle_pinned(&dir, None).expect("audit");
    assert!(failed(&report).contains(&"no beacon, as the wave declared".to_owned()));
}
