//! `verify/verify_draw.py`, the independent Python implementation of both
//! algorithms, must agree with the Rust one byte for byte (recomputed
//! `expected.csv` and `manifest.json`) on every v1 and v2 vector and on
//! random bundles written by the Rust side, and must catch a tampered one.
//! Needs `python3` (3.8 or later) on the PATH.

mod checks;
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
