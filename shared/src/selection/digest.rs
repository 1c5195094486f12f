//! `input_digest` and `output_digest` (SPEC.md, Outputs).

use sha2::{Digest, Sha256};

use super::entrant::{DrawCandidate, DrawRow};
use super::id::CandidateId;
use super::lines::LineBuffer;
use super::province::Stratum;

/// SHA-256 of `id,family,province,tier\n` lines, fed in id order.
#[derive(Clone, Debug, Default)]
pub struct InputDigest {
    hasher: Sha256,
    lines: LineBuffer,
}

impl InputDigest {
    /// Hashes the next candidates (the caller keeps id order).
    pub fn update<C: DrawCandidate>(&mut self, candidates: &[C]) {
        for candidate in candidates {
            self.lines.push_candidate(candidate);
            if self.lines.is_full() {
                self.hasher.update(self.lines.filled());
                self.lines.clear();
            }
        }
    }

    /// The digest of everything hashed so far.
    pub fn finish(mut self) -> [u8; 32] {
        self.hasher.update(self.lines.filled());
        self.hasher.finalize().into()
    }
}

/// SHA-256 of `stratum,rank,id,status\n` lines (no header), fed in output
/// order.
#[derive(Clone, Debug, Default)]
pub struct OutputDigest {
    hasher: Sha256,
    lines: LineBuffer,
}

impl OutputDigest {
    /// Hashes the next rows.
    pub fn update<R: DrawRow>(&mut self, rows: &[R]) {
        for row in rows {
            self.lines.push_row(row);
            if self.lines.is_full() {
                self.hasher.update(self.lines.filled());
                self.lines.clear();
            }
        }
    }

    /// Hashes ranking slots `[id, status]` of `stratum`, the first one
    /// having rank `first_rank`.
    pub(crate) fn update_slots<I: CandidateId>(
        &mut self,
        stratum: Stratum,
        first_rank: u32,
        slots: &[[I; 2]],
    ) {
        let mut rank = first_rank;
        for &[id, status] in slots {
            self.lines.push_result(stratum, rank, id, status.status());
            rank = rank.wrapping_add(1);
            if self.lines.is_full() {
                self.hasher.update(self.lines.filled());
                self.lines.clear();
            }
        }
    }

    /// The digest of everything hashed so far.
    pub fn finish(mut self) -> [u8; 32] {
        self.hasher.update(self.lines.filled());
        self.hasher.finalize().into()
    }
}

/// The input digest of a candidate list in any order (it is hashed in id
/// order; a sorted list is hashed without copying).
pub fn input_digest<C: DrawCandidate>(candidates: &[C]) -> [u8; 32] {
    let mut digest = InputDigest::default();
    if candidates.is_sorted_by_key(DrawCandidate::id) {
        digest.update(candidates);
    } else {
        let mut sorted = candidates.to_vec();
        sorted.sort_unstable_by_key(DrawCandidate::id);
        digest.update(&sorted);
    }
    digest.finish()
}

/// The output digest of result rows, in the order given.
pub fn output_digest<R: DrawRow>(rows: &[R]) -> [u8; 32] {
    let mut digest = OutputDigest::default();
    digest.update(rows);
    digest.finish()
}
