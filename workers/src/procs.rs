//! Worker processes started by the demo, the tests and the benchmarks:
//! spawned with their own environment and log file, stopped with SIGTERM
//! (graceful) or SIGKILL (a crash).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

/// A running worker process.
#[derive(Debug)]
pub struct Worker {
    pub name: String,
    child: Child,
}

impl Worker {
    /// Starts `binary` with `args` and extra environment; stdout and stderr
    /// go to `log`.
    pub fn spawn(
        binary: &Path,
        args: &[&str],
        env: &[(String, String)],
        log: &Path,
    ) -> anyhow::Result<Worker> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let child = Command::new(binary)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Worker {
            name: binary
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            child,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    fn signal(&self, signal: Signal) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            kill(Pid::from_raw(pid as i32), signal)
                .with_context(|| format!("signalling {}", self.name))?;
        }
        Ok(())
    }

    /// Asks the worker to stop (SIGTERM) and waits up to `timeout`, then kills it.
    /// Returns whether it stopped on its own with success.
    pub async fn stop(mut self, timeout: Duration) -> anyhow::Result<bool> {
        self.signal(Signal::SIGTERM)?;
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => Ok(status?.success()),
            Err(_) => {
                self.child.kill().await?;
                Ok(false)
            }
        }
    }

    /// Kills the worker at once (SIGKILL), as a crash would.
    pub async fn crash(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Waits up to `timeout` for the worker to exit by itself; its status,
    /// or `None` if it still runs.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// The directory of the running executable: the workers' binaries sit
/// beside `prakerja`.
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the running executable")?;
    let dir = exe.parent().context("the executable has no directory")?;
    let path = dir.join(name);
    anyhow::ensure!(
        path.is_file(),
        "{} not found beside {} (build the workspace: cargo build --release --workspace)",
        path.display(),
        exe.display()
    );
    Ok(path)
}
