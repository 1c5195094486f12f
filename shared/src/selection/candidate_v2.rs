//! v2's candidate and result row: pseudonymous ids instead of NIK and KK
//! (selection-v2/SPEC.md). Print ids with `{:032x}`.

use super::entrant::{DrawCandidate, DrawRow};
use super::province::{Province, Stratum};
use super::status::Status;

/// A `pid`: the first 16 bytes of SHA-256 over the registration id
/// ([`derive_pid`](super::derive_pid)), read big-endian, so that numeric
/// order is the byte order of its 32 hex digits.
pub type Pid = u128;

/// A `fid`: the first 16 bytes of HMAC-SHA256 over the KK under the
/// programme's family key ([`FamilyKey::fid`](super::FamilyKey::fid)).
pub type Fid = u128;

/// One eligible registration as a v2 draw sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CandidateV2 {
    /// Pseudonymous candidate id (unique among candidates).
    pub pid: Pid,
    /// Pseudonymous family id.
    pub fid: Fid,
    /// Province of the registration.
    pub province: Province,
    /// Priority tier, 1 (highest) to 9.
    pub tier: u8,
}

/// One line of a v2 result: `stratum,rank,pid,status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResultRowV2 {
    /// `"00"` (national) or the province code.
    pub stratum: Stratum,
    /// Position in the stratum's ranking, from 1.
    pub rank: u32,
    /// The candidate's `pid`.
    pub pid: Pid,
    /// The candidate's outcome.
    pub status: Status,
}

impl DrawCandidate for CandidateV2 {
    type Id = u128;
    type Row = ResultRowV2;

    #[inline]
    fn from_parts(pid: u128, fid: u128, province: Province, tier: u8) -> Self {
        Self {
            pid,
            fid,
            province,
            tier,
        }
    }
    #[inline]
    fn id(&self) -> u128 {
        self.pid
    }
    #[inline]
    fn family(&self) -> u128 {
        self.fid
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

impl DrawRow for ResultRowV2 {
    type Id = u128;

    #[inline]
    fn from_parts(stratum: Stratum, rank: u32, pid: u128, status: Status) -> Self {
        Self {
            stratum,
            rank,
            pid,
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
    fn id(&self) -> u128 {
        self.pid
    }
    #[inline]
    fn status(&self) -> Status {
        self.status
    }
}
