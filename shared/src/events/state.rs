//! State read from the database when metrics are scraped: gauges that say
//! how things stand, whichever process changed them.

use metrics::gauge;

/// An outbox's backlog.
#[derive(Debug)]
pub struct RelayLag<'a> {
    pub relay: &'a str,
    pub waiting: i64,
    pub oldest_seconds: f64,
}

impl RelayLag<'_> {
    pub fn emit(&self) {
        gauge!("prakerja_relay_waiting", "relay" => self.relay.to_owned()).set(self.waiting as f64);
        gauge!("prakerja_relay_oldest_seconds", "relay" => self.relay.to_owned())
            .set(self.oldest_seconds);
    }
}

/// Instructions of one status and provider.
#[derive(Debug)]
pub struct InstructionCount<'a> {
    pub status: &'a str,
    pub provider: &'a str,
    pub count: i64,
}

impl InstructionCount<'_> {
    pub fn emit(&self) {
        gauge!(
            "prakerja_instructions",
            "status" => self.status.to_owned(),
            "provider" => self.provider.to_owned()
        )
        .set(self.count as f64);
    }
}

/// Whether payments to a provider (`*`: all) are paused.
#[derive(Debug)]
pub struct PaymentsPaused<'a> {
    pub provider: &'a str,
    pub paused: bool,
}

impl PaymentsPaused<'_> {
    pub fn emit(&self) {
        gauge!("prakerja_payments_paused", "provider" => self.provider.to_owned())
            .set(if self.paused { 1.0 } else { 0.0 });
    }
}

/// Runs waiting for a second operator.
#[derive(Debug)]
pub struct ApprovalsWaiting {
    pub runs: i64,
}

impl ApprovalsWaiting {
    pub fn emit(&self) {
        gauge!("prakerja_runs_awaiting_approval").set(self.runs as f64);
    }
}
