//! Where a wave's beacon comes from, as an operator or configuration names
//! it: `drand:CHAIN` or `none`.

use std::fmt;
use std::str::FromStr;

/// `drand:CHAIN` (a chain pinned in configuration) or `none`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum BeaconChoice {
    /// No beacon: the seed takes the secret alone (development and tests).
    None,
    /// A round of the named drand chain.
    Drand(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "beacon {0:?} must be \"none\" or \"drand:CHAIN\" (CHAIN: lower-case letters, digits, - and _)"
)]
pub struct BeaconChoiceError(pub String);

impl FromStr for BeaconChoice {
    type Err = BeaconChoiceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "none" {
            return Ok(Self::None);
        }
        match text.strip_prefix("drand:") {
            Some(name) if is_chain_name(name) => Ok(Self::Drand(name.to_owned())),
            _ => Err(BeaconChoiceError(text.to_owned())),
        }
    }
}

impl TryFrom<String> for BeaconChoice {
    type Error = BeaconChoiceError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for BeaconChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Drand(name) => write!(f, "drand:{name}"),
        }
    }
}

/// A chain name as configuration keys and `waves.beacon_source` allow.
pub fn is_chain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_none_and_drand_chains_only() {
        assert_eq!("none".parse(), Ok(BeaconChoice::None));
        assert_eq!(
            "drand:quicknet".parse(),
            Ok(BeaconChoice::Drand("quicknet".into()))
        );
        for bad in [
            "",
            "drand:",
            "drand:Quick Net",
            "Drand:quicknet",
            "ab12",
            "None",
        ] {
            assert!(bad.parse::<BeaconChoice>().is_err(), "{bad:?}");
        }
        assert_eq!(
            BeaconChoice::Drand("test-1".into()).to_string(),
            "drand:test-1"
        );
    }
}
