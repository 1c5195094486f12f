//! The states of the money as the database stores them: an instruction's
//! status, what a result did, ledger entries and operators' resolutions.
//! Each maps to exactly the values of its column's CHECK list
//! (`shared/migrations/`); an unknown value read back is an error.

use serde::{Deserialize, Serialize};

use crate::db_text;
use crate::db_text::DbText;
use crate::messages::{PaymentKind, PaymentStatus};

/// Where one attempt at paying an entitlement stands
/// (`payment_instructions.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstructionStatus {
    /// Sent, no answer yet: *unknown*, never *failed*.
    Pending,
    Success,
    Failed,
    /// Paid, then undone by the provider.
    Reversed,
}

impl DbText for InstructionStatus {
    const ALL: &'static [Self] = &[Self::Pending, Self::Success, Self::Failed, Self::Reversed];
    const WHAT: &'static str = "instruction status";
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Reversed => "reversed",
        }
    }
}
db_text!(InstructionStatus);

/// What a received result did (`payment_results.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultOutcome {
    /// Moved the instruction's status forward.
    Applied,
    /// A copy of a result already received, or the status already held.
    Duplicate,
    /// A success arriving after the reversal that undid it.
    Stale,
    /// Contradicts a final status: the entitlement is on hold.
    Conflict,
    /// Names no instruction this system sent.
    UnknownInstruction,
    /// Its idempotency key is not its instruction's.
    KeyMismatch,
}

impl ResultOutcome {
    /// Whether an operator must resolve or acknowledge it.
    pub fn needs_operator(self) -> bool {
        matches!(
            self,
            Self::Conflict | Self::UnknownInstruction | Self::KeyMismatch
        )
    }
}

impl DbText for ResultOutcome {
    const ALL: &'static [Self] = &[
        Self::Applied,
        Self::Duplicate,
        Self::Stale,
        Self::Conflict,
        Self::UnknownInstruction,
        Self::KeyMismatch,
    ];
    const WHAT: &'static str = "result outcome";
    fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Stale => "stale",
            Self::Conflict => "conflict",
            Self::UnknownInstruction => "unknown_instruction",
            Self::KeyMismatch => "key_mismatch",
        }
    }
}
db_text!(ResultOutcome);

/// A line of the ledger (`ledger_entries.entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntryKind {
    /// Money out, as the gateway confirmed (positive).
    Paid,
    /// A confirmed payment undone by the provider (negative).
    Reversed,
    /// A revoked participant's card balance back to the state (negative).
    Returned,
    /// An operator's resolution moved an instruction's net (either sign).
    Corrected,
    /// An overpayment recovered from the participant (negative).
    Recovered,
}

impl DbText for LedgerEntryKind {
    const ALL: &'static [Self] = &[
        Self::Paid,
        Self::Reversed,
        Self::Returned,
        Self::Corrected,
        Self::Recovered,
    ];
    const WHAT: &'static str = "ledger entry";
    fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Reversed => "reversed",
            Self::Returned => "returned",
            Self::Corrected => "corrected",
            Self::Recovered => "recovered",
        }
    }
}
db_text!(LedgerEntryKind);

/// An operator's decision on results not believed
/// (`payment_resolutions.decision`, `prakerja disburse resolve --as`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The instruction's money went out and stayed out.
    Success,
    /// It did not go out (or came back).
    Failed,
    /// It went out as well as another attempt's, and has been recovered.
    Recovered,
    /// Results with a wrong key or for an unknown instruction were reviewed.
    Acknowledged,
}

impl DbText for Decision {
    const ALL: &'static [Self] = &[
        Self::Success,
        Self::Failed,
        Self::Recovered,
        Self::Acknowledged,
    ];
    const WHAT: &'static str = "resolution";
    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Recovered => "recovered",
            Self::Acknowledged => "acknowledged",
        }
    }
}
db_text!(Decision);

impl DbText for PaymentKind {
    const ALL: &'static [Self] = &PaymentKind::ALL;
    const WHAT: &'static str = "payment kind";
    fn as_str(self) -> &'static str {
        PaymentKind::as_str(self)
    }
}
db_text!(PaymentKind);

impl DbText for PaymentStatus {
    const ALL: &'static [Self] = &[Self::Success, Self::Failed, Self::Reversed];
    const WHAT: &'static str = "payment result status";
    fn as_str(self) -> &'static str {
        PaymentStatus::as_str(self)
    }
}
db_text!(PaymentStatus);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: DbText + std::fmt::Debug>() {
        for value in T::ALL {
            assert_eq!(T::parse(value.as_str()), Ok(*value));
        }
        let error = T::parse("nonsense").expect_err("unknown");
        assert!(error.to_string().contains("\"nonsense\""), "{error}");
        assert!(error.to_string().contains(T::WHAT), "{error}");
    }

    #[test]
    fn every_state_maps_both_ways_and_an_unknown_one_is_an_error() {
        round_trip::<InstructionStatus>();
        round_trip::<ResultOutcome>();
        round_trip::<LedgerEntryKind>();
        round_trip::<Decision>();
        round_trip::<PaymentKind>();
        round_trip::<PaymentStatus>();
    }
}
