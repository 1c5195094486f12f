//! `prakerja wave export WAVE --dir DIR`: the audit bundle, in the vector
//! format of `selection-v1/` plus `rejected.csv` and a notice that it holds
//! personal data (`PERSONAL-DATA.txt`). Written to a temporary
//! directory beside DIR and renamed into place, so DIR is either complete
//! or absent.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use shared::selection::bundle::Bundle;
use sqlx::PgPool;

use super::error::{CliError, CliResult, input};
use crate::app::App;
use crate::audit::{NotDrawn, StoredDraw};
use crate::pgcopy::copy_out_lines;

#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub wave_id: i64,
    pub dir: String,
    pub files: Vec<String>,
    pub candidates: usize,
    pub rejected: u64,
}

pub async fn run(app: &App, wave_id: i64, dir: &Path) -> CliResult<ExportReport> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(input(format!(
            "{} already exists and is not empty",
            dir.display()
        )));
    }
    let stored =
        StoredDraw::load(&app.pool, wave_id)
            .await
            .map_err(|e| match e.downcast::<NotDrawn>() {
                Ok(not_drawn) => input(not_drawn),
                Err(other) => CliError::Failure(other),
            })?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| input(format!("creating {}: {e}", parent.display())))?;
    let staging = parent.join(format!(
        ".{}.partial-{}",
        dir.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let result = write_bundle(&app.pool, &stored, &staging).await;
    let rejected = match result {
        Ok(rejected) => rejected,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error.into());
        }
    };
    if dir.exists() {
        std::fs::remove_dir(dir)
            .map_err(|e| input(format!("replacing empty {}: {e}", dir.display())))?;
    }
    std::fs::rename(&staging, dir)
        .with_context(|| format!("moving the bundle into {}", dir.display()))?;
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map_err(anyhow::Error::from)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    files.sort();
    Ok(ExportReport {
        wave_id,
        dir: dir.display().to_string(),
        files,
        candidates: stored.candidates.len(),
        rejected,
    })
}

pub fn human(r: &ExportReport) -> String {
    format!(
        "exported wave {} to {}: {} ({} candidates, {} rejected registrations)",
        r.wave_id,
        r.dir,
        r.files.join(", "),
        r.candidates,
        r.rejected
    )
}

async fn write_bundle(
    pool: &PgPool,
    stored: &StoredDraw,
    staging: &PathBuf,
) -> anyhow::Result<u64> {
    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    let mut candidates = stored.candidates.clone();
    candidates.sort_unstable_by_key(|c| c.nik);
    let mut bundle = Bundle::from_inputs(&stored.params, candidates);
    bundle.expected = Some(stored.rows.clone());
    bundle.manifest = Some(stored.manifest.clone());
    bundle.write(staging)?;
    // The manifest exactly as published (extra fields included).
    std::fs::write(staging.join("manifest.json"), &stored.manifest_text)?;
    std::fs::write(staging.join(NOTICE_FILE), NOTICE)?;
    write_rejected(pool, stored.wave.wave_id, &staging.join("rejected.csv")).await
}

/// A wave's rejected registrations as `rejected.csv` lists them. A rejected
/// NIK is text as the sender wrote it: one a spreadsheet would run as a
/// formula (first character `=`, `+`, `-`, `@`, tab or carriage return) is
/// written with a leading `'`.
pub fn rejected_rows(wave_id: i32) -> String {
    format!(
        "SELECT registration_id, \
                CASE WHEN left(nik, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) \
                     THEN '''' || nik ELSE COALESCE(nik, '') END, \
                array_to_string(reasons, '|') \
           FROM registrations WHERE wave_id = {wave_id} AND status = 'rejected' \
          ORDER BY registration_id::text COLLATE \"C\""
    )
}

/// The notice every bundle carries: it holds personal data.
pub const NOTICE_FILE: &str = "PERSONAL-DATA.txt";

const NOTICE: &str = "\
PERSONAL DATA: this bundle holds the NIK (national identity number) of every
candidate of a Prakerja wave and of every rejected registration.
Keep it only where personal data may be kept, share it only with those
entitled to audit the draw, and delete it when the audit is done.
candidates.csv, prior.csv and expected.csv are in the vector format that
`prakerja audit --bundle` and verify/verify_draw.py read; they are left
exactly as the draw used them. In rejected.csv a NIK that a spreadsheet
would run as a formula (first character =, +, -, @, tab or carriage
return) is written with a leading '.
";

/// `registration_id,nik,reasons`, reasons joined by `|`, sorted by id.
async fn write_rejected(pool: &PgPool, wave_id: i32, path: &Path) -> anyhow::Result<u64> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    writer.write_all(b"registration_id,nik,reasons\n")?;
    let statement = format!(
        "COPY ({}) TO STDOUT WITH (FORMAT csv)",
        rejected_rows(wave_id)
    );
    let mut connection = pool.acquire().await?;
    let rows = copy_out_lines(&mut connection, &statement, |line| {
        writer.write_all(line)?;
        writer.write_all(b"\n")?;
        Ok(())
    })
    .await?;
    writer.flush()?;
    Ok(rows)
}
