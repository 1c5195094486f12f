//! The selection draw `prakerja-selection-v1`, exactly as specified in
//! `SPEC.md` (shared/selection-v1) and pinned by its vectors.
//!
//! - [`draw()`] is pure: candidates and [`DrawParams`] in, [`Draw`] (rows
//!   and [`Manifest`]) out. The order of the candidates does not matter.
//!   Rows are written with [`write_rows_csv`]; [`input_digest`] and
//!   [`output_digest`] recompute the digests on their own.
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

pub mod bundle;
mod candidate;
mod compare;
mod digest;
mod digits;
mod draw;
mod error;
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

pub use candidate::{Candidate, MAX_ID, mask_id, parse_id};
pub use compare::{Difference, MAX_ROW_DIFFERENCES, compare};
pub use digest::{InputDigest, OutputDigest, input_digest, output_digest};
pub use digits::sixteen;
pub use draw::{Draw, draw};
pub use error::{AllocationError, CodeError, SelectionError, StatusError};
pub use lines::{RESULT_HEADER, write_rows_csv};
pub use manifest::{Manifest, REQUIRED_FIELDS};
pub use params::{Allocation, DrawParams};
pub use province::{Province, Stratum};
pub use quotas::quotas;
pub use rank::{bounded, shuffle, shuffle_prefix};
pub use seed::{MAX_BEACON_LEN, SEED_LABEL, commitment, stratum_rng, wave_seed};
pub use status::{ResultRow, Status};

/// The algorithm name recorded in every manifest.
pub const ALGORITHM: &str = "prakerja-selection-v1";
