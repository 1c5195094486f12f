//! Candidate and family ids as the draw sees them: v1's NIK and KK are
//! `u64` (16 decimal digits), v2's `pid` and `fid` are `u128` (32 hex
//! digits). In both, numeric order is the byte order of the text, so the
//! draw sorts numbers. The id type also fixes the algorithm, so v1 keeps
//! its 64-bit slots and pays nothing for v2.

use std::fmt::Debug;
use std::hash::Hash;

use super::algorithm::Algorithm;
use super::candidate::{MAX_ID, mask_id, parse_id};
use super::digits::sixteen_words;
use super::error::SelectionError;
use super::hex_digits::{hex32_words, parse_hex32};
use super::status::Status;

/// An id type of the draw: `u64` (v1) or `u128` (v2).
pub trait CandidateId: Copy + Ord + Hash + Default + Debug + Send + Sync + 'static {
    /// The algorithm these ids belong to.
    const ALGORITHM: Algorithm;
    /// Length of the text form in bytes.
    const TEXT_LEN: usize;
    /// Whether the value has a text form (v1: at most 16 digits).
    fn in_range(self) -> bool;
    /// Parses the text form; `None` unless it is exactly right.
    fn parse(text: &str) -> Option<Self>;
    /// Writes the text form (in range only) into `line[at..at + TEXT_LEN]`
    /// with whole-word stores.
    fn put(self, line: &mut [u8], at: usize);
    /// The text form (`format!`; the slow path).
    fn text(self) -> String;
    /// For messages and logs: a NIK or KK masked, a `pid` or `fid` whole
    /// (they are not personal data).
    fn shown(self) -> String;
    /// A status, stored in a ranking slot in place of the family id.
    fn from_status(status: Status) -> Self;
    /// The status stored by [`from_status`](Self::from_status).
    fn status(self) -> Status;
    /// Why a candidate with this id and family is out of range, if it is.
    fn range_problem(id: Self, family: Self) -> Option<SelectionError>;
    /// Why a prior count's family is out of range, if it is.
    fn prior_problem(family: Self) -> Option<SelectionError>;
    /// Two candidates share this id.
    fn duplicate(self) -> SelectionError;
    /// This candidate's tier is outside 1..=9.
    fn bad_tier(self, tier: u8) -> SelectionError;
}

#[inline]
fn put_words(line: &mut [u8], at: usize, words: &[u64]) {
    for (i, word) in words.iter().enumerate() {
        line[at + 8 * i..at + 8 * i + 8].copy_from_slice(&word.to_le_bytes());
    }
}

impl CandidateId for u64 {
    const ALGORITHM: Algorithm = Algorithm::V1;
    const TEXT_LEN: usize = 16;

    #[inline]
    fn in_range(self) -> bool {
        self <= MAX_ID
    }
    fn parse(text: &str) -> Option<Self> {
        parse_id(text)
    }
    #[inline]
    fn put(self, line: &mut [u8], at: usize) {
        put_words(line, at, &sixteen_words(self));
    }
    fn text(self) -> String {
        format!("{self:016}")
    }
    fn shown(self) -> String {
        mask_id(self)
    }
    #[inline]
    fn from_status(status: Status) -> Self {
        status.code()
    }
    #[inline]
    fn status(self) -> Status {
        Status::from_code(self)
    }
    fn range_problem(nik: Self, kk: Self) -> Option<SelectionError> {
        if nik > MAX_ID {
            Some(SelectionError::NikOutOfRange(nik))
        } else if kk > MAX_ID {
            Some(SelectionError::KkOutOfRange { nik, kk })
        } else {
            None
        }
    }
    fn prior_problem(kk: Self) -> Option<SelectionError> {
        (kk > MAX_ID).then_some(SelectionError::PriorKkOutOfRange(kk))
    }
    fn duplicate(self) -> SelectionError {
        SelectionError::DuplicateNik(self)
    }
    fn bad_tier(self, tier: u8) -> SelectionError {
        SelectionError::TierOutOfRange { nik: self, tier }
    }
}

impl CandidateId for u128 {
    const ALGORITHM: Algorithm = Algorithm::V2;
    const TEXT_LEN: usize = 32;

    #[inline]
    fn in_range(self) -> bool {
        true
    }
    fn parse(text: &str) -> Option<Self> {
        parse_hex32(text)
    }
    #[inline]
    fn put(self, line: &mut [u8], at: usize) {
        put_words(line, at, &hex32_words(self));
    }
    fn text(self) -> String {
        format!("{self:032x}")
    }
    fn shown(self) -> String {
        self.text()
    }
    #[inline]
    fn from_status(status: Status) -> Self {
        u128::from(status.code())
    }
    #[inline]
    fn status(self) -> Status {
        Status::from_code(self as u64)
    }
    fn range_problem(_: Self, _: Self) -> Option<SelectionError> {
        None
    }
    fn prior_problem(_: Self) -> Option<SelectionError> {
        None
    }
    fn duplicate(self) -> SelectionError {
        SelectionError::DuplicatePid(self)
    }
    fn bad_tier(self, tier: u8) -> SelectionError {
        SelectionError::PidTierOutOfRange { pid: self, tier }
    }
}
