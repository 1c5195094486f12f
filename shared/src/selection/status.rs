//! Result rows and their statuses.

use std::fmt;
use std::str::FromStr;

use super::error::StatusError;
use super::province::Stratum;

/// The outcome for one candidate (SPEC.md step 7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    /// Took a seat.
    Selected,
    /// No seat left in the stratum; offered freed seats in rank order.
    #[default]
    Waitlist,
    /// Skipped: the family card already has `kk_cap` beneficiaries.
    KkCap,
}

impl Status {
    /// The status as written in result rows.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Selected => "SELECTED",
            Self::Waitlist => "WAITLIST",
            Self::KkCap => "KK_CAP",
        }
    }
}

impl Status {
    /// A small code, kept in the ranking's slots until rows are built.
    pub(crate) const fn code(self) -> u64 {
        match self {
            Self::Selected => 0,
            Self::Waitlist => 1,
            Self::KkCap => 2,
        }
    }

    /// The status of a [`code`](Self::code) (`Waitlist` for unknown codes).
    pub(crate) const fn from_code(code: u64) -> Self {
        match code {
            0 => Self::Selected,
            2 => Self::KkCap,
            _ => Self::Waitlist,
        }
    }
}

impl FromStr for Status {
    type Err = StatusError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "SELECTED" => Ok(Self::Selected),
            "WAITLIST" => Ok(Self::Waitlist),
            "KK_CAP" => Ok(Self::KkCap),
            _ => Err(StatusError(text.to_owned())),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the result: `stratum,rank,nik,status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResultRow {
    /// `"00"` (national) or the province code.
    pub stratum: Stratum,
    /// Position in the stratum's ranking, from 1.
    pub rank: u32,
    /// The candidate's NIK.
    pub nik: u64,
    /// The candidate's outcome.
    pub status: Status,
}
