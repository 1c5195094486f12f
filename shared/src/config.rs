//! Layered configuration: `config/default.toml`, then `config/<environment>.toml`
//! (`PRAKERJA_ENVIRONMENT`, default `local`), then `PRAKERJA__SECTION__KEY`
//! environment variables. One typed struct per section; nothing else in the
//! project parses configuration strings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sqlx::postgres::PgConnectOptions;

use crate::domain::Scheme;

/// Every setting of every binary.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub log: LogSettings,
    pub database: DatabaseSettings,
    pub amqp: AmqpSettings,
    pub validator: ValidatorSettings,
    pub selector: SelectorSettings,
    pub disburser: DisburserSettings,
    /// Programme rules by scheme name (`"2020"`, `"2023"`).
    pub schemes: BTreeMap<String, Scheme>,
    /// The programme's verified training platforms.
    #[serde(default)]
    pub partners: Vec<Partner>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `human` or `json`.
    pub format: LogFormat,
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub filter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database`, or with several hosts
    /// (`host1:port1,host2:port2`, a primary and its standbys, as libpq
    /// writes them): every binary then uses whichever is the primary now
    /// (`db::pool`).
    pub url: SecretString,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
}

impl DatabaseSettings {
    /// Connection options of the first host of `url`.
    pub fn connect_options(&self) -> anyhow::Result<PgConnectOptions> {
        let mut hosts = self.hosts()?;
        Ok(hosts.remove(0))
    }

    /// Connection options of every host of `url`, in order. An error names
    /// the host that does not parse (by position, never the password).
    pub fn hosts(&self) -> anyhow::Result<Vec<PgConnectOptions>> {
        use sqlx::ConnectOptions;
        let urls = split_hosts(self.url.expose_secret())
            .context("database.url is not a valid postgres:// URL")?;
        let count = urls.len();
        urls.iter()
            .enumerate()
            .map(|(i, url)| {
                let options = PgConnectOptions::from_str(url).with_context(|| {
                    if count == 1 {
                        "database.url is not a valid postgres:// URL".to_owned()
                    } else {
                        format!("database.url: host {} of {count} is not valid", i + 1)
                    }
                })?;
                Ok(options
                    .log_statements(log::LevelFilter::Trace)
                    // Seen with RUST_LOG=sqlx=info; bulk statements are slow by nature.
                    .log_slow_statements(log::LevelFilter::Info, std::time::Duration::from_secs(2)))
            })
            .collect()
    }

    /// The database name named by `url`.
    pub fn database_name(&self) -> anyhow::Result<String> {
        Ok(self
            .connect_options()?
            .get_database()
            .unwrap_or("postgres")
            .to_owned())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AmqpSettings {
    /// `amqp://user:password@host:port/vhost`, or the nodes of a cluster as
    /// such URLs separated by commas, tried in order (see [`Self::brokers`]).
    pub url: SecretString,
    /// Prepended to every queue name, so that test runs can share a broker.
    #[serde(default)]
    pub prefix: String,
    /// Deliveries of one message before the broker dead-letters it.
    pub delivery_limit: u32,
    /// Seconds between reconnection attempts grow up to this.
    pub max_backoff_secs: u64,
    /// Seconds a connection attempt to one broker may take before the next
    /// one of `url` is tried.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
}

fn default_connect_timeout_secs() -> u64 {
    10
}

/// One broker of `amqp.url`.
#[derive(Debug, Clone)]
pub struct Broker {
    pub url: SecretString,
    /// `host:port`, for logs and errors (no credentials).
    pub address: String,
}

impl AmqpSettings {
    /// The brokers of `url`, in order: one URL, or several separated by commas
    /// (the nodes of a cluster). An error names the address that is not a
    /// valid `amqp://` or `amqps://` URL (by position, never its password).
    pub fn brokers(&self) -> anyhow::Result<Vec<Broker>> {
        let text = self.url.expose_secret();
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let count = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let uri = lapin::uri::AMQPUri::from_str(part).map_err(|error| {
                    anyhow::anyhow!(
                        "amqp.url: address {} of {count} is not a valid amqp:// URL: {error}",
                        i + 1
                    )
                })?;
                Ok(Broker {
                    url: SecretString::from(part.to_owned()),
                    address: format!("{}:{}", uri.authority.host, uri.authority.port),
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ValidatorSettings {
    /// Registrations written per database transaction.
    pub batch_size: usize,
    /// A partial batch is written after this long.
    pub batch_max_wait_ms: u64,
    /// Unacknowledged deliveries the broker may hand to one validator.
    pub prefetch: u16,
    /// Batches written at once, each in its own transaction.
    pub parallel: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SelectorSettings {
    /// How often the close barrier is re-checked while the queue drains.
    pub drain_poll_ms: u64,
    /// A validator whose heartbeat is older than this is presumed dead.
    pub liveness_secs: u64,
    /// Significance level of the skew check.
    pub skew_alpha: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DisburserSettings {
    /// Local time of the nightly run.
    pub daily_run_at: NaiveTime,
    /// Time zone of `daily_run_at` and of run dates.
    pub timezone: chrono_tz::Tz,
    /// Whether the disburser schedules the nightly run by itself.
    pub schedule_enabled: bool,
    /// First six digits of every card number.
    pub card_iin: String,
    /// Card provider named in `training_fund` payouts.
    pub card_provider: String,
    /// Instructions the gateway has not answered after this long are sent
    /// again (same idempotency key) by the next run.
    pub resend_after_secs: u64,
    /// Attempts at one entitlement before it waits for an operator.
    pub max_attempts: u32,
    /// Outbox rows published per relay round.
    pub relay_batch: i64,
    /// Unacknowledged deliveries the broker may hand to the disburser.
    pub prefetch: u16,
}

/// A training platform the programme accepts events from.
#[derive(Debug, Clone, Deserialize)]
pub struct Partner {
    /// The identifier platforms put in `TrainingEvent.platform`.
    pub id: String,
    pub name: String,
    pub verified_on: NaiveDate,
}

impl Settings {
    /// Loads the configuration of the configuration directory (see [`config_dir`]).
    pub fn load() -> anyhow::Result<Self> {
        Self::load_from(&config_dir()?)
    }

    /// Loads from an explicit directory.
    pub fn load_from(dir: &Path) -> anyhow::Result<Self> {
        let environment =
            std::env::var("PRAKERJA_ENVIRONMENT").unwrap_or_else(|_| "local".to_owned());
        let settings = config::Config::builder()
            .add_source(config::File::from(dir.join("default.toml")))
            .add_source(config::File::from(dir.join(format!("{environment}.toml"))).required(false))
            .add_source(
                config::Environment::with_prefix("PRAKERJA")
                    .prefix_separator("__")
                    .separator("__"),
            )
            .build()
            .with_context(|| format!("reading configuration from {}", dir.display()))?;
        let settings: Settings = settings
            .try_deserialize()
            .with_context(|| format!("configuration in {} is invalid", dir.display()))?;
        settings.check()?;
        Ok(settings)
    }

    /// The rules of a scheme, or an error naming it.
    pub fn scheme(&self, name: &str) -> anyhow::Result<&Scheme> {
        self.schemes.get(name).with_context(|| {
            let known: Vec<_> = self.schemes.keys().map(String::as_str).collect();
            format!("unknown scheme {name:?} (configured: {})", known.join(", "))
        })
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.validator.batch_size > 0,
            "validator.batch_size must be > 0"
        );
        anyhow::ensure!(
            self.disburser.card_iin.len() == 6
                && self.disburser.card_iin.bytes().all(|b| b.is_ascii_digit()),
            "disburser.card_iin must be 6 digits"
        );
        anyhow::ensure!(!self.schemes.is_empty(), "no scheme is configured");
        self.amqp.brokers()?;
        Ok(())
    }
}

/// One single-host URL per host of a libpq-style multi-host URL
/// (`scheme://user@h1:p1,h2:p2/db?params`); a single-host URL as it is.
fn split_hosts(url: &str) -> anyhow::Result<Vec<String>> {
    let (scheme, rest) = url.split_once("://").context("no scheme")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (format!("{userinfo}@"), hosts),
        None => (String::new(), authority),
    };
    Ok(hosts
        .split(',')
        .map(|host| format!("{scheme}://{userinfo}{}{tail}", host.trim()))
        .collect())
}

/// Where configuration is read from: `PRAKERJA_CONFIG_DIR` when set, else the
/// workspace's `config/` (found from this crate's source location, never from
/// the current directory), else `/etc/prakerja`.
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("PRAKERJA_CONFIG_DIR") {
        let dir = PathBuf::from(dir);
        anyhow::ensure!(
            dir.join("default.toml").is_file(),
            "PRAKERJA_CONFIG_DIR={} holds no default.toml",
            dir.display()
        );
        return Ok(dir);
    }
    let candidates = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../config")),
        PathBuf::from("/etc/prakerja"),
    ];
    candidates
        .into_iter()
        .find(|dir| dir.join("default.toml").is_file())
        .context(
            "no configuration found: set PRAKERJA_CONFIG_DIR to a directory holding default.toml",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amqp(url: &str) -> AmqpSettings {
        AmqpSettings {
            url: SecretString::from(url.to_owned()),
            prefix: String::new(),
            delivery_limit: 10,
            max_backoff_secs: 1,
            connect_timeout_secs: 10,
        }
    }

    #[test]
    fn one_url_or_a_cluster_s_nodes_in_order() {
        let one = amqp("amqp://guest:guest@127.0.0.1:5672/%2f")
            .brokers()
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].address, "127.0.0.1:5672");
        let three = amqp("amqp://u:p@a:5672/%2f, amqp://u:p@b:5673/%2f,amqp://u:p@c/%2f")
            .brokers()
            .unwrap();
        let addresses: Vec<&str> = three.iter().map(|b| b.address.as_str()).collect();
        assert_eq!(addresses, ["a:5672", "b:5673", "c:5672"]);
        assert_eq!(three[1].url.expose_secret(), "amqp://u:p@b:5673/%2f");
    }

    #[test]
    fn a_database_url_with_several_hosts_gives_one_url_per_host() {
        let hosts =
            split_hosts("postgres://u:p@10.0.0.1:5432,10.0.0.2:5433/prakerja?sslmode=disable")
                .unwrap();
        assert_eq!(
            hosts,
            [
                "postgres://u:p@10.0.0.1:5432/prakerja?sslmode=disable",
                "postgres://u:p@10.0.0.2:5433/prakerja?sslmode=disable"
            ]
        );
        let one = split_hosts("postgres://postgres@127.0.0.1:5432/prakerja").unwrap();
        assert_eq!(one, ["postgres://postgres@127.0.0.1:5432/prakerja"]);
        let settings = DatabaseSettings {
            url: SecretString::from("postgres://u@a:5432,b:6543/db".to_owned()),
            max_connections: 1,
            acquire_timeout_secs: 1,
        };
        let ports: Vec<u16> = settings
            .hosts()
            .unwrap()
            .iter()
            .map(|o| o.get_port())
            .collect();
        assert_eq!(ports, [5432, 6543]);
        assert_eq!(settings.connect_options().unwrap().get_host(), "a");
    }

    #[test]
    fn a_bad_address_is_named_by_position_without_its_password() {
        let error = amqp("amqp://u:secret@a:5672/%2f,http://u:secret@b:x/")
            .brokers()
            .unwrap_err()
            .to_string();
        assert!(error.contains("address 2 of 2"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        assert!(amqp("").brokers().is_err());
    }
}
