//! `prakerja wave beacon WAVE --round R --signature HEX`: supplies the drand
//! round a drawing wave waits for, when the selector cannot fetch it.
//! Refused (exit 2, naming why) unless R is the round derived from the
//! wave's freeze and the signature verifies against its chain's key.

use clap::Args;
use serde::Serialize;

use super::error::{CliError, CliResult, input};
use crate::app::App;
use crate::beacon::{RecordError, record_beacon};

#[derive(Debug, Args)]
pub struct BeaconArgs {
    /// The wave's id.
    pub wave: i64,
    /// The round the wave waits for (`wave close` and `wave status` name it).
    #[arg(long)]
    pub round: u64,
    /// The round's BLS signature, hex (48 bytes for quicknet's scheme), as
    /// the chain's `{url}/{hash}/public/{round}` gives it.
    #[arg(long)]
    pub signature: String,
}

#[derive(Debug, Serialize)]
pub struct BeaconReport {
    pub wave_id: i64,
    pub round: u64,
    /// SHA-256 of the signature: the beacon the draw's seed takes.
    pub randomness: String,
    /// False when the same round was already recorded.
    pub recorded_now: bool,
}

pub async fn run(app: &App, args: BeaconArgs) -> CliResult<BeaconReport> {
    let signature = hex::decode(args.signature.trim())
        .map_err(|e| input(format!("--signature is not hex: {e}")))?;
    let recorded = record_beacon(&app.pool, args.wave, args.round, &signature)
        .await
        .map_err(|e| match e.downcast::<RecordError>() {
            Ok(refused) => CliError::Input(refused.into()),
            Err(other) => CliError::Failure(other),
        })?;
    Ok(BeaconReport {
        wave_id: args.wave,
        round: recorded.round,
        randomness: hex::encode(recorded.randomness),
        recorded_now: recorded.new,
    })
}

pub fn human(r: &BeaconReport) -> String {
    format!(
        "wave {}: round {} {} (randomness {}); the selector draws with it\n",
        r.wave_id,
        r.round,
        if r.recorded_now {
            "verified and recorded"
        } else {
            "was already recorded"
        },
        r.randomness
    )
}
