//! `selector`: runs each closed wave's draw, `prakerja-selection-v1`.

use clap::Parser;
use shared::config::MetricsBinary;
use workers::app::{App, stop_signal};
use workers::startup::{CommonArgs, init_or_exit};

#[derive(Parser)]
#[command(
    version,
    about = "Draws the beneficiaries of closed waves (prakerja-selection-v1)"
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
    workers::observe::start_worker(&app, MetricsBinary::Selector, shutdown.clone()).await?;
    workers::selector::run(app, shutdown).await
}
