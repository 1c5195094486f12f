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
