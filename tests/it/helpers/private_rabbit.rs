//! A RabbitMQ node only one test uses: its own node name, AMQP and
//! distribution ports (chosen free), data and log directory, Erlang cookie
//! and port mapper (`epmd`), and no plugin. The test may kill it (SIGKILL to
//! the whole Erlang VM, as a crash), stop it and start it again; nodes may
//! form a cluster (`RabbitCluster`). Dropping it kills its processes and
//! removes its directory, even when the test panics. The machine's shared
//! broker is never touched.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::epmd::Epmd;
use super::programs::rabbit_bin;
use super::service_process::{GroupProcess, ServiceDir, free_port, tail};

/// How long a node may take to boot (two busy cores: usually 5-10 s).
const STARTUP: Duration = Duration::from_secs(120);

pub struct PrivateRabbit {
    /// `name@localhost`.
    pub node: String,
    pub amqp_port: u16,
    dist_port: u16,
    epmd: Arc<Epmd>,
    log: PathBuf,
    process: Option<GroupProcess>,
    dir: ServiceDir,
}

impl PrivateRabbit {
    /// A single node with its own port mapper, booted.
    pub async fn start(name: &str) -> PrivateRabbit {
        let epmd = Epmd::start().await;
        let mut node = Self::prepare(name, epmd, &[]);
        node.boot().await;
        node
    }

    /// A node that joins `peers` (running nodes of the same port mapper) on
    /// its first boot. Not booted yet.
    pub fn prepare(name: &str, epmd: Arc<Epmd>, peers: &[String]) -> PrivateRabbit {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = ServiceDir::new("rabbit");
        let node = format!("{name}-{}@localhost", &id[..8]);
        let (amqp_port, dist_port) = (free_port(), free_port());
        let home = dir.path.join("home");
        std::fs::create_dir_all(&home).expect("node home");
        let cookie = home.join(".erlang.cookie");
        std::fs::write(&cookie, epmd.cookie()).expect("cookie");
        std::fs::set_permissions(&cookie, std::fs::Permissions::from_mode(0o400))
            .expect("cookie mode");
        let mut config = format!(
            "listeners.tcp.default = 127.0.0.1:{amqp_port}\n\
             loopback_users = none\n\
             log.console = false\n\
             log.file.level = info\n\
             disk_free_limit.absolute = 50MB\n"
        );
        if !peers.is_empty() {
            config.push_str("cluster_formation.peer_discovery_backend = classic_config\n");
            for (i, peer) in peers.iter().chain([&node]).enumerate() {
                config.push_str(&format!(
                    "cluster_formation.classic_config.nodes.{} = {peer}\n",
                    i + 1
                ));
            }
        }
        std::fs::write(dir.path.join("rabbitmq.conf"), config).expect("rabbitmq.conf");
        std::fs::write(dir.path.join("enabled_plugins"), "[].\n").expect("enabled_plugins");
        std::fs::write(dir.path.join("rabbitmq-env.conf"), "").expect("rabbitmq-env.conf");
        PrivateRabbit {
            node,
            amqp_port,
            dist_port,
            epmd,
            log: dir.path.join("server.log"),
            process: None,
            dir,
        }
    }

    /// The environment every RabbitMQ script of this node runs with: nothing
    /// inherited from the machine's broker (its rabbitmq-env.conf included).
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(rabbit_bin(program));
        let path = std::env::var("PATH").unwrap_or_default();
        let dir = &self.dir.path;
        // The CLI tools' own distribution port: one free port per command.
        let ctl_port = free_port().to_string();
        command
            .env_clear()
            .env("PATH", format!("{path}:/usr/local/bin:/usr/bin:/bin"))
            .env("HOME", dir.join("home"))
            .env("LC_ALL", "C.UTF-8")
            .env("ERL_EPMD_PORT", self.epmd.port.to_string())
            .env("RABBITMQ_CONF_ENV_FILE", dir.join("rabbitmq-env.conf"))
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_CTL_DIST_PORT_MIN", &ctl_port)
            .env("RABBITMQ_CTL_DIST_PORT_MAX", &ctl_port)
            .current_dir(dir);
        command
    }

    /// The directory holding everything of this server (removed on drop).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir.path
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.amqp_port)
    }

    /// Boots the node (again), waiting until it accepts AMQP connections.
    pub async fn boot(&mut self) {
        assert!(self.process.is_none(), "{} is already running", self.node);
        let dir = &self.dir.path;
        let mut command = self.command("rabbitmq-server");
        command
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", self.amqp_port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_CONFIG_FILE", dir.join("rabbitmq.conf"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins"))
            .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.join("log"))
            // The script then replaces itself with the VM (no signal proxy).
            .env("RUNNING_UNDER_SYSTEMD", "true");
        let mut process = GroupProcess::spawn(command, &self.log).expect("start rabbitmq-server");
        let started = Instant::now();
        loop {
            if let Some(status) = process.exited() {
                panic!(
                    "RabbitMQ {} exited while booting ({status}): {}\n{}",
                    self.node,
                    tail(&self.log, 20),
                    self.node_log(30)
                );
            }
            if self.answers().await {
                self.process = Some(process);
                return;
            }
            assert!(
                started.elapsed() < STARTUP,
                "RabbitMQ {} did not accept AMQP connections within {STARTUP:?}:\n{}",
                self.node,
                self.node_log(30)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn answers(&self) -> bool {
        let properties = lapin::ConnectionProperties::default();
        match lapin::Connection::connect(&self.url(), properties).await {
            Ok(connection) => {
                let _ = connection.close(200, "ready".into()).await;
                true
            }
            Err(_) => false,
        }
    }

    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// A crash: SIGKILL to the Erlang VM and every process it started.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill_group();
        }
    }

    /// A clean stop (SIGTERM: the VM shuts the broker down).
    pub async fn stop(&mut self) {
        if let Some(process) = &mut self.process {
            process.signal(Signal::SIGTERM);
            if process.wait_exit(Duration::from_secs(60)).await.is_some() {
                self.process = None;
            }
        }
        self.kill();
    }

    /// `rabbitmqctl -n NODE ARGS…` on this node; its standard output.
    pub async fn ctl(&self, args: &[&str]) -> anyhow::Result<String> {
        let mut command = tokio::process::Command::from(self.command("rabbitmqctl"));
        command.arg("-n").arg(&self.node).args(args);
        let output = command.output().await?;
        anyhow::ensure!(
            output.status.success(),
            "rabbitmqctl {} on {}: {}",
            args.join(" "),
            self.node,
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Declares every queue of `topology`, then restarts the node cleanly.
    /// RabbitMQ 3.10.8 (Ra 2.2) writes a new quorum queue's registration to
    /// disk lazily: a node killed moments after a queue was created can come
    /// back with that queue empty and without a leader, for good (upstream
    /// rabbitmq/ra#443; RELIABILITY.md). A clean stop writes it, as the
    /// long-lived queues of a deployment are.
    pub async fn declare_durably(&mut self, topology: &shared::amqp::Topology) {
        let properties = lapin::ConnectionProperties::default();
        let connection = lapin::Connection::connect(&self.url(), properties)
            .await
            .expect("connect to the private node");
        let channel = connection.create_channel().await.expect("channel");
        topology
            .declare(&channel)
            .await
            .expect("declare the queues");
        let _ = connection.close(200, "declared".into()).await;
        self.stop().await;
        self.boot().await;
    }

    /// The last lines of the node's own log.
    fn node_log(&self, lines: usize) -> String {
        let file = self.dir.path.join("log").join(format!("{}.log", self.node));
        tail(&file, lines)
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- RabbitMQ {} log (last lines) ---\n{}",
                self.node,
                self.node_log(20)
            );
        }
        self.kill();
    }
}
