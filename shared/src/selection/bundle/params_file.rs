//! `params.json`: wave, secret, beacon, allocation, cap and prior file;
//! for a v2 vector also the family key and the registrations file.

use serde::{Deserialize, Serialize};

use super::error::BundleError;
use crate::selection::{Algorithm, Allocation, FamilyKey, MAX_BEACON_LEN};

/// The file's name inside a bundle.
pub const PARAMS_FILE: &str = "params.json";

/// `params.json` as stored (key order as in the vectors).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParams {
    pub wave_id: u32,
    pub secret: String,
    pub beacon: String,
    pub allocation: String,
    pub kk_cap: u32,
    #[serde(default)]
    pub prior: Option<String>,
    /// v2 vectors only: the programme's family key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_key: Option<String>,
    /// v2 vectors only: the registrations file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrations: Option<String>,
}

/// How `allocation` names the seats.
pub enum AllocationSpec {
    /// `national:K` or `proportional:K`.
    Seats(Allocation),
    /// `explicit:FILE`.
    Explicit(String),
}

/// `params.json` checked field by field.
pub struct ParsedParams {
    pub wave_id: u32,
    pub secret: [u8; 32],
    pub beacon: Vec<u8>,
    pub allocation: AllocationSpec,
    pub kk_cap: u32,
    pub prior: Option<String>,
    /// The family key and the registrations file, both or neither.
    pub derivation: Option<(FamilyKey, String)>,
}

/// Parses and checks `params.json` of a bundle of `algorithm`.
pub fn parse_params(text: &str, algorithm: Algorithm) -> Result<ParsedParams, BundleError> {
    let raw: RawParams = serde_json::from_str(text).map_err(|e| json_error(PARAMS_FILE, &e))?;
    let bad = |key: &str, value: &str, problem: &str| {
        BundleError::field(PARAMS_FILE, line_of_key(text, key), key, value, problem)
    };
    let secret = hex::decode(&raw.secret)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        // The secret is not echoed.
        .ok_or_else(|| bad("secret", "…", "is not 64 hex digits (32 bytes)"))?;
    let beacon = hex::decode(&raw.beacon)
        .ok()
        .filter(|b| b.len() <= MAX_BEACON_LEN)
        .ok_or_else(|| bad("beacon", &raw.beacon, "is not 0 to 64 bytes of hex"))?;
    let allocation = match raw.allocation.strip_prefix("explicit:") {
        Some(file) if is_plain_file_name(file) => AllocationSpec::Explicit(file.to_owned()),
        Some(_) => {
            return Err(bad(
                "allocation",
                &raw.allocation,
                "does not name a file in the bundle",
            ));
        }
        None => AllocationSpec::Seats(raw.allocation.parse().map_err(|_| {
            bad(
                "allocation",
                &raw.allocation,
                "is not national:K, proportional:K or explicit:FILE",
            )
        })?),
    };
    if let Some(prior) = raw.prior.as_deref().filter(|p| !is_plain_file_name(p)) {
        return Err(bad("prior", prior, "does not name a file in the bundle"));
    }
    let derivation = match (raw.family_key, raw.registrations) {
        (None, None) => None,
        (Some(_), _) | (_, Some(_)) if algorithm == Algorithm::V1 => {
            let key = ["family_key", "registrations"]
                .into_iter()
                .find(|k| text.contains(&format!("\"{k}\"")))
                .unwrap_or("family_key");
            return Err(bad(
                key,
                "…",
                "belongs to v2 bundles only (candidates.csv is v1)",
            ));
        }
        (Some(key), Some(file)) => {
            // The key is a secret: never echoed.
            let key = FamilyKey::from_hex(&key)
                .map_err(|_| bad("family_key", "…", "is not 64 hex digits (32 bytes)"))?;
            if !is_plain_file_name(&file) {
                return Err(bad(
                    "registrations",
                    &file,
                    "does not name a file in the bundle",
                ));
            }
            Some((key, file))
        }
        (Some(_), None) => {
            return Err(bad(
                "family_key",
                "…",
                "needs registrations (the file it derives fids from)",
            ));
        }
        (None, Some(file)) => {
            return Err(bad(
                "registrations",
                &file,
                "needs family_key (to derive fids)",
            ));
        }
    };
    Ok(ParsedParams {
        wave_id: raw.wave_id,
        secret,
        beacon,
        allocation,
        kk_cap: raw.kk_cap,
        prior: raw.prior,
        derivation,
    })
}

/// A JSON error as a bundle error on the line serde_json reports.
pub fn json_error(file: &str, error: &serde_json::Error) -> BundleError {
    let text = error.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m);
    BundleError::line(file, error.line() as u64, message)
}

/// A name without directories, so a bundle cannot point outside itself.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// The 1-based line on which `"key"` first appears (1 if nowhere).
fn line_of_key(text: &str, key: &str) -> u64 {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|l| l.contains(&quoted))
        .map_or(1, |i| i as u64 + 1)
}
