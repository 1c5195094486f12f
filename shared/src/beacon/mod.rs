//! The draw's public randomness: a round of a drand chain (CONTRACTS.md,
//! "The draw's randomness"), pure. A chain's parameters are pinned in
//! configuration and frozen into a wave when it opens ([`Chain`]); the round
//! is derived from the moment the draw's inputs were frozen, never chosen
//! ([`Chain::round_for`]); a round's BLS signature is verified against the
//! pinned key with `drand-verify`, and the beacon is its randomness, the
//! SHA-256 of the signature ([`verify_round`]). [`PublishedBeacon`] is what
//! a manifest publishes, and [`PublishedBeacon::findings`] re-verifies it
//! for `prakerja audit`.
//!
//! No I/O here: fetching a round is the selector's (workers/src/beacon).

mod chain;
mod hex_serde;
mod published;
mod round;
mod source;
mod verify;

pub use chain::{Chain, ChainError, Scheme};
pub use published::{Finding, PublishedBeacon, PublishedError, PublishedRound, format_instant};
pub use source::{BeaconChoice, BeaconChoiceError, is_chain_name};
pub use verify::{BeaconError, randomness, verify_round};
