//! The `prakerja` binary: its contract (output, exit codes) as other
//! systems and operators rely on it.

use std::path::Path;
use std::process::Output;

use chrono::{Duration as Days, Utc};
use sha2::{Digest, Sha256};

use crate::helpers::{TestEnv, WorkerKind, bin};

pub(crate) fn prakerja(env: Option<&TestEnv>, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(bin(WorkerKind::Prakerja));
    command.args(args);
    if let Some(env) = env {
        command.envs(env.process_env(WorkerKind::Prakerja));
    }
    command.output().expect("prakerja runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every v1 vector, then every v2 vector.
fn vectors() -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for version in ["v1", "v2"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../tests/fixtures/selection-{version}/vectors"));
        let mut found: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        found.sort();
        assert!(!found.is_empty());
        all.extend(found);
    }
    all
}

/// A copy of `source` in a fresh temporary directory.
fn copy_of(source: &Path) -> std::path::PathBuf {
    let copy = std::env::temp_dir().join(format!("bundle-copy-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&copy).expect("dir");
    for entry in std::fs::read_dir(source).expect("files") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copy");
    }
    copy
}

#[test]
fn select_on_files_reproduces_every_vector() {
    for vector in vectors() {
        let params: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(vector.join("params.json")).expect("params"),
        )
        .expect("json");
        let out = std::env::temp_dir().join(format!("select-{}.csv", uuid::Uuid::new_v4()));
        let mut args = vec![
            "select".to_owned(),
            "--candidates".into(),
            vector.join("candidates.csv").display().to_string(),
            "--wave-id".into(),
            params["wave_id"].to_string(),
            "--secret".into(),
            params["secret"].as_str().expect("secret").into(),
            "--beacon".into(),
            params["beacon"].as_str().expect("beacon").into(),
            "--kk-cap".into(),
            params["kk_cap"].to_string(),
            "--output".into(),
            out.display().to_string(),
        ];
        let allocation = params["allocation"].as_str().expect("allocation");
        args.push("--allocation".into());
        args.push(match allocation.strip_prefix("explicit:") {
            Some(file) => format!("explicit:{}", vector.join(file).display()),
            None => allocation.to_owned(),
        });
        if let Some(prior) = params["prior"].as_str() {
            args.push("--prior".into());
            args.push(vector.join(prior).display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = prakerja(None, &args);
        assert!(
            output.status.success(),
            "{}: {}",
            vector.display(),
            stderr(&output)
        );
        assert_eq!(
            std::fs::read(&out).expect("result"),
            std::fs::read(vector.join("expected.csv")).expect("expected"),
            "{}",
            vector.display()
        );
        let printed: serde_json::Value =
            serde_json::from_str(&stdout(&output)).expect("manifest JSON on stdout");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(vector.join("manifest.json")).expect("manifest"),
        )
        .expect("json");
        assert_eq!(printed, expected, "{}", vector.display());
        let _ = std::fs::remove_file(out);
    }
}

#[test]
fn audit_bundle_matches_every_vector_and_catches_a_tampered_one() {
    for vector in vectors() {
        let output = prakerja(None, &["audit", "--bundle", &vector.display().to_string()]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stdout(&output).contains("MATCH"));
    }
    let tampered = std::env::temp_dir().join(format!("tampered-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&tampered).expect("dir");
    let source = &vectors()[1];
    for entry in std::fs::read_dir(source).expect("files") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, tampered.join(path.file_name().expect("name"))).expect("copy");
    }
    let expected = std::fs::read_to_string(tampered.join("expected.csv")).expect("expected");
    let flipped = expected.replacen(",SELECTED\n", ",WAITLIST\n", 1);
    std::fs::write(tampered.join("expected.csv"), flipped).expect("write");
    let output = prakerja(
        None,
        &[
            "--json",
            "audit",
            "--bundle",
            &tampered.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "an audit mismatch exits 1");
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("one JSON object");
    assert_eq!(report["verdict"], "MISMATCH");
    assert!(
        !report["differences"]
            .as_array()
            .expect("differences")
            .is_empty()
    );
    let _ = std::fs::remove_dir_all(tampered);
}

#[test]
fn audit_bundle_checks_v2_derivations_and_rows() {
    let source = vectors()
        .into_iter()
        .find(|v| v.ends_with("02-proportional-drand-beacon"))
        .expect("v2 vector 02");
    let output = prakerja(
        None,
        &["--json", "audit", "--bundle", &source.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["algorithm"], "prakerja-selection-v2");
    assert_eq!(report["checks"][0]["name"], "pid and fid derivations");
    assert_eq!(report["checks"][0]["ok"], true);

    // One family card changed in registrations.csv: its fid no longer
    // derives, though the draw itself still matches.
    let tampered = copy_of(&source);
    let registrations = std::fs::read_to_string(tampered.join("registrations.csv")).expect("read");
    let line = registrations
        .lines()
        .nth(1)
        .expect("a registration")
        .to_owned();
    let fields: Vec<&str> = line.split(',').collect();
    let kk = format!("{:016}", fields[1].parse::<u64>().expect("kk") ^ 1);
    let changed = [fields[0], &kk, fields[2], fields[3]].join(",");
    std::fs::write(
        tampered.join("registrations.csv"),
        registrations.replacen(&line, &changed, 1),
    )
    .expect("write");
    let output = prakerja(
        None,
        &[
            "--json",
            "audit",
            "--bundle",
            &tampered.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let differences = report["differences"].as_array().expect("differences");
    assert_eq!(differences.len(), 1, "{differences:?}");
    let first = differences[0].as_str().expect("text");
    assert!(
        first.starts_with("pid and fid derivations: candidates.csv line 2: pid "),
        "{first}"
    );
    assert!(
        first.contains("but registrations.csv line 2 derives"),
        "{first}"
    );
    let _ = std::fs::remove_dir_all(tampered);

    // A v1 header on a v2 prior file is refused as bad input, naming it.
    let mixed = copy_of(&source);
    let prior = std::fs::read_to_string(mixed.join("prior.csv")).expect("read");
    std::fs::write(
        mixed.join("prior.csv"),
        prior.replacen("fid,count", "kk,count", 1),
    )
    .expect("write");
    let output = prakerja(None, &["audit", "--bundle", &mixed.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(r#"prior.csv line 1: header is "kk,count", expected "fid,count""#),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(mixed);
}

#[tokio::test]
async fn commit_reveal_refuses_a_secret_that_does_not_match() {
    let env = TestEnv::new().await;
    let secret = [7u8; 32];
    let commitment = hex::encode(Sha256::digest(secret));
    let closes = (Utc::now() + Days::days(1)).to_rfc3339();
    let output = prakerja(
        Some(&env),
        &[
            "--json",
            "wave",
            "open",
            "--name",
            "Gelombang 1",
            "--closes-at",
            &closes,
            "--allocation",
            "national:10",
            "--commitment",
            &commitment,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let opened: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("one JSON object");
    assert_eq!(opened["commitment"], commitment.as_str());
    let wave = opened["wave_id"].to_string();

    let output = prakerja(Some(&env), &["wave", "close", &wave, "--no-wait"]);
    assert_eq!(output.status.code(), Some(2), "the secret is required");
    let output = prakerja(
        Some(&env),
        &[
            "wave",
            "close",
            &wave,
            "--secret",
            &hex::encode([8u8; 32]),
            "--no-wait",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not match"),
        "{}",
        stderr(&output)
    );
    let state: workers::waves::WaveState = sqlx::query_scalar("SELECT state FROM waves")
        .fetch_one(env.pool())
        .await
        .expect("state");
    assert_eq!(state, workers::waves::WaveState::Open, "nothing half-done");

    let output = prakerja(
        Some(&env),
        &[
            "--json",
            "wave",
            "close",
            &wave,
            "--secret",
            &hex::encode(secret),
            "--no-wait",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let closed: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(closed["secret"], hex::encode(secret).as_str());
    let output = prakerja(
        Some(&env),
        &[
            "wave",
            "open",
            "--name",
            "Gelombang 1",
            "--closes-at",
            &closes,
            "--allocation",
            "national:10",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "a second wave with the same name: {}",
        stderr(&output)
    );
}

#[tokio::test]
async fn bad_input_is_named_and_nothing_is_published() {
    let env = TestEnv::new().await;
    let file = env.dir.join("registrations.jsonl");
    std::fs::write(
        &file,
        "{\"registration_id\": \"a\"}\n{\"wave_id\": 1}\n[1,2]\n{}\n",
    )
    .expect("write");
    let output = prakerja(Some(&env), &["ingest", &file.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("line 3"), "{}", stderr(&output));
    let queue = env
        .topology()
        .name(shared::amqp::Queue::RegistrationsSubmitted);
    let (connection, publisher) = env.publisher().await;
    let _ = (connection, publisher);
    assert_eq!(env.ready(&queue).await, 0, "nothing published");

    std::fs::write(&file, "{\"registration_id\": \"a\"}\n\n{\"wave_id\": 1}\n").expect("write");
    let output = prakerja(
        Some(&env),
        &["--json", "ingest", &file.display().to_string()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["published"], 2);
    assert_eq!(env.ready(&queue).await, 2);

    for args in [
        vec!["wave", "status", "999"],
        vec![
            "wave",
            "open",
            "--name",
            "x",
            "--closes-at",
            "tomorrow",
            "--allocation",
            "national:5",
        ],
        vec![
            "wave",
            "open",
            "--name",
            "x",
            "--closes-at",
            "2030-01-01",
            "--allocation",
            "lottery:5",
        ],
        vec![
            "wave",
            "open",
            "--name",
            "x",
            "--closes-at",
            "2030-01-01",
            "--allocation",
            "national:5",
            "--beacon",
            "drand:nope",
        ],
        vec![
            "wave",
            "open",
            "--name",
            "x",
            "--closes-at",
            "2030-01-01",
            "--allocation",
            "national:5",
            "--beacon",
            "whatever",
        ],
        vec!["wave", "beacon", "999", "--round", "1", "--signature", "00"],
        vec!["audit", "999"],
        vec!["disburse", "run", "--date", "2026-13-01"],
        vec!["wave", "frobnicate"],
    ] {
        let output = prakerja(Some(&env), &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[tokio::test]
async fn disburse_report_exits_1_when_an_invariant_is_broken() {
    let env = TestEnv::new().await;
    let output = prakerja(Some(&env), &["disburse", "report"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let wave = crate::data::open(&env, "w", "national:2", Utc::now() + Days::days(1)).await;
    crate::data::seed_eligible(&env, wave.wave_id, 5, 3_171_010_000_000_000, &["31"]).await;
    let (stop, selector) = crate::selection::spawn_selector(&env);
    crate::selection::close(&env, wave.wave_id).await;
    crate::selection::wait_drawn(&env, wave.wave_id, std::time::Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    // Money recorded behind the system's back: paid with no instruction.
    sqlx::query("INSERT INTO disbursement_runs (run_date) VALUES ('2026-01-01')")
        .execute(env.pool())
        .await
        .expect("run");
    sqlx::query(
        "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
         SELECT participant_id, 'training_fund', 1, 1000000, '2026-01-01', '2026-01-01' FROM participants LIMIT 1",
    )
    .execute(env.pool())
    .await
    .expect("entitlement");
    // The same entitlement paid twice in the ledger.
    for _ in 0..2 {
        sqlx::query(
            "INSERT INTO ledger_entries (participant_id, entitlement_id, entry, amount) \
             SELECT participant_id, entitlement_id, 'paid', 1000000 FROM entitlements",
        )
        .execute(env.pool())
        .await
        .expect("ledger");
    }
    let output = prakerja(Some(&env), &["--json", "disburse", "report"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["holds"], false);
}
