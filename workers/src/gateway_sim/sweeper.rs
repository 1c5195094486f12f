//! Publishes the simulator's due answers (with confirms), oldest first.

use std::time::Duration;

use anyhow::Context;
use shared::amqp::{Publisher, Queue, confirmed, json_properties};
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// Answers published per round.
const BATCH: i64 = 1000;

pub async fn run(app: App, shutdown: CancellationToken) -> anyhow::Result<()> {
    shared::amqp::supervise(
        &app.settings.amqp,
        "gateway simulator answers",
        shutdown,
        |connection, shutdown| {
            let app = app.clone();
            async move {
                let publisher = Publisher::open(&connection, app.topology.clone()).await?;
                app.topology
                    .declare_one(publisher.channel(), Queue::PaymentsResults)
                    .await
                    .context("declaring the queues")?;
                loop {
                    let sent = sweep(&app, &publisher).await?;
                    if sent < BATCH as u64 {
                        tokio::select! {
                            () = shutdown.cancelled() => break,
                            () = tokio::time::sleep(Duration::from_millis(50)) => {}
                        }
                    }
                }
                let _ = connection.close(200, "stopping".into()).await;
                Ok(())
            }
        },
    )
    .await
}

async fn sweep(app: &App, publisher: &Publisher) -> anyhow::Result<u64> {
    let due: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, idempotency_key, body::text FROM gateway_sim.outbox \
          WHERE sent_at IS NULL AND due_at <= now() ORDER BY due_at, id LIMIT $1",
    )
    .bind(BATCH)
    .fetch_all(&app.pool)
    .await?;
    let mut confirms = Vec::with_capacity(due.len());
    for (id, key, body) in &due {
        let message_id = format!("{key}#{id}");
        confirms.push(
            publisher
                .send(
                    Queue::PaymentsResults,
                    body.as_bytes(),
                    json_properties(&message_id),
                )
                .await?,
        );
    }
    for confirm in confirms {
        confirmed(confirm).await?;
    }
    let ids: Vec<i64> = due.iter().map(|d| d.0).collect();
    sqlx::query("UPDATE gateway_sim.outbox SET sent_at = now() WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&app.pool)
        .await?;
    Ok(ids.len() as u64)
}
