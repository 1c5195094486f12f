//! `prakerja`, the operator's tool. Each subcommand is a module; `run`
//! dispatches and maps failures to exit codes (see [`error`]).

pub mod audit;
pub mod dead;
pub mod disburse_report;
pub mod disburse_resolve;
pub mod disburse_run;
pub mod disburse_steer;
pub mod draw_summary;
pub mod error;
pub mod export;
pub mod export_v2;
pub mod generate;
pub mod ingest;
mod ingest_publish;
pub mod migrate;
pub mod operator;
pub mod output;
pub mod participant;
pub mod receipt;
pub mod report;
pub mod select;
pub mod wave_beacon;
pub mod wave_close;
pub mod wave_open;
pub mod wave_statements;
pub mod wave_status;

use std::path::PathBuf;

use std::future::Future;

use clap::{Args, Parser, Subcommand};

use self::error::{CliError, CliResult, input};
use self::output::Output;
use crate::app::App;
use crate::startup::CommonArgs;

/// What `prakerja` prints after its help: exit codes and configuration.
pub const AFTER_HELP: &str = "Exit codes: 0 success, 1 audit mismatch or broken invariant, 2 bad usage or input, 3 service or system failure.\n\
                  Configuration: config/default.toml, then config/$PRAKERJA_ENVIRONMENT.toml (local.toml, development credentials, by default; production refuses them), PRAKERJA_CONFIG_DIR, PRAKERJA__SECTION__KEY variables.";

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Print the result as one JSON object on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The operator's commands on their own (the binary adds `demo`, which is
/// built from them).
#[derive(Debug, Parser)]
#[command(
    name = "prakerja",
    version,
    about = "Operate the Prakerja pipeline: waves, draws, audits and disbursements",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the database schema up to date (creating the database if needed).
    Migrate,
    /// Open, close, inspect and export registration waves.
    #[command(subcommand)]
    Wave(WaveCommand),
    /// Recompute a draw and compare it with what was published: MATCH (exit 0) or MISMATCH (exit 1).
    Audit(audit::AuditArgs),
    /// Run the selection (v1 or v2, by the candidates header) on files alone; print the manifest JSON.
    Select(select::SelectArgs),
    /// Write realistic synthetic registrations as JSON lines.
    Generate(generate::GenerateArgs),
    /// Publish JSON-lines registrations to registrations.submitted (FILE or - for stdin).
    Ingest {
        /// One registration JSON object per line.
        file: PathBuf,
        /// When the broker goes away mid-file, keep reconnecting (to any node
        /// of amqp.url) for this many seconds without progress, then fail.
        #[arg(long, default_value_t = 300)]
        retry_secs: u64,
    },
    /// What an applicant may know: wave, pid (v2), eligibility with every reason, the draw's
    /// line, and how to check it against the published bundle.
    Receipt { registration_id: String },
    /// Write a wave's report: one self-contained HTML file (charts inline, no network).
    Report(report::ReportArgs),
    /// Nightly disbursement runs and reconciliation; pausing, approving and resolving payments.
    #[command(subcommand)]
    Disburse(DisburseCommand),
    /// Participants: a new payout account.
    #[command(subcommand)]
    Participant(participant::ParticipantCommand),
    /// Dead-lettered messages: list them, replay them.
    #[command(subcommand)]
    Dead(dead::DeadCommand),
}

#[derive(Debug, Subcommand)]
pub enum WaveCommand {
    /// Open a wave under a scheme; prints its id and the seed commitment to publish.
    Open(wave_open::OpenArgs),
    /// Close a wave, reveal its secret, trigger the draw and wait for its manifest.
    Close(wave_close::CloseArgs),
    /// Supply the drand round a drawing wave waits for (refused unless it is
    /// the derived round and its signature verifies).
    Beacon(wave_beacon::BeaconArgs),
    /// Counts by status and reason, quotas, the draw and its skew verdict.
    Status { wave: i64 },
    /// Every wave, newest first.
    List,
    /// Write the audit bundle (vector format plus rejected.csv).
    Export {
        wave: i64,
        /// A directory that does not exist yet (or is empty).
        #[arg(long)]
        dir: PathBuf,
        /// Add identities.csv (registration_id,pid,nik,kk) for auditors
        /// entitled to personal data (v2 waves only).
        #[arg(long)]
        personal_data: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DisburseCommand {
    /// Trigger the run for a date and wait for its summary; a rerun pays nothing twice.
    Run(disburse_run::RunArgs),
    /// Reconciliation by kind, provider and wave; exits 1 while an invariant is broken or a
    /// conflict, overpayment or result not believed is unresolved.
    Report(disburse_report::ReportArgs),
    /// Record an operator's decision on a conflicting or unbelieved payment result (lifts a hold).
    Resolve(disburse_resolve::ResolveArgs),
    /// Stop publishing and making instructions to a provider (or all), recorded with who and why.
    Pause(disburse_steer::PauseArgs),
    /// Lift a pause (or every pause).
    Resume(disburse_steer::ResumeArgs),
    /// Release a run over the approval ceiling, as a second operator.
    Approve(disburse_steer::ApproveArgs),
}

/// Runs a parsed command line; returns the process exit code.
pub async fn run(cli: Cli) -> u8 {
    let out = Output {
        json: cli.global.json,
    };
    // Commands that work on files alone need no configuration or services.
    if matches!(
        &cli.command,
        Command::Select(_)
            | Command::Audit(audit::AuditArgs {
                bundle: Some(_),
                ..
            })
    ) {
        shared::telemetry::init("warn", shared::config::LogFormat::Human);
        return finish(out, offline(cli.command, out));
    }
    let command = cli.command;
    run_with_app(cli.global, |app, out| async move {
        dispatch(&app, command, out).await
    })
    .await
}

/// Loads the configuration, builds the process's [`App`] and runs `command`
/// with it; returns the process exit code.
pub async fn run_with_app<F, Fut>(global: Global, command: F) -> u8
where
    F: FnOnce(App, Output) -> Fut,
    Fut: Future<Output = CliResult<()>>,
{
    let out = Output { json: global.json };
    let result = async {
        let settings = crate::startup::init(&global.common).map_err(CliError::Input)?;
        let app = App::new(settings).map_err(CliError::Input)?;
        command(app, out).await
    }
    .await;
    finish(out, result)
}

/// Reports a failure (on stderr, and as JSON when asked) and maps it to
/// the exit code.
fn finish(out: Output, result: CliResult<()>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(error) => {
            if !matches!(error, CliError::CheckFailed(_)) {
                if out.json {
                    let body = serde_json::json!({"error": error.to_string(), "exit_code": error.exit_code()});
                    println!("{body}");
                }
                eprintln!("error: {error}");
            }
            error.exit_code()
        }
    }
}

async fn dispatch(app: &App, command: Command, out: Output) -> CliResult<()> {
    match command {
        Command::Migrate => out.print(&migrate::run(app).await?, migrate::human),
        Command::Wave(WaveCommand::Open(args)) => {
            out.print(&wave_open::run(app, args).await?, wave_open::human)
        }
        Command::Wave(WaveCommand::Close(args)) => {
            out.print(&wave_close::run(app, out, args).await?, wave_close::human)
        }
        Command::Wave(WaveCommand::Beacon(args)) => {
            out.print(&wave_beacon::run(app, args).await?, wave_beacon::human)
        }
        Command::Wave(WaveCommand::Status { wave }) => out.print(
            &wave_status::status(app, wave).await?,
            wave_status::status_human,
        ),
        Command::Wave(WaveCommand::List) => {
            out.print(&wave_status::list(app).await?, wave_status::list_human)
        }
        Command::Wave(WaveCommand::Export {
            wave,
            dir,
            personal_data,
        }) => out.print(
            &export::run_with(app, wave, &dir, personal_data).await?,
            export::human,
        ),
        Command::Audit(args) => {
            let wave = args
                .wave
                .ok_or_else(|| input("give a WAVE or --bundle DIR"))?;
            audit::run_wave(app, out, wave, args.strict).await?;
        }
        Command::Generate(args) => {
            let to_stdout = args.output.is_none();
            let report = generate::run(app, out, args).await?;
            // The registrations own stdout; the summary goes to stderr.
            if to_stdout {
                if out.json {
                    eprintln!("{}", serde_json::to_string(&report).unwrap_or_default());
                }
            } else {
                out.print(&report, generate::human);
            }
        }
        Command::Ingest { file, retry_secs } => out.print(
            &ingest::run(app, out, &file, std::time::Duration::from_secs(retry_secs)).await?,
            ingest::human,
        ),
        Command::Disburse(DisburseCommand::Run(args)) => out.print(
            &disburse_run::run(app, out, args).await?,
            disburse_run::human,
        ),
        Command::Disburse(DisburseCommand::Report(args)) => {
            let report = disburse_report::run(app, out, args).await?;
            disburse_report::verdict(&report)?;
        }
        Command::Disburse(DisburseCommand::Resolve(args)) => out.print(
            &disburse_resolve::run(app, args).await?,
            disburse_resolve::human,
        ),
        Command::Report(args) => out.print(&report::run(app, args).await?, report::human),
        Command::Receipt { registration_id } => {
            out.print(&receipt::run(app, &registration_id).await?, receipt::human)
        }
        Command::Disburse(DisburseCommand::Pause(args)) => out.print(
            &disburse_steer::pause(app, args).await?,
            disburse_steer::pause_human,
        ),
        Command::Disburse(DisburseCommand::Resume(args)) => out.print(
            &disburse_steer::resume(app, args).await?,
            disburse_steer::resume_human,
        ),
        Command::Disburse(DisburseCommand::Approve(args)) => out.print(
            &disburse_steer::approve(app, args).await?,
            disburse_steer::approve_human,
        ),
        Command::Participant(participant::ParticipantCommand::Payout(args)) => out.print(
            &participant::payout(app, args).await?,
            participant::payout_human,
        ),
        Command::Dead(dead::DeadCommand::List(args)) => {
            out.print(&dead::list(app, args).await?, dead::list_human)
        }
        Command::Dead(dead::DeadCommand::Replay(args)) => {
            out.print(&dead::replay(app, args).await?, dead::replay_human)
        }
        Command::Select(_) => unreachable!("handled offline"),
    }
    Ok(())
}

fn offline(command: Command, out: Output) -> CliResult<()> {
    match command {
        Command::Select(args) => {
            println!("{}", select::run(args)?.trim_end());
            Ok(())
        }
        Command::Audit(audit::AuditArgs {
            bundle: Some(dir),
            strict,
            ..
        }) => audit::run_bundle(out, &dir, strict, audit::configured_chains().as_deref()),
        _ => unreachable!("only file commands run offline"),
    }
}
