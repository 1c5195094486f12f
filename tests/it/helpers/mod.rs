//! The integration tests' harness: every test owns a fresh database (random
//! name, migrated) and a unique queue prefix on the real PostgreSQL and
//! RabbitMQ, and cleans both up when it ends, even on failure.

pub mod beacon;
pub mod chromium;
mod env;
mod proxy;
mod refusal;
mod wait;
mod workers;

pub use env::TestEnv;
pub use proxy::Proxy;
pub use refusal::{allowed, refused};
pub use wait::eventually_async;
pub use workers::{WorkerKind, bin};
