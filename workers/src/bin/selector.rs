//! `selector`: runs each closed wave's draw, `prakerja-selection-v1`.

use clap::Parser;
use workers::app::{App, stop_signal};
use workers::startup::{CommonArgs, init};

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
    let app = App::new(init(&cli.common)?)?;
    workers::selector::run(app, stop_signal()).await
}
