//! The selection draws `prakerja-selection-v1` and `prakerja-selection-v2`,
//! exactly as specified in `selection-v1/SPEC.md` and `selection-v2/SPEC.md`
//! and pinned by their vectors.
//!
//! - [`draw()`] is pure: candidates and [`DrawParams`] in, [`Draw`] (rows
//!   and [`Manifest`]) out. The order of the candidates does not matter.
//!   Rows are written with [`write_rows_csv`]; [`input_digest`] and
//!   [`output_digest`] recompute the digests on their own.
//! - v1 and v2 share all of it. The candidate type picks the algorithm at
//!   compile time: [`Candidate`] (`nik`, `kk`: `u64`) runs v1,
//!   [`CandidateV2`] (`pid`, `fid`: `u128`) runs v2, through the traits
//!   [`DrawCandidate`], [`DrawRow`] and [`CandidateId`]; v1's code is
//!   monomorphised for 64-bit ids and pays nothing for v2. [`Algorithm`]
//!   names the two at run time (settings, bundle headers, manifests).
//! - [`derive_pid`] and [`FamilyKey::fid`] derive v2's ids, one per
//!   candidate while loading.
//! - [`bundle`] reads and writes the vector-format directory; it is the
//!   only part that does I/O.
//! - [`compare()`] lists the differences between a stored result and a
//!   recomputed one, for audits.
//!
//! Only `ChaCha20Rng::next_u64` is taken from the `rand` ecosystem; the
//! bounded draw and the shuffle are defined here, so a dependency bump
//! cannot change who is selected.
//!
//! Performance: a draw over 10 million candidates sorts (a no-op pass for
//! NIK-ordered input), partitions in O(n) with a stable counting scatter
//! (so tiers need no sort of their own), shuffles each tier in cache-sized
//! pieces and hashes both digests on helper threads, the output digest
//! following the ranking piece by piece. The two SHA-256 streams (about
//! 750 MB for 10 million candidates) dominate the run time.

mod algorithm;
pub mod bundle;
mod candidate;
mod candidate_v2;
mod compare;
mod derive;
mod digest;
mod digits;
mod draw;
mod entrant;
mod error;
mod hex_digits;
mod id;
mod kk_counts;
mod lines;
mod manifest;
mod params;
mod province;
mod quotas;
mod rank;
mod ranking;
mod seed;
mod status;
mod statuses;
mod strata;

#[cfg(test)]
mod tests;

pub use algorithm::{Algorithm, AlgorithmError};
pub use candidate::{Candidate, MAX_ID, mask_id, parse_id};
pub use candidate_v2::{CandidateV2, Fid, Pid, ResultRowV2};
pub use compare::{Difference, MAX_ROW_DIFFERENCES, compare};
pub use derive::{FamilyKey, FamilyKeyError, PID_LABEL, derive_pid};
pub use digest::{InputDigest, OutputDigest, input_digest, output_digest};
pub use digits::sixteen;
pub use draw::{Draw, draw};
pub use entrant::{DrawCandidate, DrawRow};
pub use error::{AllocationError, CodeError, SelectionError, StatusError};
pub use hex_digits::{hex32, parse_hex32};
pub use id::CandidateId;
pub use lines::{RESULT_HEADER, write_rows_csv};
pub use manifest::{Manifest, REQUIRED_FIELDS};
pub use params::{Allocation, DrawParams};
pub use province::{Province, Stratum};
pub use quotas::quotas;
pub use rank::{bounded, shuffle, shuffle_prefix};
pub use seed::{MAX_BEACON_LEN, SEED_LABEL, commitment, stratum_rng, wave_seed, wave_seed_of};
pub use status::{ResultRow, Status};

/// The name v1 records in its manifests.
pub const ALGORITHM: &str = Algorithm::V1.name();
