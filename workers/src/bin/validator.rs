//! `validator`: consumes `registrations.submitted` and stores every
//! registration as eligible or rejected with its reasons.

use clap::Parser;
use workers::app::{App, stop_signal};
use workers::startup::{CommonArgs, init};

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
    let app = App::new(init(&cli.common)?)?;
    workers::validator::run(app, stop_signal()).await
}
