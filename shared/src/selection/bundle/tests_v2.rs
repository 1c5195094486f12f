//! v2 bundles: errors name the file, line and field (never a key or a KK).

use std::fs;
use std::path::PathBuf;

use super::{AnyBundle, BundleError, BundleV2};
use crate::selection::{FamilyKey, derive_pid};

const KEY: &str = "5e0e2594fb125224e025d47699194ea4b8f2fd4c0479f6d86d91797389cf0dc0";
const PARAMS: &str = r#"{
  "wave_id": 9,
  "secret": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "beacon": "",
  "allocation": "national:2",
  "kk_cap": 1,
  "prior": "prior.csv",
  "family_key": "5e0e2594fb125224e025d47699194ea4b8f2fd4c0479f6d86d91797389cf0dc0",
  "registrations": "registrations.csv"
}
"#;
const REGISTRATIONS: &str = "registration_id,kk,province,tier\n\
                             d64888a3-bd4d-45b5-92b2-443f982a3af2,7638202803102488,75,2\n\
                             c4eeef95-f28a-4a43-8869-d113996b4d1b,7602082107029535,76,1\n";

/// The registrations above as `(pid, fid, province, tier)` lines.
fn candidates() -> (String, String) {
    let key = FamilyKey::from_hex(KEY).expect("key");
    let mut lines = String::from("pid,fid,province,tier\n");
    let mut first_fid = String::new();
    for line in REGISTRATIONS.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let pid = derive_pid(&f[0].parse().expect("uuid"));
        let fid = key.fid(f[1].parse().expect("kk")).expect("16 digits");
        if first_fid.is_empty() {
            first_fid = format!("{fid:032x}");
        }
        lines.push_str(&format!("{pid:032x},{fid:032x},{},{}\n", f[2], f[3]));
    }
    (lines, first_fid)
}

pub(super) fn bundle_dir(test: &str, changes: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bundle-v2-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    let (candidates, fid) = candidates();
    let prior = format!("fid,count\n{fid},1\n");
    let files = [
        ("params.json", PARAMS),
        ("candidates.csv", candidates.as_str()),
        ("prior.csv", prior.as_str()),
        ("registrations.csv", REGISTRATIONS),
    ];
    for (name, text) in files.iter().chain(changes) {
        fs::write(dir.join(name), text).expect("write fixture");
    }
    dir
}

fn read_error(test: &str, changes: &[(&str, &str)]) -> String {
    let dir = bundle_dir(test, changes);
    let result = AnyBundle::read(&dir);
    fs::remove_dir_all(&dir).expect("clean up");
    match result {
        Ok(_) => panic!("{test}: bundle was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn valid_v2_bundle_reads_checks_and_draws() {
    let dir = bundle_dir("valid", &[]);
    let bundle = BundleV2::read(&dir).expect("valid bundle");
    fs::remove_dir_all(&dir).expect("clean up");
    let derivation = bundle.derivation.as_ref().expect("derivation");
    let prior = bundle.prior.as_deref().map(|p| (p, "prior.csv"));
    assert_eq!(
        derivation.check(&bundle.candidates, "candidates.csv", prior),
        Vec::<String>::new()
    );
    // The family of the first registration is capped by its prior count.
    let draw =
        crate::selection::draw(&bundle.draw_params(), bundle.candidates.clone()).expect("draw");
    assert_eq!((draw.manifest.selected, draw.manifest.kk_cap), (1, 1));
    assert_eq!(draw.manifest.algorithm, "prakerja-selection-v2");
}

#[test]
fn v2_errors_name_file_line_and_field() {
    let (good, _) = candidates();
    let cases: [(&str, String, &str); 4] = [
        (
            "pid",
            format!(
                "{good}ABCDEF0123456789abcdef0123456789,00000000000000000000000000000000,11,1\n"
            ),
            r#"candidates.csv line 4: pid "ABCDEF0123456789abcdef0123456789" is not 32 lower-case hex digits"#,
        ),
        (
            "fid",
            format!("{good}abcdef0123456789abcdef0123456789,0000,11,1\n"),
            r#"candidates.csv line 4: fid "0000" is not 32 lower-case hex digits"#,
        ),
        (
            "duplicate",
            format!(
                "{good}{}",
                good.lines()
                    .nth(1)
                    .map(|l| format!("{l}\n"))
                    .unwrap_or_default()
            ),
            "duplicates line 2",
        ),
        (
            "header",
            good.replace("pid,fid,province,tier", "id,fid,province,tier"),
            r#"candidates.csv line 1: header is "id,fid,province,tier", expected "nik,kk,province,tier" (v1) or "pid,fid,province,tier" (v2)"#,
        ),
    ];
    for (test, text, message) in cases {
        let error = read_error(test, &[("candidates.csv", &text)]);
        assert!(error.ends_with(message), "{test}: {error}");
    }
    let prior =
        "fid,count\n00000000000000000000000000000001,1\n00000000000000000000000000000001,2\n";
    assert_eq!(
        read_error("prior-dup", &[("prior.csv", prior)]),
        "prior.csv line 3: fid 00000000000000000000000000000001 duplicates line 2"
    );
}

#[test]
fn secrets_and_kks_are_never_echoed() {
    let bad_key = PARAMS.replace(KEY, "zz0e2594");
    let error = read_error("key", &[("params.json", &bad_key)]);
    assert_eq!(
        error,
        r#"params.json line 8: family_key "…" is not 64 hex digits (32 bytes)"#
    );
    let alone = PARAMS.replace(",\n  \"registrations\": \"registrations.csv\"", "");
    assert_eq!(
        read_error("alone", &[("params.json", &alone)]),
        r#"params.json line 8: family_key "…" needs registrations (the file it derives fids from)"#
    );
    let registrations =
        format!("{REGISTRATIONS}0b2d1c84-6e0b-4fa6-a0f5-bd1d7b2c2b5c,76020821070295x5,76,1\n");
    assert_eq!(
        read_error("kk", &[("registrations.csv", &registrations)]),
        r#"registrations.csv line 4: kk "…" is not 16 ASCII digits"#
    );
    let registrations =
        format!("{REGISTRATIONS}C4EEEF95-F28A-4A43-8869-D113996B4D1B,7602082107029535,76,1\n");
    assert!(
        read_error("uuid", &[("registrations.csv", &registrations)]).starts_with(
            r#"registrations.csv line 4: registration_id "C4EEEF95-F28A-4A43-8869-D113996B4D1B" is not a UUID in canonical form"#
        )
    );
    let duplicate = format!(
        "{REGISTRATIONS}{}\n",
        REGISTRATIONS.lines().nth(2).unwrap_or_default()
    );
    assert_eq!(
        read_error("dup-registration", &[("registrations.csv", &duplicate)]),
        "registrations.csv line 4: registration_id c4eeef95-f28a-4a43-8869-d113996b4d1b duplicates line 3"
    );
    // A v1 bundle cannot carry a family key.
    let v1 = "nik,kk,province,tier\n1100000000000001,1100000000000009,11,1\n";
    let error = read_error(
        "v1-key",
        &[("candidates.csv", v1), ("prior.csv", "kk,count\n")],
    );
    assert_eq!(
        error,
        r#"params.json line 8: family_key "…" belongs to v2 bundles only (candidates.csv is v1)"#
    );
}

#[test]
fn missing_registrations_file_is_named() {
    let dir = bundle_dir("missing", &[]);
    fs::remove_file(dir.join("registrations.csv")).expect("remove");
    let error = AnyBundle::read(&dir);
    fs::remove_dir_all(&dir).expect("clean up");
    match error {
        Err(BundleError::Io { file, .. }) => assert!(file.ends_with("registrations.csv"), "{file}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}
