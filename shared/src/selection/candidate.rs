//! The draw's view of one eligible registration, and its 16-digit numbers.

use super::province::Province;

/// Largest value a 16-digit NIK or KK number can take.
pub const MAX_ID: u64 = 9_999_999_999_999_999;

/// One eligible registration as the draw sees it.
///
/// NIK and KK are 16 ASCII digits stored as `u64`: for fixed-width digit
/// strings numeric order equals byte order. Print them with `{:016}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// National identity number (unique among candidates).
    pub nik: u64,
    /// Family card number.
    pub kk: u64,
    /// Province of the registration.
    pub province: Province,
    /// Priority tier, 1 (highest) to 9.
    pub tier: u8,
}

/// Parses a NIK or KK: exactly 16 ASCII digits (leading zeros allowed).
pub fn parse_id(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0')),
    )
}

/// A NIK or KK for logs and messages: the first 4 and last 4 digits, the
/// rest masked (full numbers are never logged).
pub fn mask_id(id: u64) -> String {
    let digits = format!("{id:016}");
    format!("{}********{}", &digits[..4], &digits[digits.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sixteen_digits() {
        assert_eq!(parse_id("0000000000000042"), Some(42));
        assert_eq!(parse_id("9999999999999999"), Some(MAX_ID));
        assert_eq!(parse_id("12345"), None);
        assert_eq!(parse_id("123456789012345x"), None);
        assert_eq!(parse_id("+234567890123456"), None);
        assert_eq!(mask_id(3201234567890001), "3201********0001");
    }
}
