//! A SIMULATED drand chain: a key, a genesis time and a period. Its hash is
//! SHA-256 of a label, the public key, genesis and period (a real chain's
//! hash also covers its group; nothing checks it against anything else).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use shared::beacon::{Chain, Scheme};

use super::SimKey;

/// A simulated chain.
#[derive(Debug, Clone)]
pub struct SimChain {
    pub key: SimKey,
    /// Unix time of round 1.
    pub genesis: i64,
    pub period_secs: u32,
}

impl SimChain {
    /// The chain hash drand's API names it by.
    pub fn hash(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"PRAKERJA-BEACON-SIMULATOR");
        hasher.update(self.key.public_key());
        hasher.update(self.genesis.to_be_bytes());
        hasher.update(self.period_secs.to_be_bytes());
        hasher.finalize().into()
    }

    /// The chain as configuration pins it.
    pub fn chain(&self, name: &str, delay_secs: u32, urls: Vec<String>) -> Chain {
        Chain {
            name: name.to_owned(),
            hash: self.hash(),
            public_key: self.key.public_key(),
            scheme: Scheme::BlsUnchainedG1Rfc9380,
            genesis: self.genesis,
            period_secs: self.period_secs,
            delay_secs,
            urls,
        }
    }

    /// The latest round published at `now` (0 before genesis).
    pub fn latest_round(&self, now: DateTime<Utc>) -> u64 {
        let since = now.timestamp() - self.genesis;
        if since < 0 {
            return 0;
        }
        (since / i64::from(self.period_secs.max(1))) as u64 + 1
    }
}
