//! A PostgreSQL server only one test uses: `initdb` into a directory of its
//! own, its own port and socket directory. The test may kill it (SIGKILL to
//! the postmaster and every backend, as a crash), stop it, start it again,
//! or make a streaming standby of it and promote that. Dropping it kills
//! every process and removes the directory, even when the test panics. The
//! machine's shared server is never touched.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Gid, Uid};
use sqlx::{Connection, PgConnection};

use super::programs::{pg_bin, server_user};
use super::service_process::{GroupProcess, ServiceDir, alive, children_of, free_port, tail};

/// How long a start (crash recovery included) may take.
const STARTUP: Duration = Duration::from_secs(90);

pub struct PrivatePostgres {
    name: String,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    /// `-c` settings of this server (never copied to a standby).
    settings: Vec<String>,
    owner: Option<(Uid, Gid)>,
    process: Option<GroupProcess>,
    dir: ServiceDir,
}

impl PrivatePostgres {
    /// A fresh cluster (`initdb`), started, with extra `settings`.
    pub async fn start(name: &str, settings: &[(&str, &str)]) -> PrivatePostgres {
        let mut pg = Self::prepare(name, settings);
        let status = pg
            .command("initdb")
            .arg("-D")
            .arg(&pg.data)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"])
            .arg("--no-sync")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run initdb");
        assert!(status.success(), "initdb for {name} failed: {status}");
        pg.boot().await;
        pg
    }

    /// A streaming standby of `primary` (`pg_basebackup -R`), started.
    pub async fn standby_of(primary: &PrivatePostgres, name: &str) -> PrivatePostgres {
        let mut pg = Self::prepare(name, &[]);
        let status = pg
            .command("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args(["-U", "postgres", "-R", "-X", "stream", "-c", "fast", "-D"])
            .arg(&pg.data)
            .status()
            .expect("run pg_basebackup");
        assert!(
            status.success(),
            "pg_basebackup for {name} failed: {status}"
        );
        pg.boot().await;
        pg
    }

    fn prepare(name: &str, settings: &[(&str, &str)]) -> PrivatePostgres {
        let dir = ServiceDir::new("pg");
        let owner = server_user();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir.path, Some(uid.as_raw()), Some(gid.as_raw()))
                .expect("hand the directory to the postgres user");
        }
        let port = free_port();
        let mut all = vec![
            "listen_addresses=127.0.0.1".to_owned(),
            format!("port={port}"),
            format!("unix_socket_directories={}", dir.path.display()),
            "shared_buffers=32MB".to_owned(),
        ];
        all.extend(settings.iter().map(|(key, value)| format!("{key}={value}")));
        PrivatePostgres {
            name: name.to_owned(),
            data: dir.path.join("data"),
            log: dir.path.join("postgres.log"),
            port,
            settings: all,
            owner,
            process: None,
            dir,
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(pg_bin(program));
        if let Some((uid, gid)) = self.owner {
            command.uid(uid.as_raw()).gid(gid.as_raw());
        }
        command.current_dir(&self.dir.path);
        command
    }

    /// The directory holding everything of this server (removed on drop).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir.path
    }

    /// `host:port`, as it goes in a URL.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@{}/postgres", self.host())
    }

    /// Starts the server again after [`kill`](Self::kill) or [`stop`](Self::stop).
    pub async fn boot(&mut self) {
        assert!(self.process.is_none(), "{} is already running", self.name);
        let started = Instant::now();
        loop {
            let mut command = self.command("postgres");
            command.arg("-D").arg(&self.data);
            for setting in &self.settings {
                command.arg("-c").arg(setting);
            }
            let mut process = GroupProcess::spawn(command, &self.log).expect("start postgres");
            // Right after a kill the old backends may still hold the shared
            // memory for a moment; the new postmaster then exits and is
            // started again.
            while process.exited().is_none() {
                if let Ok(connection) = PgConnection::connect(&self.admin_url()).await {
                    let _ = connection.close().await;
                    self.process = Some(process);
                    return;
                }
                self.check_time(started);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            self.check_time(started);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn check_time(&self, started: Instant) {
        assert!(
            started.elapsed() < STARTUP,
            "PostgreSQL {} did not accept connections within {STARTUP:?}; its log ends:\n{}",
            self.name,
            tail(&self.log, 30)
        );
    }

    /// A crash: SIGKILL to the postmaster and every process it started.
    pub fn kill(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        let postmaster = process.pid();
        // Stopped, it can start no new backend while its children are found.
        let _ = kill(postmaster, Signal::SIGSTOP);
        let children = children_of(postmaster);
        for child in &children {
            let _ = kill(*child, Signal::SIGKILL);
        }
        process.kill_group();
        let deadline = Instant::now() + Duration::from_secs(10);
        while children.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A clean, fast shutdown (SIGINT).
    pub async fn stop(&mut self) {
        if let Some(process) = &mut self.process {
            process.signal(Signal::SIGINT);
            if process.wait_exit(Duration::from_secs(30)).await.is_some() {
                self.process = None;
            }
        }
        self.kill();
    }

    /// Promotes this standby to a primary; returns once it accepts writes.
    pub async fn promote(&self) {
        let mut connection = PgConnection::connect(&self.admin_url())
            .await
            .expect("connect to the standby");
        let promoted: bool = sqlx::query_scalar("SELECT pg_promote(true, 60)")
            .fetch_one(&mut connection)
            .await
            .expect("pg_promote");
        assert!(promoted, "{} was not promoted within 60 s", self.name);
        let _ = connection.close().await;
    }

    /// Whether a synchronous standby is streaming from this primary.
    pub async fn has_sync_standby(&self) -> bool {
        let Ok(mut connection) = PgConnection::connect(&self.admin_url()).await else {
            return false;
        };
        let sync: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming'",
        )
        .fetch_one(&mut connection)
        .await
        .unwrap_or(0);
        let _ = connection.close().await;
        sync > 0
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- PostgreSQL {} log (last lines) ---\n{}",
                self.name,
                tail(&self.log, 20)
            );
        }
        self.kill();
    }
}
