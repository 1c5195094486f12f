//! `prakerja demo`: the whole pipeline on a synthetic wave, start to finish.
//! It starts the workers itself (two validators, a selector, a disburser and
//! the payment gateway simulator), then: open a wave, generate and ingest
//! registrations, close while they are still queued, draw, export, audit,
//! and live through simulated months of training and nightly runs, ending
//! with the reconciliation report.

mod months;
pub mod training;
mod workers;

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Duration, Utc};
use clap::Args;

use crate::app::App;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::Output;
use crate::cli::{audit, export, ingest, wave_close, wave_open, wave_status};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Registrations to generate.
    #[arg(long, default_value_t = 100_000)]
    pub count: u64,
    /// Share of the eligible to select (proportional allocation).
    #[arg(long, default_value_t = 0.1)]
    pub select_share: f64,
    /// Simulated months of training and nightly runs.
    #[arg(long, default_value_t = 4)]
    pub months: u32,
    /// Days between simulated nightly runs (a run covers every day before it).
    #[arg(long, default_value_t = 7)]
    pub run_every_days: u32,
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Where the demo writes its files (registrations, bundle, worker logs).
    #[arg(long, default_value = "target/demo")]
    pub dir: PathBuf,
}

pub async fn run(app: &App, out: Output, args: DemoArgs) -> CliResult<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CliError::Input(anyhow::anyhow!("creating {}: {e}", args.dir.display())))?;
    let dir = std::fs::canonicalize(&args.dir).map_err(anyhow::Error::from)?;
    step(&format!(
        "1. starting the workers (logs in {})",
        dir.join("logs").display()
    ));
    let fleet = workers::Fleet::start(&dir.join("logs")).await?;
    let result = scenario(app, out, &args, &dir).await;
    step("stopping the workers");
    fleet.stop().await?;
    result?;
    step(&format!(
        "demo finished in {:.0}s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

async fn scenario(app: &App, out: Output, args: &DemoArgs, dir: &std::path::Path) -> CliResult<()> {
    let quiet = Output { json: out.json };
    let closes_at = Utc::now() + Duration::seconds(5);
    let quota = ((args.count as f64) * 0.9 * args.select_share)
        .round()
        .max(1.0) as u64;
    step("2. opening a wave (scheme 2020, proportional allocation by province)");
    let opened = wave_open::run(
        app,
        wave_open::OpenArgs {
            name: format!("Demo {}", Utc::now().format("%Y-%m-%d %H:%M:%S")),
            closes_at: closes_at.to_rfc3339(),
            allocation: format!("proportional:{quota}"),
            scheme: "2020".to_owned(),
            commitment: None,
            beacon_source: Some("demo: 32 bytes drawn at close".to_owned()),
            kk_cap: None,
        },
    )
    .await?;
    println!("{}", wave_open::human(&opened).trim_end());
    let wave_id = opened.wave_id;

    step(&format!(
        "3. generating {} registrations (about 10% invalid in every way the validator knows)",
        args.count
    ));
    let file = dir.join("registrations.jsonl");
    crate::cli::generate::run(
        app,
        quiet,
        crate::cli::generate::GenerateArgs {
            wave: wave_id as u32,
            count: args.count,
            seed: args.seed,
            output: Some(file.clone()),
            invalid_share: shared::generate::DEFAULT_INVALID_SHARE,
            closes_at: Some(closes_at.to_rfc3339()),
            scheme: "2020".to_owned(),
        },
    )
    .await?;

    step("4. ingesting them into registrations.submitted (publisher confirms)");
    let t = Instant::now();
    let ingested = ingest::run(app, quiet, &file, std::time::Duration::from_secs(300)).await?;
    println!(
        "{} ({:.0}/s)",
        ingest::human(&ingested),
        ingested.published as f64 / t.elapsed().as_secs_f64()
    );

    tokio::time::sleep_until(
        (Instant::now()
            + closes_at
                .signed_duration_since(Utc::now())
                .to_std()
                .unwrap_or_default())
        .into(),
    )
    .await;
    step("5. closing the wave while registrations are still queued; the draw waits for them");
    let beacon: [u8; 32] = rand::random();
    let closed = wave_close::run(
        app,
        quiet,
        wave_close::CloseArgs {
            wave: i64::from(wave_id),
            secret: None,
            beacon: Some(hex::encode(beacon)),
            no_wait: false,
            timeout: 3600,
        },
    )
    .await?;
    println!("{}", wave_close::human(&closed).trim_end());

    step("6. the wave's registrations by status and reason");
    let status = wave_status::status(app, i64::from(wave_id)).await?;
    println!("{}", wave_status::status_human(&status).trim_end());

    step(
        "7. exporting the audit bundle and auditing the draw, from the database and from the bundle",
    );
    let bundle = dir.join(format!("wave-{wave_id}-bundle"));
    let _ = std::fs::remove_dir_all(&bundle);
    let exported = export::run(app, i64::from(wave_id), &bundle).await?;
    println!("{}", export::human(&exported));
    audit::run_wave(app, out, i64::from(wave_id), false).await?;
    audit::run_bundle(out, &bundle, false)?;

    step(&format!(
        "8. {} simulated months of training and nightly disbursement runs (gateway simulator: failures, duplicates, delays, silence, reversals)",
        args.months
    ));
    months::simulate(app, out, args, wave_id).await?;
    Ok(())
}

fn step(text: &str) {
    println!("\n== {text}");
}
