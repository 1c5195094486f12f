//! `validator`: consumes `registrations.submitted` and stores every
//! registration as eligible or rejected with its reasons.

use clap::Parser;
use shared::config::MetricsBinary;
use workers::app::{App, stop_signal};
use workers::startup::{CommonArgs, init_or_exit};

#[derive(Parser)]
#[command(
    version,
    about = "Validates registrations from registrations.submitted"
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
    workers::observe::start_worker(&app, MetricsBinary::Validator, shutdown.clone()).await?;
    workers::validator::run(app, shutdown).await
}
