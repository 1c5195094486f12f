//! Every vector under `tests/fixtures/selection-v2/vectors/` must be
//! reproduced exactly, derivations included: every `pid` and `fid` of
//! `candidates.csv` and `prior.csv` follows from `registrations.csv` and the
//! family key, and the draw over the candidates derived from the
//! registrations reproduces `expected.csv` and `manifest.json` byte for
//! byte. The bundle must also write itself back byte for byte.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use shared::selection::bundle::{AnyBundle, BundleV2};
use shared::selection::{Algorithm, CandidateV2, compare, derive_pid, draw, write_rows_csv};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/selection-v2/vectors"
);

fn vector_dirs() -> Vec<PathBuf> {
    let entries = fs::read_dir(VECTORS).unwrap_or_else(|e| panic!("cannot list {VECTORS}: {e}"));
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("params.json").is_file())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 4, "the four v2 vectors under {VECTORS}");
    dirs
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn bundle(dir: &Path) -> BundleV2 {
    BundleV2::read(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

#[test]
fn every_pid_and_fid_derives_from_the_registrations() {
    for dir in vector_dirs() {
        let name = dir.display();
        let bundle = bundle(&dir);
        let derivation = bundle
            .derivation
            .as_ref()
            .expect("a vector has a derivation");
        let key = &derivation.family_key;
        let derived: Vec<CandidateV2> = derivation
            .registrations
            .iter()
            .map(|r| CandidateV2 {
                pid: derive_pid(&r.registration_id),
                fid: key.fid(r.kk).expect("16 digits"),
                province: r.province,
                tier: r.tier,
            })
            .collect();
        // The vectors list candidates in registration order.
        assert_eq!(derived, bundle.candidates, "{name}: candidates.csv");
        let fids: HashSet<u128> = derived.iter().map(|c| c.fid).collect();
        for (fid, _) in bundle.prior.iter().flatten() {
            assert!(
                fids.contains(fid),
                "{name}: prior fid {fid:032x} not derived"
            );
        }
        let prior = bundle.prior.as_deref().map(|p| (p, "prior.csv"));
        let mismatches = derivation.check(&bundle.candidates, "candidates.csv", prior);
        assert!(mismatches.is_empty(), "{name}: {mismatches:?}");
    }
}

#[test]
fn vectors_are_reproduced_from_derived_ids() {
    for dir in vector_dirs() {
        let name = dir.display();
        let bundle = bundle(&dir);
        let derivation = bundle.derivation.as_ref().expect("derivation");
        let derived: Vec<CandidateV2> = derivation
            .registrations
            .iter()
            .map(|r| CandidateV2 {
                pid: derive_pid(&r.registration_id),
                fid: derivation.family_key.fid(r.kk).expect("16 digits"),
                province: r.province,
                tier: r.tier,
            })
            .collect();
        let result = draw(&bundle.draw_params(), derived).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(result.manifest.algorithm, Algorithm::V2.name());

        let expected_rows = bundle.expected.as_ref().expect("vector has expected.csv");
        let expected_manifest = bundle.manifest.as_ref().expect("vector has manifest.json");
        let differences = compare(expected_rows, expected_manifest, &result);
        let listing: Vec<String> = differences.iter().map(ToString::to_string).collect();
        assert!(differences.is_empty(), "{name}:\n{}", listing.join("\n"));
        assert_eq!(
            &result.manifest, expected_manifest,
            "{name}: manifest fields"
        );

        let mut csv = Vec::new();
        write_rows_csv(&mut csv, &result.rows).expect("write to memory");
        assert!(
            csv == read(&dir.join("expected.csv")),
            "{name}: expected.csv bytes differ"
        );
        let json = result.manifest.to_json().expect("serialisable");
        assert!(
            json.as_bytes() == read(&dir.join("manifest.json")),
            "{name}: manifest.json bytes differ:\n{json}"
        );
    }
}

#[test]
fn input_order_does_not_matter() {
    for dir in vector_dirs() {
        let bundle = bundle(&dir);
        let params = bundle.draw_params();
        let forward = draw(&params, bundle.candidates.clone()).expect("draw");
        let mut reversed = bundle.candidates.clone();
        reversed.reverse();
        assert_eq!(
            draw(&params, reversed).expect("draw"),
            forward,
            "{}",
            dir.display()
        );
    }
}

#[test]
fn bundles_are_told_apart_and_write_back_byte_for_byte() {
    let out = std::env::temp_dir().join(format!("selection-v2-vectors-{}", std::process::id()));
    for dir in vector_dirs() {
        let any = AnyBundle::read(&dir).expect("vector reads");
        assert_eq!(any.algorithm(), Algorithm::V2);
        let AnyBundle::V2(bundle) = any else {
            unreachable!("checked above")
        };
        let target = out.join(dir.file_name().expect("named"));
        bundle.write(&target).expect("bundle writes");
        let mut names: Vec<_> = fs::read_dir(&dir)
            .expect("list vector")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        for file in names {
            let (a, b) = (read(&dir.join(&file)), read(&target.join(&file)));
            assert!(
                a == b,
                "{}: {} differs after write",
                dir.display(),
                file.to_string_lossy()
            );
        }
        let written = fs::read_dir(&target).expect("list written").count();
        assert_eq!(written, fs::read_dir(&dir).expect("list vector").count());
        assert_eq!(BundleV2::read(&target).expect("reads back"), bundle);
    }
    fs::remove_dir_all(&out).expect("clean up");
}
