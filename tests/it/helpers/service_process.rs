//! What the private services share: free ports, a directory removed on drop,
//! and a server process started in a process group of its own, so that a
//! kill reaches every process it started.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

/// A TCP port free on 127.0.0.1 right now (the kernel's choice).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// A fresh directory under the system's temporary directory, removed (with
/// everything in it) when dropped.
pub struct ServiceDir {
    pub path: PathBuf,
}

impl ServiceDir {
    pub fn new(kind: &str) -> ServiceDir {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let path = std::env::temp_dir().join(format!("prakerja-{kind}-{}", &id[..12]));
        std::fs::create_dir_all(&path).expect("create a private service directory");
        ServiceDir { path }
    }
}

impl Drop for ServiceDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The last lines of a log file, for a failure message.
pub fn tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A server process leading its own process group, output appended to `log`.
pub struct GroupProcess {
    child: Child,
}

impl GroupProcess {
    pub fn spawn(mut command: Command, log: &Path) -> std::io::Result<GroupProcess> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .process_group(0)
            .spawn()?;
        Ok(GroupProcess { child })
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn signal(&self, signal: Signal) {
        let _ = kill(self.pid(), signal);
    }

    /// SIGKILL to the whole group, then reaps the leader.
    pub fn kill_group(&mut self) {
        let _ = killpg(self.pid(), Signal::SIGKILL);
        let _ = self.child.wait();
    }

    /// Waits up to `timeout` for the process to exit by itself.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if started.elapsed() > timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for GroupProcess {
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.kill_group();
        }
    }
}

/// The first of `candidates` that is a file, or a panic naming all of them
/// and how to get one.
pub fn find_binary(what: &str, candidates: &[PathBuf], install: &str) -> PathBuf {
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            panic!(
                "{what} not found (looked for {}); {install}",
                looked.join(", ")
            )
        })
}

/// Paths `dir/VERSION/rest` (e.g. every installed PostgreSQL version),
/// highest version first.
pub fn versioned(dir: &str, rest: &str) -> Vec<PathBuf> {
    let mut found: Vec<(f64, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let version = entry.file_name().to_str()?.parse::<f64>().ok()?;
                    Some((version, entry.path().join(rest)))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().map(|(_, path)| path).collect()
}
