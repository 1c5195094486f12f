//! `prakerja select`: runs the selection on files alone (no database, no
//! broker), `prakerja-selection-v1` or `-v2` by the candidates file's
//! header (`nik,…` or `pid,…`); writes the result CSV and prints the
//! manifest.

use std::path::{Path, PathBuf};

use clap::Args;
use shared::selection::bundle::{algorithm_of, read_candidates, read_prior};
use shared::selection::{
    Algorithm, Candidate, CandidateV2, DrawCandidate, DrawParams, draw, write_rows_csv,
};

use super::error::{CliResult, InputContext, input};
use super::wave_open::{parse_allocation, parse_hex32};

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// CSV `nik,kk,province,tier` (v1) or `pid,fid,province,tier` (v2).
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
    /// Most beneficiaries per family (KK or fid); 0 = no cap.
    #[arg(long, default_value_t = 0)]
    pub kk_cap: u32,
    /// CSV `kk,count` (v1) or `fid,count` (v2): beneficiaries each family
    /// already has.
    #[arg(long)]
    pub prior: Option<PathBuf>,
    /// Where to write the result rows (`stratum,rank,nik,status` or
    /// `stratum,rank,pid,status`).
    #[arg(long)]
    pub output: PathBuf,
}

/// Runs the draw; returns the manifest JSON (printed on stdout as is).
pub fn run(args: SelectArgs) -> CliResult<String> {
    let bytes = read(&args.candidates)?;
    match algorithm_of(&name(&args.candidates), &bytes).input_err()? {
        Algorithm::V1 => select::<Candidate>(&args, &bytes),
        Algorithm::V2 => select::<CandidateV2>(&args, &bytes),
    }
}

fn read(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| input(format!("reading {}: {e}", path.display())))
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// The draw of `C`'s algorithm over the candidates file's `bytes`.
fn select<C: DrawCandidate>(args: &SelectArgs, candidates: &[u8]) -> CliResult<String> {
    let candidates: Vec<C> = read_candidates(&name(&args.candidates), candidates).input_err()?;
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
