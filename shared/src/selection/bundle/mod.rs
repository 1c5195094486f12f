//! A draw's inputs and published result as a directory in the vector
//! format of `selection-v1/vectors/NN-name/` and `selection-v2/vectors/`:
//!
//! | file | v1 | v2 |
//! | --- | --- | --- |
//! | `params.json` | `wave_id`, `secret` and `beacon` (hex), `allocation` (`national:K`, `proportional:K` or `explicit:FILE`), `kk_cap`, `prior` (file name or null) | the same; a vector adds `family_key` (hex) and `registrations` (file name) |
//! | `candidates.csv` | `nik,kk,province,tier` | `pid,fid,province,tier` |
//! | prior file (`prior.csv`) | `kk,count` | `fid,count` |
//! | quotas file (`quotas.csv`) | `province,quota` | the same |
//! | `expected.csv` | `stratum,rank,nik,status` (optional when reading) | `stratum,rank,pid,status` |
//! | `manifest.json` | the manifest (optional when reading) | the same |
//! | registrations file | none | `registration_id,kk,province,tier` (vectors only) |
//!
//! [`BundleOf<C>`] is one algorithm's bundle (its candidate type `C`):
//! [`Bundle`] for v1, [`BundleV2`] for v2;
//! [`AnyBundle::read`] reads either, choosing by the header of
//! `candidates.csv`. Reading checks every field and reports the file, line
//! and field at fault. Reading keeps the file order of candidates, prior
//! counts and registrations and writing reproduces it, so a bundle
//! round-trips byte for byte. (The vectors list candidates and prior counts
//! in no particular order; a new bundle may as well write candidates in id
//! order. Quotas are written in province order, as in the vectors.) v1's
//! `params.json` has no final newline and v2's has one, as in the vectors;
//! the other files end in `\n`.
//!
//! A public v2 bundle has no family key and no registrations: both are for
//! vectors (and for auditors entitled to personal data).

mod csv_read;
mod error;
mod params_file;
mod read;
mod registrations;
mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_derivation;
#[cfg(test)]
mod tests_v2;

use std::collections::{BTreeMap, HashMap};

pub use csv_read::{read_candidates, read_prior, read_quotas, read_rows};
pub use error::BundleError;
pub use read::{AnyBundle, algorithm_of};
pub use registrations::{
    Derivation, MAX_MISMATCHES, REGISTRATIONS_HEADER, Registration, read_registrations,
};

use super::{
    Allocation, Candidate, CandidateV2, Draw, DrawCandidate, DrawParams, Manifest, Province,
};

/// `candidates.csv`.
pub const CANDIDATES_FILE: &str = "candidates.csv";
/// `expected.csv`.
pub const EXPECTED_FILE: &str = "expected.csv";
/// `manifest.json`.
pub const MANIFEST_FILE: &str = "manifest.json";
pub use params_file::PARAMS_FILE;

/// A v1 bundle (NIKs and KKs).
pub type Bundle = BundleOf<Candidate>;

/// A v2 bundle (`pid`s and `fid`s).
pub type BundleV2 = BundleOf<CandidateV2>;

/// The contents of a bundle directory of the algorithm of `C`
/// ([`Candidate`] for v1, [`CandidateV2`] for v2).
#[derive(Clone, Debug, PartialEq)]
pub struct BundleOf<C: DrawCandidate> {
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
    /// The family cap, 0 = none.
    pub kk_cap: u32,
    /// Candidates in file order.
    pub candidates: Vec<C>,
    /// Prior counts per family in file order; `None` when `prior` is null.
    pub prior: Option<Vec<(C::Id, u32)>>,
    /// Name of the prior file (used when `prior` is `Some`).
    pub prior_file: String,
    /// The published rows, if the bundle has `expected.csv`.
    pub expected: Option<Vec<C::Row>>,
    /// The published manifest, if the bundle has `manifest.json`.
    pub manifest: Option<Manifest>,
    /// v2 vectors only: the family key and registrations the ids derive
    /// from.
    pub derivation: Option<Derivation>,
}

impl<C: DrawCandidate> BundleOf<C> {
    /// A bundle of a draw's inputs (no result yet). Prior counts are kept
    /// in family order, `None` if there are none.
    pub fn from_inputs(params: &DrawParams<C::Id>, candidates: Vec<C>) -> Self {
        let mut prior: Vec<(C::Id, u32)> = params.prior.iter().map(|(k, n)| (*k, *n)).collect();
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
            derivation: None,
        }
    }

    /// The draw parameters the bundle describes.
    pub fn draw_params(&self) -> DrawParams<C::Id> {
        let prior: HashMap<C::Id, u32> = self.prior.iter().flatten().copied().collect();
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
    pub fn set_result(&mut self, draw: &Draw<C::Row>) {
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
