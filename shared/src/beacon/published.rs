//! The beacon as a manifest publishes it (extra fields, allowed by the
//! spec; the required fields stay byte-exact), and its re-verification for
//! `prakerja audit` and `prakerja audit --bundle`:
//!
//! ```json
//! "beacon_source": "drand:quicknet",
//! "frozen_at": "2026-11-30T03:00:00.123456Z",
//! "drand": {"chain": "quicknet", "chain_hash": "52db…", "public_key": "83cf…",
//!           "scheme": "bls-unchained-g1-rfc9380", "genesis": 1692803367,
//!           "period_secs": 3, "delay_secs": 30, "round": 657413,
//!           "signature": "b713…", "randomness": "fc18…"}
//! ```
//!
//! `beacon_source` is `none` for a wave without beacon, and `operator` for
//! a wave closed before beacons came from drand (its beacon was the
//! operator's: not verifiable).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::{Chain, Scheme, randomness, verify_round};

/// A drand round as published with a draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedRound {
    /// The chain's parameters (no URLs).
    pub chain: Chain,
    /// When the draw's inputs were frozen.
    pub frozen_at: DateTime<Utc>,
    pub round: u64,
    pub signature: Vec<u8>,
    /// The randomness as published (re-derived by the checks).
    pub randomness: Vec<u8>,
}

/// A draw's beacon, as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishedBeacon {
    /// The manifest names no beacon source (it predates published beacons,
    /// or a selection vector).
    Unpublished,
    /// `none`: the seed takes no beacon.
    None,
    /// `operator`: a beacon the operator gave at close, before drand.
    Operator,
    Drand(Box<PublishedRound>),
}

/// A manifest field that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("manifest.json {field}: {problem}")]
pub struct PublishedError {
    pub field: String,
    pub problem: String,
}

/// One check of a published beacon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn bad(field: &str, problem: impl Into<String>) -> PublishedError {
    PublishedError {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// The manifest's way of writing an instant: RFC 3339, UTC, microseconds.
pub fn format_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl PublishedBeacon {
    /// Reads the beacon fields of a manifest's extras.
    pub fn from_extras(extra: &Map<String, Value>) -> Result<Self, PublishedError> {
        let Some(source) = extra.get("beacon_source") else {
            return Ok(Self::Unpublished);
        };
        let source = source
            .as_str()
            .ok_or_else(|| bad("beacon_source", "is not a string"))?;
        match source {
            "none" => return Ok(Self::None),
            "operator" => return Ok(Self::Operator),
            _ => {}
        }
        let name = source
            .strip_prefix("drand:")
            .filter(|n| super::is_chain_name(n))
            .ok_or_else(|| {
                bad(
                    "beacon_source",
                    format!("{source:?} is not none or drand:CHAIN"),
                )
            })?;
        let frozen_at = extra
            .get("frozen_at")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("frozen_at", "is missing"))?;
        let frozen_at = DateTime::parse_from_rfc3339(frozen_at)
            .map_err(|e| bad("frozen_at", format!("{frozen_at:?} is not RFC 3339: {e}")))?
            .with_timezone(&Utc);
        let drand = extra
            .get("drand")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("drand", "is missing (an object)"))?;
        let field = |key: &str| {
            drand
                .get(key)
                .ok_or_else(|| bad(&format!("drand.{key}"), "is missing"))
        };
        let text = |key: &str| {
            field(key)?
                .as_str()
                .ok_or_else(|| bad(&format!("drand.{key}"), "is not a string"))
        };
        let hex_field = |key: &str| {
            hex::decode(text(key)?)
                .map_err(|e| bad(&format!("drand.{key}"), format!("is not hex: {e}")))
        };
        let number = |key: &str| {
            field(key)?
                .as_i64()
                .ok_or_else(|| bad(&format!("drand.{key}"), "is not an integer"))
        };
        let chain_name = text("chain")?;
        if chain_name != name {
            return Err(bad(
                "drand.chain",
                format!("{chain_name:?} is not the chain of beacon_source {source:?}"),
            ));
        }
        let sized = |key: &str, len: usize| {
            let bytes = hex_field(key)?;
            (bytes.len() == len)
                .then_some(bytes)
                .ok_or_else(|| bad(&format!("drand.{key}"), format!("is not {len} bytes")))
        };
        let scheme: Scheme = serde_json::from_value(field("scheme")?.clone())
            .map_err(|_| bad("drand.scheme", "is not bls-unchained-g1-rfc9380"))?;
        let unsigned = |key: &str| {
            u32::try_from(number(key)?).map_err(|_| bad(&format!("drand.{key}"), "is out of range"))
        };
        let chain = Chain {
            name: name.to_owned(),
            hash: sized("chain_hash", 32)?.try_into().expect("32 bytes"),
            public_key: sized("public_key", 96)?.try_into().expect("96 bytes"),
            scheme,
            genesis: number("genesis")?,
            period_secs: unsigned("period_secs")?,
            delay_secs: unsigned("delay_secs")?,
            urls: Vec::new(),
        };
        let round = u64::try_from(number("round")?)
            .ok()
            .filter(|r| *r >= 1)
            .ok_or_else(|| bad("drand.round", "is not a round number (>= 1)"))?;
        Ok(Self::Drand(Box::new(PublishedRound {
            chain,
            frozen_at,
            round,
            signature: hex_field("signature")?,
            randomness: hex_field("randomness")?,
        })))
    }

    /// Writes the beacon fields into a manifest's extras.
    pub fn to_extras(&self, extra: &mut Map<String, Value>) {
        let source = match self {
            Self::Unpublished => return,
            Self::None => "none".to_owned(),
            Self::Operator => "operator".to_owned(),
            Self::Drand(r) => format!("drand:{}", r.chain.name),
        };
        extra.insert("beacon_source".into(), source.into());
        if let Self::Drand(r) = self {
            extra.insert("frozen_at".into(), format_instant(r.frozen_at).into());
            extra.insert(
                "drand".into(),
                json!({
                    "chain": r.chain.name,
                    "chain_hash": r.chain.hash_hex(),
                    "public_key": hex::encode(r.chain.public_key),
                    "scheme": r.chain.scheme.as_str(),
                    "genesis": r.chain.genesis,
                    "period_secs": r.chain.period_secs,
                    "delay_secs": r.chain.delay_secs,
                    "round": r.round,
                    "signature": hex::encode(&r.signature),
                    "randomness": hex::encode(&r.randomness),
                }),
            );
        }
    }

    /// One line for a person.
    pub fn describe(&self) -> String {
        match self {
            Self::Unpublished => "no beacon source published".into(),
            Self::None => "none (development: the seed takes the secret alone)".into(),
            Self::Operator => "chosen by the operator at close (before drand beacons)".into(),
            Self::Drand(r) => format!(
                "drand {} round {} (the first at or after frozen_at {} + {} s; randomness {})",
                r.chain.name,
                r.round,
                format_instant(r.frozen_at),
                r.chain.delay_secs,
                hex::encode(&r.randomness)
            ),
        }
    }

    /// Re-verifies the beacon: `seed_beacon` is the beacon the draw's seed
    /// takes (params.json's, or the wave's); `pinned` the chains of the
    /// configuration at hand, if any. Returns the checks and notes (what
    /// could not be checked, said plainly).
    pub fn findings(
        &self,
        seed_beacon: &[u8],
        pinned: Option<&[Chain]>,
    ) -> (Vec<Finding>, Vec<String>) {
        match self {
            Self::Unpublished => (
                Vec::new(),
                vec![format!(
                    "the manifest publishes no beacon source: the beacon ({} bytes) is taken as given, not verified",
                    seed_beacon.len()
                )],
            ),
            Self::None => (
                vec![Finding {
                    name: "no beacon, as the wave declared",
                    ok: seed_beacon.is_empty(),
                    detail: format!(
                        "beacon_source is none, but the seed takes a beacon of {} bytes",
                        seed_beacon.len()
                    ),
                }],
                vec!["no beacon: this draw has no public randomness (development only)".into()],
            ),
            Self::Operator => (
                Vec::new(),
                vec!["the beacon was chosen by the operator at close (a wave from before drand beacons): not verifiable".into()],
            ),
            Self::Drand(r) => r.findings(seed_beacon, pinned),
        }
    }
}

impl PublishedRound {
    fn findings(
        &self,
        seed_beacon: &[u8],
        pinned: Option<&[Chain]>,
    ) -> (Vec<Finding>, Vec<String>) {
        let chain = &self.chain;
        let derived = chain.round_for(self.frozen_at);
        let mut findings = vec![Finding {
            name: "beacon round follows from frozen_at, delay, genesis and period",
            ok: derived == self.round,
            detail: format!(
                "round {} is published, but the first round of {} at or after frozen_at {} + {} s is {derived}",
                self.round,
                chain.name,
                format_instant(self.frozen_at),
                chain.delay_secs
            ),
        }];
        let verified = verify_round(chain, self.round, &self.signature);
        findings.push(Finding {
            name: "beacon signature verifies against the chain's public key",
            ok: verified.is_ok(),
            detail: verified
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default(),
        });
        let expected = randomness(&self.signature);
        findings.push(Finding {
            name: "beacon randomness is the SHA-256 of the signature",
            ok: self.randomness == expected,
            detail: format!(
                "the published randomness is {}, the signature's SHA-256 {}",
                hex::encode(&self.randomness),
                hex::encode(expected)
            ),
        });
        findings.push(Finding {
            name: "the seed's beacon is the round's randomness",
            ok: seed_beacon == expected,
            detail: format!(
                "the seed takes beacon {:?}, the round's randomness is {}",
                hex::encode(seed_beacon),
                hex::encode(expected)
            ),
        });
        let mut notes = Vec::new();
        match pinned.map(|chains| chains.iter().find(|c| c.hash == chain.hash)) {
            Some(Some(pinned)) => findings.push(Finding {
                name: "the chain's parameters are those pinned in configuration",
                ok: pinned.same_chain(chain),
                detail: format!(
                    "chain {} is pinned as {:?} with other parameters (public key, scheme, genesis or period)",
                    chain.hash_hex(),
                    pinned.name
                ),
            }),
            Some(None) => notes.push(format!(
                "drand chain {} ({}) is not pinned in this configuration: verified against the public key published with the draw",
                chain.name,
                chain.hash_hex()
            )),
            None => notes.push(format!(
                "no configuration at hand: verified against the public key published with the draw (chain {})",
                chain.hash_hex()
            )),
        }
        (findings, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::chain::tests::quicknet;
    use super::*;

    fn published() -> PublishedBeacon {
        let mut chain = quicknet();
        chain.urls.clear();
        let round = 657_413;
        let frozen_at = chain.round_time(round) - chrono::Duration::seconds(31);
        let signature = hex::decode("b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b").expect("hex");
        PublishedBeacon::Drand(Box::new(PublishedRound {
            randomness: randomness(&signature).to_vec(),
            chain,
            frozen_at: frozen_at + chrono::Duration::microseconds(250),
            round,
            signature,
        }))
    }

    fn failed(beacon: &PublishedBeacon, seed: &[u8]) -> Vec<&'static str> {
        let (findings, _) = beacon.findings(seed, Some(&[quicknet()]));
        findings.iter().filter(|f| !f.ok).map(|f| f.name).collect()
    }

    #[test]
    fn extras_round_trip_and_verify() {
        let beacon = published();
        let mut extra = Map::new();
        beacon.to_extras(&mut extra);
        assert_eq!(PublishedBeacon::from_extras(&extra), Ok(beacon.clone()));
        let PublishedBeacon::Drand(round) = &beacon else {
            unreachable!()
        };
        assert!(failed(&beacon, &round.randomness).is_empty());
        let (findings, notes) = beacon.findings(&round.randomness, Some(&[]));
        assert!(findings.iter().all(|f| f.ok));
        assert!(notes[0].contains("not pinned"), "{notes:?}");
    }

    #[test]
    fn each_tampered_field_is_named() {
        let PublishedBeacon::Drand(good) = published() else {
            unreachable!()
        };
        let seed = good.randomness.clone();
        let mut r = (*good).clone();
        r.round += 1;
        assert_eq!(
            failed(&PublishedBeacon::Drand(Box::new(r)), &seed),
            [
                "beacon round follows from frozen_at, delay, genesis and period",
                "beacon signature verifies against the chain's public key"
            ]
        );
        let mut r = (*good).clone();
        r.frozen_at += chrono::Duration::seconds(3);
        assert_eq!(
            failed(&PublishedBeacon::Drand(Box::new(r)), &seed),
            ["beacon round follows from frozen_at, delay, genesis and period"]
        );
        let mut r = (*good).clone();
        r.signature[10] ^= 4;
        let failures = failed(&PublishedBeacon::Drand(Box::new(r)), &seed);
        assert!(failures.contains(&"beacon signature verifies against the chain's public key"));
        assert!(failures.contains(&"the seed's beacon is the round's randomness"));
        let mut r = (*good).clone();
        r.chain.genesis += 3;
        let failures = failed(&PublishedBeacon::Drand(Box::new(r)), &seed);
        assert!(failures.contains(&"the chain's parameters are those pinned in configuration"));
        assert_eq!(
            failed(&PublishedBeacon::Drand(good.clone()), &[1, 2, 3]),
            ["the seed's beacon is the round's randomness"]
        );
        assert_eq!(
            failed(&PublishedBeacon::None, &[1]),
            ["no beacon, as the wave declared"]
        );
    }

    #[test]
    fn unreadable_fields_are_named() {
        let mut extra = Map::new();
        published().to_extras(&mut extra);
        let mut missing = extra.clone();
        missing["drand"]
            .as_object_mut()
            .expect("object")
            .remove("round");
        assert_eq!(
            PublishedBeacon::from_extras(&missing)
                .expect_err("missing")
                .to_string(),
            "manifest.json drand.round: is missing"
        );
        let mut bad_time = extra.clone();
        bad_time.insert("frozen_at".into(), "yesterday".into());
        assert!(
            PublishedBeacon::from_extras(&bad_time)
                .expect_err("time")
                .to_string()
                .starts_with("manifest.json frozen_at:")
        );
        let mut other = extra;
        other.insert("beacon_source".into(), "drand:other".into());
        assert!(
            PublishedBeacon::from_extras(&other)
                .expect_err("chain")
                .to_string()
                .contains("drand.chain")
        );
        assert_eq!(
            PublishedBeacon::from_extras(&Map::new()),
            Ok(PublishedBeacon::Unpublished)
        );
    }
}
