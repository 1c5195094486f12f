//! What the private services share: free ports, a directory removed on drop,
//! a server process started in a process group of its own, so that a kill
//! reaches every process it started, and a look at a process's children.

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

/// Processes whose parent is `parent` (from /proc).
pub fn children_of(parent: Pid) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| stat(Pid::from_raw(*pid)).is_some_and(|(_, ppid)| ppid == parent.as_raw()))
        .map(Pid::from_raw)
        .collect()
}

/// Whether a process exists and is not a zombie.
pub fn alive(pid: Pid) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z')
}

/// State and parent of a process, from `/proc/PID/stat`.
fn stat(pid: Pid) -> Option<(char, i32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: read after the last ')'.
    let mut fields = text.get(text.rfind(')')? + 2..)?.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}
