//! `beacon-simulator`: a SIMULATED drand chain for the demo and tests. Its
//! rounds are signed with a key it generates (or derives from --seed); it is
//! no source of public randomness.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use shared::config::MetricsBinary;
use workers::app::stop_signal;
use workers::beacon_sim::{Rounds, SimChain, SimKey, serve};
use workers::observe::Observed;
use workers::startup::{CommonArgs, init_or_exit};

#[derive(Parser)]
#[command(
    version,
    about = "A simulated drand chain (a key it generates; not public randomness): serves /{hash}/info and /{hash}/public/{round|latest}"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on (port 0: any free port; see --info-file).
    #[arg(long, default_value = "127.0.0.1:8480")]
    listen: String,
    /// Seconds between rounds.
    #[arg(long, default_value_t = 1)]
    period_secs: u32,
    /// Unix time of round 1 (default: now).
    #[arg(long)]
    genesis: Option<i64>,
    /// Derive the key from this text (default: a fresh random key).
    #[arg(long)]
    seed: Option<String>,
    /// The delay written into the info file's chain (configuration's delay_secs).
    #[arg(long, default_value_t = 2)]
    delay_secs: u32,
    /// Once listening, write the chain as configuration pins it (JSON, with
    /// this server's URL) to this file.
    #[arg(long)]
    info_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = init_or_exit(&cli.common);
    anyhow::ensure!(cli.period_secs > 0, "--period-secs must be at least 1");
    let key = match &cli.seed {
        Some(seed) => SimKey::from_seed(seed.as_bytes()),
        None => SimKey::generate()?,
    };
    let sim = SimChain {
        key,
        genesis: cli
            .genesis
            .unwrap_or_else(|| chrono::Utc::now().timestamp()),
        period_secs: cli.period_secs,
    };
    let listener = tokio::net::TcpListener::bind(&cli.listen)
        .await
        .with_context(|| format!("listening on {}", cli.listen))?;
    let url = format!("http://{}", listener.local_addr()?);
    let chain = sim.chain("simulator", cli.delay_secs, vec![url.clone()]);
    tracing::info!(%url, hash = %chain.hash_hex(), public_key = %hex::encode(chain.public_key), genesis = chain.genesis, period_secs = chain.period_secs, "SIMULATED drand chain serving");
    if let Some(path) = &cli.info_file {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, serde_json::to_vec_pretty(&chain)?)
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
    }
    let shutdown = stop_signal();
    let observed = Observed {
        binary: MetricsBinary::BeaconSimulator,
        pool: None,
        amqp: false,
    };
    workers::observe::start(&settings.metrics, observed, shutdown.clone()).await?;
    serve(listener, Rounds::Signing(sim), shutdown).await
}
