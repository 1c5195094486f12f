//! This validator's row in `validator_instances`: a heartbeat, and its answer
//! to the close barrier. When a drain epoch is raised, the validator notes the
//! highest delivery it has received; once everything up to there is settled
//! (committed and acked), it reports the epoch as drained.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::consume::Progress;

/// How often the heartbeat runs.
pub const HEARTBEAT: Duration = Duration::from_millis(250);

/// Heartbeats until `stop` fires, answering drain epochs from `progress`.
pub async fn heartbeat(
    pool: PgPool,
    instance_id: Uuid,
    progress: Arc<Progress>,
    stop: CancellationToken,
) {
    let host = hostname();
    let pid = std::process::id() as i32;
    let mut seen_epoch: i64 = -1;
    let mut pending: Option<(i64, u64)> = None;
    let mut drained: i64 = 0;
    let mut interval = tokio::time::interval(HEARTBEAT);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = interval.tick() => {}
        }
        if let Some((epoch, target)) = pending
            && progress.settled.load(Ordering::Acquire) >= target
        {
            drained = epoch;
            pending = None;
        }
        let beat = sqlx::query_scalar::<_, i64>(
            "INSERT INTO validator_instances (instance_id, host, pid, drained_epoch) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (instance_id) DO UPDATE \
               SET heartbeat_at = now(), drained_epoch = GREATEST(validator_instances.drained_epoch, $4) \
             RETURNING (SELECT COALESCE(max(epoch), 0) FROM drain_requests)",
        )
        .bind(instance_id)
        .bind(&host)
        .bind(pid)
        .bind(drained)
        .fetch_one(&pool)
        .await;
        match beat {
            Ok(latest) if latest > seen_epoch && latest > drained => {
                seen_epoch = latest;
                let target = progress.received.load(Ordering::Acquire);
                if progress.settled.load(Ordering::Acquire) >= target {
                    drained = latest;
                } else {
                    pending = Some((latest, target));
                }
            }
            Ok(latest) => seen_epoch = seen_epoch.max(latest),
            Err(error) => tracing::debug!(%error, "heartbeat failed"),
        }
    }
}

/// Removes this instance's row on a clean stop.
pub async fn deregister(pool: &PgPool, instance_id: Uuid) {
    if let Err(error) = sqlx::query("DELETE FROM validator_instances WHERE instance_id = $1")
        .bind(instance_id)
        .execute(pool)
        .await
    {
        tracing::debug!(%error, "could not remove the validator's heartbeat row");
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}
