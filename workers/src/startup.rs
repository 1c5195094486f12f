//! Start-up shared by every binary: configuration, then telemetry.

use clap::Args;
use shared::config::{LogFormat, Settings};

/// Flags every binary takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Log as JSON lines (also `log.format = "json"` in configuration).
    #[arg(long, global = true)]
    pub log_json: bool,
}

/// Loads settings and installs logging; logs go to stderr.
pub fn init(common: &CommonArgs) -> anyhow::Result<Settings> {
    let settings = Settings::load()?;
    let format = if common.log_json {
        LogFormat::Json
    } else {
        settings.log.format
    };
    shared::telemetry::init(&settings.log.filter, format);
    crate::failpoint::setup();
    Ok(settings)
}

/// As [`init`], for the workers: a configuration they cannot run with (a
/// missing or, in production, development credential; a bad value) ends the
/// process with exit code 2 (bad usage or input, CONTRACTS.md) and a
/// message naming the setting.
pub fn init_or_exit(common: &CommonArgs) -> Settings {
    init(common).unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        std::process::exit(2)
    })
}
