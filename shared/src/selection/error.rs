//! Errors of the selection module.

use thiserror::Error;

use super::candidate::mask_id;

/// A two-digit code (province or stratum) that is not two ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not 2 ASCII digits")]
pub struct CodeError(pub String);

/// An allocation that is neither `national:K` nor `proportional:K`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("allocation {0:?} is not national:K or proportional:K (K a non-negative integer)")]
pub struct AllocationError(pub String);

/// A status that is not `SELECTED`, `WAITLIST` or `KK_CAP`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("status {0:?} is not SELECTED, WAITLIST or KK_CAP")]
pub struct StatusError(pub String);

/// Why a draw could not run. NIKs and KKs in messages are masked (`pid`s
/// are not personal data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectionError {
    /// The beacon is longer than 64 bytes.
    #[error("beacon is {0} bytes long; at most 64 are allowed")]
    BeaconTooLong(usize),
    /// Two candidates share a NIK.
    #[error("duplicate nik {}", mask_id(*.0))]
    DuplicateNik(u64),
    /// A NIK above 9999999999999999 (not 16 digits).
    #[error("nik {0} does not fit in 16 digits")]
    NikOutOfRange(u64),
    /// A KK above 9999999999999999 (not 16 digits).
    #[error("kk {kk} of nik {} does not fit in 16 digits", mask_id(*.nik))]
    KkOutOfRange {
        /// The candidate's NIK.
        nik: u64,
        /// The offending KK.
        kk: u64,
    },
    /// A prior-count KK above 9999999999999999.
    #[error("prior kk {0} does not fit in 16 digits")]
    PriorKkOutOfRange(u64),
    /// A tier outside 1..=9.
    #[error("tier {tier} of nik {} is outside 1..=9", mask_id(*.nik))]
    TierOutOfRange {
        /// The candidate's NIK.
        nik: u64,
        /// The offending tier.
        tier: u8,
    },
    /// Two v2 candidates share a `pid`.
    #[error("duplicate pid {0:032x}")]
    DuplicatePid(u128),
    /// A tier outside 1..=9 (v2).
    #[error("tier {tier} of pid {pid:032x} is outside 1..=9")]
    PidTierOutOfRange {
        /// The candidate's `pid`.
        pid: u128,
        /// The offending tier.
        tier: u8,
    },
    /// More candidates than ranks fit in 32 bits.
    #[error("{0} candidates: at most 4294967295 are supported")]
    TooManyCandidates(usize),
}
