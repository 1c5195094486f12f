//! Structured logs through `tracing-subscriber`: human-readable by default,
//! JSON on request. `get_subscriber` takes its sink so tests can silence logs.

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Registry};

use crate::config::LogFormat;

/// A subscriber writing to `sink`, filtered by `RUST_LOG` or else `filter`.
pub fn get_subscriber<Sink>(
    filter: &str,
    format: LogFormat,
    sink: Sink,
) -> Box<dyn Subscriber + Send + Sync>
where
    Sink: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let registry = Registry::default().with(filter);
    match format {
        LogFormat::Human => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .with_writer(sink)
                    .with_target(false),
            ),
        ),
        LogFormat::Json => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_writer(sink),
            ),
        ),
    }
}

/// Installs `subscriber` for the whole process. Call once, first thing.
pub fn init_subscriber(subscriber: Box<dyn Subscriber + Send + Sync>) {
    // A second call (tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Logs go to stderr, so that `--json` output on stdout stays machine-readable.
/// Panics are logged too, their message masked (`mask_panics`).
pub fn init(filter: &str, format: LogFormat) {
    init_subscriber(get_subscriber(filter, format, std::io::stderr));
    mask_panics();
}

/// Replaces the panic hook: a panic is logged as an error with its message
/// masked (`mask::free_text`) and its location, instead of printed as is
/// (a panic message may quote a message's personal numbers).
pub fn mask_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            panic = %crate::mask::free_text(message),
            %location,
            "panicked"
        );
    }));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A log sink the test can read.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_panic_is_logged_with_its_message_masked() {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = get_subscriber("error", LogFormat::Json, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            mask_panics();
            let caught = std::panic::catch_unwind(|| panic!("bad NIK 3171014708900001"));
            drop(std::panic::take_hook());
            assert!(caught.is_err());
        });
        let logged = String::from_utf8(sink.0.lock().expect("sink").clone()).expect("utf-8");
        assert!(logged.contains("bad NIK 3171**********01"), "{logged}");
        assert!(!logged.contains("3171014708900001"), "{logged}");
    }
}
