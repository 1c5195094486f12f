//! Dead letters, for operators: what sits in a queue's `<name>.dead`
//! (`list`: reason, age, a masked summary; the messages stay where they
//! are) and replaying it (`replay.rs`). Messages are taken with `basic.get`
//! and left unacknowledged, so whatever is not acked goes back to the
//! dead-letter queue when the channel closes, or when the process dies.

mod message;
mod replay;

use anyhow::Context;
use lapin::options::{BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use serde::Serialize;
use shared::amqp::Queue;

use crate::app::App;

pub use message::{DeadMessage, describe};
pub use replay::{ReplayOptions, ReplayReport, replay};

/// A contract queue by its name (`registrations.submitted`, …).
pub fn queue_named(name: &str) -> Result<Queue, String> {
    Queue::ALL
        .into_iter()
        .find(|q| q.base_name() == name.trim())
        .ok_or_else(|| {
            let names: Vec<&str> = Queue::ALL.iter().map(|q| q.base_name()).collect();
            format!(
                "QUEUE {name:?} is not a queue of the contract: one of {}",
                names.join(", ")
            )
        })
}

/// What `list` found.
#[derive(Debug, Serialize)]
pub struct DeadList {
    pub queue: String,
    pub dead_queue: String,
    /// Messages in the dead-letter queue when it was read.
    pub total: u32,
    pub messages: Vec<DeadMessage>,
}

/// Lists up to `limit` messages of `queue`'s dead-letter queue, oldest
/// first, leaving every one of them there.
pub async fn list(app: &App, queue: Queue, limit: usize) -> anyhow::Result<DeadList> {
    let dead_queue = app.topology.dead_name(queue);
    let connection = connect(app, "prakerja dead list").await?;
    let channel = connection.create_channel().await?;
    let total = ready(&channel, &dead_queue).await?;
    let mut messages = Vec::new();
    while messages.len() < limit {
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
        messages.push(describe(&got.delivery.properties, &got.delivery.data));
    }
    // Unacknowledged: closing the channel hands every message back.
    let _ = channel.close(200, "listed".into()).await;
    let _ = connection.close(200, "done".into()).await;
    Ok(DeadList {
        queue: queue.base_name().to_owned(),
        dead_queue,
        total,
        messages,
    })
}

async fn connect(app: &App, name: &str) -> anyhow::Result<Connection> {
    shared::amqp::connect(&app.settings.amqp, name).await
}

/// Messages ready in a queue; an error naming it if it does not exist.
async fn ready(channel: &Channel, name: &str) -> anyhow::Result<u32> {
    let declared = channel
        .queue_declare(
            name.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .with_context(|| {
            format!("the dead-letter queue {name} does not exist (no worker has declared it yet)")
        })?;
    Ok(declared.message_count())
}
