//! Reading a bundle directory.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use super::csv_read::{read_candidates, read_prior, read_quotas, read_rows};
use super::params_file::{AllocationSpec, PARAMS_FILE, json_error, parse_params};
use super::registrations::{Derivation, read_registrations};
use super::{
    Bundle, BundleError, BundleOf, BundleV2, CANDIDATES_FILE, EXPECTED_FILE, MANIFEST_FILE,
};
use crate::selection::{Algorithm, Allocation, DrawCandidate, Manifest};

/// A bundle of either algorithm.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyBundle {
    /// `prakerja-selection-v1` (`candidates.csv` starts `nik,`).
    V1(Bundle),
    /// `prakerja-selection-v2` (`candidates.csv` starts `pid,`).
    V2(BundleV2),
}

impl AnyBundle {
    /// Reads a bundle directory of either algorithm, chosen by the header
    /// of its `candidates.csv`.
    pub fn read(dir: &Path) -> Result<Self, BundleError> {
        let candidates = read_file(dir, CANDIDATES_FILE)?;
        Ok(match algorithm_of(CANDIDATES_FILE, &candidates)? {
            Algorithm::V1 => Self::V1(Bundle::read_with(dir, &candidates)?),
            Algorithm::V2 => Self::V2(BundleV2::read_with(dir, &candidates)?),
        })
    }

    /// The bundle's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::V1(_) => Algorithm::V1,
            Self::V2(_) => Algorithm::V2,
        }
    }
}

/// The algorithm of a candidates file (`file` names it in errors), by its
/// header: `nik,…` is v1, `pid,…` is v2.
pub fn algorithm_of(file: &str, bytes: &[u8]) -> Result<Algorithm, BundleError> {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    Algorithm::of_candidates_header(&first).ok_or_else(|| {
        let [v1, v2] = Algorithm::ALL.map(|a| a.candidates_header().join(","));
        let found = first.trim_end_matches('\r');
        BundleError::line(
            file,
            1,
            format!("header is {found:?}, expected {v1:?} (v1) or {v2:?} (v2)"),
        )
    })
}

fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>, BundleError> {
    let path = dir.join(name);
    fs::read(&path).map_err(|e| BundleError::read(&path, e))
}

fn read_optional(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, BundleError> {
    let path = dir.join(name);
    match fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BundleError::read(&path, e)),
    }
}

fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, BundleError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        BundleError::line(file, line, "not valid UTF-8")
    })
}

impl<C: DrawCandidate> BundleOf<C> {
    /// Reads and checks a bundle directory of `C`'s algorithm.
    /// `expected.csv` and `manifest.json` may be absent; everything else
    /// the parameters name must be there.
    pub fn read(dir: &Path) -> Result<Self, BundleError> {
        Self::read_with(dir, &read_file(dir, CANDIDATES_FILE)?)
    }

    /// [`read`](Self::read), given the bytes of `candidates.csv`.
    fn read_with(dir: &Path, candidates: &[u8]) -> Result<Self, BundleError> {
        let params_bytes = read_file(dir, PARAMS_FILE)?;
        let params = parse_params(utf8(PARAMS_FILE, &params_bytes)?, C::ALGORITHM)?;
        let mut quotas_file = "quotas.csv".to_owned();
        let allocation = match params.allocation {
            AllocationSpec::Seats(allocation) => allocation,
            AllocationSpec::Explicit(file) => {
                let quotas = read_quotas(&file, &read_file(dir, &file)?)?;
                quotas_file = file;
                Allocation::Explicit(quotas)
            }
        };
        let prior = match &params.prior {
            Some(file) => Some(read_prior(file, &read_file(dir, file)?)?),
            None => None,
        };
        let candidates = read_candidates(CANDIDATES_FILE, candidates)?;
        let derivation = match params.derivation {
            Some((family_key, file)) => Some(Derivation {
                registrations: read_registrations(&file, &read_file(dir, &file)?)?,
                family_key,
                registrations_file: file,
            }),
            None => None,
        };
        let expected = match read_optional(dir, EXPECTED_FILE)? {
            Some(bytes) => Some(read_rows(EXPECTED_FILE, &bytes)?),
            None => None,
        };
        let manifest = match read_optional(dir, MANIFEST_FILE)? {
            Some(bytes) => Some(
                Manifest::from_json(utf8(MANIFEST_FILE, &bytes)?)
                    .map_err(|e| json_error(MANIFEST_FILE, &e))?,
            ),
            None => None,
        };
        Ok(Self {
            wave_id: params.wave_id,
            secret: params.secret,
            beacon: params.beacon,
            allocation,
            quotas_file,
            kk_cap: params.kk_cap,
            candidates,
            prior,
            prior_file: params.prior.unwrap_or_else(|| "prior.csv".to_owned()),
            expected,
            manifest,
            derivation,
        })
    }
}
