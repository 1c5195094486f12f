//! `gateway-simulator`: a SIMULATED payment gateway for the demo and tests.
//! It moves no money.

use clap::Parser;
use shared::config::MetricsBinary;
use workers::app::{App, stop_signal};
use workers::gateway_sim::Behaviour;
use workers::startup::{CommonArgs, init_or_exit};

#[derive(Parser)]
#[command(
    version,
    about = "A simulated payment gateway (no real money): answers payments.instructions on payments.results"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    behaviour: Behaviour,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    cli.behaviour.check()?;
    let settings = init_or_exit(&cli.common);
    if let Err(error) = workers::gateway_sim::allowed(&settings) {
        eprintln!("error: {error:#}");
        std::process::exit(2);
    }
    let app = App::new(settings)?;
    let shutdown = stop_signal();
    workers::observe::start_worker(&app, MetricsBinary::GatewaySimulator, shutdown.clone()).await?;
    workers::gateway_sim::run(app, cli.behaviour, shutdown).await
}
