//! `[selection]`: the defaults of `prakerja wave open` for what a wave
//! fixes when it opens (CONTRACTS.md, "The draw's randomness"). One field
//! per default; add new ones here.

use serde::Deserialize;

use crate::beacon::BeaconChoice;

#[derive(Debug, Clone, Deserialize)]
pub struct SelectionSettings {
    /// `wave open --beacon`'s default: `drand:CHAIN` (a chain of
    /// `[drand.chains]`) or `none` (development and tests).
    pub beacon: BeaconChoice,
}
