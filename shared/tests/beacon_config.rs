//! The [selection] and [drand] settings: the shipped configuration pins
//! quicknet and defaults to no beacon; a bad chain or beacon is refused with
//! its name.

use std::path::{Path, PathBuf};

use shared::beacon::BeaconChoice;
use shared::config::Settings;

fn config_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../config"))
}

/// A configuration directory holding default.toml with `edit` applied.
fn edited(test: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(config_dir().join("default.toml")).expect("default.toml");
    let dir = std::env::temp_dir().join(format!("beacon-config-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("default.toml"), edit(text)).expect("write");
    // The development credentials (PRAKERJA_ENVIRONMENT=local, the default).
    std::fs::copy(config_dir().join("local.toml"), dir.join("local.toml")).expect("local.toml");
    dir
}

fn load_error(dir: &Path) -> String {
    let result = Settings::load_from(dir);
    std::fs::remove_dir_all(dir).expect("clean up");
    format!("{:#}", result.expect_err("refused"))
}

#[test]
fn the_shipped_configuration_pins_quicknet_and_defaults_to_no_beacon() {
    let settings = Settings::load_from(&config_dir()).expect("loads");
    assert_eq!(settings.selection.beacon, BeaconChoice::None);
    let quicknet = settings.drand.chain("quicknet").expect("quicknet");
    assert_eq!(
        quicknet.hash_hex(),
        "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
    );
    assert_eq!((quicknet.genesis, quicknet.period_secs), (1_692_803_367, 3));
    assert!(!quicknet.urls.is_empty());
    let production =
        std::fs::read_to_string(config_dir().join("production.toml")).expect("production.toml");
    assert!(production.contains("beacon = \"drand:quicknet\""));
}

#[test]
fn a_bad_beacon_or_chain_is_refused_by_name() {
    let dir = edited("unknown", |t| {
        t.replace("beacon = \"none\"", "beacon = \"drand:nope\"")
    });
    let error = load_error(&dir);
    assert!(error.contains("drand chain \"nope\""), "{error}");
    let dir = edited("form", |t| {
        t.replace("beacon = \"none\"", "beacon = \"quicknet\"")
    });
    let error = load_error(&dir);
    assert!(
        error.contains("\"quicknet\" must be \"none\" or \"drand:CHAIN\""),
        "{error}"
    );
    let dir = edited("key", |t| {
        t.replace("public_key = \"83cf", "public_key = \"93cf")
    });
    let error = load_error(&dir);
    assert!(
        error.contains("drand chain \"quicknet\": public_key"),
        "{error}"
    );
    let dir = edited("period", |t| {
        t.replace("period_secs = 3", "period_secs = 0")
    });
    let error = load_error(&dir);
    assert!(error.contains("period_secs must be at least 1"), "{error}");
}
