//! A handler that panics on one message: the consumer dead-letters that one
//! message (reason masked) and stores the batch's others. The handler here
//! is the test's own, so that the panic needs no bug in the product.

use std::sync::Arc;
use std::time::Duration;

use shared::amqp::{Queue, dead_reason};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use workers::consume::{BatchOptions, Handler, serve};

use crate::helpers::{TestEnv, eventually_async};

/// Stores bodies as text; panics decoding `panic-decode` and storing
/// `panic-store`, with a NIK in the message.
struct Fragile {
    pool: PgPool,
}

impl Handler for Fragile {
    type Item = String;
    type Outcome = u64;

    fn queue(&self) -> Queue {
        Queue::TrainingEvents
    }

    fn decode(&self, body: &[u8]) -> Result<String, String> {
        let text = String::from_utf8(body.to_vec()).map_err(|e| e.to_string())?;
        assert!(text != "panic-decode", "decoding 3171014708900001 panicked");
        Ok(text)
    }

    async fn store(&self, items: &[String]) -> Result<u64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for item in items {
            sqlx::query("INSERT INTO fragile_items VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(item)
                .execute(&mut *tx)
                .await?;
            assert!(item != "panic-store", "storing 3171014708900001 panicked");
        }
        tx.commit().await?;
        Ok(items.len() as u64)
    }

    fn describe(&self, item: &String) -> String {
        format!("item {item}")
    }
}

#[tokio::test]
async fn a_message_that_makes_the_handler_panic_dead_letters_itself_and_the_rest_is_stored() {
    let env = TestEnv::new().await;
    sqlx::query("CREATE TABLE fragile_items (body text PRIMARY KEY)")
        .execute(env.pool())
        .await
        .expect("table");
    let bodies: Vec<Vec<u8>> = ["a", "b", "panic-decode", "c", "panic-store", "d"]
        .iter()
        .map(|b| b.as_bytes().to_vec())
        .collect();
    env.publish_raw(Queue::TrainingEvents, &bodies).await;
    let options = BatchOptions {
        batch_size: 10,
        max_wait: Duration::from_millis(50),
        prefetch: 20,
        max_backoff: Duration::from_secs(2),
        parallel: 1,
        max_body_bytes: 1024,
    };
    let handler = Arc::new(Fragile {
        pool: env.pool().clone(),
    });
    let stop = CancellationToken::new();
    let app = env.app.clone();
    let token = stop.clone();
    let consumer =
        tokio::spawn(async move { serve(&app, handler, "test", "fragile", options, token).await });
    let dead_queue = env.topology().dead_name(Queue::TrainingEvents);
    eventually_async("two dead letters", Duration::from_secs(30), || async {
        (env.ready(&dead_queue).await == 2).then_some(())
    })
    .await;
    stop.cancel();
    consumer.await.expect("joined").expect("consumer ran");

    let stored: Vec<String> = sqlx::query_scalar("SELECT body FROM fragile_items ORDER BY body")
        .fetch_all(env.pool())
        .await
        .expect("rows");
    assert_eq!(stored, ["a", "b", "c", "d"]);
    let dead = env.drain(&dead_queue).await;
    let mut reasons: Vec<String> = dead
        .iter()
        .map(|m| dead_reason(&m.delivery.properties).expect("a reason"))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "decoding panicked: decoding 3171**********01 panicked",
            "storing item panic-store panicked: storing 3171**********01 panicked",
        ]
    );
    assert_eq!(
        env.ready(&env.topology().name(Queue::TrainingEvents)).await,
        0
    );
}
