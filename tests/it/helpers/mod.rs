//! The integration tests' harness: every test owns a fresh database (random
//! name, migrated) and a unique queue prefix on the real PostgreSQL and
//! RabbitMQ, and cleans both up when it ends, even on failure. Fault tests
//! own private servers instead, which they may kill and restart.

pub mod beacon;
mod broker_users;
pub mod chromium;
mod db_roles;
mod env;
mod epmd;
mod private_postgres;
mod private_rabbit;
mod programs;
mod proxy;
mod queues;
mod rabbit_cluster;
mod refusal;
pub mod scrape;
mod service_process;
mod services;
mod wait;
mod workers;

pub use broker_users::BrokerUser;
pub use db_roles::DbRole;
pub use env::{TEST_FAMILY_KEY, TestEnv};
pub use private_postgres::PrivatePostgres;
pub use private_rabbit::PrivateRabbit;
pub use proxy::Proxy;
pub use queues::passive_count;
pub use rabbit_cluster::RabbitCluster;
pub use refusal::{allowed, denied, refused};
pub use services::Services;
pub use wait::eventually_async;
pub use workers::{WorkerKind, bin};
