//! The inputs of a draw besides the candidates.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use super::error::AllocationError;
use super::province::Province;

/// How the seats are spread over strata (SPEC.md step 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// `national:K`: one stratum `"00"` holding everyone, `K` seats.
    National(u64),
    /// `proportional:K`: one stratum per province, `K` seats shared in
    /// proportion to stratum sizes (largest remainder).
    Proportional(u64),
    /// One stratum per province with a listed quota (0 if unlisted). Built
    /// from a quotas file; unfillable seats are not moved elsewhere.
    Explicit(BTreeMap<Province, u64>),
}

impl Allocation {
    /// Whether the draw has the single national stratum.
    pub fn is_national(&self) -> bool {
        matches!(self, Self::National(_))
    }
}

impl FromStr for Allocation {
    type Err = AllocationError;

    /// Parses `national:K` or `proportional:K` (an explicit allocation comes
    /// from a quotas file, see the bundle reader).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || AllocationError(text.to_owned());
        let (kind, seats) = text.split_once(':').ok_or_else(err)?;
        if seats.is_empty() || !seats.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let seats: u64 = seats.parse().map_err(|_| err())?;
        match kind {
            "national" => Ok(Self::National(seats)),
            "proportional" => Ok(Self::Proportional(seats)),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Allocation {
    /// `national:K`, `proportional:K`, or `explicit` (the quotas live in a
    /// file whose name the bundle knows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::National(k) => write!(f, "national:{k}"),
            Self::Proportional(k) => write!(f, "proportional:{k}"),
            Self::Explicit(_) => f.write_str("explicit"),
        }
    }
}

/// Everything a draw needs besides the candidates. `F` is the family id:
/// `u64` KKs for v1, `u128` `fid`s for v2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawParams<F: Eq + std::hash::Hash = u64> {
    /// The registration wave.
    pub wave_id: u32,
    /// The secret committed to when the wave opened.
    pub secret: [u8; 32],
    /// Public randomness fixed after the close: 0 to 64 bytes.
    pub beacon: Vec<u8>,
    /// How seats are spread over strata.
    pub allocation: Allocation,
    /// Most beneficiaries one family card may have in total; 0 = no cap.
    pub kk_cap: u32,
    /// Beneficiaries each family already has from earlier waves (absent =
    /// 0).
    pub prior: HashMap<F, u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_round_trips() {
        for text in ["national:5", "proportional:700", "national:0"] {
            let parsed: Allocation = text.parse().expect(text);
            assert_eq!(parsed.to_string(), text);
        }
        for bad in [
            "national",
            "national:",
            "national:-1",
            "explicit:5",
            "proportional: 5",
        ] {
            assert!(bad.parse::<Allocation>().is_err(), "{bad}");
        }
    }
}
