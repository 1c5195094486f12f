//! `Debug` for the messages that hold personal numbers: NIK, phone, card and
//! account masked (`crate::mask`), names and e-mails left out, so that a
//! `{:?}` in a log line or a panic message leaks none of them.

use std::fmt;

use crate::mask::{self, Masked};
use crate::messages::{ParticipantSelected, PaymentInstruction, Payout, TrainingEvent};

impl fmt::Debug for ParticipantSelected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParticipantSelected")
            .field("wave_id", &self.wave_id)
            .field("nik", &mask::nik(&self.nik))
            .field("stratum", &self.stratum)
            .field("rank", &self.rank)
            .field("registration_id", &self.registration_id)
            .field("phone", &mask::phone(&self.phone))
            .field("card_number", &mask::account(&self.card_number))
            .field("purchase_deadline", &self.purchase_deadline)
            .field("replaces_nik", &Masked(self.replaces_nik.as_deref()))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for TrainingEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrainingEvent")
            .field("event_id", &mask::free_text(&self.event_id))
            .field("nik", &mask::nik(&self.nik))
            .field("kind", &self.kind)
            .field("platform", &self.platform)
            .field("course_id", &self.course_id)
            .field("amount", &self.amount)
            .field("occurred_at", &self.occurred_at)
            .field("survey_no", &self.survey_no)
            .finish()
    }
}

impl fmt::Debug for Payout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payout")
            .field("method", &self.method)
            .field("provider", &self.provider)
            .field("account", &mask::account(&self.account))
            .finish()
    }
}

impl fmt::Debug for PaymentInstruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentInstruction")
            .field("instruction_id", &self.instruction_id)
            .field("idempotency_key", &self.idempotency_key)
            .field("wave_id", &self.wave_id)
            .field("nik", &mask::nik(&self.nik))
            .field("kind", &self.kind)
            .field("installment", &self.installment)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .field("payout", &self.payout)
            .field("value_date", &self.value_date)
            .field("created_at", &self.created_at)
            .field("run_date", &self.run_date)
            .field("attempt", &self.attempt)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_the_numbers() {
        let event: TrainingEvent = serde_json::from_str(
            r#"{"event_id": "e1", "nik": "3171014708900001", "kind": "purchased",
                "platform": "p", "occurred_at": "2026-11-30T10:00:00+07:00"}"#,
        )
        .expect("event");
        let text = format!("{event:?}");
        assert!(!text.contains("3171014708900001"), "{text}");
        assert!(text.contains("3171**********01"), "{text}");
        let payout = Payout {
            method: "BANK".into(),
            provider: "BCA".into(),
            account: "1234567890".into(),
        };
        assert!(!format!("{payout:?}").contains("1234567890"));
    }
}
