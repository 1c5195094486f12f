//! `prakerja generate`: realistic synthetic registrations as JSON lines, a
//! share of them invalid in every way the validator knows.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use serde::Serialize;
use shared::generate::{GenerateOptions, Generator};

use super::error::{CliResult, input};
use super::output::Output;
use super::wave_open::parse_closes_at;
use crate::app::App;
use crate::waves::Wave;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The wave the registrations are for (its window and scheme are used
    /// when it exists in the database). Registrations claim times between
    /// the wave's opening and its close or now, whichever is earlier (a
    /// submitted_at in the future or before the opening is FIELD_INVALID).
    #[arg(long)]
    pub wave: u32,
    /// How many registrations.
    #[arg(long)]
    pub count: u64,
    /// The same seed gives the same registrations.
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Share of invalid registrations, 0 to 1.
    #[arg(long, default_value_t = shared::generate::DEFAULT_INVALID_SHARE)]
    pub invalid_share: f64,
    /// The wave's close, when the wave is not in the database (RFC 3339 or a date).
    #[arg(long)]
    pub closes_at: Option<String>,
    /// The scheme, when the wave is not in the database.
    #[arg(long, default_value = "2020")]
    pub scheme: String,
}

#[derive(Debug, Serialize)]
pub struct GenerateReport {
    pub wave_id: u32,
    pub count: u64,
    pub seed: u64,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub output: String,
}

pub async fn run(app: &App, out: Output, args: GenerateArgs) -> CliResult<GenerateReport> {
    if !(0.0..=1.0).contains(&args.invalid_share) {
        return Err(input(format!(
            "--invalid-share must be between 0 and 1, got {}",
            args.invalid_share
        )));
    }
    let wave = match Wave::find(&app.pool, i64::from(args.wave)).await {
        Ok(wave) => wave,
        Err(error) => {
            tracing::warn!(%error, "database unreachable; generating without the wave's details");
            None
        }
    };
    let (window_start, window_end, scheme) = match (&wave, &args.closes_at) {
        (_, Some(closes_at)) => {
            let end = parse_closes_at(closes_at)?;
            (
                end - Duration::days(30),
                end,
                app.settings
                    .scheme(&args.scheme)
                    .map_err(super::error::CliError::Input)?
                    .clone(),
            )
        }
        (Some(wave), None) => (
            wave.opened_at,
            wave.effective_close(),
            wave.scheme.0.clone(),
        ),
        (None, None) => {
            let end = Utc::now() + Duration::days(1);
            (
                end - Duration::days(30),
                end,
                app.settings
                    .scheme(&args.scheme)
                    .map_err(super::error::CliError::Input)?
                    .clone(),
            )
        }
    };
    // Registrations are submitted before now (a `submitted_at` in the future
    // is FIELD_INVALID), and never before their wave opened.
    let now = Utc::now();
    let submitted_until = window_end.min(now);
    if submitted_until - window_start < Duration::seconds(1) {
        return Err(input(format!(
            "wave {} has been open for less than a second: nobody can have registered yet",
            args.wave
        )));
    }
    let options = GenerateOptions {
        invalid_share: args.invalid_share,
        now: Some(now),
        ..GenerateOptions::new(args.wave, args.count, args.seed, window_start, window_end)
    };
    let generator = Generator::new(options).for_scheme(&scheme);
    let (writer, name): (Box<dyn Write>, String) = match &args.output {
        Some(path) => (
            Box::new(
                std::fs::File::create(path)
                    .map_err(|e| input(format!("creating {}: {e}", path.display())))?,
            ),
            path.display().to_string(),
        ),
        None => (
            Box::new(std::io::stdout().lock()),
            "standard output".to_owned(),
        ),
    };
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, writer);
    let bar = if args.output.is_some() {
        out.progress(Some(args.count), "generating")
    } else {
        indicatif::ProgressBar::hidden()
    };
    for record in generator {
        serde_json::to_writer(&mut writer, &record).map_err(anyhow::Error::from)?;
        writer.write_all(b"\n").map_err(anyhow::Error::from)?;
        bar.inc(1);
    }
    writer.flush().map_err(anyhow::Error::from)?;
    bar.finish_and_clear();
    Ok(GenerateReport {
        wave_id: args.wave,
        count: args.count,
        seed: args.seed,
        window_start,
        window_end: submitted_until,
        output: name,
    })
}

pub fn human(r: &GenerateReport) -> String {
    if r.output == "standard output" {
        return String::new();
    }
    format!(
        "wrote {} registrations for wave {} (seed {}, submitted {} to {}) to {}",
        r.count,
        r.wave_id,
        r.seed,
        r.window_start.to_rfc3339(),
        r.window_end.to_rfc3339(),
        r.output
    )
}
