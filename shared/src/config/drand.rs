//! `[drand]`: the drand chains a wave may take its beacon from (pinned:
//! hash, public key, scheme, genesis, period), the delay after the freeze,
//! where to fetch rounds, and how the selector's HTTP client behaves.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::beacon::{Chain, is_chain_name};

#[derive(Debug, Clone, Deserialize)]
pub struct DrandSettings {
    /// One HTTP request to one URL gives up after this long.
    pub request_timeout_ms: u64,
    /// Passes over a chain's URLs back off up to this long between them.
    pub max_backoff_secs: u64,
    /// Chains by name (`drand:NAME`).
    #[serde(default)]
    pub chains: BTreeMap<String, Chain>,
}

impl DrandSettings {
    /// The named chain, with its name filled in.
    pub fn chain(&self, name: &str) -> Option<Chain> {
        self.chains.get(name).map(|chain| Chain {
            name: name.to_owned(),
            ..chain.clone()
        })
    }

    /// Every chain, names filled in.
    pub fn all(&self) -> Vec<Chain> {
        self.chains.keys().filter_map(|n| self.chain(n)).collect()
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub(super) fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.request_timeout_ms > 0,
            "drand.request_timeout_ms must be > 0"
        );
        for name in self.chains.keys() {
            anyhow::ensure!(
                is_chain_name(name),
                "drand.chains.{name}: a chain name is lower-case letters, digits, - and _"
            );
        }
        for chain in self.all() {
            chain.check()?;
        }
        Ok(())
    }
}
