//! The verifier catches tampering (and tolerates extra manifest fields),
//! reads nothing it cannot parse, and checks one applicant's line.

use std::fs;

use shared::selection::draw;

use crate::random_bundles::{self, Case, Seats};
use crate::{assert_agrees, scratch, verify};

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
