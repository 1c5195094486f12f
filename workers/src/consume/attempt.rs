//! One attempt at storing items, and what stands in its way. A panic in the
//! handler is caught here (the batch task is the handler's boundary), so a
//! message that makes decoding or storing panic is found and dead-lettered
//! like any other the database refuses, and its batch's others are stored.
//! Database errors are classified (`shared::db::classify`): only data the
//! database refuses sets a message aside; an infrastructure fault or a bug
//! is waited out with backoff, holding the batch (and so the consumer,
//! once its prefetch is in hand) until it clears.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use shared::backoff::Backoff;
use shared::db::{Fault, classify};
use shared::events::DatabaseRetry;
use tokio_util::sync::CancellationToken;

use super::Handler;

/// Why items were not stored.
#[derive(Debug)]
pub enum Refusal {
    /// The database refused the data (`Fault::DataRejected`).
    Database(sqlx::Error),
    /// The handler panicked; the panic's message, masked.
    Panic(String),
}

impl Refusal {
    /// The reason a dead letter carries.
    pub fn reason(&self, what: &str) -> String {
        match self {
            Refusal::Database(error) => format!("the database refused {what}: {error}"),
            Refusal::Panic(message) => format!("storing {what} panicked: {message}"),
        }
    }
}

/// Stores `items`, waiting out infrastructure faults and bugs with backoff.
/// `Ok(Err(_))`: the data was refused or the handler panicked. `Err`:
/// `shutdown` fired while waiting.
pub async fn store_waiting<H: Handler>(
    handler: &H,
    items: &[H::Item],
    backoff: &mut Backoff,
    shutdown: &CancellationToken,
) -> anyhow::Result<Result<H::Outcome, Refusal>> {
    let queue = handler.queue().base_name();
    loop {
        let attempt = AssertUnwindSafe(handler.store(items)).catch_unwind().await;
        let error = match attempt {
            Ok(Ok(outcome)) => {
                backoff.reset();
                return Ok(Ok(outcome));
            }
            Ok(Err(error)) => error,
            Err(panic) => return Ok(Err(Refusal::Panic(panic_message(&*panic)))),
        };
        let fault = classify(&error);
        if fault == Fault::DataRejected {
            return Ok(Err(Refusal::Database(error)));
        }
        if fault == Fault::Bug {
            tracing::error!(
                error = %shared::mask::free_text(&error.to_string()),
                "a database error no message can cause (a bug or a schema that does not match): \
                 holding the batch, dead-lettering nothing"
            );
        }
        let delay = backoff.next_delay();
        DatabaseRetry {
            queue,
            error: &error,
            retry_in: delay,
        }
        .emit();
        tokio::select! {
            () = shutdown.cancelled() => anyhow::bail!("stopped while the database was unavailable"),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Decodes a body, a panic in the decoder becoming an error.
pub fn decode_caught<H: Handler>(handler: &H, body: &[u8]) -> Result<H::Item, String> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| handler.decode(body))) {
        Ok(decoded) => decoded,
        Err(panic) => Err(format!("decoding panicked: {}", panic_message(&*panic))),
    }
}

/// A panic's message, masked (`shared::mask::free_text`).
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.as_str()
    } else {
        "(no message)"
    };
    shared::mask::free_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_message_is_masked() {
        let caught = std::panic::catch_unwind(|| {
            panic!("bad nik 3171014708900001");
        })
        .expect_err("panicked");
        assert_eq!(panic_message(&*caught), "bad nik 3171**********01");
        let caught =
            std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).expect_err("panicked");
        assert_eq!(panic_message(&*caught), "(no message)");
    }
}
