//! `verify/verify_draw.py`, the independent Python implementation of both
//! algorithms, must agree with the Rust one byte for byte (recomputed
//! `expected.csv` and `manifest.json`) on every v1 and v2 vector and on
//! random bundles written by the Rust side, and must catch a tampered one.
//! Needs `python3` (3.8 or later) on the PATH.

mod random_bundles;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use random_bundles::{Case, Seats};
use shared::selection::bundle::{AnyBundle, BundleOf};
use shared::selection::{DrawCandidate, draw, write_rows_csv};

const VERIFIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../verify/verify_draw.py");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

/// What the verifier said, and where it wrote its recomputation.
struct Verdict {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    recomputed: PathBuf,
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verifier-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn verify(dir: &Path, extra: &[&str]) -> Verdict {
    let recomputed = dir.with_extension("recomputed");
    let output = Command::new("python3")
        .arg(VERIFIER)
        .arg(dir)
        .arg("--write-recomputed")
        .arg(&recomputed)
        .args(extra)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): the verifier tests need Python 3 on the PATH")
        });
    Verdict {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        recomputed,
    }
}

/// The Rust draw's result files for a bundle, as bytes.
fn rust_result<C: DrawCandidate>(bundle: &BundleOf<C>) -> (Vec<u8>, Vec<u8>) {
    let result = draw(&bundle.draw_params(), bundle.candidates.clone()).expect("draw");
    let mut csv = Vec::new();
    write_rows_csv(&mut csv, &result.rows).expect("in memory");
    let manifest = result
        .manifest
        .to_json()
        .expect("serialisable")
        .into_bytes();
    (csv, manifest)
}

/// Runs the verifier on `dir`, expects MATCH, and compares its
/// recomputation with the Rust one byte for byte.
fn assert_agrees(dir: &Path) {
    let (csv, manifest) = match AnyBundle::read(dir).expect("readable bundle") {
        AnyBundle::V1(bundle) => rust_result(&bundle),
        AnyBundle::V2(bundle) => rust_result(&bundle),
    };
    let verdict = verify(dir, &[]);
    let name = dir.display();
    assert_eq!(
        verdict.code,
        Some(0),
        "{name}:\n{}{}",
        verdict.stdout,
        verdict.stderr
    );
    assert!(
        verdict.stdout.ends_with("MATCH\n"),
        "{name}: {}",
        verdict.stdout
    );
    let python_csv = fs::read(verdict.recomputed.join("expected.csv")).expect("python's rows");
    assert!(
        python_csv == csv,
        "{name}: Python's expected.csv differs from Rust's"
    );
    let python_manifest = fs::read(verdict.recomputed.join("manifest.json")).expect("manifest");
    assert_eq!(
        String::from_utf8_lossy(&python_manifest),
        String::from_utf8_lossy(&manifest),
        "{name}: Python's manifest.json differs from Rust's"
    );
    fs::remove_dir_all(&verdict.recomputed).expect("clean up");
}

#[test]
fn verifier_agrees_with_rust_on_every_vector() {
    let mut seen = 0;
    for version in ["selection-v1", "selection-v2"] {
        let root = Path::new(FIXTURES).join(version).join("vectors");
        let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
            .expect("vectors")
            .map(|e| e.expect("entry").path())
            .collect();
        dirs.sort();
        for dir in dirs {
            // Vectors are read-only fixtures: the recomputation goes beside
            // a copy.
            let copy = scratch(&format!(
                "{version}-{}",
                dir.file_name().expect("named").to_string_lossy()
            ));
            for entry in fs::read_dir(&dir).expect("files") {
                let path = entry.expect("entry").path();
                fs::copy(&path, copy.join(path.file_name().expect("named"))).expect("copy");
            }
            assert_agrees(&copy);
            fs::remove_dir_all(&copy).expect("clean up");
            seen += 1;
        }
    }
    assert_eq!(seen, 9, "five v1 and four v2 vectors");
}

#[test]
fn verifier_agrees_with_rust_on_random_bundles() {
    let cases = [
        (1, 3_000, Seats::Proportional(700), 2, true, 32),
        (2, 4_000, Seats::National(900), 1, true, 0),
        (3, 2_500, Seats::Explicit, 0, false, 64),
        (4, 1_200, Seats::Explicit, 1, true, 7),
        (5, 3_000, Seats::Proportional(5_000), 2, true, 32),
        (6, 0, Seats::National(5), 2, false, 0),
        (7, 0, Seats::Proportional(3), 0, true, 1),
    ];
    for (seed, count, seats, kk_cap, prior, beacon_len) in cases {
        let case = Case {
            seed,
            count,
            seats,
            kk_cap,
            prior,
            beacon_len,
        };
        for v2 in [false, true] {
            let dir = scratch(&format!("random-{seed}-{v2}"));
            if v2 {
                random_bundles::v2(&case).write(&dir).expect("write");
            } else {
                random_bundles::v1(&case).write(&dir).expect("write");
            }
            assert_agrees(&dir);
            fs::remove_dir_all(&dir).expect("clean up");
        }
    }
}

#[test]
fn verifier_catches_tampering_and_tolerates_extra_manifest_fields() {
    let case = Case {
        seed: 11,
        count: 2_000,
        seats: Seats::Proportional(300),
        kk_cap: 2,
        prior: true,
        beacon_len: 32,
    };
    let dir = scratch("tampered");
    let bundle = random_bundles::v2(&case);
    bundle.write(&dir).expect("write");

    // Beacon metadata and other extras in the manifest change nothing.
    let manifest = fs::read_to_string(dir.join("manifest.json")).expect("manifest");
    let extra = manifest.replacen(
        "{\n",
        "{\n  \"beacon_round\": 657413,\n  \"candidates\": 2000,\n",
        1,
    );
    fs::write(dir.join("manifest.json"), extra).expect("write");
    assert_agrees(&dir);

    // One status flipped in expected.csv.
    let expected = fs::read_to_string(dir.join("expected.csv")).expect("rows");
    let line = expected
        .lines()
        .position(|l| l.ends_with(",SELECTED"))
        .expect("a selected row")
        + 1;
    let flipped = expected.replacen(",SELECTED\n", ",WAITLIST\n", 1);
    fs::write(dir.join("expected.csv"), &flipped).expect("write");
    let verdict = verify(&dir, &[]);
    assert_eq!(
        verdict.code,
        Some(1),
        "{}{}",
        verdict.stdout,
        verdict.stderr
    );
    assert!(
        verdict.stdout.contains("\nMISMATCH\n"),
        "{}",
        verdict.stdout
    );
    assert!(
        verdict
            .stdout
            .contains(&format!("  - expected.csv line {line}: ")),
        "{}",
        verdict.stdout
    );
    assert!(
        verdict
            .stdout
            .contains("output_digest is not the digest of expected.csv"),
        "{}",
        verdict.stdout
    );
    fs::write(dir.join("expected.csv"), &expected).expect("restore");

    // One family card changed: its fid no longer derives.
    let registrations = fs::read_to_string(dir.join("registrations.csv")).expect("read");
    let changed = registrations.replacen(",1", ",2", 1);
    assert_ne!(changed, registrations);
    fs::write(dir.join("registrations.csv"), changed).expect("write");
    let verdict = verify(&dir, &[]);
    assert_eq!(
        verdict.code,
        Some(1),
        "{}{}",
        verdict.stdout,
        verdict.stderr
    );
    assert!(
        verdict
            .stdout
            .contains("does not follow from registrations.csv and the key"),
        "{}",
        verdict.stdout
    );
    fs::write(dir.join("registrations.csv"), &registrations).expect("restore");

    // A malformed file is unreadable input: exit 2.
    fs::write(
        dir.join("candidates.csv"),
        "pid,fid,province,tier\nXYZ,00,11,1\n",
    )
    .expect("write");
    let verdict = verify(&dir, &[]);
    assert_eq!(
        verdict.code,
        Some(2),
        "{}{}",
        verdict.stdout,
        verdict.stderr
    );
    assert!(
        verdict
            .stderr
            .contains("candidates.csv line 2: pid 'XYZ' is malformed"),
        "{}",
        verdict.stderr
    );
    fs::remove_dir_all(&dir).expect("clean up");
    let _ = fs::remove_dir_all(dir.with_extension("recomputed"));
}

#[test]
fn verifier_checks_one_applicants_line() {
    let case = Case {
        seed: 12,
        count: 1_500,
        seats: Seats::National(200),
        kk_cap: 2,
        prior: false,
        beacon_len: 0,
    };
    let dir = scratch("applicant");
    let bundle = random_bundles::v2(&case);
    bundle.write(&dir).expect("write");
    let result = draw(&bundle.draw_params(), bundle.candidates.clone()).expect("draw");
    for index in [0, 700, 1_499] {
        let id = random_bundles::some_registration(&bundle, index);
        let pid = shared::selection::derive_pid(&id);
        let row = result
            .rows
            .iter()
            .find(|r| r.pid == pid)
            .expect("the applicant's row");
        // An applicant may type their id in upper case.
        let typed = id.to_string().to_uppercase();
        let verdict = verify(&dir, &["--registration-id", &typed]);
        assert_eq!(
            verdict.code,
            Some(0),
            "{}{}",
            verdict.stdout,
            verdict.stderr
        );
        let line = format!(
            "pid {pid:032x}: stratum {}, rank {}, {}\n",
            row.stratum, row.rank, row.status
        );
        assert!(verdict.stdout.contains(&line), "{}", verdict.stdout);
        assert!(
            verdict
                .stdout
                .contains("your line in expected.csv matches the recomputed draw")
        );
    }
    let stranger = uuid::Uuid::from_u128(7).to_string();
    let verdict = verify(&dir, &["--registration-id", &stranger]);
    assert_eq!(verdict.code, Some(1), "{}", verdict.stdout);
    assert!(
        verdict.stdout.contains("is not among the candidates"),
        "{}",
        verdict.stdout
    );
    fs::remove_dir_all(&dir).expect("clean up");
    let _ = fs::remove_dir_all(dir.with_extension("recomputed"));
}
