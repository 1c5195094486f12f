//! One test's database, queue prefix and settings.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use shared::amqp::{Queue, Topology};
use shared::config::Settings;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;
use workers::app::App;

use super::broker_users::{self, BrokerVhost};
use super::db_roles::{self, DbRole};
use super::services::Services;
use super::workers::WorkerKind;

/// The family key of every test's settings and processes (a test key,
/// not a programme's).
pub const TEST_FAMILY_KEY: &str =
    "7072616b65726a6120746573742066616d696c79206b65792c20746573747321";

/// A test's own database and queue names.
pub struct TestEnv {
    pub app: App,
    pub database: String,
    pub prefix: String,
    pub amqp_url: String,
    pub dir: PathBuf,
    admin_url: String,
    /// Queues are deleted on drop only on the shared broker (a private one
    /// goes away with its directory).
    shared_broker: bool,
    /// The test's vhost and users on the shared broker.
    pub broker: Option<BrokerVhost>,
    pub(super) services: Services,
    /// Unique to the test: names its database, queues and users.
    pub(super) id: String,
}

impl TestEnv {
    /// A fresh, migrated database and a unique queue prefix.
    pub async fn new() -> TestEnv {
        Self::with(|_| {}).await
    }

    /// As [`new`](Self::new), with settings adjusted by `adjust`.
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> TestEnv {
        Self::on(&Services::shared(), adjust).await
    }

    /// As [`with`](Self::with), on the given services. The migrations run
    /// as the test's owner; `env.app` connects as the administrator (for
    /// fixtures and inspection), the workers as their own login users
    /// ([`app_as`](Self::app_as), [`process_env`](Self::process_env)).
    pub async fn on(services: &Services, adjust: impl FnOnce(&mut Settings)) -> TestEnv {
        let id = Uuid::new_v4().simple().to_string()[..12].to_owned();
        let database = format!("prakerja_test_{id}");
        let prefix = format!("t{id}.");
        let admin = services.admin_url.clone();
        // On the shared broker, a vhost of the test's own with the users of
        // deploy/rabbitmq/definitions.json.
        let broker = (services.amqp_url == Services::shared().amqp_url)
            .then(|| BrokerVhost::provision(&id, &prefix, &services.amqp_url));
        let mut connection = PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL is reachable");
        db_roles::create_owner(&mut connection, &id).await;
        sqlx::query(&format!(
            "CREATE DATABASE \"{database}\" OWNER \"{}\"",
            DbRole::Owner.login(&id)
        ))
        .execute(&mut connection)
        .await
        .expect("create the test database");
        let owner = PgPool::connect(&services.primary_url(&DbRole::Owner.login(&id), &database))
            .await
            .expect("the owner connects");
        shared::db::migrate(&owner).await.expect("migrations apply");
        owner.close().await;
        db_roles::create_members(&mut connection, &id).await;
        let _ = connection.close().await;
        let database_url = services.admin_database_url(&database);
        let config_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../config"));
        let mut settings = Settings::load_from(&config_dir).expect("configuration loads");
        settings.database.url = SecretString::from(database_url.clone());
        settings.database.max_connections = 6;
        settings.amqp.url = SecretString::from(match &broker {
            Some(broker) => broker.admin_url(&services.amqp_url),
            None => services.amqp_url.clone(),
        });
        settings.amqp.prefix = prefix.clone();
        settings.amqp.max_backoff_secs = 2;
        settings.validator.batch_max_wait_ms = 10;
        settings.selector.drain_poll_ms = 50;
        settings.disburser.schedule_enabled = false;
        // Tests written before v2 expect v1 waves; v2 tests ask for v2.
        settings.selection.algorithm = shared::selection::Algorithm::V1;
        settings.selection.family_key = Some(SecretString::from(TEST_FAMILY_KEY));
        adjust(&mut settings);
        let app = App::new(settings).expect("app builds");
        if broker.is_some() {
            let queue = app.topology.name(Queue::PaymentsResults);
            broker_users::ready(|| vhost_holds(&app, &queue)).await;
        }
        let dir = std::env::temp_dir().join(format!("prakerja-test-{id}"));
        std::fs::create_dir_all(&dir).expect("test directory");
        TestEnv {
            amqp_url: app.settings.amqp.url.expose_secret().to_owned(),
            app,
            database,
            prefix,
            dir,
            admin_url: admin,
            shared_broker: services.amqp_url == Services::shared().amqp_url,
            broker,
            services: services.clone(),
            id,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.app.pool
    }

    pub fn topology(&self) -> &Topology {
        &self.app.topology
    }

    /// Environment for a process of `kind` pointed at this test's database
    /// (as the kind's login user) and queues.
    pub fn process_env(&self, kind: WorkerKind) -> Vec<(String, String)> {
        vec![
            (
                "PRAKERJA__DATABASE__URL".into(),
                self.url_as(kind.db_role()),
            ),
            ("PRAKERJA__AMQP__URL".into(), self.amqp_url_for(kind)),
            (
                "PRAKERJA__AMQP__DECLARE_QUEUES".into(),
                self.broker.is_none().to_string(),
            ),
            ("PRAKERJA__AMQP__PREFIX".into(), self.prefix.clone()),
            ("PRAKERJA__AMQP__MAX_BACKOFF_SECS".into(), "2".into()),
            ("PRAKERJA__VALIDATOR__BATCH_MAX_WAIT_MS".into(), "10".into()),
            ("PRAKERJA__SELECTOR__DRAIN_POLL_MS".into(), "50".into()),
            (
                "PRAKERJA__DISBURSER__SCHEDULE_ENABLED".into(),
                "false".into(),
            ),
            ("PRAKERJA__SELECTION__ALGORITHM".into(), "v1".into()),
            (
                "PRAKERJA__SELECTION__FAMILY_KEY".into(),
                TEST_FAMILY_KEY.into(),
            ),
            ("RUST_LOG".into(), "info,sqlx=warn,lapin=warn".into()),
            // Metrics and health on a free port each (tests run side by side).
            ("PRAKERJA__METRICS__LISTEN".into(), "127.0.0.1:0".into()),
        ]
    }
}

impl Drop for TestEnv {
    /// Drops the database (closing its connections) and deletes the queues, on
    /// a thread of its own: the test's runtime is blocked here, so nothing may
    /// wait on it (the pool's connections are closed by the drop itself).
    fn drop(&mut self) {
        if std::thread::panicking() {
            print_worker_logs(&self.dir);
        }
        let database = self.database.clone();
        let topology = self.topology().clone();
        let settings = self.app.settings.amqp.clone();
        let dir = self.dir.clone();
        let admin_url = self.admin_url.clone();
        let shared_broker = self.shared_broker && self.broker.is_none();
        let broker = self.broker.clone();
        let id = self.id.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                if shared_broker
                    && let Ok(connection) = shared::amqp::connect(&settings, "test cleanup").await
                {
                    if let Ok(channel) = connection.create_channel().await {
                        let _ = topology.delete_all(&channel).await;
                    }
                    let _ = connection.close(200, "cleanup".into()).await;
                }
                if let Ok(mut connection) = PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!(
                        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
                    ))
                    .execute(&mut connection)
                    .await;
                    db_roles::drop_all(&mut connection, &id).await;
                }
            });
            if let Some(broker) = broker {
                broker.delete();
            }
            let _ = std::fs::remove_dir_all(dir);
        })
        .join();
    }
}

/// Whether the test's vhost is usable: the import of its definitions
/// (asynchronous) made its queues.
async fn vhost_holds(app: &App, queue: &str) -> bool {
    super::queues::passive_count(&app.settings.amqp, queue)
        .await
        .is_some()
}

/// The end of every worker log of a failed test (they go away with its directory).
fn print_worker_logs(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "log") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            eprintln!("--- {} (last lines) ---", path.display());
            for line in &lines[lines.len().saturating_sub(40)..] {
                eprintln!("{line}");
            }
        }
    }
}
