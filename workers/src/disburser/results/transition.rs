//! What one believed result does to its instruction (pure): the rules of
//! CONTRACTS.md, "PaymentResult". Statuses only move forward; a duplicate
//! changes nothing; a result contradicting a final status is a conflict.

use shared::messages::PaymentStatus;
use shared::payments::InstructionStatus;

/// The classification of one result against the instruction's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Moves the status forward to `to`; `paid` and `reversed` say which
    /// ledger entries to write.
    Apply {
        to: InstructionStatus,
        paid: bool,
        reversed: bool,
    },
    /// The status already is this.
    Duplicate,
    /// A success arriving after the reversal that undid it: a late copy.
    Stale,
    /// Contradicts a final status: recorded, the entitlement put on hold.
    Conflict,
}

/// What a result with status `result` does to an instruction in `status`.
pub fn transition(status: InstructionStatus, result: PaymentStatus) -> Transition {
    use InstructionStatus as I;
    use PaymentStatus as R;
    match (status, result) {
        (I::Pending, R::Success) => Transition::Apply {
            to: I::Success,
            paid: true,
            reversed: false,
        },
        (I::Pending, R::Failed) => Transition::Apply {
            to: I::Failed,
            paid: false,
            reversed: false,
        },
        // A reversal overtook its success: it was paid, then undone.
        (I::Pending, R::Reversed) => Transition::Apply {
            to: I::Reversed,
            paid: true,
            reversed: true,
        },
        // The normal way back to a new attempt.
        (I::Success, R::Reversed) => Transition::Apply {
            to: I::Reversed,
            paid: false,
            reversed: true,
        },
        (I::Success, R::Success) | (I::Failed, R::Failed) | (I::Reversed, R::Reversed) => {
            Transition::Duplicate
        }
        (I::Reversed, R::Success) => Transition::Stale,
        // Paid and not paid at once: money may have gone out, or not. A
        // reversal after a failure claims a success the gateway denied.
        (I::Success, R::Failed)
        | (I::Failed, R::Success)
        | (I::Reversed, R::Failed)
        | (I::Failed, R::Reversed) => Transition::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InstructionStatus as I;
    use PaymentStatus as R;

    #[test]
    fn every_status_against_every_result() {
        let conflict = Transition::Conflict;
        let cases = [
            (I::Success, R::Success, Transition::Duplicate),
            (I::Success, R::Failed, conflict),
            (
                I::Success,
                R::Reversed,
                Transition::Apply {
                    to: I::Reversed,
                    paid: false,
                    reversed: true,
                },
            ),
            (I::Failed, R::Success, conflict),
            (I::Failed, R::Failed, Transition::Duplicate),
            (I::Failed, R::Reversed, conflict),
            (I::Reversed, R::Success, Transition::Stale),
            (I::Reversed, R::Failed, conflict),
            (I::Reversed, R::Reversed, Transition::Duplicate),
        ];
        for (status, result, expected) in cases {
            assert_eq!(transition(status, result), expected, "{status} + {result}");
        }
        for result in [R::Success, R::Failed, R::Reversed] {
            assert!(matches!(
                transition(I::Pending, result),
                Transition::Apply { .. }
            ));
        }
    }
}
