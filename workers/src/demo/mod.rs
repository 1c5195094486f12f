//! `prakerja demo`: the whole pipeline on a synthetic wave, start to finish.
//! It starts the workers itself (two validators, a selector, a disburser, the
//! payment gateway simulator and the beacon simulator), then: open a wave
//! whose beacon is the simulator's chain, generate and ingest registrations,
//! close while they are still queued, draw (`prakerja-selection-v2`),
//! export the public bundle, audit, print one applicant's receipt and run
//! the Python verifier on the bundle,
//! and live through simulated months of training and nightly runs, ending
//! with the reconciliation report and the wave's HTML report, whose path
//! is the demo's last line.

mod check;
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
    // The demo lives through months after the draw in minutes: its run
    // dates and training events lie that far after today, which the
    // disburser refuses unless disburser.max_days_ahead allows it.
    let days_ahead = args.months * 30 + args.run_every_days + 1;
    println!(
        "   simulated dates: disburser.max_days_ahead = {days_ahead} for the demo's processes"
    );
    let family_key = match &app.settings.selection.family_key {
        Some(key) => secrecy::ExposeSecret::expose_secret(key).to_owned(),
        None => {
            println!(
                "   selection.family_key is not configured: the demo uses its development key"
            );
            check::DEMO_FAMILY_KEY.to_owned()
        }
    };
    let fleet = workers::Fleet::start(&dir.join("logs"), days_ahead, &family_key).await?;
    // The wave takes its beacon from the simulator's chain, pinned here as
    // configuration would pin a real one.
    let app = &simulation(app, days_ahead, &fleet.beacon_chain, family_key);
    let mut wave = None;
    let result = scenario(app, out, &args, &dir, &fleet.beacon_chain.name, &mut wave).await;
    step("stopping the workers");
    fleet.stop().await?;
    // The report is written even when a step failed: it shows how far the wave got.
    let report = match wave {
        Some(wave_id) => Some(write_report(app, wave_id, &dir).await?),
        None => None,
    };
    if let (Err(_), Some(path)) = (&result, &report) {
        eprintln!("the wave's report, as far as it got: {path}");
    }
    result?;
    step(&format!(
        "demo finished in {:.0}s",
        started.elapsed().as_secs_f64()
    ));
    if let Some(path) = report {
        step("10. the wave's report, one HTML file (open it in a browser):");
        println!("{path}");
    }
    Ok(())
}

/// `prakerja report WAVE --out DIR/wave-WAVE-report.html`; returns the path.
async fn write_report(app: &App, wave_id: i32, dir: &std::path::Path) -> CliResult<String> {
    let path = dir.join(format!("wave-{wave_id}-report.html"));
    let report = crate::report::WaveReport::build(app, i64::from(wave_id)).await?;
    crate::report::write(&path, &report.render())?;
    Ok(path.display().to_string())
}

async fn scenario(
    app: &App,
    out: Output,
    args: &DemoArgs,
    dir: &std::path::Path,
    beacon_chain: &str,
    wave: &mut Option<i32>,
) -> CliResult<()> {
    let quiet = Output { json: out.json };
    let closes_at = Utc::now() + Duration::seconds(5);
    let quota = ((args.count as f64) * 0.9 * args.select_share)
        .round()
        .max(1.0) as u64;
    step(&format!(
        "2. opening a wave (scheme 2020, selection v2, proportional allocation by province, beacon drand:{beacon_chain} from the beacon simulator)"
    ));
    let opened = wave_open::run(
        app,
        wave_open::OpenArgs {
            name: format!("Demo {}", Utc::now().format("%Y-%m-%d %H:%M:%S")),
            closes_at: closes_at.to_rfc3339(),
            allocation: format!("proportional:{quota}"),
            scheme: "2020".to_owned(),
            commitment: None,
            beacon: Some(format!("drand:{beacon_chain}")),
            kk_cap: None,
            selection: Some("v2".to_owned()),
        },
    )
    .await?;
    println!("{}", wave_open::human(&opened).trim_end());
    let wave_id = opened.wave_id;
    *wave = Some(wave_id);
    // Registration claims times between the opening and the close, never in
    // the future: the synthetic registrants register while the wave is open.
    tokio::time::sleep_until(
        (Instant::now()
            + closes_at
                .signed_duration_since(Utc::now())
                .to_std()
                .unwrap_or_default())
        .into(),
    )
    .await;

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
            closes_at: None,
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

    step(
        "5. closing the wave while registrations are still queued; the draw waits for them, then for its beacon round",
    );
    let closed = wave_close::run(
        app,
        quiet,
        wave_close::CloseArgs {
            wave: i64::from(wave_id),
            secret: None,
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
        "7. exporting the audit bundle and auditing the draw (and its beacon), from the database and from the bundle",
    );
    let bundle = dir.join(format!("wave-{wave_id}-bundle"));
    let _ = std::fs::remove_dir_all(&bundle);
    let exported = export::run(app, i64::from(wave_id), &bundle).await?;
    println!("{}", export::human(&exported));
    audit::run_wave(app, out, i64::from(wave_id), false).await?;
    audit::run_bundle(out, &bundle, false, Some(&app.settings.drand.all()))?;

    step(
        "7b. what an applicant sees, and the independent verifier (Python, standard library) on the public bundle",
    );
    check::receipt_and_verifier(app, wave_id, &bundle).await?;

    step(&format!(
        "8. {} simulated months of training and nightly disbursement runs (gateway simulator: failures, duplicates, delays, silence, reversals)",
        args.months
    ));
    months::simulate(app, out, args, wave_id).await?;
    Ok(())
}

/// The demo's settings: simulated dates allowed, the simulator's chain
/// pinned, the family key the workers have.
fn simulation(
    app: &App,
    days_ahead: u32,
    chain: &shared::beacon::Chain,
    family_key: String,
) -> App {
    let mut settings = (*app.settings).clone();
    settings.selection.family_key = Some(secrecy::SecretString::from(family_key));
    settings.disburser.max_days_ahead = settings.disburser.max_days_ahead.max(days_ahead);
    settings
        .drand
        .chains
        .insert(chain.name.clone(), chain.clone());
    App {
        settings: std::sync::Arc::new(settings),
        pool: app.pool.clone(),
        topology: app.topology.clone(),
    }
}

fn step(text: &str) {
    println!("\n== {text}");
}
