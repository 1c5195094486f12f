//! `[metrics]`: where each worker serves Prometheus metrics and its health
//! (`GET /metrics`, `/healthz`, `/readyz`).

use std::path::PathBuf;

use serde::Deserialize;

/// The binaries that serve metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsBinary {
    Validator,
    Selector,
    Disburser,
    GatewaySimulator,
    BeaconSimulator,
}

impl MetricsBinary {
    /// The binary's name (a label of every metric it serves).
    pub fn name(self) -> &'static str {
        match self {
            Self::Validator => "validator",
            Self::Selector => "selector",
            Self::Disburser => "disburser",
            Self::GatewaySimulator => "gateway-simulator",
            Self::BeaconSimulator => "beacon-simulator",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// Whether workers serve metrics and health at all.
    pub enabled: bool,
    /// One address for whichever binary reads it (a container runs one
    /// binary: `PRAKERJA__METRICS__LISTEN=0.0.0.0:9100`); when unset, each
    /// binary uses its own default below, so that they can share a host.
    pub listen: Option<String>,
    pub validator: String,
    pub selector: String,
    pub disburser: String,
    pub gateway_simulator: String,
    pub beacon_simulator: String,
    /// Once listening, the bound address (`host:port`) is written to this
    /// file (port 0 picks a free port; tests and scripts read it here).
    pub address_file: Option<PathBuf>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: None,
            validator: "127.0.0.1:9101".to_owned(),
            selector: "127.0.0.1:9102".to_owned(),
            disburser: "127.0.0.1:9103".to_owned(),
            gateway_simulator: "127.0.0.1:9104".to_owned(),
            beacon_simulator: "127.0.0.1:9105".to_owned(),
            address_file: None,
        }
    }
}

impl MetricsSettings {
    /// The address `binary` listens on.
    pub fn address(&self, binary: MetricsBinary) -> &str {
        if let Some(listen) = self.listen.as_deref().filter(|l| !l.trim().is_empty()) {
            return listen;
        }
        match binary {
            MetricsBinary::Validator => &self.validator,
            MetricsBinary::Selector => &self.selector,
            MetricsBinary::Disburser => &self.disburser,
            MetricsBinary::GatewaySimulator => &self.gateway_simulator,
            MetricsBinary::BeaconSimulator => &self.beacon_simulator,
        }
    }
}

/// `[dead_letters]`: replaying dead-lettered messages (`prakerja dead replay`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DeadLetterSettings {
    /// Times one message may be replayed (counted in its
    /// `x-prakerja-replays` header); past that it stays dead and is reported.
    pub max_replays: u32,
}

impl Default for DeadLetterSettings {
    fn default() -> Self {
        Self { max_replays: 3 }
    }
}
