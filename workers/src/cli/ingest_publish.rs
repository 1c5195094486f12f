//! Publishing `prakerja ingest`'s lines with publisher confirms, riding out a
//! broker that goes away: the lines are published in order and confirmed in
//! order, so after a lost connection everything from the oldest unconfirmed
//! line on is published again on a new one (to any node of `amqp.url`). A
//! line published twice is one registration: the validator keys it by
//! `registration_id`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::ProgressBar;
use shared::amqp::{Publisher, Queue, confirmed, json_properties};
use shared::backoff::Backoff;

use super::ingest::Lines;
use crate::app::App;

/// Confirms awaited at once; more would only grow memory.
const WINDOW: usize = 4096;

/// What publishing took.
#[derive(Debug, Default)]
pub struct Published {
    /// Lines published again because their confirm was lost with a connection.
    pub resent: u64,
    /// Attempts to connect again after a connection was lost.
    pub reconnections: u32,
}

/// Publishes every line, reconnecting with backoff after a lost connection
/// for up to `retry` without progress. The first connection is not retried:
/// a broker that never answered is reported at once.
pub async fn publish_all(
    app: &App,
    lines: &Lines<'_>,
    retry: Duration,
    bar: &ProgressBar,
) -> anyhow::Result<Published> {
    let mut done = 0;
    let mut published = Published::default();
    let mut backoff = Backoff::new(Duration::from_secs(app.settings.amqp.max_backoff_secs));
    let mut stalled_since = Instant::now();
    loop {
        let before = done;
        let mut sent = done;
        let result = session(app, lines, &mut done, &mut sent, bar).await;
        match result {
            Ok(()) => return Ok(published),
            Err(error) if published.reconnections == 0 && sent == 0 => return Err(error),
            Err(error) => {
                if done > before {
                    stalled_since = Instant::now();
                    backoff.reset();
                }
                anyhow::ensure!(
                    stalled_since.elapsed() < retry,
                    "{error:#}; gave up after {}s without progress: {done} of {} lines confirmed \
                     (ingest the file again: a registration published twice is stored once)",
                    retry.as_secs(),
                    lines.len()
                );
                published.resent += (sent - done) as u64;
                published.reconnections += 1;
                let delay = backoff.next_delay();
                tracing::warn!(error = %shared::mask::free_text(&format!("{error:#}")), confirmed = done, retry_in_ms = delay.as_millis() as u64, "lost the broker; publishing again from the first unconfirmed line");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// One connection's worth: publishes `lines[*done..]`, advancing `done`
/// past each line as its confirm arrives (and `sent` past each published).
async fn session(
    app: &App,
    lines: &Lines<'_>,
    done: &mut usize,
    sent: &mut usize,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let connection = shared::amqp::connect(&app.settings.amqp, "prakerja ingest").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), Queue::RegistrationsSubmitted)
        .await
        .context("declaring the queues")?;
    let mut pending = VecDeque::with_capacity(WINDOW);
    for (line, id) in &lines[*done..] {
        let confirm = publisher
            .send(Queue::RegistrationsSubmitted, line, json_properties(id))
            .await?;
        pending.push_back(confirm);
        *sent += 1;
        if pending.len() >= WINDOW
            && let Some(oldest) = pending.pop_front()
        {
            confirmed(oldest).await?;
            *done += 1;
            bar.inc(1);
        }
    }
    while let Some(confirm) = pending.pop_front() {
        confirmed(confirm).await?;
        *done += 1;
        bar.inc(1);
    }
    let _ = connection.close(200, "ingest done".into()).await;
    Ok(())
}
