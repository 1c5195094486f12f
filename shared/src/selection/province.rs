//! Two-digit codes: provinces and the strata keyed by them.

use std::fmt;
use std::str::FromStr;

use super::error::CodeError;

/// Parses exactly two ASCII digits into 0..=99.
fn parse_two_digits(text: &str) -> Result<u8, CodeError> {
    match text.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Ok((a - b'0') * 10 + (b - b'0')),
        _ => Err(CodeError(text.to_owned())),
    }
}

/// A province code: two ASCII digits (`"11"` for Aceh, ..., `"96"`).
///
/// Stored as its numeric value 0..=99, whose order equals the byte order of
/// the two-digit key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Province(u8);

impl Province {
    /// The province with numeric code `code`, if it is at most 99.
    pub const fn new(code: u8) -> Option<Self> {
        if code <= 99 { Some(Self(code)) } else { None }
    }

    /// The numeric code, 0..=99.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The code as its two ASCII digits.
    pub const fn key(self) -> [u8; 2] {
        [b'0' + self.0 / 10, b'0' + self.0 % 10]
    }
}

impl FromStr for Province {
    type Err = CodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_two_digits(text).map(Self)
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// The key of a stratum: `"00"` for the one national stratum, otherwise the
/// province code. Ordered like the key's bytes.
///
/// A province `"00"` (not a real code) would share the national key; the two
/// never occur in the same draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stratum(u8);

impl Stratum {
    /// The single stratum of a `national:K` draw, key `"00"`.
    pub const NATIONAL: Stratum = Stratum(0);

    /// The numeric value of the key, 0..=99.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The key's two ASCII bytes, as hashed into the stratum seed.
    pub const fn key(self) -> [u8; 2] {
        [b'0' + self.0 / 10, b'0' + self.0 % 10]
    }
}

impl From<Province> for Stratum {
    fn from(province: Province) -> Self {
        Self(province.0)
    }
}

impl FromStr for Stratum {
    type Err = CodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_two_digits(text).map(Self)
    }
}

impl fmt::Display for Stratum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_exactly_two_ascii_digits() {
        assert_eq!("07".parse::<Province>().map(Province::code), Ok(7));
        assert_eq!("96".parse::<Stratum>().map(|s| s.key()), Ok(*b"96"));
        for bad in ["7", "007", "a1", "+1", "", "１２"] {
            assert!(bad.parse::<Province>().is_err(), "{bad:?}");
        }
        assert_eq!(Province::new(100), None);
        assert_eq!(Stratum::NATIONAL.to_string(), "00");
    }
}
