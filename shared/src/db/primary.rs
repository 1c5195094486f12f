//! Several hosts in `database.url` (a primary and its standbys): the pool
//! connects to whichever is the primary now. sqlx has no multi-host support,
//! so a tracker task keeps one probe connection to the host in use and, when
//! that host dies or turns out to be a standby (after a failover), tries
//! every host in order and points the pool at the first where
//! `pg_is_in_recovery()` is false. A new pooled connection that lands on a
//! standby is refused (the pool tries again), and connections opened before
//! a switch are closed instead of being handed out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::Notify;

/// How often the host in use is asked whether it is still the primary.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How long connecting to one host, or asking it, may take.
const HOST_TIMEOUT: Duration = Duration::from_secs(5);

struct Tracker {
    hosts: Vec<PgConnectOptions>,
    current: AtomicUsize,
    switched: Mutex<Instant>,
    wake: Notify,
}

impl Tracker {
    /// Whether a connection of this age was opened after the last switch.
    fn opened_since_switch(&self, age: Duration) -> bool {
        age < self
            .switched
            .lock()
            .map_or(Duration::ZERO, |at| at.elapsed())
    }

    fn describe(&self, index: usize) -> String {
        let host = &self.hosts[index];
        format!("{}:{}", host.get_host(), host.get_port())
    }
}

/// A pool that follows the primary among `hosts` (more than one).
pub fn pool(options: PgPoolOptions, hosts: Vec<PgConnectOptions>) -> anyhow::Result<PgPool> {
    let runtime = tokio::runtime::Handle::try_current()
        .context("a database.url with several hosts needs a Tokio runtime")?;
    let tracker = Arc::new(Tracker {
        current: AtomicUsize::new(0),
        switched: Mutex::new(Instant::now()),
        wake: Notify::new(),
        hosts,
    });
    let on_connect = tracker.clone();
    let on_acquire = tracker.clone();
    let pool = options
        .after_connect(move |connection, _| {
            let tracker = on_connect.clone();
            Box::pin(async move {
                if is_primary(connection).await? {
                    return Ok(());
                }
                tracker.wake.notify_one();
                Err(sqlx::Error::Protocol(
                    "connected to a standby; looking for the primary".into(),
                ))
            })
        })
        .before_acquire(move |_, meta| {
            let fresh = on_acquire.opened_since_switch(meta.age);
            Box::pin(async move { Ok(fresh) })
        })
        .connect_lazy_with(tracker.hosts[0].clone());
    runtime.spawn(track(tracker, pool.clone()));
    Ok(pool)
}

async fn is_primary(connection: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(connection)
        .await?;
    Ok(!recovering)
}

/// Keeps the pool on the primary until the pool is closed.
async fn track(tracker: Arc<Tracker>, pool: PgPool) {
    let mut probe: Option<PgConnection> = None;
    while !pool.is_closed() {
        let healthy = match probe.as_mut() {
            Some(connection) => matches!(
                tokio::time::timeout(HOST_TIMEOUT, is_primary(connection)).await,
                Ok(Ok(true))
            ),
            None => false,
        };
        let mut pause = PROBE_EVERY;
        if !healthy {
            probe = None;
            match find_primary(&tracker.hosts).await {
                Some((index, connection)) => {
                    if tracker.current.swap(index, Ordering::AcqRel) != index {
                        pool.set_connect_options(tracker.hosts[index].clone());
                        if let Ok(mut at) = tracker.switched.lock() {
                            *at = Instant::now();
                        }
                        tracing::warn!(host = %tracker.describe(index), "the database primary moved; connecting there");
                    }
                    probe = Some(connection);
                }
                None => {
                    tracing::warn!("no database host is a reachable primary; trying again");
                    pause = PROBE_EVERY / 2;
                }
            }
        }
        tokio::select! {
            () = tracker.wake.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// The first host (in order) that accepts a connection and is not in
/// recovery, with that connection.
async fn find_primary(hosts: &[PgConnectOptions]) -> Option<(usize, PgConnection)> {
    for (index, host) in hosts.iter().enumerate() {
        let attempt = async {
            let mut connection = PgConnection::connect_with(host).await?;
            let primary = is_primary(&mut connection).await?;
            Ok::<_, sqlx::Error>(primary.then_some(connection))
        };
        if let Ok(Ok(Some(connection))) = tokio::time::timeout(HOST_TIMEOUT, attempt).await {
            return Some((index, connection));
        }
    }
    None
}

/// Connection options of the host that is the primary now (the first host
/// when there is only one).
pub async fn primary_options(hosts: Vec<PgConnectOptions>) -> anyhow::Result<PgConnectOptions> {
    if hosts.len() == 1 {
        return Ok(hosts.into_iter().next().expect("one host"));
    }
    let (index, connection) = find_primary(&hosts)
        .await
        .context("no host of database.url is a reachable primary")?;
    let _ = connection.close().await;
    Ok(hosts[index].clone())
}
