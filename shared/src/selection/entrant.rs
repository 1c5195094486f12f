//! What the generic draw needs of a candidate and of a result row. v1's
//! [`Candidate`] and [`ResultRow`] keep their field names (`nik`, `kk`);
//! v2's types are in `candidate_v2.rs`. The candidate type chooses the
//! algorithm, at compile time.

use std::fmt::Debug;

use super::algorithm::Algorithm;
use super::candidate::Candidate;
use super::id::CandidateId;
use super::province::{Province, Stratum};
use super::status::{ResultRow, Status};

/// One eligible registration as a draw of some algorithm sees it.
pub trait DrawCandidate: Copy + Debug + PartialEq + Send + Sync + 'static {
    /// `u64` (v1) or `u128` (v2).
    type Id: CandidateId;
    /// The result row of this algorithm.
    type Row: DrawRow<Id = Self::Id>;
    /// The algorithm.
    const ALGORITHM: Algorithm = <Self::Id as CandidateId>::ALGORITHM;
    /// Builds a candidate.
    fn from_parts(id: Self::Id, family: Self::Id, province: Province, tier: u8) -> Self;
    /// The candidate id (NIK or `pid`): unique, sorted on.
    fn id(&self) -> Self::Id;
    /// The family id (KK or `fid`): what the cap counts.
    fn family(&self) -> Self::Id;
    /// The province.
    fn province(&self) -> Province;
    /// The tier, 1 to 9.
    fn tier(&self) -> u8;
}

/// One line of a draw's result: `stratum,rank,id,status`.
pub trait DrawRow: Copy + Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// `u64` (v1) or `u128` (v2).
    type Id: CandidateId;
    /// Builds a row.
    fn from_parts(stratum: Stratum, rank: u32, id: Self::Id, status: Status) -> Self;
    /// The stratum key.
    fn stratum(&self) -> Stratum;
    /// The rank within the stratum, from 1.
    fn rank(&self) -> u32;
    /// The candidate id.
    fn id(&self) -> Self::Id;
    /// The status.
    fn status(&self) -> Status;
    /// The row for messages (a NIK masked).
    fn shown(&self) -> String {
        format!(
            "{},{},{},{}",
            self.stratum(),
            self.rank(),
            self.id().shown(),
            self.status()
        )
    }
}

impl DrawCandidate for Candidate {
    type Id = u64;
    type Row = ResultRow;

    #[inline]
    fn from_parts(nik: u64, kk: u64, province: Province, tier: u8) -> Self {
        Self {
            nik,
            kk,
            province,
            tier,
        }
    }
    #[inline]
    fn id(&self) -> u64 {
        self.nik
    }
    #[inline]
    fn family(&self) -> u64 {
        self.kk
    }
    #[inline]
    fn province(&self) -> Province {
        self.province
    }
    #[inline]
    fn tier(&self) -> u8 {
        self.tier
    }
}

impl DrawRow for ResultRow {
    type Id = u64;

    #[inline]
    fn from_parts(stratum: Stratum, rank: u32, nik: u64, status: Status) -> Self {
        Self {
            stratum,
            rank,
            nik,
            status,
        }
    }
    #[inline]
    fn stratum(&self) -> Stratum {
        self.stratum
    }
    #[inline]
    fn rank(&self) -> u32 {
        self.rank
    }
    #[inline]
    fn id(&self) -> u64 {
        self.nik
    }
    #[inline]
    fn status(&self) -> Status {
        self.status
    }
}
