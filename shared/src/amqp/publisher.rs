//! Publishing JSON with publisher confirms: a message counts as sent only once
//! the broker has confirmed it.

use anyhow::{Context, bail};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection};
use lapin::{Confirmation, PublisherConfirm};

use super::topology::{Queue, Topology};

/// A confirm-mode channel publishing to the contract's queues.
#[derive(Clone)]
pub struct Publisher {
    channel: Channel,
    topology: Topology,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("topology", &self.topology)
            .finish()
    }
}

/// Properties of every message: persistent JSON.
pub fn json_properties(message_id: &str) -> BasicProperties {
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(message_id.into())
}

impl Publisher {
    /// Opens a channel in confirm mode.
    pub async fn open(connection: &Connection, topology: Topology) -> anyhow::Result<Self> {
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Self { channel, topology })
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Publishes without waiting; await the returned confirm with [`confirmed`].
    pub async fn send(
        &self,
        queue: Queue,
        body: &[u8],
        properties: BasicProperties,
    ) -> anyhow::Result<PublisherConfirm> {
        self.send_to(&self.topology.name(queue), body, properties)
            .await
    }

    /// Publishes to a queue by full name (dead-letter queues, for instance),
    /// through the exchange of the same name.
    pub async fn send_to(
        &self,
        queue_name: &str,
        body: &[u8],
        properties: BasicProperties,
    ) -> anyhow::Result<PublisherConfirm> {
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        self.channel
            // The queue's own exchange (topology.rs), never the default one.
            .basic_publish(
                queue_name.into(),
                queue_name.into(),
                options,
                body,
                properties,
            )
            .await
            .with_context(|| format!("publishing to {queue_name}"))
    }

    /// Publishes one JSON message and waits for the broker's confirm.
    pub async fn publish_json<T: serde::Serialize>(
        &self,
        queue: Queue,
        message_id: &str,
        message: &T,
    ) -> anyhow::Result<()> {
        let body = serde_json::to_vec(message)?;
        let confirm = self.send(queue, &body, json_properties(message_id)).await?;
        confirmed(confirm).await
    }
}

/// Waits for a confirm; a nack or a returned (unroutable) message is an error.
pub async fn confirmed(confirm: PublisherConfirm) -> anyhow::Result<()> {
    match confirm.await.context("waiting for a publisher confirm")? {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) => bail!(
            "the broker returned a message published to {:?}: {} (does the queue exist?)",
            returned.delivery.routing_key.as_str(),
            returned.reply_text.as_str()
        ),
        Confirmation::Nack(_) => bail!("the broker refused a message (nack)"),
        Confirmation::NotRequested => bail!("publisher confirms are not enabled on this channel"),
    }
}

/// Headers carrying why a message was dead-lettered by us. The reason is
/// masked (`mask::free_text`): a decoder's error may quote the message.
pub fn dead_letter_headers(reason: &str, original: &BasicProperties) -> BasicProperties {
    let mut headers = original.headers().clone().unwrap_or_default();
    headers.insert(
        ShortString::from("x-prakerja-dead-reason"),
        AMQPValue::LongString(LongString::from(
            crate::mask::free_text(reason).into_owned(),
        )),
    );
    // The moment it died (`prakerja dead list` shows its age).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_timestamp(now)
        .with_headers(headers);
    if let Some(content_type) = original.content_type() {
        properties = properties.with_content_type(content_type.clone());
    }
    if let Some(id) = original.message_id() {
        properties = properties.with_message_id(id.clone());
    }
    properties
}

/// The dead-letter reason header of a message, if any.
pub fn dead_reason(properties: &BasicProperties) -> Option<String> {
    let headers: &FieldTable = properties.headers().as_ref()?;
    match headers
        .inner()
        .get(&ShortString::from("x-prakerja-dead-reason"))?
    {
        AMQPValue::LongString(s) => Some(s.to_string()),
        other => Some(format!("{other:?}")),
    }
}
