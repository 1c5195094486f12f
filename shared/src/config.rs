//! Layered configuration: `config/default.toml`, then `config/<environment>.toml`
//! (`PRAKERJA_ENVIRONMENT`, default `local`), then `PRAKERJA__SECTION__KEY`
//! environment variables. One typed struct per section; nothing else in the
//! project parses configuration strings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use crate::beacon::BeaconChoice;
use crate::domain::Scheme;

mod addresses;
pub mod credentials;
mod drand;
mod limits;
mod metrics;
mod selection;
mod simulators;

pub use addresses::{AmqpSettings, Broker, DatabaseSettings};
pub use drand::DrandSettings;
pub use limits::{DEFAULT_MAX_BODY_BYTES, LimitsSettings};
pub use metrics::{DeadLetterSettings, MetricsBinary, MetricsSettings};
pub use selection::SelectionSettings;
pub use simulators::SimulatorSettings;

/// Every setting of every binary.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub log: LogSettings,
    pub database: DatabaseSettings,
    pub amqp: AmqpSettings,
    pub validator: ValidatorSettings,
    pub selector: SelectorSettings,
    pub disburser: DisburserSettings,
    /// Defaults of what a wave fixes when it opens.
    pub selection: SelectionSettings,
    /// Drand chains for the draw's beacon.
    pub drand: DrandSettings,
    /// Programme rules by scheme name (`"2020"`, `"2023"`).
    pub schemes: BTreeMap<String, Scheme>,
    /// The programme's verified training platforms.
    #[serde(default)]
    pub partners: Vec<Partner>,
    /// Where workers serve metrics and health.
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// Replaying dead letters.
    #[serde(default)]
    pub dead_letters: DeadLetterSettings,
    /// How large a message a consumer reads.
    #[serde(default)]
    pub limits: LimitsSettings,
    /// Which simulators may run.
    #[serde(default)]
    pub simulators: SimulatorSettings,
    /// `PRAKERJA_ENVIRONMENT` (default `local`) when the settings were loaded.
    #[serde(skip)]
    pub environment: String,
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
pub struct ValidatorSettings {
    /// Registrations written per database transaction.
    pub batch_size: usize,
    /// A partial batch is written after this long.
    pub batch_max_wait_ms: u64,
    /// Unacknowledged deliveries the broker may hand to one validator.
    pub prefetch: u16,
    /// Batches written at once, each in its own transaction.
    pub parallel: usize,
    /// How far a registration's `submitted_at` may lie after the moment it
    /// was received (front ends' clocks drift) before it is `FIELD_INVALID`.
    pub clock_allowance_secs: u32,
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
    /// How many days after today (in `timezone`) a run date may lie; also
    /// how far in the future (plus `clock_allowance_secs`) a training
    /// event's `occurred_at` may. 0 outside simulations: no future date.
    pub max_days_ahead: u32,
    /// A training event's `occurred_at` may lie this far past now (clocks
    /// disagree), on top of `max_days_ahead` days.
    pub clock_allowance_secs: u64,
    /// Who `prakerja disburse resolve` records as the operator (default:
    /// the OS user).
    #[serde(default)]
    pub operator_name: Option<String>,
    /// A run whose instructions total more than this (whole rupiah) waits
    /// for `prakerja disburse approve RUN` by a second operator before any
    /// of them is published. Unset: no ceiling.
    #[serde(default)]
    pub approval_ceiling: Option<i64>,
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
        // Credentials come from the environment (or config/local.toml in
        // development): say which is missing, and how to set it.
        for (key, variable) in [
            ("database.url", "PRAKERJA__DATABASE__URL"),
            ("amqp.url", "PRAKERJA__AMQP__URL"),
        ] {
            anyhow::ensure!(
                settings.get_string(key).is_ok_and(|url| !url.is_empty()),
                "{key} is not set: set {variable} (environment {environment:?}, configuration in {})",
                dir.display()
            );
        }
        let mut settings: Settings = settings
            .try_deserialize()
            .with_context(|| format!("configuration in {} is invalid", dir.display()))?;
        settings.environment = environment;
        settings.check()?;
        credentials::check(&settings.environment, &settings)?;
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
        self.limits.check()?;
        anyhow::ensure!(
            self.disburser.approval_ceiling.is_none_or(|c| c >= 0),
            "disburser.approval_ceiling must be a whole number of rupiah, at least 0"
        );
        self.drand.check()?;
        self.selection.check()?;
        if let BeaconChoice::Drand(name) = &self.selection.beacon {
            anyhow::ensure!(
                self.drand.chains.contains_key(name),
                "selection.beacon names drand chain {name:?}, which [drand.chains] does not configure"
            );
        }
        self.amqp.brokers()?;
        Ok(())
    }
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
