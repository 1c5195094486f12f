//! `prakerja audit WAVE` and `prakerja audit --bundle DIR`: `MATCH` (exit 0)
//! or `MISMATCH` with the first differences (exit 1).

use std::path::PathBuf;

use clap::Args;

use super::error::{CliError, CliResult};
use super::output::Output;
use crate::app::App;
use shared::beacon::Chain;

use crate::audit::{AuditReport, NotDrawn, audit_bundle_pinned, audit_wave_keyed, human};
use crate::waves::WaveKeyError;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The wave to audit from the database.
    #[arg(required_unless_present = "bundle", conflicts_with = "bundle")]
    pub wave: Option<i64>,
    /// Audit an exported bundle instead, with no database or broker.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Also fail (exit 1) when the skew check flags the draw.
    #[arg(long)]
    pub strict: bool,
}

/// Audits without services (bundle mode). A drand beacon's chain is checked
/// against the chains `pinned` in configuration, when there is one.
pub fn run_bundle(
    out: Output,
    dir: &std::path::Path,
    strict: bool,
    pinned: Option<&[Chain]>,
) -> CliResult<()> {
    let report = audit_bundle_pinned(dir, pinned).map_err(CliError::Input)?;
    finish(out, &report, strict)
}

/// The chains pinned in the configuration at hand, if it loads (an auditor
/// may have none).
pub fn configured_chains() -> Option<Vec<Chain>> {
    shared::config::Settings::load()
        .ok()
        .map(|settings| settings.drand.all())
}

pub async fn run_wave(app: &App, out: Output, wave: i64, strict: bool) -> CliResult<()> {
    let pinned = app.settings.drand.all();
    let key = app
        .settings
        .selection
        .family_key()
        .map_err(CliError::Input)?;
    let report = audit_wave_keyed(
        &app.pool,
        wave,
        app.settings.selector.skew_alpha,
        Some(&pinned),
        key.as_ref(),
    )
    .await
    .map_err(stored_draw_error)?;
    finish(out, &report, strict)
}

/// Exit 2 for a wave with no draw or a family key that does not fit it;
/// 3 for anything else.
pub fn stored_draw_error(error: anyhow::Error) -> CliError {
    if error.is::<NotDrawn>() || error.is::<WaveKeyError>() {
        CliError::Input(error)
    } else {
        CliError::Failure(error)
    }
}

fn finish(out: Output, report: &AuditReport, strict: bool) -> CliResult<()> {
    out.print(report, human);
    let skewed = report.skew.as_ref().is_some_and(|s| s.flagged);
    if !report.matched() {
        return Err(CliError::CheckFailed(format!(
            "{}: MISMATCH",
            report.source
        )));
    }
    if strict && skewed {
        return Err(CliError::CheckFailed(format!(
            "{}: skew flagged",
            report.source
        )));
    }
    Ok(())
}
