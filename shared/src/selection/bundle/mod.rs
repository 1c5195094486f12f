//! A draw's inputs and published result as a directory in the vector
//! format of `selection-v1/vectors/NN-name/`:
//!
//! | file | content |
//! | --- | --- |
//! | `params.json` | `wave_id`, `secret` and `beacon` (hex), `allocation` (`national:K`, `proportional:K` or `explicit:FILE`), `kk_cap`, `prior` (file name or null) |
//! | `candidates.csv` | `nik,kk,province,tier` |
//! | prior file (`prior.csv`) | `kk,count` |
//! | quotas file (`quotas.csv`) | `province,quota` |
//! | `expected.csv` | `stratum,rank,nik,status` (optional when reading) |
//! | `manifest.json` | the manifest (optional when reading) |
//!
//! Reading checks every field and reports the file, line and field at fault.
//! Reading keeps the file order of candidates and prior counts and writing
//! reproduces it, so a bundle round-trips byte for byte. (The vectors list
//! candidates and prior counts in no particular order; a new bundle may as
//! well write candidates in NIK order. Quotas are written in province
//! order, as in the vectors.) `params.json` has no final newline, the other
//! files end in `\n`.

mod csv_read;
mod error;
mod params_file;
mod read;
mod write;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

pub use csv_read::{read_candidates, read_prior, read_quotas, read_rows};
pub use error::BundleError;

use super::{Allocation, Candidate, Draw, DrawParams, Manifest, Province, ResultRow};

/// `candidates.csv`.
pub const CANDIDATES_FILE: &str = "candidates.csv";
/// `expected.csv`.
pub const EXPECTED_FILE: &str = "expected.csv";
/// `manifest.json`.
pub const MANIFEST_FILE: &str = "manifest.json";
pub use params_file::PARAMS_FILE;

/// The contents of a bundle directory.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The registration wave.
    pub wave_id: u32,
    /// The revealed secret.
    pub secret: [u8; 32],
    /// The beacon, 0 to 64 bytes.
    pub beacon: Vec<u8>,
    /// The allocation; `Explicit` quotas live in [`quotas_file`](Self::quotas_file).
    pub allocation: Allocation,
    /// Name of the quotas file (used with an explicit allocation).
    pub quotas_file: String,
    /// The KK cap, 0 = none.
    pub kk_cap: u32,
    /// Candidates in file order.
    pub candidates: Vec<Candidate>,
    /// Prior counts per KK in file order; `None` when `prior` is null.
    pub prior: Option<Vec<(u64, u32)>>,
    /// Name of the prior file (used when `prior` is `Some`).
    pub prior_file: String,
    /// The published rows, if the bundle has `expected.csv`.
    pub expected: Option<Vec<ResultRow>>,
    /// The published manifest, if the bundle has `manifest.json`.
    pub manifest: Option<Manifest>,
}

impl Bundle {
    /// A bundle of a draw's inputs (no result yet). Prior counts are kept
    /// in KK order, `None` if there are none.
    pub fn from_inputs(params: &DrawParams, candidates: Vec<Candidate>) -> Self {
        let mut prior: Vec<(u64, u32)> = params.prior.iter().map(|(k, n)| (*k, *n)).collect();
        prior.sort_unstable();
        Self {
            wave_id: params.wave_id,
            secret: params.secret,
            beacon: params.beacon.clone(),
            allocation: params.allocation.clone(),
            quotas_file: "quotas.csv".to_owned(),
            kk_cap: params.kk_cap,
            candidates,
            prior: (!prior.is_empty()).then_some(prior),
            prior_file: "prior.csv".to_owned(),
            expected: None,
            manifest: None,
        }
    }

    /// The draw parameters the bundle describes.
    pub fn draw_params(&self) -> DrawParams {
        let prior: HashMap<u64, u32> = self.prior.iter().flatten().copied().collect();
        DrawParams {
            wave_id: self.wave_id,
            secret: self.secret,
            beacon: self.beacon.clone(),
            allocation: self.allocation.clone(),
            kk_cap: self.kk_cap,
            prior,
        }
    }

    /// Records a draw's rows and manifest as the bundle's result.
    pub fn set_result(&mut self, draw: &Draw) {
        self.expected = Some(draw.rows.clone());
        self.manifest = Some(draw.manifest.clone());
    }

    /// The explicit quotas, if the allocation is explicit.
    pub fn explicit_quotas(&self) -> Option<&BTreeMap<Province, u64>> {
        match &self.allocation {
            Allocation::Explicit(quotas) => Some(quotas),
            _ => None,
        }
    }
}
