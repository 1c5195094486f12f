//! `prakerja`, the operator's command-line tool.

use std::process::ExitCode;

use clap::Parser;
use workers::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    ExitCode::from(run(Cli::parse()).await)
}
