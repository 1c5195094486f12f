//! `prakerja select`: runs `prakerja-selection-v1` on files alone (no
//! database, no broker); writes the result CSV and prints the manifest.

use std::path::PathBuf;

use clap::Args;
use shared::selection::bundle::{read_candidates, read_prior};
use shared::selection::{DrawParams, draw, write_rows_csv};

use super::error::{CliResult, InputContext, input};
use super::wave_open::{parse_allocation, parse_hex32};

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// CSV `nik,kk,province,tier`.
    #[arg(long)]
    pub candidates: PathBuf,
    #[arg(long)]
    pub wave_id: u32,
    /// The revealed 32-byte secret, hex.
    #[arg(long)]
    pub secret: String,
    /// Public randomness, hex (0 to 64 bytes).
    #[arg(long, default_value = "")]
    pub beacon: String,
    /// national:K, proportional:K, or explicit:FILE (CSV `province,quota`).
    #[arg(long)]
    pub allocation: String,
    /// Most beneficiaries per family card; 0 = no cap.
    #[arg(long, default_value_t = 0)]
    pub kk_cap: u32,
    /// CSV `kk,count`: beneficiaries each family card already has.
    #[arg(long)]
    pub prior: Option<PathBuf>,
    /// Where to write the result rows (`stratum,rank,nik,status`).
    #[arg(long)]
    pub output: PathBuf,
}

/// Runs the draw; returns the manifest JSON (printed on stdout as is).
pub fn run(args: SelectArgs) -> CliResult<String> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| input(format!("reading {}: {e}", path.display())))
    };
    let name = |path: &PathBuf| path.display().to_string();
    let candidates =
        read_candidates(&name(&args.candidates), &read(&args.candidates)?).input_err()?;
    let prior = match &args.prior {
        Some(path) => read_prior(&name(path), &read(path)?)
            .input_err()?
            .into_iter()
            .collect(),
        None => Default::default(),
    };
    let beacon =
        hex::decode(args.beacon.trim()).map_err(|e| input(format!("--beacon is not hex: {e}")))?;
    let params = DrawParams {
        wave_id: args.wave_id,
        secret: parse_hex32(&args.secret, "--secret")?,
        beacon,
        allocation: parse_allocation(&args.allocation)?,
        kk_cap: args.kk_cap,
        prior,
    };
    let result = draw(&params, candidates).input_err()?;
    let file = std::fs::File::create(&args.output)
        .map_err(|e| input(format!("creating {}: {e}", args.output.display())))?;
    write_rows_csv(std::io::BufWriter::new(file), &result.rows)
        .map_err(|e| input(format!("writing {}: {e}", args.output.display())))?;
    Ok(result.manifest.to_json().map_err(anyhow::Error::from)?)
}
