//! The simulators (no money moves, no public randomness): off unless a
//! development configuration turns them on (`config/local.toml`).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SimulatorSettings {
    /// Whether `gateway-simulator` may run. Refused in production
    /// (`credentials::check`), whatever this says.
    #[serde(default)]
    pub gateway: bool,
}
