//! PostgreSQL: the pool, the embedded migrations, and which errors are worth
//! retrying.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use crate::config::DatabaseSettings;

/// The schema, embedded in every binary (`prakerja migrate` applies it).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A pool that connects lazily: a worker starts even while PostgreSQL is down
/// and gets its connections once it is back.
pub fn pool(settings: &DatabaseSettings) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
        .connect_lazy_with(settings.connect_options()?))
}

/// Applies the pending migrations.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether an error is about the connection or a concurrency conflict (retry
/// the same work later) rather than about the data (retrying cannot help).
pub fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // serialization_failure, deadlock_detected, connection exceptions,
            // operator intervention (admin shutdown, cannot connect now), and
            // insufficient resources.
            code == "40001"
                || code == "40P01"
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
