//! What a v2 wave's export writes besides the vector-format files: the
//! public `rejected.csv` by `pid` (no NIK), and with `--personal-data`
//! `identities.csv`, which links each `pid` to its registration, NIK and
//! KK, for auditors entitled to personal data, with a notice that marks
//! the bundle as personal data.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use shared::selection::bundle::BundleV2;
use shared::selection::derive_pid;
use sqlx::PgPool;

use crate::audit::{StoredDraw, StoredV2};
use crate::pgcopy::{copy_out_lines, fields, text};

/// The file an entitled auditor receives.
pub const IDENTITIES_FILE: &str = "identities.csv";
/// The notice that marks a bundle holding personal data.
pub const NOTICE_FILE: &str = "PERSONAL-DATA.txt";

/// Writes the vector-format files of a v2 draw (`pid`, `fid`; no key, no
/// registrations).
pub fn write_vector_files(stored: &StoredDraw, v2: &StoredV2, dir: &Path) -> anyhow::Result<()> {
    let mut candidates = v2.candidates.clone();
    candidates.sort_unstable_by_key(|c| c.pid);
    let mut bundle = BundleV2::from_inputs(&v2.params, candidates);
    bundle.expected = Some(v2.rows.clone());
    bundle.manifest = Some(stored.manifest.clone());
    bundle.write(dir)?;
    Ok(())
}

/// A wave's rejected registrations with their reasons (read with `COPY`).
pub fn rejected_v2_rows(wave_id: i32) -> String {
    format!(
        "SELECT registration_id, array_to_string(reasons, '|') \
           FROM registrations WHERE wave_id = {wave_id} AND status = 'rejected'"
    )
}

/// `pid,reasons`, sorted by `pid`: no NIK, no registration id.
pub async fn write_rejected(pool: &PgPool, wave_id: i32, path: &Path) -> anyhow::Result<u64> {
    let mut lines: Vec<(u128, String)> = Vec::new();
    let statement = format!("COPY ({}) TO STDOUT", rejected_v2_rows(wave_id));
    let mut connection = pool.acquire().await?;
    copy_out_lines(&mut connection, &statement, |line| {
        let mut f = fields(line);
        let id = f
            .next()
            .context("rejected row lacks its id")
            .and_then(text)?;
        let reasons = f
            .next()
            .context("rejected row lacks reasons")
            .and_then(text)?;
        lines.push((derive_pid(&id.parse()?), reasons.to_owned()));
        Ok(())
    })
    .await?;
    lines.sort_unstable();
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    writer.write_all(b"pid,reasons\n")?;
    for (pid, reasons) in &lines {
        writeln!(writer, "{pid:032x},{reasons}")?;
    }
    writer.flush()?;
    Ok(lines.len() as u64)
}

/// `registration_id,pid,nik,kk` of every candidate, sorted by `pid`, and
/// the notice that marks the bundle.
pub fn write_identities(stored: &StoredDraw, v2: &StoredV2, dir: &Path) -> anyhow::Result<()> {
    let mut lines: Vec<(u128, usize)> = v2
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.pid, i))
        .collect();
    lines.sort_unstable();
    let path = dir.join(IDENTITIES_FILE);
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    writer.write_all(b"registration_id,pid,nik,kk\n")?;
    for (pid, i) in lines {
        let candidate = &stored.candidates[i];
        writeln!(
            writer,
            "{},{pid:032x},{:016},{:016}",
            stored.registration_ids[i].hyphenated(),
            candidate.nik,
            candidate.kk
        )?;
    }
    writer.flush()?;
    std::fs::write(
        dir.join(NOTICE_FILE),
        format!(
            "PERSONAL DATA. This bundle of wave {} holds {IDENTITIES_FILE}: every candidate's \
             registration id, NIK and KK beside their pid. It is for auditors entitled to \
             personal data under the Personal Data Protection law (UU 27/2022); never publish \
             it. The public bundle is the same directory without {IDENTITIES_FILE} and this \
             notice.\n",
            stored.wave.wave_id
        ),
    )?;
    Ok(())
}
