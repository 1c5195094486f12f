//! A test's own RabbitMQ virtual host on the shared broker, made from the
//! committed `deploy/rabbitmq/definitions.json`: the same queues, exchanges,
//! users and permissions, with the vhost and user names made unique to the
//! test, queue names under its prefix, and a random password per user. It
//! is loaded with `rabbitmqctl import_definitions` (the management plugin
//! is not enabled on the shared broker) and deleted, users included, when
//! the test ends.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use super::workers::WorkerKind;

/// A broker user of the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BrokerUser {
    Validator,
    Selector,
    Disburser,
    Operator,
    Gateway,
    TrainingPlatform,
    FrontEnd,
}

impl BrokerUser {
    /// The user's name in deploy/rabbitmq/definitions.json.
    pub fn name(self) -> &'static str {
        match self {
            BrokerUser::Validator => "prakerja-validator",
            BrokerUser::Selector => "prakerja-selector",
            BrokerUser::Disburser => "prakerja-disburser",
            BrokerUser::Operator => "prakerja-operator",
            BrokerUser::Gateway => "payment-gateway",
            BrokerUser::TrainingPlatform => "training-platform",
            BrokerUser::FrontEnd => "front-end",
        }
    }

    fn of(name: &str) -> BrokerUser {
        [
            BrokerUser::Validator,
            BrokerUser::Selector,
            BrokerUser::Disburser,
            BrokerUser::Operator,
            BrokerUser::Gateway,
            BrokerUser::TrainingPlatform,
            BrokerUser::FrontEnd,
        ]
        .into_iter()
        .find(|user| user.name() == name)
        .unwrap_or_else(|| panic!("definitions.json has an unknown user {name}"))
    }
}

impl WorkerKind {
    /// The broker user a binary connects as.
    pub fn broker_user(self) -> BrokerUser {
        match self {
            WorkerKind::Validator => BrokerUser::Validator,
            WorkerKind::Selector => BrokerUser::Selector,
            WorkerKind::Disburser => BrokerUser::Disburser,
            WorkerKind::GatewaySimulator => BrokerUser::Gateway,
            WorkerKind::Prakerja => BrokerUser::Operator,
        }
    }
}

/// A test's vhost and users on the shared broker.
#[derive(Debug, Clone)]
pub struct BrokerVhost {
    pub vhost: String,
    /// `amqp://host:port` of the shared broker (no credentials, no vhost).
    base: String,
    /// By user: the unique name and password.
    logins: BTreeMap<BrokerUser, (String, String)>,
}

impl BrokerVhost {
    /// Loads the definitions for the test `id` (queues under `prefix`) and
    /// lets `admin` (the shared broker's URL user) do anything in the vhost.
    pub fn provision(id: &str, prefix: &str, admin_url: &str) -> BrokerVhost {
        let (admin, base) = split_url(admin_url);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../deploy/rabbitmq/definitions.json"
        );
        let text = std::fs::read_to_string(path).expect("deploy/rabbitmq/definitions.json");
        let mut definitions: Value = serde_json::from_str(&text).expect("definitions are JSON");
        let vhost = format!("prakerja-t{id}");
        let mut logins = BTreeMap::new();
        for user in array(&mut definitions, "users") {
            let name = user["name"].as_str().expect("user name").to_owned();
            let login = (format!("t{id}-{name}"), Uuid::new_v4().simple().to_string());
            *user = json!({"name": login.0, "password": login.1, "tags": []});
            logins.insert(BrokerUser::of(&name), login);
        }
        let prefixed =
            |name: &Value| Value::from(format!("{prefix}{}", name.as_str().expect("a name")));
        let regex = |pattern: &Value| {
            let pattern = pattern.as_str().expect("a pattern");
            let rest = pattern.strip_prefix('^').expect("patterns are anchored");
            Value::from(format!("^{}{rest}", regex_escape(prefix)))
        };
        for permission in array(&mut definitions, "permissions") {
            let name = permission["user"].as_str().expect("user").to_owned();
            permission["user"] = Value::from(logins[&BrokerUser::of(&name)].0.clone());
            for key in ["configure", "write", "read"] {
                permission[key] = regex(&permission[key]);
            }
        }
        array(&mut definitions, "permissions").push(json!({
            "user": admin, "vhost": "", "configure": ".*", "write": ".*", "read": ".*"
        }));
        for section in ["exchanges", "queues"] {
            for item in array(&mut definitions, section) {
                item["name"] = prefixed(&item["name"]);
                if let Some(key) = item["arguments"].get_mut("x-dead-letter-routing-key") {
                    *key = prefixed(key);
                }
            }
        }
        for binding in array(&mut definitions, "bindings") {
            for key in ["source", "destination", "routing_key"] {
                binding[key] = prefixed(&binding[key]);
            }
        }
        definitions["vhosts"] = json!([{"name": vhost}]);
        for section in ["permissions", "exchanges", "queues", "bindings", "policies"] {
            for item in array(&mut definitions, section) {
                item["vhost"] = Value::from(vhost.clone());
            }
        }
        let file = std::env::temp_dir().join(format!("prakerja-definitions-{id}.json"));
        std::fs::write(&file, definitions.to_string()).expect("write the definitions");
        rabbitmqctl(&["import_definitions", &file.display().to_string()]);
        let _ = std::fs::remove_file(&file);
        BrokerVhost {
            vhost,
            base,
            logins,
        }
    }

    /// The URL of `user` on this vhost.
    pub fn url(&self, user: BrokerUser) -> String {
        let (name, password) = &self.logins[&user];
        format!("amqp://{name}:{password}@{}/{}", self.base, self.vhost)
    }

    /// The URL of the administrator on this vhost.
    pub fn admin_url(&self, admin_url: &str) -> String {
        let (admin, _) = split_url(admin_url);
        let credentials = admin_url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map_or(admin.clone(), |(credentials, _)| credentials.to_owned());
        format!("amqp://{credentials}@{}/{}", self.base, self.vhost)
    }

    /// Deletes the vhost (its queues with it) and the users, in one call.
    pub fn delete(&self) {
        let users: Vec<String> = self
            .logins
            .values()
            .map(|(name, _)| format!("<<\"{name}\">>"))
            .collect();
        rabbitmqctl(&[
            "eval",
            &format!(
                "rabbit_vhost:delete(<<\"{}\">>, <<\"prakerja-tests\">>), \
                 [rabbit_auth_backend_internal:delete_user(U, <<\"prakerja-tests\">>) || U <- [{}]].",
                self.vhost,
                users.join(", ")
            ),
        ]);
    }
}

/// Waits (the import is asynchronous) until `check` succeeds.
pub async fn ready<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "the test's vhost never became usable"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn array<'a>(definitions: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    definitions[key]
        .as_array_mut()
        .unwrap_or_else(|| panic!("definitions.json has a {key} array"))
}

/// The user and the `host:port` of an AMQP URL.
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (credentials, host) = rest.split_once('@').unwrap_or(("guest:guest", rest));
    let user = credentials.split(':').next().unwrap_or("guest").to_owned();
    let host = host.split('/').next().unwrap_or(host).to_owned();
    (user, host)
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// Runs `rabbitmqctl` on the shared broker: directly (root, or a user with
/// the broker's Erlang cookie), else through passwordless `sudo`.
fn rabbitmqctl(args: &[&str]) {
    let run = |program: &str, prefix: &[&str]| {
        Command::new(program)
            .args(prefix)
            .args(
                ["rabbitmqctl", "-q"]
                    .iter()
                    .skip(usize::from(prefix.is_empty())),
            )
            .args(args)
            .output()
    };
    let direct = run("rabbitmqctl", &[]);
    let output = match direct {
        Ok(output) if output.status.success() => output,
        _ if !nix::unistd::Uid::effective().is_root() => run("sudo", &["-n"]).expect("sudo runs"),
        direct => direct
            .expect("rabbitmqctl runs (the tests load deploy/rabbitmq/definitions.json with it)"),
    };
    assert!(
        output.status.success(),
        "rabbitmqctl {args:?} (the tests need it, as root or through passwordless sudo): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
