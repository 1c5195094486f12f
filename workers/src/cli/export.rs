//! `prakerja wave export WAVE --dir DIR [--personal-data]`: the audit
//! bundle, in the vector format of the wave's algorithm plus
//! `rejected.csv` (a v2 wave's by `pid`: `export_v2.rs`), and a notice when
//! it holds personal data (`PERSONAL-DATA.txt`). Written to a temporary
//! directory beside DIR and renamed into place, so DIR is either complete
//! or absent.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use shared::selection::bundle::Bundle;
use sqlx::PgPool;

use super::error::{CliError, CliResult, input};
use super::export_v2;
use crate::app::App;
use crate::audit::StoredDraw;
use crate::pgcopy::copy_out_lines;

#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub wave_id: i64,
    pub dir: String,
    pub files: Vec<String>,
    pub candidates: usize,
    pub rejected: u64,
    /// `prakerja-selection-v1` or `-v2`.
    pub algorithm: String,
    /// Whether the bundle holds personal data: a v1 bundle (NIKs and KKs)
    /// or a v2 bundle written with `--personal-data` (`identities.csv`).
    pub personal_data: bool,
}

/// The public export (for a v1 wave, personal data all the same).
pub async fn run(app: &App, wave_id: i64, dir: &Path) -> CliResult<ExportReport> {
    run_with(app, wave_id, dir, false).await
}

/// The export; `personal_data` adds a v2 wave's `identities.csv` (refused
/// for a v1 wave, whose bundle is personal data already).
pub async fn run_with(
    app: &App,
    wave_id: i64,
    dir: &Path,
    personal_data: bool,
) -> CliResult<ExportReport> {
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
    let key = app
        .settings
        .selection
        .family_key()
        .map_err(CliError::Input)?;
    let stored = StoredDraw::load_keyed(&app.pool, wave_id, key.as_ref())
        .await
        .map_err(super::audit::stored_draw_error)?;
    if personal_data && stored.v2.is_none() {
        return Err(input(format!(
            "--personal-data: wave {wave_id} is prakerja-selection-v1, whose bundle holds \
             NIKs and KKs already"
        )));
    }
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
    let result = write_bundle(&app.pool, &stored, &staging, personal_data).await;
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
        algorithm: stored.manifest.algorithm.clone(),
        personal_data: personal_data || stored.v2.is_none(),
    })
}

pub fn human(r: &ExportReport) -> String {
    format!(
        "exported wave {} ({}) to {}: {} ({} candidates, {} rejected registrations)\n{}",
        r.wave_id,
        r.algorithm,
        r.dir,
        r.files.join(", "),
        r.candidates,
        r.rejected,
        if r.personal_data {
            "this bundle holds PERSONAL DATA: for entitled auditors only, never publish it"
        } else {
            "this bundle holds no personal data: publish it"
        }
    )
}

async fn write_bundle(
    pool: &PgPool,
    stored: &StoredDraw,
    staging: &PathBuf,
    personal_data: bool,
) -> anyhow::Result<u64> {
    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    if let Some(v2) = &stored.v2 {
        export_v2::write_vector_files(stored, v2, staging)?;
        std::fs::write(staging.join("manifest.json"), &stored.manifest_text)?;
        if personal_data {
            export_v2::write_identities(stored, v2, staging)?;
        }
        let rejected = staging.join("rejected.csv");
        return export_v2::write_rejected(pool, stored.wave.wave_id, &rejected).await;
    }
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
