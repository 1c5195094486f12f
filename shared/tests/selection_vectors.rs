//! Every vector under `tests/fixtures/selection-v1/vectors/` must be
//! reproduced exactly: `expected.csv` byte for byte, `manifest.json` field
//! for field and byte for byte. The bundle must also write itself back
//! byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use shared::selection::bundle::Bundle;
use shared::selection::{compare, draw, write_rows_csv};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/selection-v1/vectors"
);

fn vector_dirs() -> Vec<PathBuf> {
    let entries = fs::read_dir(VECTORS).unwrap_or_else(|e| panic!("cannot list {VECTORS}: {e}"));
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("params.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no vectors found under {VECTORS}");
    dirs
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn vectors_are_reproduced() {
    for dir in vector_dirs() {
        let name = dir.display();
        let bundle = Bundle::read(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        let result = draw(&bundle.draw_params(), bundle.candidates.clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));

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
        let bundle = Bundle::read(&dir).expect("vector reads");
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
fn bundles_write_back_byte_for_byte() {
    let out = std::env::temp_dir().join(format!("selection-vectors-{}", std::process::id()));
    for dir in vector_dirs() {
        let bundle = Bundle::read(&dir).expect("vector reads");
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
    }
    fs::remove_dir_all(&out).expect("clean up");
}
