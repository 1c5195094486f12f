//! A test's queues: publishing to them and looking into them, as the
//! administrator of the test's vhost.

use shared::amqp::{Publisher, Queue};

use super::env::TestEnv;

impl TestEnv {
    /// A confirm-mode publisher on this test's queues (declared).
    pub async fn publisher(&self) -> (lapin::Connection, Publisher) {
        let connection = shared::amqp::connect(&self.app.settings.amqp, "test")
            .await
            .expect("RabbitMQ is reachable");
        let publisher = Publisher::open(&connection, self.topology().clone())
            .await
            .expect("channel");
        self.topology()
            .declare(publisher.channel())
            .await
            .expect("declare queues");
        (connection, publisher)
    }

    /// Publishes raw bodies to a queue, confirmed.
    pub async fn publish_raw(&self, queue: Queue, bodies: &[Vec<u8>]) {
        let (connection, publisher) = self.publisher().await;
        let mut confirms = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            confirms.push(
                publisher
                    .send(
                        queue,
                        body,
                        shared::amqp::json_properties(&format!("test-{i}")),
                    )
                    .await
                    .expect("publish"),
            );
        }
        for confirm in confirms {
            shared::amqp::confirmed(confirm).await.expect("confirmed");
        }
        let _ = connection.close(200, "done".into()).await;
    }

    /// Ready messages in a queue (by full name).
    pub async fn ready(&self, queue_name: &str) -> u32 {
        passive_count(&self.app.settings.amqp, queue_name)
            .await
            .expect("the queue exists and RabbitMQ answers")
    }

    /// Takes every message of a queue (by full name): bodies and properties.
    pub async fn drain(&self, queue_name: &str) -> Vec<lapin::message::BasicGetMessage> {
        let connection = shared::amqp::connect(&self.app.settings.amqp, "test drain")
            .await
            .expect("RabbitMQ");
        let channel = connection.create_channel().await.expect("channel");
        let mut out = Vec::new();
        while let Some(message) = channel
            .basic_get(
                queue_name.into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .expect("basic.get")
        {
            out.push(message);
        }
        let _ = connection.close(200, "done".into()).await;
        out
    }
}

/// Ready messages in a queue (by full name), asked with a passive declare
/// on a connection of its own; `None` while it cannot be asked (broker away,
/// queue not declared yet).
pub async fn passive_count(
    settings: &shared::config::AmqpSettings,
    queue_name: &str,
) -> Option<u32> {
    let connection = shared::amqp::connect(settings, "test inspect").await.ok()?;
    let declared = match connection.create_channel().await {
        Ok(channel) => channel
            .queue_declare(
                queue_name.into(),
                lapin::options::QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                Default::default(),
            )
            .await
            .ok()
            .map(|ok| ok.message_count()),
        Err(_) => None,
    };
    let _ = connection.close(200, "done".into()).await;
    declared
}
