//! `bench`: the benchmarks of BENCHMARKS.md, against the real services.
//! Build with `cargo build --release --workspace`, then run
//! `target/release/bench all` (or one of `validator`, `selection`, `disburse`;
//! `national` runs alone).
//! Results go to stdout as JSON and to `bench-results/`.

mod common;
mod disburse;
mod floor;
mod national;
mod seed;
mod selection;
mod selection_e2e;
mod selection_v2;
mod validator;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Prakerja pipeline benchmarks (see BENCHMARKS.md)")]
struct Cli {
    #[command(subcommand)]
    which: Which,
}

#[derive(Subcommand)]
enum Which {
    /// 1,000,000 registrations through one validator, beside the raw drain and a naive validator.
    Validator {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        #[arg(long, default_value_t = 50_000)]
        naive_count: u64,
    },
    /// A 10,000,000-candidate wave: selector, audit, I/O floor, pure SQL, in-memory draw vs shuffle, v2 vs v1.
    Selection {
        #[arg(long, default_value_t = 10_000_000)]
        count: i64,
        #[arg(long, default_value_t = 1_000_000)]
        seats: u64,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// The selector end to end, v1 against v2, on the same seeded wave (alternating order per round).
    SelectionE2e {
        #[arg(long, default_value_t = 10_000_000)]
        count: i64,
        #[arg(long, default_value_t = 1_000_000)]
        seats: u64,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
    /// A run with 1,000,000 due entitlements, beside the raw publish-with-confirms rate.
    Disburse {
        #[arg(long, default_value_t = 1_000_000)]
        count: i64,
    },
    /// A national-scale wave: generate, ingest, validate (one validator, then two), close and
    /// draw, audit, a nightly run answered by the gateway simulator, reconciliation.
    National {
        #[arg(long, default_value_t = 10_000_000)]
        registrations: u64,
        #[arg(long, default_value_t = 1_000_000)]
        participants: u64,
    },
    /// All three, with their defaults (not `national`).
    All,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init("warn", shared::config::LogFormat::Human);
    let cli = Cli::parse();
    let mut results = serde_json::Map::new();
    match cli.which {
        Which::Validator { count, naive_count } => {
            results.insert(
                "validator".into(),
                serde_json::to_value(validator::run(count, naive_count).await?)?,
            );
        }
        Which::Selection {
            count,
            seats,
            rounds,
        } => {
            results.insert(
                "selection".into(),
                serde_json::to_value(selection::run(count, seats, rounds).await?)?,
            );
        }
        Which::SelectionE2e {
            count,
            seats,
            rounds,
        } => {
            results.insert(
                "selection_e2e".into(),
                serde_json::to_value(selection_e2e::run(count, seats, rounds).await?)?,
            );
        }
        Which::Disburse { count } => {
            results.insert(
                "disburse".into(),
                serde_json::to_value(disburse::run(count).await?)?,
            );
        }
        Which::National {
            registrations,
            participants,
        } => {
            results.insert(
                "national".into(),
                serde_json::to_value(national::run(registrations, participants).await?)?,
            );
        }
        Which::All => {
            results.insert(
                "validator".into(),
                serde_json::to_value(validator::run(1_000_000, 50_000).await?)?,
            );
            results.insert(
                "selection".into(),
                serde_json::to_value(selection::run(10_000_000, 1_000_000, 3).await?)?,
            );
            results.insert(
                "disburse".into(),
                serde_json::to_value(disburse::run(1_000_000).await?)?,
            );
        }
    }
    results.insert("date".into(), chrono::Utc::now().to_rfc3339().into());
    results.insert("machine".into(), machine().into());
    let text = serde_json::to_string_pretty(&results)?;
    println!("{text}");
    std::fs::create_dir_all("bench-results")?;
    let file = format!(
        "bench-results/{}.json",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    std::fs::write(&file, text)?;
    eprintln!("written to {file}");
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kib| kib / 1024 / 1024)
        .unwrap_or(0);
    format!("{cpu}, {cores} cores, {memory} GiB")
}
