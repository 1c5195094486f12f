//! An Erlang port mapper (`epmd`) of a test's own, on a free port, and the
//! cookie the private RabbitMQ nodes registered with it share. Killed on drop.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::programs::erlang_bin;
use super::service_process::{GroupProcess, ServiceDir, free_port, tail};

/// An Erlang port mapper of the test's own, and the cookie its nodes share.
pub struct Epmd {
    pub port: u16,
    cookie: String,
    process: GroupProcess,
    _dir: ServiceDir,
}

impl Epmd {
    pub async fn start() -> Arc<Epmd> {
        let dir = ServiceDir::new("epmd");
        let port = free_port();
        let mut command = Command::new(erlang_bin("epmd"));
        command.args(["-port", &port.to_string(), "-address", "127.0.0.1"]);
        let log = dir.path.join("epmd.log");
        let mut process = GroupProcess::spawn(command, &log).expect("start epmd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                process.exited().is_none() && started.elapsed() < Duration::from_secs(10),
                "epmd on port {port} did not start: {}",
                tail(&log, 10)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Arc::new(Epmd {
            port,
            cookie: uuid::Uuid::new_v4().simple().to_string(),
            process,
            _dir: dir,
        })
    }

    /// The Erlang cookie of this port mapper's nodes.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }
}

impl Drop for Epmd {
    fn drop(&mut self) {
        self.process.kill_group();
    }
}
