//! What operators watch: every worker serves Prometheus metrics (`GET
//! /metrics`), `/healthz` (the process answers) and `/readyz` (connected to
//! PostgreSQL and RabbitMQ, every consumer and relay session live) on the
//! address `[metrics]` gives it. The counters themselves are the typed
//! events of `shared::events`; state gauges (relay lag, instructions by
//! status and provider, pauses, approvals waiting) are read from the
//! database at each scrape (`samplers.rs`).

mod health;
mod recorder;
mod samplers;
mod server;

pub use health::{Readiness, readiness};
pub use server::{Observed, start, start_worker};
