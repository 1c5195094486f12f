//! The deployment files, parsed and checked for what the pipeline relies on:
//! every command names a binary of this workspace and its own argument
//! parser accepts the arguments; workers are probed on /readyz and /healthz
//! of their metrics port and scraped; the migration runs once before them;
//! the nightly CronJob forbids concurrent runs; secrets come from Secret
//! objects; RabbitMQ nodes share one cookie and list each other; PostgreSQL
//! and RabbitMQ come from their operators, not hand-made StatefulSets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every document of a YAML file, merge keys applied, as JSON values.
fn yaml_docs(path: &str) -> Vec<Value> {
    let text = read(path);
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| {
            let mut value =
                serde_yaml_ng::Value::deserialize(doc).unwrap_or_else(|e| panic!("{path}: {e}"));
            value
                .apply_merge()
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            serde_json::to_value(value).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// The binaries of the workspace (`workers/src/bin/*.rs`), with their paths.
fn binary(name: &str) -> Option<PathBuf> {
    let built = match name {
        "validator" => env!("CARGO_BIN_EXE_validator"),
        "selector" => env!("CARGO_BIN_EXE_selector"),
        "disburser" => env!("CARGO_BIN_EXE_disburser"),
        "prakerja" => env!("CARGO_BIN_EXE_prakerja"),
        "gateway-simulator" => env!("CARGO_BIN_EXE_gateway-simulator"),
        "beacon-simulator" => env!("CARGO_BIN_EXE_beacon-simulator"),
        _ => return None,
    };
    Some(PathBuf::from(built))
}

fn workspace_binaries() -> BTreeSet<String> {
    std::fs::read_dir(root().join("workers/src/bin"))
        .expect("workers/src/bin")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

/// A command line names a workspace binary, and that binary's own parser
/// accepts its arguments (`ARGS... --help` exits 0 only if every argument
/// before it parses).
fn check_command(where_: &str, command: &[String]) {
    let (program, args) = command
        .split_first()
        .unwrap_or_else(|| panic!("{where_}: empty command"));
    let name = Path::new(program)
        .file_name()
        .expect("name")
        .to_string_lossy();
    assert!(
        workspace_binaries().contains(name.as_ref()),
        "{where_}: {name} is not a binary of workers/src/bin"
    );
    let path =
        binary(&name).unwrap_or_else(|| panic!("{where_}: {name} is not built for the tests"));
    let output = std::process::Command::new(path)
        .args(args)
        .arg("--help")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{where_}: `{}` is refused: {}",
        command.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_owned()
        })
        .collect()
}

const IMAGE: &str = "${PRAKERJA_IMAGE:-ghcr.io/prakerja-open/prakerja:latest}";
/// The image with the simulators (deploy/Dockerfile, target `dev`).
const DEV_IMAGE: &str = "${PRAKERJA_DEV_IMAGE:-ghcr.io/prakerja-open/prakerja:dev}";

#[test]
fn the_argument_check_refuses_what_a_binary_does_not_take() {
    let refused = std::process::Command::new(binary("validator").expect("built"))
        .args(["--no-such-flag", "--help"])
        .output()
        .expect("runs");
    assert!(!refused.status.success());
}

#[test]
fn compose_runs_the_pipeline_with_health_checks_and_a_one_shot_migration() {
    let compose = yaml_docs("deploy/compose.yaml").remove(0);
    let services = compose["services"].as_object().expect("services");
    let profile = |name: &str| {
        services[name]
            .get("profiles")
            .map(strings)
            .unwrap_or_default()
    };
    for name in [
        "postgres",
        "rabbitmq",
        "migrate",
        "validator",
        "selector",
        "disburser",
    ] {
        assert!(services.contains_key(name), "compose lacks {name}");
        assert!(profile(name).is_empty(), "{name} runs without a profile");
    }
    for name in ["gateway-simulator", "beacon-simulator"] {
        assert_eq!(profile(name), ["dev"], "{name} only in the dev profile");
    }
    for name in ["rabbitmq-2", "rabbitmq-3"] {
        assert_eq!(
            profile(name),
            ["cluster"],
            "{name} only in the cluster profile"
        );
    }
    assert_eq!(services["validator"]["deploy"]["replicas"], 2);
    for (name, service) in services {
        let image = service["image"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no image"));
        if let Some(command) = service.get("command") {
            if profile(name) == ["dev"] {
                assert_eq!(image, DEV_IMAGE, "{name} runs the dev image");
                assert_eq!(service["build"]["target"], "dev", "{name}: built as dev");
            } else {
                assert_eq!(image, IMAGE, "{name} runs the project's image");
                assert!(
                    service["build"].get("target").is_none(),
                    "{name}: production"
                );
            }
            let dockerfile = service["build"]["dockerfile"].as_str().expect("build");
            assert!(root().join(dockerfile).is_file(), "{name}: {dockerfile}");
            check_command(&format!("compose service {name}"), &strings(command));
        } else {
            assert!(
                service["healthcheck"]["test"].is_array(),
                "{name}: a service others wait for has a health check"
            );
        }
        for volume in service["volumes"].as_array().into_iter().flatten() {
            let source = volume
                .as_str()
                .expect("short syntax")
                .split(':')
                .next()
                .expect("source");
            if source.starts_with("./") {
                assert!(
                    root().join("deploy").join(source).exists(),
                    "{name} mounts {source}"
                );
            }
        }
    }
    assert_eq!(
        strings(&services["migrate"]["command"]),
        ["prakerja", "migrate"]
    );
    assert_eq!(services["migrate"]["restart"], "no");
    for worker in ["validator", "selector", "disburser"] {
        let s = &services[worker];
        assert_eq!(
            s["depends_on"]["migrate"]["condition"], "service_completed_successfully",
            "{worker} waits for the migration"
        );
        assert_eq!(s["depends_on"]["rabbitmq"]["condition"], "service_healthy");
        let probe = strings(&s["healthcheck"]["test"]).join(" ");
        assert!(
            probe.contains("http://127.0.0.1:9100/readyz"),
            "{worker}: {probe}"
        );
        assert!(
            s["environment"]["PRAKERJA__METRICS__LISTEN"]
                .as_str()
                .is_some_and(|l| l.ends_with(":9100"))
        );
        assert_eq!(s["stop_grace_period"], "60s");
    }
    assert!(
        read("deploy/Dockerfile").contains("curl"),
        "the image has what the health check runs"
    );
}

#[test]
fn the_rabbitmq_cluster_profile_shares_a_cookie_and_lists_its_own_nodes() {
    let compose = yaml_docs("deploy/compose.yaml").remove(0);
    let services = &compose["services"];
    let nodes = ["rabbitmq", "rabbitmq-2", "rabbitmq-3"];
    let cookies: BTreeSet<String> = nodes
        .iter()
        .map(|n| {
            services[n]["environment"]["RABBITMQ_ERLANG_COOKIE"]
                .as_str()
                .expect("cookie")
                .to_owned()
        })
        .collect();
    assert_eq!(cookies.len(), 1, "one cookie for every node: {cookies:?}");
    let names: BTreeSet<String> = nodes
        .iter()
        .map(|n| {
            format!(
                "rabbit@{}",
                services[n]["hostname"].as_str().expect("hostname")
            )
        })
        .collect();
    for n in nodes {
        let mounts = strings(&services[n]["volumes"]);
        assert!(
            mounts
                .iter()
                .any(|m| m.starts_with("./rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/")),
            "{n} reads deploy/rabbitmq/rabbitmq.conf: {mounts:?}"
        );
    }
    let conf = read("deploy/rabbitmq/rabbitmq.conf");
    let settings: Vec<(&str, &str)> = conf
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .unwrap_or_else(|| panic!("{l}"))
        })
        .collect();
    assert!(settings.contains(&("cluster_formation.peer_discovery_backend", "classic_config")));
    let listed: BTreeSet<String> = settings
        .iter()
        .filter(|(k, _)| k.starts_with("cluster_formation.classic_config.nodes."))
        .map(|(_, v)| (*v).to_owned())
        .collect();
    assert_eq!(
        listed, names,
        "rabbitmq.conf lists exactly the compose nodes"
    );
    // The users and permissions, when their file is there (deploy/rabbitmq/definitions.json).
    let definitions = root().join("deploy/rabbitmq/definitions.json");
    if definitions.exists() {
        let parsed: Value =
            serde_json::from_str(&std::fs::read_to_string(&definitions).expect("read"))
                .expect("definitions.json is JSON");
        assert!(parsed["users"].is_array() && parsed["permissions"].is_array());
    }
    if let Some((_, path)) = settings.iter().find(|(k, _)| *k == "load_definitions") {
        assert!(
            definitions.exists(),
            "load_definitions = {path}, but there is no definitions.json"
        );
    }
}

/// Kubernetes memory quantity in MiB (Mi and Gi only, as the manifests write them).
fn mib(quantity: &str) -> u64 {
    if let Some(n) = quantity.strip_suffix("Gi") {
        n.parse::<u64>().expect("Gi") * 1024
    } else {
        quantity
            .strip_suffix("Mi")
            .expect("Mi or Gi")
            .parse()
            .expect("Mi")
    }
}

fn k8s_docs() -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(root().join("deploy/k8s")).expect("deploy/k8s") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "yaml") {
            let rel = format!(
                "deploy/k8s/{}",
                path.file_name().expect("name").to_string_lossy()
            );
            for doc in yaml_docs(&rel) {
                for key in ["apiVersion", "kind"] {
                    assert!(doc[key].is_string(), "{rel}: a document without {key}");
                }
                assert!(
                    doc["metadata"]["name"].is_string(),
                    "{rel}: a document without a name"
                );
                docs.push((rel.clone(), doc));
            }
        }
    }
    docs
}

/// A pod template's containers, checked for what every Prakerja container needs.
fn containers<'a>(where_: &str, pod: &'a Value) -> &'a Vec<Value> {
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{where_}");
    let containers = pod["containers"].as_array().expect("containers");
    for c in containers {
        check_command(where_, &strings(&c["command"]));
        let refs: Vec<&str> = c["envFrom"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["secretRef"]["name"].as_str())
            .collect();
        // Each part its own credentials: the owner migrates, the operator
        // runs the nightly command, each worker logs in as itself.
        let command = strings(&c["command"]);
        let part = match command.first().map(|b| b.rsplit('/').next().unwrap_or(b)) {
            Some("prakerja") if command.iter().any(|w| w == "migrate") => "owner",
            Some("prakerja") => "operator",
            Some(binary) => binary,
            None => panic!("{where_}: a container without a command"),
        };
        assert_eq!(
            refs,
            [format!("prakerja-{part}-secrets")],
            "{where_}: secrets come from the part's own Secret"
        );
        for env in c["env"].as_array().into_iter().flatten() {
            let value = env["value"].as_str().unwrap_or_default();
            assert!(
                !value.contains("://"),
                "{where_}: {value} belongs in a Secret"
            );
        }
        assert!(
            c["resources"]["requests"]["memory"].is_string(),
            "{where_}: requests"
        );
        assert!(
            c["resources"]["limits"]["memory"].is_string(),
            "{where_}: limits"
        );
    }
    containers
}

#[test]
fn kubernetes_workers_are_probed_scraped_sized_and_fed_from_secrets() {
    let docs = k8s_docs();
    let kinds: Vec<&str> = docs
        .iter()
        .map(|(_, d)| d["kind"].as_str().expect("kind"))
        .collect();
    assert!(
        !kinds.contains(&"StatefulSet"),
        "services come from their operators: {kinds:?}"
    );
    // Peak memory measured in BENCHMARKS.md, MiB: each limit leaves room for it.
    let measured = [("validator", 37), ("selector", 903), ("disburser", 62)];
    let mut seen = BTreeSet::new();
    for (file, doc) in docs.iter().filter(|(_, d)| d["kind"] == "Deployment") {
        let name = doc["metadata"]["name"].as_str().expect("name");
        let pod = &doc["spec"]["template"];
        let annotations = &pod["metadata"]["annotations"];
        assert_eq!(annotations["prometheus.io/scrape"], "true", "{name}");
        assert_eq!(annotations["prometheus.io/port"], "9100", "{name}");
        for c in containers(&format!("{file} {name}"), &pod["spec"]) {
            let component = c["name"].as_str().expect("name");
            assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz", "{name}");
            assert_eq!(c["readinessProbe"]["httpGet"]["port"], "metrics", "{name}");
            assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz", "{name}");
            assert_eq!(c["livenessProbe"]["httpGet"]["port"], "metrics", "{name}");
            assert!(
                c["ports"]
                    .as_array()
                    .expect("ports")
                    .iter()
                    .any(|p| p["name"] == "metrics" && p["containerPort"] == 9100),
                "{name}: a metrics port 9100"
            );
            assert!(
                c["env"]
                    .as_array()
                    .expect("env")
                    .iter()
                    .any(|e| e["name"] == "PRAKERJA__METRICS__LISTEN"
                        && e["value"].as_str().is_some_and(|v| v.ends_with(":9100"))),
                "{name}: the metrics setting"
            );
            let (_, peak) = measured
                .iter()
                .find(|(w, _)| *w == component)
                .expect("a measured worker");
            let limit = mib(c["resources"]["limits"]["memory"].as_str().expect("limit"));
            assert!(
                limit >= 2 * peak,
                "{name}: limit {limit} MiB for a measured peak of {peak} MiB"
            );
            seen.insert(component.to_owned());
        }
    }
    assert_eq!(
        seen,
        BTreeSet::from(["validator".into(), "selector".into(), "disburser".into()])
    );
    let validator = docs
        .iter()
        .find(|(_, d)| d["metadata"]["name"] == "prakerja-validator")
        .expect("validator");
    assert_eq!(validator.1["spec"]["replicas"], 2);

    let monitor = docs
        .iter()
        .find(|(_, d)| d["kind"] == "ServiceMonitor")
        .expect("a ServiceMonitor");
    assert_eq!(monitor.1["spec"]["endpoints"][0]["port"], "metrics");
    assert_eq!(monitor.1["spec"]["endpoints"][0]["path"], "/metrics");
}

#[test]
fn kubernetes_jobs_forbid_concurrent_runs_and_the_services_come_from_operators() {
    let docs = k8s_docs();
    let cron = docs
        .iter()
        .find(|(_, d)| d["kind"] == "CronJob")
        .expect("the nightly CronJob");
    assert_eq!(cron.1["spec"]["concurrencyPolicy"], "Forbid");
    let pod = &cron.1["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let command = strings(&containers("CronJob", pod)[0]["command"]);
    assert!(
        command.ends_with(&["disburse".to_owned(), "run".to_owned()]),
        "{command:?}"
    );
    let job = docs
        .iter()
        .find(|(_, d)| d["kind"] == "Job")
        .expect("the migration Job");
    let command = strings(&containers("Job", &job.1["spec"]["template"]["spec"])[0]["command"]);
    assert_eq!(command.last().map(String::as_str), Some("migrate"));

    let rabbit = docs
        .iter()
        .find(|(_, d)| d["kind"] == "RabbitmqCluster")
        .expect("a RabbitmqCluster");
    assert_eq!(rabbit.1["apiVersion"], "rabbitmq.com/v1beta1");
    assert_eq!(rabbit.1["spec"]["replicas"], 3);
    let pg = docs
        .iter()
        .find(|(_, d)| d["kind"] == "Cluster" && d["apiVersion"] == "postgresql.cnpg.io/v1")
        .expect("a CloudNativePG Cluster");
    assert!(
        pg.1["spec"]["instances"].as_u64().expect("instances") >= 2,
        "a primary and replicas"
    );
    assert_eq!(pg.1["spec"]["bootstrap"]["initdb"]["database"], "prakerja");
}

#[test]
fn systemd_units_and_the_image_name_workspace_binaries() {
    let units = std::fs::read_dir(root().join("deploy/systemd")).expect("deploy/systemd");
    let mut checked = 0;
    for entry in units {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("unit");
        for line in text.lines().filter_map(|l| l.strip_prefix("ExecStart=")) {
            let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
            check_command(&path.display().to_string(), &words);
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} ExecStart lines");
    let dockerfile = read("deploy/Dockerfile");
    for binary in workspace_binaries() {
        assert!(
            dockerfile.contains(&format!("target/release/{binary}")),
            "the image ships {binary}"
        );
    }
    // The default (last) stage is production: no simulator, no development
    // configuration, PRAKERJA_ENVIRONMENT=production.
    let stages: Vec<&str> = dockerfile.split("\nFROM ").collect();
    let production = stages
        .iter()
        .find(|s| s.starts_with("debian:bookworm-slim AS production"))
        .expect("a production stage");
    assert!(
        !production.contains("/simulators"),
        "no simulator in production"
    );
    assert!(
        !production.contains("local.toml"),
        "no development credentials in production"
    );
    assert!(production.contains("PRAKERJA_ENVIRONMENT=production"));
    assert_eq!(
        stages.last().map(|s| s.trim()),
        Some("production"),
        "the default target"
    );
}
