//! Writing a bundle directory.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use super::params_file::{PARAMS_FILE, RawParams};
use super::{Bundle, BundleError, CANDIDATES_FILE, EXPECTED_FILE, MANIFEST_FILE};
use crate::selection::lines::LineBuffer;
use crate::selection::{Allocation, write_rows_csv};

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

impl Bundle {
    /// Writes the bundle into `dir` (created if missing): `params.json`,
    /// `candidates.csv`, the prior and quotas files when used, and
    /// `expected.csv` and `manifest.json` when the bundle has a result.
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
        };
        write_file(dir, PARAMS_FILE, |out| {
            serde_json::to_writer_pretty(&mut *out, &raw).map_err(std::io::Error::from)
        })?;
        write_file(dir, CANDIDATES_FILE, |out| {
            out.write_all(b"nik,kk,province,tier\n")?;
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
                out.write_all(b"kk,count\n")?;
                prior
                    .iter()
                    .try_for_each(|(kk, n)| writeln!(out, "{kk:016},{n}"))
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
