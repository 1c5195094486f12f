//! A drand chain as pinned in configuration and frozen into a wave.

use drand_verify::{G2PubkeyRfc, Pubkey};
use serde::{Deserialize, Serialize};

/// The signature scheme of a chain. Only quicknet's is supported: BLS on
/// BLS12-381, signatures on G1 over SHA-256 of the round (big-endian u64),
/// hashed to the curve as in RFC 9380, public key on G2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    #[serde(rename = "bls-unchained-g1-rfc9380")]
    BlsUnchainedG1Rfc9380,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BlsUnchainedG1Rfc9380 => "bls-unchained-g1-rfc9380",
        }
    }
}

/// A chain's parameters. What decides a draw (hash, key, scheme, genesis,
/// period, delay) is frozen into the wave when it opens, so a configuration
/// change never alters a past wave; `urls` only say where to fetch rounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// The name in configuration (`drand:NAME`); filled from the table key.
    #[serde(default)]
    pub name: String,
    /// The chain hash, as drand's API names the chain.
    #[serde(with = "super::hex_serde")]
    pub hash: [u8; 32],
    /// The group public key (compressed G2 point).
    #[serde(with = "super::hex_serde")]
    pub public_key: [u8; 96],
    pub scheme: Scheme,
    /// Unix time (seconds) of round 1.
    pub genesis: i64,
    /// Seconds between rounds.
    pub period_secs: u32,
    /// The round used is the first at least this many seconds after the
    /// draw's inputs were frozen.
    pub delay_secs: u32,
    /// Base URLs of drand's HTTP API (`{url}/{hash}/public/{round}`), tried
    /// in turn. May be empty: an operator then supplies the round.
    #[serde(default)]
    pub urls: Vec<String>,
}

/// A chain whose parameters cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChainError {
    #[error("drand chain {0:?}: period_secs must be at least 1")]
    Period(String),
    #[error("drand chain {chain:?}: public_key is not a valid G2 point: {reason}")]
    PublicKey { chain: String, reason: String },
    #[error("drand chain {chain:?}: url {url:?} must start with http:// or https://")]
    Url { chain: String, url: String },
}

impl Chain {
    /// Checks what serde cannot: the period, the key, the URLs.
    pub fn check(&self) -> Result<(), ChainError> {
        if self.period_secs == 0 {
            return Err(ChainError::Period(self.name.clone()));
        }
        self.verifier()?;
        if let Some(url) = self
            .urls
            .iter()
            .find(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return Err(ChainError::Url {
                chain: self.name.clone(),
                url: url.clone(),
            });
        }
        Ok(())
    }

    /// The public key, ready to verify signatures.
    pub(super) fn verifier(&self) -> Result<G2PubkeyRfc, ChainError> {
        G2PubkeyRfc::from_fixed(self.public_key).map_err(|e| ChainError::PublicKey {
            chain: self.name.clone(),
            reason: e.to_string(),
        })
    }

    /// The chain hash as lower-case hex.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// Whether `other` has the same parameters that decide a draw (name
    /// and URLs aside).
    pub fn same_chain(&self, other: &Chain) -> bool {
        self.hash == other.hash
            && self.public_key == other.public_key
            && self.scheme == other.scheme
            && self.genesis == other.genesis
            && self.period_secs == other.period_secs
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// League of Entropy quicknet (CONTRACTS.md).
    pub fn quicknet() -> Chain {
        serde_json::from_value(serde_json::json!({
            "name": "quicknet",
            "hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
            "public_key": "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
            "scheme": "bls-unchained-g1-rfc9380",
            "genesis": 1692803367,
            "period_secs": 3,
            "delay_secs": 30,
            "urls": ["https://api.drand.sh"]
        }))
        .expect("quicknet parses")
    }

    #[test]
    fn quicknet_checks_and_bad_parameters_are_named() {
        let chain = quicknet();
        assert_eq!(chain.check(), Ok(()));
        let mut bad = chain.clone();
        bad.period_secs = 0;
        assert_eq!(bad.check(), Err(ChainError::Period("quicknet".into())));
        let mut bad = chain.clone();
        bad.public_key[5] ^= 1;
        assert!(matches!(bad.check(), Err(ChainError::PublicKey { .. })));
        let mut bad = chain.clone();
        bad.urls.push("ftp://x".into());
        assert!(matches!(bad.check(), Err(ChainError::Url { .. })));
        let mut json = serde_json::to_value(&chain).expect("json");
        json["hash"] = "52db".into();
        let error = serde_json::from_value::<Chain>(json).expect_err("short hash");
        assert!(
            error.to_string().contains("2 bytes, expected 32"),
            "{error}"
        );
        let mut json = serde_json::to_value(&chain).expect("json");
        json["scheme"] = "pedersen-bls-chained".into();
        assert!(serde_json::from_value::<Chain>(json).is_err());
    }
}
