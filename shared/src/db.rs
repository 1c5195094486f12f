//! PostgreSQL: the pool (following the primary when `database.url` names
//! several hosts, `primary`), the embedded migrations, and which errors are
//! worth retrying.

mod fault;
mod primary;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseSettings;

pub use fault::{Fault, classify, classify_code};

/// The schema, embedded in every binary (`prakerja migrate` applies it).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A pool that connects lazily: a worker starts even while PostgreSQL is down
/// and gets its connections once it is back. With several hosts in
/// `database.url` it connects to whichever is the primary, and moves when
/// the primary does (it must then be built inside a Tokio runtime).
pub fn pool(settings: &DatabaseSettings) -> anyhow::Result<PgPool> {
    let mut hosts = settings.hosts()?;
    let options = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs));
    if hosts.len() == 1 {
        return Ok(options.connect_lazy_with(hosts.remove(0)));
    }
    primary::pool(options, hosts)
}

/// Connection options of the primary among `database.url`'s hosts (asks each
/// in turn when there are several).
pub async fn primary_options(settings: &DatabaseSettings) -> anyhow::Result<PgConnectOptions> {
    primary::primary_options(settings.hosts()?).await
}

/// Applies the pending migrations.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether an error is about the connection or a concurrency conflict (retry
/// the same work later) rather than about the data (retrying cannot help).
/// A write refused as read-only (25006) is transient too: the connection
/// reached a standby, or a primary that was demoted, and the pool is moving
/// to the new primary.
pub fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // serialization_failure, deadlock_detected, read_only_sql_transaction,
            // connection exceptions, operator intervention (admin shutdown,
            // cannot connect now), and insufficient resources.
            code == "40001"
                || code == "40P01"
                || code == "25006"
                || code.starts_with("08")
                || code.starts_with("57")
                || code.starts_with("53")
        }),
        _ => false,
    }
}

/// Whether an `anyhow` error chain holds a transient database error or an
/// I/O failure.
pub fn is_transient_chain(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .is_some_and(is_transient)
            || cause.downcast_ref::<std::io::Error>().is_some()
    })
}
