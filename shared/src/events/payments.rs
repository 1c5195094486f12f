//! Money moving: instructions made, relayed, and answered.

use metrics::counter;

/// Instructions a run created, by kind and provider.
#[derive(Debug)]
pub struct InstructionsCreated<'a> {
    pub kind: &'a str,
    pub provider: &'a str,
    pub count: u64,
}

impl InstructionsCreated<'_> {
    pub fn emit(&self) {
        counter!(
            "prakerja_instructions_created_total",
            "kind" => self.kind.to_owned(),
            "provider" => self.provider.to_owned()
        )
        .increment(self.count);
    }
}

/// Outbox rows published and confirmed.
#[derive(Debug)]
pub struct RelayPublished<'a> {
    pub relay: &'a str,
    pub count: u64,
}

impl RelayPublished<'_> {
    pub fn emit(&self) {
        tracing::debug!(relay = self.relay, sent = self.count, "relay pass done");
        counter!("prakerja_relay_published_total", "relay" => self.relay.to_owned())
            .increment(self.count);
    }
}

/// Payment results recorded in one committed batch, by status and outcome.
#[derive(Debug)]
pub struct ResultsRecorded<'a> {
    /// (status, outcome, count).
    pub counts: &'a [(&'static str, &'static str, u64)],
}

impl ResultsRecorded<'_> {
    pub fn emit(&self) {
        for (status, outcome, count) in self.counts {
            counter!(
                "prakerja_payment_results_total",
                "status" => *status,
                "outcome" => *outcome
            )
            .increment(*count);
        }
    }
}
