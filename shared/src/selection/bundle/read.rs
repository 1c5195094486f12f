//! Reading a bundle directory.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use super::csv_read::{read_candidates, read_prior, read_quotas, read_rows};
use super::params_file::{AllocationSpec, PARAMS_FILE, json_error, parse_params};
use super::{Bundle, BundleError, CANDIDATES_FILE, EXPECTED_FILE, MANIFEST_FILE};
use crate::selection::{Allocation, Manifest};

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

impl Bundle {
    /// Reads and checks a bundle directory. `expected.csv` and
    /// `manifest.json` may be absent; everything else the parameters name
    /// must be there.
    pub fn read(dir: &Path) -> Result<Self, BundleError> {
        let params_bytes = read_file(dir, PARAMS_FILE)?;
        let params = parse_params(utf8(PARAMS_FILE, &params_bytes)?)?;
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
        let candidates = read_candidates(CANDIDATES_FILE, &read_file(dir, CANDIDATES_FILE)?)?;
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
        })
    }
}
