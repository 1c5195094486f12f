//! `prakerja wave open`: opens a wave and prints the commitment to publish.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::Args;
use serde::Serialize;
use shared::beacon::{BeaconChoice, Chain};
use shared::selection::{Algorithm, Allocation};

use super::error::{CliResult, InputContext, input};
use crate::app::App;
use crate::waves::{OpenRequest, Selection, open_wave};

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The wave's name, e.g. "Gelombang 12".
    #[arg(long)]
    pub name: String,
    /// When registrations close: RFC 3339 (2026-12-01T00:00:00+07:00) or a
    /// date (the end of that day in Asia/Jakarta).
    #[arg(long)]
    pub closes_at: String,
    /// national:K, proportional:K, or explicit:FILE (a CSV `province,quota`).
    #[arg(long)]
    pub allocation: String,
    /// The scheme of rules and amounts.
    #[arg(long, default_value = "2020")]
    pub scheme: String,
    /// Your commitment: hex SHA-256 of a 32-byte secret you keep and reveal at
    /// close. Without it the system draws a secret and keeps it.
    #[arg(long)]
    pub commitment: Option<String>,
    /// Where the draw's public randomness comes from: drand:CHAIN (a chain
    /// pinned in configuration; the round is the first at least its delay
    /// after the draw's inputs freeze) or none (development). Default: the
    /// setting selection.beacon.
    #[arg(long)]
    pub beacon: Option<String>,
    /// Beneficiaries per family card across all waves (default: the scheme's).
    #[arg(long)]
    pub kk_cap: Option<u32>,
    /// The selection algorithm: v1 (publishes NIKs and KKs) or v2
    /// (pseudonymous ids; needs the setting selection.family_key).
    /// Default: the setting selection.algorithm.
    #[arg(long)]
    pub selection: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OpenReport {
    pub wave_id: i32,
    pub name: String,
    pub scheme: String,
    pub allocation: String,
    pub kk_cap: i32,
    pub closes_at: DateTime<Utc>,
    pub commitment: String,
    pub secret_kept_by: String,
    /// `none` or `drand:CHAIN`.
    pub beacon_source: String,
    /// The drand chain's parameters, as frozen into the wave.
    pub beacon_chain: Option<Chain>,
    /// `prakerja-selection-v1` or `prakerja-selection-v2`.
    pub selection: String,
}

pub async fn run(app: &App, args: OpenArgs) -> CliResult<OpenReport> {
    let scheme = app.settings.scheme(&args.scheme).input_err()?.clone();
    let closes_at = parse_closes_at(&args.closes_at)?;
    let allocation = parse_allocation(&args.allocation)?;
    let commitment = args
        .commitment
        .as_deref()
        .map(parse_commitment)
        .transpose()?;
    if args.name.trim().is_empty() {
        return Err(input("--name must not be empty"));
    }
    let beacon = beacon_chain(app, args.beacon.as_deref())?;
    let selection = selection(app, args.selection.as_deref())?;
    let wave = open_wave(
        &app.pool,
        OpenRequest {
            name: args.name,
            closes_at,
            allocation,
            scheme_name: args.scheme,
            scheme,
            commitment,
            beacon,
            kk_cap: args.kk_cap,
            selection,
        },
    )
    .await
    .map_err(|e| {
        let text = e.to_string();
        if text.contains("already exists") || text.contains("family_key") {
            super::error::CliError::Input(e)
        } else {
            e.into()
        }
    })?;
    let algorithm = wave.algorithm()?;
    Ok(OpenReport {
        wave_id: wave.wave_id,
        commitment: wave.commitment_hex(),
        name: wave.name,
        scheme: wave.scheme_name,
        allocation: wave.allocation,
        kk_cap: wave.kk_cap,
        closes_at: wave.closes_at,
        secret_kept_by: wave.secret_source,
        beacon_source: wave.beacon_source,
        beacon_chain: wave.beacon_chain.map(|c| c.0),
        selection: algorithm.name().to_owned(),
    })
}

pub fn human(r: &OpenReport) -> String {
    let mut text = format!(
        "opened wave {} {:?} (scheme {}, allocation {}, KK cap {}), closing {}\n\
         commitment (publish this now): {}\n",
        r.wave_id, r.name, r.scheme, r.allocation, r.kk_cap, r.closes_at, r.commitment
    );
    text.push_str(&format!("selection: {}\n", r.selection));
    if r.secret_kept_by == "system" {
        text.push_str(
            "the secret was drawn by the system and is kept until the close reveals it\n",
        );
    } else {
        text.push_str("keep your secret: `wave close` needs it\n");
    }
    match &r.beacon_chain {
        Some(chain) => text.push_str(&format!(
            "beacon: drand chain {} ({}): the first round at least {} s after the draw's inputs freeze\n",
            chain.name,
            chain.hash_hex(),
            chain.delay_secs
        )),
        None => text.push_str("beacon: none (development: the draw has no public randomness)\n"),
    }
    text
}

/// `--selection` (or `selection.algorithm`), with the family key for v2.
fn selection(app: &App, flag: Option<&str>) -> CliResult<Selection> {
    let algorithm = match flag {
        Some(text) => text.parse::<Algorithm>().input_err()?,
        None => app.settings.selection.algorithm,
    };
    match algorithm {
        Algorithm::V1 => Ok(Selection::V1),
        Algorithm::V2 => match app.settings.selection.family_key().input_err()? {
            Some(key) => Ok(Selection::V2(key)),
            None => Err(input(
                "--selection v2 needs the setting selection.family_key: the programme's \
                 32-byte key as 64 hex digits (PRAKERJA__SELECTION__FAMILY_KEY)",
            )),
        },
    }
}

/// The chain `--beacon` (or `selection.beacon`) names; `None` for `none`.
fn beacon_chain(app: &App, flag: Option<&str>) -> CliResult<Option<Chain>> {
    let choice = match flag {
        Some(text) => text.parse::<BeaconChoice>().input_err()?,
        None => app.settings.selection.beacon.clone(),
    };
    match choice {
        BeaconChoice::None => Ok(None),
        BeaconChoice::Drand(name) => app.settings.drand.chain(&name).map(Some).ok_or_else(|| {
            let known: Vec<&str> = app
                .settings
                .drand
                .chains
                .keys()
                .map(String::as_str)
                .collect();
            input(format!(
                "--beacon drand:{name}: no drand chain {name:?} is configured (configured: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
        }),
    }
}

/// RFC 3339, or a date meaning the end of that day in Asia/Jakarta.
pub fn parse_closes_at(text: &str) -> CliResult<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let next = date
            .succ_opt()
            .ok_or_else(|| input("--closes-at is out of range"))?;
        let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
        return chrono_tz::Asia::Jakarta
            .from_local_datetime(&midnight)
            .single()
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(|| input("--closes-at is not a valid Jakarta time"));
    }
    Err(input(format!(
        "--closes-at {text:?} is neither RFC 3339 (2026-12-01T00:00:00+07:00) nor a date (2026-11-30)"
    )))
}

/// `national:K`, `proportional:K` or `explicit:FILE`.
pub fn parse_allocation(text: &str) -> CliResult<Allocation> {
    if let Some(file) = text.strip_prefix("explicit:") {
        let path = Path::new(file);
        let bytes =
            std::fs::read(path).map_err(|e| input(format!("--allocation: reading {file}: {e}")))?;
        let quotas = shared::selection::bundle::read_quotas(file, &bytes).input_err()?;
        return Ok(Allocation::Explicit(quotas));
    }
    text.parse().map_err(|_| {
        input(format!(
            "--allocation {text:?} must be national:K, proportional:K or explicit:FILE"
        ))
    })
}

/// 64 hex digits.
pub fn parse_commitment(text: &str) -> CliResult<[u8; 32]> {
    parse_hex32(text, "--commitment")
}

/// Exactly 32 bytes of hex, naming the flag when it is not.
pub fn parse_hex32(text: &str, flag: &str) -> CliResult<[u8; 32]> {
    let bytes = hex::decode(text.trim()).map_err(|e| input(format!("{flag} is not hex: {e}")))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        input(format!(
            "{flag} must be 32 bytes (64 hex digits), got {}",
            b.len()
        ))
    })
}
