//! Which selection algorithm: `prakerja-selection-v1` (NIKs and KKs) or
//! `prakerja-selection-v2` (pseudonymous `pid`s and `fid`s). Everything the
//! two differ in by SPEC (selection-v2/SPEC.md, "What changes") is named
//! here; the rest of the module is shared.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A selection algorithm. The draw itself picks it at compile time from
/// the candidate type ([`Candidate`](super::Candidate) is v1,
/// [`CandidateV2`](super::CandidateV2) is v2); this enum names it at run
/// time (a wave's setting, a bundle's header, a manifest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// `prakerja-selection-v1`: candidates by NIK, families by KK.
    V1,
    /// `prakerja-selection-v2`: candidates by `pid`, families by `fid`.
    V2,
}

/// A name that is not `v1`, `v2` or a full algorithm name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{0:?} is not a selection algorithm (v1, v2, prakerja-selection-v1 or prakerja-selection-v2)"
)]
pub struct AlgorithmError(pub String);

impl Algorithm {
    /// Both, oldest first.
    pub const ALL: [Algorithm; 2] = [Algorithm::V1, Algorithm::V2];

    /// The name recorded in manifests.
    pub const fn name(self) -> &'static str {
        match self {
            Self::V1 => "prakerja-selection-v1",
            Self::V2 => "prakerja-selection-v2",
        }
    }

    /// The short name of settings and flags: `v1` or `v2`.
    pub const fn short(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
        }
    }

    /// The 21-byte label in front of the wave seed's inputs (step 1).
    pub const fn seed_label(self) -> &'static [u8; 21] {
        match self {
            Self::V1 => b"PRAKERJA-SELECTION-V1",
            Self::V2 => b"PRAKERJA-SELECTION-V2",
        }
    }

    /// The candidate id's column: `nik` or `pid`.
    pub const fn id_field(self) -> &'static str {
        match self {
            Self::V1 => "nik",
            Self::V2 => "pid",
        }
    }

    /// The family id's column: `kk` or `fid`.
    pub const fn family_field(self) -> &'static str {
        match self {
            Self::V1 => "kk",
            Self::V2 => "fid",
        }
    }

    /// What an id's text must be, for error messages.
    pub const fn id_format(self) -> &'static str {
        match self {
            Self::V1 => "16 ASCII digits",
            Self::V2 => "32 lower-case hex digits",
        }
    }

    /// Header of `candidates.csv`.
    pub const fn candidates_header(self) -> [&'static str; 4] {
        [self.id_field(), self.family_field(), "province", "tier"]
    }

    /// Header of the prior file.
    pub const fn prior_header(self) -> [&'static str; 2] {
        [self.family_field(), "count"]
    }

    /// Header of a result file (`expected.csv`).
    pub const fn result_header(self) -> [&'static str; 4] {
        ["stratum", "rank", self.id_field(), "status"]
    }

    /// The algorithm whose `candidates.csv` starts with `first_line`
    /// (`nik,…` or `pid,…`); `None` for anything else.
    pub fn of_candidates_header(first_line: &str) -> Option<Self> {
        let first = first_line.trim_end_matches(['\n', '\r']);
        let first = first.strip_prefix('\u{feff}').unwrap_or(first);
        let field = first.split(',').next().unwrap_or_default();
        Self::ALL.into_iter().find(|a| a.id_field() == field)
    }
}

impl FromStr for Algorithm {
    type Err = AlgorithmError;

    /// `v1`, `v2`, or the full name.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| text == a.short() || text == a.name())
            .ok_or_else(|| AlgorithmError(text.to_owned()))
    }
}

impl fmt::Display for Algorithm {
    /// The full name, as in manifests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_headers() {
        assert_eq!("v2".parse(), Ok(Algorithm::V2));
        assert_eq!("prakerja-selection-v1".parse(), Ok(Algorithm::V1));
        assert!("v3".parse::<Algorithm>().is_err());
        assert_eq!(
            Algorithm::of_candidates_header("pid,fid,province,tier\n"),
            Some(Algorithm::V2)
        );
        assert_eq!(
            Algorithm::of_candidates_header("nik,kk,province,tier"),
            Some(Algorithm::V1)
        );
        assert_eq!(Algorithm::of_candidates_header("id,kk"), None);
        assert_eq!(
            Algorithm::V2.result_header().join(","),
            "stratum,rank,pid,status"
        );
        assert_eq!(Algorithm::V1.prior_header().join(","), "kk,count");
    }
}
