//! The demo's worker processes.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use shared::beacon::Chain;

use crate::procs::{Worker, sibling_binary};

/// Two validators (competing consumers), a selector, a disburser, the
/// gateway simulator and the beacon simulator.
pub struct Fleet {
    workers: Vec<Worker>,
    /// The beacon simulator's chain, as configuration would pin it.
    pub beacon_chain: Chain,
}

impl Fleet {
    /// Starts the fleet; the disburser accepts run dates and training
    /// events up to `days_ahead` days after today (simulated months).
    pub async fn start(logs: &Path, days_ahead: u32, family_key: &str) -> anyhow::Result<Fleet> {
        std::fs::create_dir_all(logs)?;
        let mut workers = Vec::new();
        let beacon_chain = start_beacon_simulator(logs, &mut workers).await?;
        // The demo drives the nightly runs itself, on simulated dates.
        let env = vec![
            (
                "PRAKERJA__DISBURSER__MAX_DAYS_AHEAD".to_owned(),
                days_ahead.to_string(),
            ),
            (
                "PRAKERJA__DISBURSER__SCHEDULE_ENABLED".to_owned(),
                "false".to_owned(),
            ),
            (
                "PRAKERJA__DISBURSER__RESEND_AFTER_SECS".to_owned(),
                "5".to_owned(),
            ),
            // The selector derives the v2 wave's fids with it.
            (
                "PRAKERJA__SELECTION__FAMILY_KEY".to_owned(),
                family_key.to_owned(),
            ),
            // Two validators share the host: metrics on free ports (logged).
            (
                "PRAKERJA__METRICS__LISTEN".to_owned(),
                "127.0.0.1:0".to_owned(),
            ),
        ];
        for (binary, args, log) in [
            ("validator", vec![], "validator-1.log"),
            ("validator", vec![], "validator-2.log"),
            ("selector", vec![], "selector.log"),
            ("disburser", vec![], "disburser.log"),
            (
                "gateway-simulator",
                vec![
                    "--failure-rate",
                    "0.03",
                    "--silence-rate",
                    "0.005",
                    "--reversal-rate",
                    "0.005",
                    "--duplicate-rate",
                    "0.05",
                    "--max-delay-ms",
                    "300",
                ],
                "gateway-simulator.log",
            ),
        ] {
            let mut env = env.clone();
            env.extend(own_credentials(binary));
            let worker = Worker::spawn(&sibling_binary(binary)?, &args, &env, &logs.join(log))?;
            println!(
                "   started {binary} (pid {})",
                worker.pid().unwrap_or_default()
            );
            workers.push(worker);
        }
        Ok(Fleet {
            workers,
            beacon_chain,
        })
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        for worker in self.workers {
            let name = worker.name.clone();
            if !worker.stop(Duration::from_secs(30)).await? {
                println!("   {name} did not stop cleanly");
            }
        }
        Ok(())
    }
}

/// A binary's own credentials, for a demo under least privilege:
/// `PRAKERJA_DEMO_<BINARY>__<SETTING>` (e.g. `PRAKERJA_DEMO_VALIDATOR__DATABASE__URL`,
/// `PRAKERJA_DEMO_GATEWAY_SIMULATOR__AMQP__URL`) becomes that process's
/// `PRAKERJA__<SETTING>`; unset, the process inherits the demo's own.
fn own_credentials(binary: &str) -> Vec<(String, String)> {
    let prefix = format!(
        "PRAKERJA_DEMO_{}__",
        binary.to_ascii_uppercase().replace('-', "_")
    );
    std::env::vars()
        .filter_map(|(key, value)| {
            let setting = key.strip_prefix(&prefix)?;
            Some((format!("PRAKERJA__{setting}"), value))
        })
        .collect()
}

/// Starts the beacon simulator (one round a second; the draw takes the first
/// round at least 2 s after its inputs freeze) and reads its chain.
async fn start_beacon_simulator(logs: &Path, workers: &mut Vec<Worker>) -> anyhow::Result<Chain> {
    let info = logs.join("beacon-simulator.json");
    let _ = std::fs::remove_file(&info);
    let info_arg = info.display().to_string();
    let worker = Worker::spawn(
        &sibling_binary("beacon-simulator")?,
        &[
            "--listen",
            "127.0.0.1:0",
            "--period-secs",
            "1",
            "--delay-secs",
            "2",
            "--info-file",
            &info_arg,
        ],
        &[(
            "PRAKERJA__METRICS__LISTEN".to_owned(),
            "127.0.0.1:0".to_owned(),
        )],
        &logs.join("beacon-simulator.log"),
    )?;
    println!(
        "   started beacon-simulator (pid {}): a SIMULATED drand chain",
        worker.pid().unwrap_or_default()
    );
    workers.push(worker);
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(&info) {
            let chain: Chain = serde_json::from_slice(&bytes)
                .with_context(|| format!("reading {}", info.display()))?;
            return Ok(chain);
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the beacon simulator wrote no {} within 30 s (see beacon-simulator.log)",
            info.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
