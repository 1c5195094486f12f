//! The manifest published with a draw (SPEC.md, Outputs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Names of the fields the spec requires, in their serialised order.
pub const REQUIRED_FIELDS: [&str; 10] = [
    "algorithm",
    "wave_id",
    "commitment",
    "seed",
    "input_digest",
    "output_digest",
    "quotas",
    "selected",
    "waitlist",
    "kk_cap",
];

/// The manifest: the required fields in the spec's order, then any extra
/// fields (allowed by the spec, never part of verification).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`ALGORITHM`](super::ALGORITHM) for this implementation.
    pub algorithm: String,
    /// The registration wave.
    pub wave_id: u32,
    /// Lower-case hex SHA-256 of the secret.
    pub commitment: String,
    /// Lower-case hex wave seed `S`.
    pub seed: String,
    /// Lower-case hex input digest.
    pub input_digest: String,
    /// Lower-case hex output digest.
    pub output_digest: String,
    /// Quota per stratum key.
    pub quotas: BTreeMap<String, u64>,
    /// Number of `SELECTED` rows.
    pub selected: u64,
    /// Number of `WAITLIST` rows.
    pub waitlist: u64,
    /// Number of `KK_CAP` rows (a count, not the `kk_cap` parameter).
    pub kk_cap: u64,
    /// Extra fields, written after the required ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Manifest {
    /// The manifest as the vectors store it: 2-space pretty JSON, required
    /// fields first, then the extras, and a final `\n`. Extras whose name
    /// is a required field's are left out.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let clashes = self
            .extra
            .keys()
            .any(|k| REQUIRED_FIELDS.contains(&k.as_str()));
        let mut text = if clashes {
            let mut clean = self.clone();
            clean
                .extra
                .retain(|k, _| !REQUIRED_FIELDS.contains(&k.as_str()));
            serde_json::to_string_pretty(&clean)?
        } else {
            serde_json::to_string_pretty(self)?
        };
        text.push('\n');
        Ok(text)
    }

    /// Parses a manifest; unknown fields land in `extra`.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            algorithm: super::super::ALGORITHM.to_owned(),
            wave_id: 9,
            commitment: "ab".to_owned(),
            seed: "cd".to_owned(),
            input_digest: "ef".to_owned(),
            output_digest: "01".to_owned(),
            quotas: BTreeMap::new(),
            selected: 0,
            waitlist: 0,
            kk_cap: 0,
            extra: Map::new(),
        }
    }

    #[test]
    fn extras_follow_required_fields() {
        let mut manifest = sample();
        manifest
            .extra
            .insert("candidates".to_owned(), Value::from(3));
        manifest
            .extra
            .insert("seed".to_owned(), Value::from("clash"));
        let text = manifest.to_json().expect("serialisable");
        assert!(
            text.ends_with("  \"kk_cap\": 0,\n  \"candidates\": 3\n}\n"),
            "{text}"
        );
        assert!(text.contains("  \"quotas\": {},\n"));
        assert_eq!(text.matches("\"seed\"").count(), 1);
        let back = Manifest::from_json(&text).expect("parses");
        assert_eq!(back.extra.get("candidates"), Some(&Value::from(3)));
        assert_eq!(back.seed, "cd");
    }
}
