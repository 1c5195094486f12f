//! A production configuration refuses to start with a missing or
//! development credential, naming the setting (exit 2); the gateway
//! simulator runs only where a development configuration enables it.

use std::process::Output;

use crate::helpers::{WorkerKind, bin};

/// Runs a binary with `vars` on top of a clean configuration environment.
fn run(kind: WorkerKind, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(bin(kind));
    command.args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PRAKERJA")) {
        command.env_remove(key);
    }
    // A valid programme key, so that only the credentials are at fault
    // (production also refuses to start without one).
    command
        .env("PRAKERJA__METRICS__LISTEN", "127.0.0.1:0")
        .env(
            "PRAKERJA__SELECTION__FAMILY_KEY",
            crate::helpers::TEST_FAMILY_KEY,
        )
        .envs(vars.iter().copied())
        .output()
        .expect("the binary runs")
}

fn refused(output: &Output, naming: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "exit 2: {stderr}");
    assert!(stderr.contains(naming), "names {naming}: {stderr}");
}

const GOOD_DATABASE: &str = "postgres://validator_1:s3cr3t@127.0.0.1:1/prakerja";
const GOOD_AMQP: &str = "amqp://prakerja-validator:s3cr3t@127.0.0.1:1/prakerja";

#[test]
fn production_refuses_development_and_missing_credentials_naming_the_setting() {
    let production = ("PRAKERJA_ENVIRONMENT", "production");
    for kind in [WorkerKind::Validator, WorkerKind::Disburser] {
        // Nothing set: config/local.toml is not read in production.
        refused(&run(kind, &[], &[production]), "database.url is not set");
        refused(
            &run(
                kind,
                &[],
                &[production, ("PRAKERJA__DATABASE__URL", GOOD_DATABASE)],
            ),
            "amqp.url is not set",
        );
        let superuser = "postgres://postgres@127.0.0.1:5432/prakerja";
        refused(
            &run(
                kind,
                &[],
                &[
                    production,
                    ("PRAKERJA__DATABASE__URL", superuser),
                    ("PRAKERJA__AMQP__URL", GOOD_AMQP),
                ],
            ),
            "database.url is refused in production",
        );
        let guest = "amqp://guest:guest@127.0.0.1:5672/%2f";
        refused(
            &run(
                kind,
                &[],
                &[
                    production,
                    ("PRAKERJA__DATABASE__URL", GOOD_DATABASE),
                    ("PRAKERJA__AMQP__URL", guest),
                ],
            ),
            "amqp.url is refused in production",
        );
    }
    let no_password = "postgres://siti@127.0.0.1:5432/prakerja";
    refused(
        &run(
            WorkerKind::Prakerja,
            &["wave", "list"],
            &[
                production,
                ("PRAKERJA__DATABASE__URL", no_password),
                ("PRAKERJA__AMQP__URL", GOOD_AMQP),
            ],
        ),
        "carries no password",
    );
}

#[test]
fn the_gateway_simulator_runs_only_where_development_configuration_enables_it() {
    let credentials = [
        ("PRAKERJA__DATABASE__URL", GOOD_DATABASE),
        ("PRAKERJA__AMQP__URL", GOOD_AMQP),
    ];
    let mut production = credentials.to_vec();
    production.push(("PRAKERJA_ENVIRONMENT", "production"));
    refused(
        &run(WorkerKind::GatewaySimulator, &[], &production),
        "gateway simulator is off",
    );
    let mut enabled = production.clone();
    enabled.push(("PRAKERJA__SIMULATORS__GATEWAY", "true"));
    refused(
        &run(WorkerKind::GatewaySimulator, &[], &enabled),
        "simulators.gateway is true in a production configuration",
    );
    let mut disabled = credentials.to_vec();
    disabled.push(("PRAKERJA__SIMULATORS__GATEWAY", "false"));
    refused(
        &run(WorkerKind::GatewaySimulator, &[], &disabled),
        "gateway simulator is off",
    );
}
