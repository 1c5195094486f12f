//! `disburser`: turns selections and training progress into payment
//! instructions, nightly, without ever paying twice.

use clap::Parser;
use shared::config::MetricsBinary;
use workers::app::{App, stop_signal};
use workers::startup::{CommonArgs, init_or_exit};

#[derive(Parser)]
#[command(
    version,
    about = "Consumes training events, runs and payment results; emits payment instructions"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let app = App::new(init_or_exit(&cli.common))?;
    let shutdown = stop_signal();
    workers::observe::start_worker(&app, MetricsBinary::Disburser, shutdown.clone()).await?;
    workers::disburser::run(app, shutdown).await
}
