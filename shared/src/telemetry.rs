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
