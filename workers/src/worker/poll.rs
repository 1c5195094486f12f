//! The loop that drives work found in the database (draw jobs, run
//! requests): one step at a time, woken early by a notification, backing off
//! after failures and back to full speed after a success.

use std::future::Future;
use std::time::Duration;

use shared::backoff::Backoff;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What a step asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Step again at once (there may be more work).
    Now,
    /// Step again after this long, or when woken.
    After(Duration),
    /// Stop the loop (shutdown was seen inside the step).
    Stop,
}

/// Runs `step` until `shutdown` or [`Next::Stop`]. A failed step is logged
/// with `what` and retried after a growing delay up to `max_backoff`.
pub async fn poll<F, Fut>(
    what: &str,
    max_backoff: Duration,
    wake: &Notify,
    shutdown: &CancellationToken,
    mut step: F,
) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Next>>,
{
    let mut backoff = Backoff::new(max_backoff);
    loop {
        if shutdown.is_cancelled() {
            return Ok(());
        }
        let delay = match step().await {
            Ok(Next::Now) => {
                backoff.reset();
                continue;
            }
            Ok(Next::After(delay)) => {
                backoff.reset();
                delay
            }
            Ok(Next::Stop) => return Ok(()),
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %shared::mask::free_text(&format!("{error:#}")), retry_in_ms = delay.as_millis() as u64, "{what} failed; retrying");
                delay
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = wake.notified() => {}
            () = tokio::time::sleep(delay) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn failures_are_retried_and_stop_ends_the_loop() {
        let calls = AtomicU32::new(0);
        let wake = Notify::new();
        let shutdown = CancellationToken::new();
        poll(
            "test step",
            Duration::from_millis(1),
            &wake,
            &shutdown,
            || {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match call {
                        0 | 1 => anyhow::bail!("not yet"),
                        2 => Ok(Next::Now),
                        _ => Ok(Next::Stop),
                    }
                }
            },
        )
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn shutdown_ends_a_waiting_loop() {
        let wake = Notify::new();
        let shutdown = CancellationToken::new();
        let stopper = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            stopper.cancel();
        });
        poll(
            "test step",
            Duration::from_secs(1),
            &wake,
            &shutdown,
            || async { Ok(Next::After(Duration::from_secs(3600))) },
        )
        .await
        .unwrap();
    }
}
