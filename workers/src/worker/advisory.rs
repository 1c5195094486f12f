//! Session-level advisory locks on a connection of their own: the lock
//! lives exactly as long as that connection, so a worker that dies (or whose
//! database connection drops) frees it, and another copy takes over.

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use tokio_util::sync::CancellationToken;

/// A held advisory lock and the connection that holds it.
pub struct AdvisoryLock {
    connection: PgConnection,
}

impl AdvisoryLock {
    /// Takes the lock named `name` if nobody holds it.
    pub async fn try_acquire(pool: &PgPool, name: &str) -> Result<Option<Self>, sqlx::Error> {
        let mut connection = pool.acquire().await?.detach();
        if take(&mut connection, name).await? {
            Ok(Some(Self { connection }))
        } else {
            let _ = connection.close().await;
            Ok(None)
        }
    }

    /// Takes the lock named `name`, trying every `every` (on one connection)
    /// until it is free; `None` if `shutdown` comes first.
    pub async fn acquire(
        pool: &PgPool,
        name: &str,
        every: Duration,
        shutdown: &CancellationToken,
    ) -> Result<Option<Self>, sqlx::Error> {
        let mut connection = pool.acquire().await?.detach();
        loop {
            if take(&mut connection, name).await? {
                return Ok(Some(Self { connection }));
            }
            tokio::select! {
                () = shutdown.cancelled() => {
                    let _ = connection.close().await;
                    return Ok(None);
                }
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// The connection that holds the lock (for statements that must run on
    /// it, such as other advisory locks, or a liveness check).
    pub fn connection(&mut self) -> &mut PgConnection {
        &mut self.connection
    }

    /// Frees the lock by closing its connection.
    pub async fn release(self) {
        let _ = self.connection.close().await;
    }
}

async fn take(connection: &mut PgConnection, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(advisory_key(name))
        .fetch_one(connection)
        .await
}

/// A stable 64-bit advisory lock key for a name.
pub fn advisory_key(name: &str) -> i64 {
    // FNV-1a: stable across builds and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

#[cfg(test)]
mod tests {
    use super::advisory_key;

    #[test]
    fn keys_are_stable_and_distinct() {
        // Changing a key would let an old and a new copy of a worker run the
        // same job side by side during a rolling upgrade.
        assert_eq!(advisory_key(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_ne!(
            advisory_key("selection-draws"),
            advisory_key("disbursement-runs")
        );
    }
}
