//! `prakerja`, the operator's command-line tool: the commands of
//! [`workers::cli`], plus `demo`, which is built from them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use workers::cli::{self, AFTER_HELP, Global};
use workers::demo::{self, DemoArgs};

#[derive(Debug, Parser)]
#[command(
    name = "prakerja",
    version,
    about = "Operate the Prakerja pipeline: waves, draws, audits and disbursements",
    after_help = AFTER_HELP
)]
struct Prakerja {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Top,
}

#[derive(Debug, Subcommand)]
enum Top {
    #[command(flatten)]
    Operate(cli::Command),
    /// The whole pipeline on a synthetic wave, start to finish (starts its own workers).
    Demo(DemoArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let Prakerja { global, command } = Prakerja::parse();
    let code = match command {
        Top::Operate(command) => cli::run(cli::Cli { global, command }).await,
        Top::Demo(args) => {
            cli::run_with_app(global, |app, out| async move {
                demo::run(&app, out, args).await
            })
            .await
        }
    };
    ExitCode::from(code)
}
