//! The validator's judgements, once committed.

use metrics::counter;

/// A batch of registrations committed.
#[derive(Debug, Default)]
pub struct RegistrationsStored {
    /// Stored for the first time, eligible.
    pub eligible: u64,
    /// Stored for the first time, rejected.
    pub rejected: u64,
    /// Rejected registrations by reason code (one registration counts once
    /// per reason it carries).
    pub reasons: Vec<(&'static str, u64)>,
    /// Received again after they were stored (changed nothing).
    pub redelivered: u64,
    /// Stored registrations newly marked `DUPLICATE_NIK`.
    pub marked_duplicate: u64,
}

impl RegistrationsStored {
    pub fn emit(&self) {
        tracing::debug!(
            eligible = self.eligible,
            rejected = self.rejected,
            redelivered = self.redelivered,
            marked_duplicate = self.marked_duplicate,
            "registrations stored"
        );
        counter!("prakerja_registrations_stored_total", "status" => "eligible")
            .increment(self.eligible);
        counter!("prakerja_registrations_stored_total", "status" => "rejected")
            .increment(self.rejected);
        for (reason, count) in &self.reasons {
            counter!("prakerja_registrations_rejected_total", "reason" => *reason)
                .increment(*count);
        }
        counter!("prakerja_registrations_redelivered_total").increment(self.redelivered);
        counter!("prakerja_registrations_marked_duplicate_total").increment(self.marked_duplicate);
    }
}
