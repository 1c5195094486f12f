//! Writing a bundle directory.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use super::params_file::{PARAMS_FILE, RawParams};
use super::registrations::REGISTRATIONS_HEADER;
use super::{BundleError, BundleOf, CANDIDATES_FILE, EXPECTED_FILE, MANIFEST_FILE};
use crate::selection::lines::LineBuffer;
use crate::selection::{Algorithm, Allocation, CandidateId, DrawCandidate, write_rows_csv};

fn write_file(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), BundleError> {
    let path = dir.join(name);
    let io = |e| BundleError::write(&path, e);
    let mut out = BufWriter::new(File::create(&path).map_err(io)?);
    fill(&mut out).map_err(io)?;
    out.flush().map_err(io)
}

impl<C: DrawCandidate> BundleOf<C> {
    /// Writes the bundle into `dir` (created if missing): `params.json`,
    /// `candidates.csv`, the prior and quotas files when used, the
    /// registrations file when the bundle has a derivation, and
    /// `expected.csv` and `manifest.json` when it has a result.
    pub fn write(&self, dir: &Path) -> Result<(), BundleError> {
        fs::create_dir_all(dir).map_err(|e| BundleError::write(dir, e))?;
        let allocation = match &self.allocation {
            Allocation::Explicit(_) => format!("explicit:{}", self.quotas_file),
            other => other.to_string(),
        };
        let raw = RawParams {
            wave_id: self.wave_id,
            secret: hex::encode(self.secret),
            beacon: hex::encode(&self.beacon),
            allocation,
            kk_cap: self.kk_cap,
            prior: self.prior.as_ref().map(|_| self.prior_file.clone()),
            family_key: self.derivation.as_ref().map(|d| d.family_key.expose_hex()),
            registrations: self
                .derivation
                .as_ref()
                .map(|d| d.registrations_file.clone()),
        };
        let algorithm = C::ALGORITHM;
        write_file(dir, PARAMS_FILE, |out| {
            serde_json::to_writer_pretty(&mut *out, &raw).map_err(std::io::Error::from)?;
            match algorithm {
                Algorithm::V1 => Ok(()),
                Algorithm::V2 => out.write_all(b"\n"),
            }
        })?;
        write_file(dir, CANDIDATES_FILE, |out| {
            writeln!(out, "{}", algorithm.candidates_header().join(","))?;
            let mut lines = LineBuffer::default();
            for candidate in &self.candidates {
                lines.push_candidate(candidate);
                if lines.is_full() {
                    out.write_all(lines.filled())?;
                    lines.clear();
                }
            }
            out.write_all(lines.filled())
        })?;
        if let Some(prior) = &self.prior {
            write_file(dir, &self.prior_file, |out| {
                writeln!(out, "{}", algorithm.prior_header().join(","))?;
                prior
                    .iter()
                    .try_for_each(|(family, n)| writeln!(out, "{},{n}", family.text()))
            })?;
        }
        if let Some(derivation) = &self.derivation {
            write_file(dir, &derivation.registrations_file, |out| {
                writeln!(out, "{}", REGISTRATIONS_HEADER.join(","))?;
                derivation.registrations.iter().try_for_each(|r| {
                    let id = r.registration_id.hyphenated();
                    writeln!(out, "{id},{:016},{},{}", r.kk, r.province, r.tier)
                })
            })?;
        }
        if let Some(quotas) = self.explicit_quotas() {
            write_file(dir, &self.quotas_file, |out| {
                out.write_all(b"province,quota\n")?;
                quotas
                    .iter()
                    .try_for_each(|(p, q)| writeln!(out, "{p},{q}"))
            })?;
        }
        if let Some(rows) = &self.expected {
            write_file(dir, EXPECTED_FILE, |out| write_rows_csv(out, rows))?;
        }
        if let Some(manifest) = &self.manifest {
            let text = manifest
                .to_json()
                .map_err(|e| BundleError::write(&dir.join(MANIFEST_FILE), e.into()))?;
            write_file(dir, MANIFEST_FILE, |out| out.write_all(text.as_bytes()))?;
        }
        Ok(())
    }
}
