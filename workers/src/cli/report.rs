//! `prakerja report WAVE --out FILE`: the wave's story as one
//! self-contained HTML file (see `crate::report`). Prints the file's path.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::error::{CliError, CliResult, input};
use crate::app::App;
use crate::report::{UnknownWave, WaveReport, write};

#[derive(Debug, Args)]
#[command(
    after_help = "The file needs no network: style and charts (SVG) are inline, and it loads nothing.\n\
It shows registrants and rejections by reason; the draw per province and its skew check; the manifest,\n\
the beacon (re-verified) and the commands that recompute the draw; the disbursement funnel, the ledger\n\
over time, holds, conflicts and overpayments. Counts and masked NIKs only: no personal data.\n\
Exit codes: 0 written; 2 no such wave, or FILE cannot be written; 3 a service failed."
)]
pub struct ReportArgs {
    /// The wave.
    pub wave: i64,
    /// The HTML file to write (replaced whole; its directory is created).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct Written {
    pub wave_id: i64,
    /// The file's absolute path.
    pub path: String,
    pub bytes: usize,
}

pub async fn run(app: &App, args: ReportArgs) -> CliResult<Written> {
    if args.out.is_dir() {
        return Err(input(format!(
            "--out {} is a directory: name a file",
            args.out.display()
        )));
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| input(format!("creating {}: {e}", parent.display())))?;
    }
    let report =
        WaveReport::build(app, args.wave)
            .await
            .map_err(|e| match e.downcast::<UnknownWave>() {
                Ok(unknown) => input(unknown),
                Err(other) => CliError::Failure(other),
            })?;
    let html = report.render();
    write(&args.out, &html).map_err(CliError::Input)?;
    let path = std::fs::canonicalize(&args.out).unwrap_or(args.out);
    Ok(Written {
        wave_id: args.wave,
        path: path.display().to_string(),
        bytes: html.len(),
    })
}

/// The path alone, so that scripts can open it.
pub fn human(written: &Written) -> String {
    written.path.clone()
}
