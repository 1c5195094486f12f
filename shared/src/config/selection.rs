//! `[selection]`: the defaults of `prakerja wave open` for what a wave
//! fixes when it opens (CONTRACTS.md, "The draw's randomness"), and the
//! programme's family key. One field per default; add new ones here.

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::beacon::BeaconChoice;
use crate::selection::{Algorithm, FamilyKey};

#[derive(Debug, Clone, Deserialize)]
pub struct SelectionSettings {
    /// `wave open --beacon`'s default: `drand:CHAIN` (a chain of
    /// `[drand.chains]`) or `none` (development and tests).
    pub beacon: BeaconChoice,
    /// `wave open --selection`'s default: `v1` or `v2` (the default).
    #[serde(default = "default_algorithm", deserialize_with = "algorithm")]
    pub algorithm: Algorithm,
    /// The programme's 32-byte family key (64 hex digits) that derives v2's
    /// `fid`s. Secret: never logged (its `Debug` is redacted), set through
    /// `PRAKERJA__SELECTION__FAMILY_KEY`, and never changed once a v2 wave
    /// was opened with it (each v2 wave stores its fingerprint).
    #[serde(default)]
    pub family_key: Option<SecretString>,
    /// Refuse to start without `family_key` (true in production).
    #[serde(default)]
    pub require_family_key: bool,
}

fn default_algorithm() -> Algorithm {
    Algorithm::V2
}

fn algorithm<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Algorithm, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl SelectionSettings {
    /// The family key, if configured (an empty value is none); an error
    /// (that never echoes the setting) if it is not 64 hex digits.
    pub fn family_key(&self) -> anyhow::Result<Option<FamilyKey>> {
        self.family_key
            .as_ref()
            .filter(|text| !text.expose_secret().trim().is_empty())
            .map(|text| {
                FamilyKey::from_hex(text.expose_secret())
                    .context("selection.family_key is invalid (PRAKERJA__SELECTION__FAMILY_KEY)")
            })
            .transpose()
    }

    /// The checks of [`Settings::load`](super::Settings::load).
    pub fn check(&self) -> anyhow::Result<()> {
        let key = self.family_key()?;
        anyhow::ensure!(
            key.is_some() || !self.require_family_key,
            "selection.family_key is required here (selection.require_family_key): set \
             PRAKERJA__SELECTION__FAMILY_KEY to the programme's 32-byte key as 64 hex digits"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> SelectionSettings {
        config::Config::builder()
            .add_source(config::File::from_str(toml, config::FileFormat::Toml))
            .build()
            .and_then(config::Config::try_deserialize)
            .expect("settings")
    }

    #[test]
    fn a_required_key_must_be_set_and_valid_and_is_never_echoed() {
        let dev = settings("beacon = \"none\"");
        assert_eq!(dev.algorithm, Algorithm::V2, "v2 by default");
        dev.check().expect("no key needed in development");
        let production = settings("beacon = \"none\"\nrequire_family_key = true");
        let error = production.check().expect_err("no key in production");
        assert!(
            error.to_string().contains("selection.family_key"),
            "{error}"
        );
        let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg";
        let bad = settings(&format!("beacon = \"none\"\nfamily_key = \"{secret}\""));
        let error = format!("{:#}", bad.check().expect_err("not hex"));
        assert!(
            error.contains("selection.family_key") && !error.contains(secret),
            "{error}"
        );
        assert!(!format!("{bad:?}").contains(secret), "Debug hides the key");
        let good = settings(&format!(
            "beacon = \"none\"\nalgorithm = \"v1\"\nrequire_family_key = true\nfamily_key = \"{}\"",
            "ab".repeat(32)
        ));
        good.check().expect("a valid key");
        assert_eq!(good.algorithm, Algorithm::V1);
        assert!(good.family_key().expect("valid").is_some());
    }
}
