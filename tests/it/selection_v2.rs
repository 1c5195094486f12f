//! A `prakerja-selection-v2` wave through the whole system: drawn by the
//! selector with ids derived while loading, audited from the database,
//! exported as a public bundle that holds no NIK or KK, checked with no
//! database (`audit --bundle`) and by the independent Python verifier,
//! applicants' receipts, and the family key that never changes.

use std::path::Path;
use std::time::Duration;

use shared::amqp::Queue;
use shared::selection::{FamilyKey, derive_pid};
use workers::waves::{OpenRequest, Selection, Wave, open_wave};

use crate::cli::{prakerja, stdout};
use crate::data;
use crate::helpers::{TEST_FAMILY_KEY, TestEnv};
use crate::selection::{close, spawn_selector, wait_drawn};

fn test_key() -> FamilyKey {
    FamilyKey::from_hex(TEST_FAMILY_KEY).expect("the test key")
}

fn v2_request(env: &TestEnv, name: &str, allocation: &str, key: FamilyKey) -> OpenRequest {
    OpenRequest {
        closes_at: chrono::Utc::now() + chrono::Duration::seconds(4),
        selection: Selection::V2(key),
        ..data::open_request(env, name, allocation)
    }
}

/// A v2 wave open for four seconds, `count` registrations queued, closed
/// and drawn by a validator and a selector of this process.
async fn drawn_v2_wave(env: &TestEnv, count: u64) -> Wave {
    let wave = open_wave(
        env.pool(),
        v2_request(env, "v2", "proportional:60", test_key()),
    )
    .await
    .expect("open a v2 wave");
    assert_eq!(wave.selection_algorithm, "v2");
    data::wait_until(wave.closes_at).await;
    let records = data::generate(&wave, count, 12, 0.1);
    env.publish_raw(Queue::RegistrationsSubmitted, &data::bodies(&records))
        .await;
    let (stop_validator, validator) = crate::validator::spawn_validator(env);
    let (stop_selector, selector) = spawn_selector(env);
    close(env, wave.wave_id).await;
    let drawn = wait_drawn(env, wave.wave_id, Duration::from_secs(90)).await;
    // Let the relay announce the selected before stopping.
    crate::helpers::eventually_async("announcements", Duration::from_secs(30), || async {
        let n = env
            .ready(&env.topology().name(Queue::ParticipantsSelected))
            .await;
        (n >= 60).then_some(n)
    })
    .await;
    stop_selector.cancel();
    stop_validator.cancel();
    selector.await.expect("joined").expect("selector ran");
    validator.await.expect("joined").expect("validator ran");
    drawn
}

fn verifier(args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../verify/verify_draw.py");
    std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs")
}

/// Every file of `dir`, as text.
fn files(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .expect("bundle")
        .map(|e| {
            let path = e.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("a text file");
            (path.display().to_string(), text)
        })
        .collect()
}

#[tokio::test]
async fn a_v2_wave_is_drawn_audited_and_published_without_personal_data() {
    let env = TestEnv::new().await;
    let wave = drawn_v2_wave(&env, 1500).await;
    let id = wave.wave_id;

    // pids stored with every result and participant, and announced.
    let (results, without_pid, participants_without): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM selection_results WHERE wave_id = $1), \
                (SELECT count(*) FROM selection_results WHERE wave_id = $1 AND pid IS NULL), \
                (SELECT count(*) FROM participants WHERE wave_id = $1 AND pid IS NULL)",
    )
    .bind(id)
    .fetch_one(env.pool())
    .await
    .expect("counts");
    assert!(results > 60);
    assert_eq!((without_pid, participants_without), (0, 0));
    let messages = env
        .drain(&env.topology().name(Queue::ParticipantsSelected))
        .await;
    let first: serde_json::Value =
        serde_json::from_slice(&messages[0].delivery.data).expect("json");
    let registration: uuid::Uuid = first["registration_id"]
        .as_str()
        .expect("registration_id")
        .parse()
        .expect("uuid");
    assert_eq!(
        first["pid"].as_str(),
        Some(format!("{:032x}", derive_pid(&registration)).as_str()),
        "participants.selected carries the pid: {first}"
    );

    // Audit from the database, recomputing v2 from the stored inputs.
    let key = test_key();
    let report =
        workers::audit::audit_wave_keyed(env.pool(), i64::from(id), 0.001, None, Some(&key))
            .await
            .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);
    assert_eq!(report.algorithm, "prakerja-selection-v2");

    // The public bundle: no NIK or KK of the wave in any file.
    let dir = env.dir.join("public");
    let exported = workers::cli::export::run(&env.app, i64::from(id), &dir)
        .await
        .expect("export");
    assert!(!exported.personal_data);
    let people: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT nik, kk FROM registrations WHERE wave_id = $1")
            .bind(i64::from(id))
            .fetch_all(env.pool())
            .await
            .expect("registrations");
    let numbers: Vec<String> = people
        .into_iter()
        .flat_map(|(nik, kk)| [nik, kk])
        .flatten()
        .filter(|n| n.len() >= 8)
        .collect();
    assert!(numbers.len() > 2000);
    let published = files(&dir);
    assert!(published.iter().any(|(p, _)| p.ends_with("candidates.csv")));
    for (path, text) in &published {
        for number in &numbers {
            assert!(!text.contains(number.as_str()), "{path} holds a NIK or KK");
        }
    }
    let rejected = std::fs::read_to_string(dir.join("rejected.csv")).expect("rejected.csv");
    let mut lines = rejected.lines();
    assert_eq!(lines.next(), Some("pid,reasons"));
    let pids: Vec<&str> = lines.map(|l| l.split(',').next().expect("pid")).collect();
    assert!(!pids.is_empty());
    assert!(pids.is_sorted(), "sorted by pid");

    // Checked with no database, and by the independent verifier.
    let offline = workers::audit::audit_bundle(&dir).expect("bundle audit");
    assert!(offline.matched(), "{:?}", offline.differences);
    let dir_text = dir.display().to_string();
    let whole = verifier(&[&dir_text]);
    assert!(whole.status.success(), "{}", stdout(&whole));
    assert!(stdout(&whole).trim_end().ends_with("MATCH"));
    let mine = verifier(&[&dir_text, "--registration-id", &registration.to_string()]);
    assert!(mine.status.success(), "{}", stdout(&mine));
    assert!(stdout(&mine).contains("SELECTED"), "{}", stdout(&mine));

    // With personal data: identities.csv, marked; refused for a v1 wave.
    let private = env.dir.join("private");
    let exported = workers::cli::export::run_with(&env.app, i64::from(id), &private, true)
        .await
        .expect("export with personal data");
    assert!(exported.personal_data);
    let identities = std::fs::read_to_string(private.join("identities.csv")).expect("identities");
    assert_eq!(
        identities.lines().next(),
        Some("registration_id,pid,nik,kk")
    );
    assert_eq!(identities.lines().count() as i64, results + 1);
    assert!(identities.contains(&registration.to_string()));
    assert!(private.join("PERSONAL-DATA.txt").is_file());
}

#[tokio::test]
async fn receipts_tell_an_applicant_their_line_and_how_to_check_it() {
    let env = TestEnv::new().await;
    let wave = drawn_v2_wave(&env, 600).await;
    let pick = |status: &'static str| {
        let pool = env.pool().clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>(
                "SELECT registration_id FROM selection_results WHERE wave_id = $1 AND status = $2 \
                  ORDER BY rank LIMIT 1",
            )
            .bind(wave.wave_id)
            .bind(status)
            .fetch_one(&pool)
            .await
            .expect(status)
        }
    };
    for (id, status) in [
        (pick("SELECTED").await, "SELECTED"),
        (pick("WAITLIST").await, "WAITLIST"),
    ] {
        let output = prakerja(Some(&env), &["--json", "receipt", &id.to_string()]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        let receipt: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(receipt["eligibility"], "eligible");
        assert_eq!(receipt["draw"]["status"], status);
        assert_eq!(
            receipt["pid"].as_str(),
            Some(format!("{:032x}", derive_pid(&id)).as_str())
        );
        let check = receipt["check"].as_str().expect("the check command");
        assert!(
            check.contains(&format!("--registration-id {id}")),
            "{check}"
        );
        let text = stdout(&prakerja(Some(&env), &["receipt", &id.to_string()]));
        assert!(
            text.contains(status) && text.contains("verify_draw.py"),
            "{text}"
        );
    }
    let rejected: (uuid::Uuid, Vec<String>) = sqlx::query_as(
        "SELECT registration_id, reasons::text[] FROM registrations \
          WHERE wave_id = $1 AND status = 'rejected' AND cardinality(reasons) >= 2 LIMIT 1",
    )
    .bind(i64::from(wave.wave_id))
    .fetch_one(env.pool())
    .await
    .expect("a registration rejected for several reasons");
    let output = prakerja(Some(&env), &["--json", "receipt", &rejected.0.to_string()]);
    assert_eq!(output.status.code(), Some(0));
    let receipt: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(receipt["eligibility"], "rejected");
    let reasons: Vec<String> = serde_json::from_value(receipt["reasons"].clone()).expect("reasons");
    assert_eq!(reasons, rejected.1, "every reason");
    assert!(receipt["draw"].is_null());

    let unknown = uuid::Uuid::new_v4().to_string();
    let output = prakerja(Some(&env), &["receipt", &unknown]);
    assert_eq!(output.status.code(), Some(2), "an unknown id is bad input");
    let output = prakerja(Some(&env), &["receipt", "not-a-uuid"]);
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test]
async fn the_family_key_is_required_for_v2_and_never_changes() {
    let env = TestEnv::new().await;
    // wave open --selection v2 without a key: refused, naming the setting.
    let mut no_key = env.process_env(crate::helpers::WorkerKind::Prakerja);
    no_key.retain(|(k, _)| k != "PRAKERJA__SELECTION__FAMILY_KEY");
    let output =
        std::process::Command::new(crate::helpers::bin(crate::helpers::WorkerKind::Prakerja))
            .args([
                "wave",
                "open",
                "--name",
                "k",
                "--closes-at",
                "2099-01-01",
                "--allocation",
                "national:1",
                "--selection",
                "v2",
            ])
            .envs(no_key)
            .env_remove("PRAKERJA__SELECTION__FAMILY_KEY")
            .output()
            .expect("prakerja runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        crate::cli::stderr(&output).contains("selection.family_key"),
        "{}",
        crate::cli::stderr(&output)
    );

    let first = open_wave(env.pool(), v2_request(&env, "a", "national:1", test_key()))
        .await
        .expect("the first v2 wave");
    // Same key again: fine. Another key: refused, the wave not stored.
    open_wave(env.pool(), v2_request(&env, "b", "national:1", test_key()))
        .await
        .expect("the same key");
    let other = FamilyKey::new([9; 32]);
    let error = open_wave(
        env.pool(),
        v2_request(&env, "c", "national:1", other.clone()),
    )
    .await
    .expect_err("another key is refused");
    assert!(
        error.to_string().contains("selection.family_key"),
        "{error}"
    );
    let waves: i64 = sqlx::query_scalar("SELECT count(*) FROM waves")
        .fetch_one(env.pool())
        .await
        .expect("count");
    assert_eq!(waves, 2);
    // The fingerprint is stored, never the key.
    assert_eq!(
        first.family_key_fingerprint.as_deref(),
        Some(test_key().fingerprint().as_slice())
    );
    assert!(!format!("{first:?}").contains(TEST_FAMILY_KEY));
    // A selector, audit or export with another key refuses the wave.
    let refused = first.family_key(Some(&other)).expect_err("another key");
    assert!(refused.is::<workers::waves::WaveKeyError>());
    assert!(refused.to_string().contains("never changes"), "{refused}");
    assert!(first.family_key(None).is_err());
    // Fixed at open, by the database.
    let changed = sqlx::query("UPDATE waves SET selection_algorithm = 'v1', family_key_fingerprint = NULL WHERE wave_id = $1")
        .bind(first.wave_id)
        .execute(env.pool())
        .await
        .expect_err("the algorithm never changes");
    assert!(
        changed.to_string().contains("waves_selection_fixed"),
        "{changed}"
    );
}

#[tokio::test]
async fn stored_pids_are_32_lowercase_hex_digits() {
    let env = TestEnv::new().await;
    let mut connection = env.pool().acquire().await.expect("connection");
    for constraint in ["selection_results_pid_format", "participants_pid_format"] {
        // The constraint as installed, on a scratch table of one column.
        let definition: String = sqlx::query_scalar(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
        )
        .bind(constraint)
        .fetch_one(&mut *connection)
        .await
        .expect("the constraint");
        sqlx::query("DROP TABLE IF EXISTS pid_check")
            .execute(&mut *connection)
            .await
            .expect("drop");
        sqlx::query(&format!(
            "CREATE TEMP TABLE pid_check (pid text, {definition})"
        ))
        .execute(&mut *connection)
        .await
        .expect("scratch table");
        let good = format!("{:032x}", derive_pid(&uuid::Uuid::from_u128(7)));
        for (pid, ok) in [
            (good.as_str(), true),
            ("0123456789abcdef0123456789abcdef", true),
            ("0123456789ABCDEF0123456789ABCDEF", false),
            ("0123456789abcdef0123456789abcde", false),
            ("0123456789abcdef0123456789abcdef0", false),
            ("0123456789abcdef0123456789abcdeg", false),
            ("0123456789abcdef-123456789abcdef", false),
            ("0123456789abcdef0123456789abcdé", false),
            ("", false),
        ] {
            let stored = sqlx::query("INSERT INTO pid_check VALUES ($1)")
                .bind(pid)
                .execute(&mut *connection)
                .await;
            assert_eq!(stored.is_ok(), ok, "{constraint}: {pid:?}: {stored:?}");
        }
    }
}
