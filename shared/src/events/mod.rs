//! Typed internal events, as vector's `internal_events`: each is a struct
//! whose `emit()` logs it and counts it, with the same labels every time, in
//! one place. Code that does something worth counting builds an event and
//! emits it; nothing else calls `metrics` or logs these facts.
//!
//! Metric names start with `prakerja_`; `queue` labels carry the contract's
//! queue name (no prefix), so dashboards do not depend on deployment. With no
//! recorder installed (the CLI, tests in one process) counting does nothing.
//! Every metric is listed in [`DESCRIPTIONS`], which the exporter registers
//! with its help text.

mod amqp;
mod consume;
mod payments;
mod registrations;
mod runs;
mod state;

pub use amqp::SessionEnded;
pub use consume::{BatchSettled, DatabaseRetry, DeadKind, DeadLettered};
pub use payments::{InstructionsCreated, RelayPublished, ResultsRecorded};
pub use registrations::RegistrationsStored;
pub use runs::{DrawFinished, RunFinished};
pub use state::{ApprovalsWaiting, InstructionCount, PaymentsPaused, RelayLag};

/// Every metric: name, kind and help text.
pub const DESCRIPTIONS: &[(&str, Kind, &str)] = &[
    (
        "prakerja_messages_consumed_total",
        Kind::Counter,
        "Deliveries settled (stored or dead-lettered, then acked), by queue.",
    ),
    (
        "prakerja_messages_stored_total",
        Kind::Counter,
        "Decoded messages whose batch committed, by queue.",
    ),
    (
        "prakerja_messages_dead_lettered_total",
        Kind::Counter,
        "Messages published to <queue>.dead, by queue and reason (undecodable, refused_by_database, oversized, panicked).",
    ),
    (
        "prakerja_batch_size",
        Kind::Histogram,
        "Deliveries per settled batch, by queue.",
    ),
    (
        "prakerja_batch_seconds",
        Kind::Histogram,
        "Time to settle a batch (store and dead-letter), by queue.",
    ),
    (
        "prakerja_database_retries_total",
        Kind::Counter,
        "Batches retried because PostgreSQL was unavailable, by queue.",
    ),
    (
        "prakerja_amqp_reconnects_total",
        Kind::Counter,
        "RabbitMQ sessions that ended in an error and are being rebuilt, by connection.",
    ),
    (
        "prakerja_registrations_stored_total",
        Kind::Counter,
        "Registrations stored for the first time, by status (eligible, rejected).",
    ),
    (
        "prakerja_registrations_rejected_total",
        Kind::Counter,
        "Registrations stored rejected at their first judgement, by reason (one registration counts once per reason; DUPLICATE_NIK, settled after, is prakerja_registrations_marked_duplicate_total).",
    ),
    (
        "prakerja_registrations_redelivered_total",
        Kind::Counter,
        "Registrations received again after they were stored (changed nothing).",
    ),
    (
        "prakerja_registrations_marked_duplicate_total",
        Kind::Counter,
        "Stored registrations later marked DUPLICATE_NIK.",
    ),
    (
        "prakerja_relay_published_total",
        Kind::Counter,
        "Outbox rows published and confirmed, by relay.",
    ),
    (
        "prakerja_relay_waiting",
        Kind::Gauge,
        "Outbox rows waiting to be published, by relay (database-wide).",
    ),
    (
        "prakerja_relay_oldest_seconds",
        Kind::Gauge,
        "Age of the oldest outbox row waiting, by relay (database-wide).",
    ),
    (
        "prakerja_payment_results_total",
        Kind::Counter,
        "Payment results recorded, by status and outcome (applied, duplicate, stale, conflict, unknown_instruction, key_mismatch).",
    ),
    (
        "prakerja_instructions_created_total",
        Kind::Counter,
        "Payment instructions created by runs, by kind and provider.",
    ),
    (
        "prakerja_instructions",
        Kind::Gauge,
        "Payment instructions by status and provider (database-wide).",
    ),
    (
        "prakerja_payments_paused",
        Kind::Gauge,
        "1 while payments are paused, by provider (\"*\": all providers; database-wide).",
    ),
    (
        "prakerja_runs_awaiting_approval",
        Kind::Gauge,
        "Runs over the approval ceiling waiting for a second operator (database-wide).",
    ),
    (
        "prakerja_draw_seconds",
        Kind::Histogram,
        "Duration of a draw, from loading its inputs to storing it.",
    ),
    (
        "prakerja_run_seconds",
        Kind::Histogram,
        "Duration of one execution of a disbursement run.",
    ),
];

/// A metric's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}
