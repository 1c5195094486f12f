//! A database switched to read-only (`25006`) under a running validator, and
//! back: an infrastructure fault, waited out; nothing dead-lettered.

use std::time::Duration;

use chrono::Duration as Days;
use shared::amqp::Queue;

use crate::data;
use crate::fault_support::{logs, spawn};
use crate::helpers::{TestEnv, WorkerKind, eventually_async};
use crate::validator::{stored_count, wait_for_rows};

#[tokio::test]
async fn a_read_only_database_pauses_the_validator_and_nothing_is_lost() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 30, 24, 0.1);
    let database = &env.database;
    sqlx::query(&format!(
        "ALTER DATABASE \"{database}\" SET default_transaction_read_only = on"
    ))
    .execute(env.pool())
    .await
    .expect("read-only");
    // The validator's connections are new: they start read-only.
    let worker = spawn(&env, WorkerKind::Validator, &[], &[]);
    env.publish_raw(Queue::RegistrationsSubmitted, &data::bodies(&good))
        .await;
    eventually_async("the validator retries", Duration::from_secs(60), || async {
        let text = logs(&env, WorkerKind::Validator);
        (text.contains("retrying the batch") && text.contains("read-only")).then_some(())
    })
    .await;
    assert_eq!(stored_count(&env).await, 0);
    let dead_queue = env.topology().dead_name(Queue::RegistrationsSubmitted);
    assert_eq!(env.ready(&dead_queue).await, 0, "nothing dead-lettered");

    sqlx::query(&format!(
        "ALTER DATABASE \"{database}\" SET default_transaction_read_only = off"
    ))
    .execute(env.pool())
    .await
    .expect("writable");
    let started = std::time::Instant::now();
    // Backoff is at most 2 s here: a new connection is writable at once.
    wait_for_rows(&env, good.len() as i64, Duration::from_secs(20)).await;
    println!(
        "measured: {} stored {} ms after the database was writable again",
        good.len(),
        started.elapsed().as_millis()
    );
    let _ = worker.stop(Duration::from_secs(10)).await;
    assert_eq!(env.ready(&dead_queue).await, 0, "nothing dead-lettered");
}
