//! Bundle read errors name the file, line and field; writing round-trips.

use std::fs;
use std::path::PathBuf;

use super::{Bundle, BundleError};

const PARAMS: &str = r#"{
  "wave_id": 3,
  "secret": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "beacon": "00ff",
  "allocation": "explicit:quotas.csv",
  "kk_cap": 2,
  "prior": "prior.csv"
}"#;
const CANDIDATES: &str = "nik,kk,province,tier\n\
                          1100000000000001,1100000000000009,11,1\n\
                          1200000000000002,1100000000000009,12,2\n";
const PRIOR: &str = "kk,count\n1100000000000009,1\n";
const QUOTAS: &str = "province,quota\n11,1\n12,0\n";

/// A fresh bundle directory with the valid files above, then `changes`
/// (file name, content) applied.
fn bundle_dir(test: &str, changes: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bundle-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    let files = [
        ("params.json", PARAMS),
        ("candidates.csv", CANDIDATES),
        ("prior.csv", PRIOR),
        ("quotas.csv", QUOTAS),
    ];
    for (name, text) in files.iter().chain(changes) {
        fs::write(dir.join(name), text).expect("write fixture");
    }
    dir
}

fn read_error(test: &str, changes: &[(&str, &str)]) -> String {
    let dir = bundle_dir(test, changes);
    let result = Bundle::read(&dir);
    fs::remove_dir_all(&dir).expect("clean up");
    match result {
        Ok(_) => panic!("{test}: bundle was accepted"),
        Err(e) => e.to_string(),
    }
}

fn candidates_with(line: &str) -> String {
    format!("{CANDIDATES}{line}\n")
}

#[test]
fn valid_bundle_reads_draws_and_round_trips() {
    let dir = bundle_dir("valid", &[]);
    let mut bundle = Bundle::read(&dir).expect("valid bundle");
    assert_eq!(bundle.candidates.len(), 2);
    let draw =
        crate::selection::draw(&bundle.draw_params(), bundle.candidates.clone()).expect("draw");
    bundle.set_result(&draw);
    let out = dir.join("out");
    bundle.write(&out).expect("write");
    for name in ["params.json", "candidates.csv", "prior.csv", "quotas.csv"] {
        assert_eq!(
            fs::read(dir.join(name)).ok(),
            fs::read(out.join(name)).ok(),
            "{name}"
        );
    }
    let again = Bundle::read(&out).expect("written bundle reads");
    assert_eq!(again, bundle);
    fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn candidate_errors_name_file_line_and_field() {
    let cases = [
        (
            "nik",
            "12345,1100000000000009,11,1",
            r#"candidates.csv line 4: nik "12345" is not 16 ASCII digits"#,
        ),
        (
            "kk",
            "1300000000000003,11000000000000x9,11,1",
            r#"candidates.csv line 4: kk "11000000000000x9" is not 16 ASCII digits"#,
        ),
        (
            "province",
            "1300000000000003,1100000000000009,1,1",
            r#"candidates.csv line 4: province "1" is not 2 ASCII digits"#,
        ),
        (
            "tier",
            "1300000000000003,1100000000000009,13,0",
            r#"candidates.csv line 4: tier "0" is not a tier 1 to 9"#,
        ),
        (
            "fields",
            "1300000000000003,1100000000000009,13",
            "candidates.csv line 4: 3 fields, expected 4 (nik,kk,province,tier)",
        ),
        (
            "duplicate",
            "1100000000000001,1100000000000009,13,2",
            "candidates.csv line 4: nik 1100********0001 duplicates line 2",
        ),
    ];
    for (test, line, message) in cases {
        assert_eq!(
            read_error(test, &[("candidates.csv", &candidates_with(line))]),
            message
        );
    }
    let header = read_error("header", &[("candidates.csv", "nik,kk,prov,tier\n")]);
    assert_eq!(
        header,
        r#"candidates.csv line 1: header is "nik,kk,prov,tier", expected "nik,kk,province,tier""#
    );
    assert_eq!(
        read_error("empty", &[("candidates.csv", "")]),
        r#"candidates.csv line 1: missing header "nik,kk,province,tier""#
    );
}

#[test]
fn other_file_errors_name_file_line_and_field() {
    let secret = PARAMS.replace("1e1f\"", "1e\"");
    assert_eq!(
        read_error("secret", &[("params.json", &secret)]),
        r#"params.json line 3: secret "…" is not 64 hex digits (32 bytes)"#
    );
    let allocation = PARAMS.replace("explicit:quotas.csv", "explicit:../quotas.csv");
    assert_eq!(
        read_error("allocation", &[("params.json", &allocation)]),
        r#"params.json line 5: allocation "explicit:../quotas.csv" does not name a file in the bundle"#
    );
    let kk_cap = PARAMS.replace("\"kk_cap\": 2", "\"kk_cap\": -2");
    assert!(
        read_error("kk_cap", &[("params.json", &kk_cap)])
            .starts_with("params.json line 6: invalid value: integer `-2`")
    );
    let prior = "kk,count\n1100000000000009,1\n1100000000000008,x\n";
    assert_eq!(
        read_error("prior", &[("prior.csv", prior)]),
        r#"prior.csv line 3: count "x" is not a count 0 to 4294967295"#
    );
    let prior = "kk,count\n1100000000000009,1\n1100000000000009,2\n";
    assert_eq!(
        read_error("prior-dup", &[("prior.csv", prior)]),
        "prior.csv line 3: kk 1100********0009 duplicates line 2"
    );
    let quotas = "province,quota\n11,1\n11,2\n";
    assert_eq!(
        read_error("quotas", &[("quotas.csv", quotas)]),
        "quotas.csv line 3: province 11 duplicates line 2"
    );
    let expected = "stratum,rank,nik,status\n11,1,1100000000000001,CHOSEN\n";
    assert_eq!(
        read_error("expected", &[("expected.csv", expected)]),
        r#"expected.csv line 2: status "CHOSEN" is not SELECTED, WAITLIST or KK_CAP"#
    );
    let manifest = "{\n  \"algorithm\": 1\n}\n";
    assert!(
        read_error("manifest", &[("manifest.json", manifest)])
            .starts_with("manifest.json line 2: invalid type")
    );
}

#[test]
fn missing_files_are_named() {
    let dir = bundle_dir("missing", &[]);
    fs::remove_file(dir.join("prior.csv")).expect("remove");
    let error = Bundle::read(&dir);
    fs::remove_dir_all(&dir).expect("clean up");
    match error {
        Err(BundleError::Io { file, action, .. }) => {
            assert!(file.ends_with("prior.csv"), "{file}");
            assert_eq!(action, "cannot read");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}
