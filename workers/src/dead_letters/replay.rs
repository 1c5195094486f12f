//! `prakerja dead replay QUEUE [--filter REASON] [--limit N]`: each matching
//! dead letter is published back to its queue with publisher confirms and
//! only then acked (removed) in the dead-letter queue. Killed between the two,
//! the message is in both queues: a copy, which the queue's consumer drops by
//! its id (every handler is idempotent). A message replayed
//! `dead_letters.max_replays` times already stays dead and is reported. Each
//! replay is recorded in `dead_replays` (who, when, queue, filter, counts),
//! its count raised as each message is acked.

use anyhow::Context;
use lapin::BasicProperties;
use lapin::options::{BasicAckOptions, BasicGetOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use serde::Serialize;
use shared::amqp::{Publisher, Queue, confirmed};

use super::message::{DeadMessage, REPLAYS, describe, replays};
use crate::app::App;

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// A reason kind (`undecodable`, `delivery_limit`, …) or words of the
    /// reason (case-insensitive); `None`: every message.
    pub filter: Option<String>,
    /// At most this many messages.
    pub limit: Option<u32>,
    pub by: String,
}

#[derive(Debug, Serialize)]
pub struct ReplayReport {
    pub replay_id: i64,
    pub queue: String,
    pub dead_queue: String,
    pub replayed: u32,
    /// Left dead: replayed `max_replays` times already.
    pub over_cap: Vec<DeadMessage>,
    pub max_replays: u32,
    /// Left dead: the filter does not match them.
    pub not_matching: u32,
}

pub async fn replay(
    app: &App,
    queue: Queue,
    options: &ReplayOptions,
) -> anyhow::Result<ReplayReport> {
    let dead_queue = app.topology.dead_name(queue);
    let max_replays = app.settings.dead_letters.max_replays;
    let connection = super::connect(app, "prakerja dead replay").await?;
    let channel = connection.create_channel().await?;
    // Only what is dead now: a replayed message that dies again while this
    // replay goes on joins the tail and waits for the next replay.
    let present = super::ready(&channel, &dead_queue).await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), queue)
        .await
        .context("declaring the queue")?;
    let replay_id: i64 = sqlx::query_scalar(
        "INSERT INTO dead_replays (queue, dead_queue, filter, max_messages, max_replays, replayed_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING replay_id",
    )
    .bind(queue.base_name())
    .bind(&dead_queue)
    .bind(&options.filter)
    .bind(options.limit.map(|l| l as i32))
    .bind(max_replays as i32)
    .bind(&options.by)
    .fetch_one(&app.pool)
    .await?;
    let mut report = ReplayReport {
        replay_id,
        queue: queue.base_name().to_owned(),
        dead_queue: dead_queue.clone(),
        replayed: 0,
        over_cap: Vec::new(),
        max_replays,
        not_matching: 0,
    };
    let mut looked_at = 0;
    while looked_at < present && options.limit.is_none_or(|limit| report.replayed < limit) {
        looked_at += 1;
        let Some(got) = channel
            .basic_get(
                dead_queue.as_str().into(),
                BasicGetOptions { no_ack: false },
            )
            .await
            .with_context(|| format!("reading {dead_queue}"))?
        else {
            break;
        };
        let delivery = got.delivery;
        let seen = describe(&delivery.properties, &delivery.data);
        if !matches(options.filter.as_deref(), &seen) {
            // Left unacknowledged: it goes back when the channel closes.
            report.not_matching += 1;
            continue;
        }
        let headers = delivery.properties.headers().clone().unwrap_or_default();
        let count = replays(&headers);
        if count >= max_replays {
            report.over_cap.push(seen);
            continue;
        }
        let properties = replayed(&delivery.properties, headers, count + 1);
        let confirm = publisher.send(queue, &delivery.data, properties).await?;
        confirmed(confirm).await.context("replaying a message")?;
        channel
            .basic_ack(delivery.delivery_tag, BasicAckOptions { multiple: false })
            .await
            .context("removing a replayed message from the dead-letter queue")?;
        sqlx::query("UPDATE dead_replays SET replayed = replayed + 1 WHERE replay_id = $1")
            .bind(replay_id)
            .execute(&app.pool)
            .await?;
        report.replayed += 1;
    }
    sqlx::query(
        "UPDATE dead_replays SET finished_at = now(), over_cap = $2, not_matching = $3 WHERE replay_id = $1",
    )
    .bind(replay_id)
    .bind(report.over_cap.len() as i32)
    .bind(report.not_matching as i32)
    .execute(&app.pool)
    .await?;
    let _ = channel.close(200, "replayed".into()).await;
    let _ = publisher.channel().close(200, "replayed".into()).await;
    let _ = connection.close(200, "done".into()).await;
    Ok(report)
}

/// Whether `filter` selects the message: its kind, or words of its reason.
fn matches(filter: Option<&str>, message: &DeadMessage) -> bool {
    let Some(filter) = filter.map(|f| f.trim().to_lowercase()) else {
        return true;
    };
    message.kind.to_lowercase() == filter || message.reason.to_lowercase().contains(&filter)
}

/// The properties a replayed message goes back with: the original ones,
/// its replay count raised, the reason it died and the broker's delivery
/// count removed.
fn replayed(original: &BasicProperties, mut headers: FieldTable, count: u32) -> BasicProperties {
    let mut kept = FieldTable::default();
    for (key, value) in headers.inner() {
        if !matches!(
            key.as_str(),
            "x-prakerja-dead-reason" | "x-delivery-count" | REPLAYS
        ) {
            kept.insert(key.clone(), value.clone());
        }
    }
    headers = kept;
    headers.insert(ShortString::from(REPLAYS), AMQPValue::LongUInt(count));
    let mut properties = original.clone().with_headers(headers).with_delivery_mode(2);
    if original.content_type().is_none() {
        properties = properties.with_content_type("application/json".into());
    }
    properties
}
