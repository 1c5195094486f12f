//! The demo's worker processes.

use std::path::Path;
use std::time::Duration;

use crate::procs::{Worker, sibling_binary};

/// Two validators (competing consumers), a selector, a disburser and the
/// gateway simulator.
pub struct Fleet {
    workers: Vec<Worker>,
}

impl Fleet {
    /// Starts the fleet; the disburser accepts run dates and training
    /// events up to `days_ahead` days after today (simulated months).
    pub async fn start(logs: &Path, days_ahead: u32) -> anyhow::Result<Fleet> {
        std::fs::create_dir_all(logs)?;
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
        ];
        let mut workers = Vec::new();
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
            let worker = Worker::spawn(&sibling_binary(binary)?, &args, &env, &logs.join(log))?;
            println!(
                "   started {binary} (pid {})",
                worker.pid().unwrap_or_default()
            );
            workers.push(worker);
        }
        Ok(Fleet { workers })
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
