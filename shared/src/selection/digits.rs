//! Hand-rolled decimal formatting for the hot loops: the digests format
//! 10 million lines, where `write!` would dominate the draw's run time.

use super::candidate::MAX_ID;

/// `"0000"` to `"9999"`, each packed little-endian into a `u32`.
static DIGITS4: [u32; 10_000] = build_digits4();

const fn build_digits4() -> [u32; 10_000] {
    let mut table = [0u32; 10_000];
    let mut i = 0;
    while i < 10_000 {
        let n = i as u32;
        table[i] = u32::from_le_bytes([
            b'0' + (n / 1000) as u8,
            b'0' + (n / 100 % 10) as u8,
            b'0' + (n / 10 % 10) as u8,
            b'0' + (n % 10) as u8,
        ]);
        i += 1;
    }
    table
}

/// Eight digits of `n < 10^8`, as a little-endian `u64` of ASCII bytes.
#[inline]
fn eight(n: u32) -> u64 {
    let high = (n / 10_000).min(9_999) as usize;
    let low = (n % 10_000) as usize;
    u64::from(DIGITS4[high]) | (u64::from(DIGITS4[low]) << 32)
}

/// The 16 ASCII digits of `id` (zero-padded) as two little-endian words,
/// ready for two 8-byte stores; `id` must be at most [`MAX_ID`] (larger
/// values come out modulo 10^16: check first).
#[inline]
pub fn sixteen_words(id: u64) -> [u64; 2] {
    debug_assert!(id <= MAX_ID);
    let high = (id / 100_000_000 % 100_000_000) as u32;
    let low = (id % 100_000_000) as u32;
    [eight(high), eight(low)]
}

/// The 16 ASCII digits of `id`, zero-padded (`id` at most [`MAX_ID`]).
#[inline]
pub fn sixteen(id: u64) -> [u8; 16] {
    let [high, low] = sixteen_words(id);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&high.to_le_bytes());
    out[8..].copy_from_slice(&low.to_le_bytes());
    out
}

/// A rank as decimal ASCII, kept left-aligned in a 16-byte little-endian
/// word (first digit in the lowest byte) so it can be stored with one
/// write. Consecutive ranks (the normal case) are produced by adding 1 to
/// the last digit's byte; the digits stay in a register, so no narrow
/// store is followed by a wide load.
#[derive(Clone, Debug)]
pub struct RankDigits {
    word: u128,
    len: usize,
    value: u32,
}

impl Default for RankDigits {
    fn default() -> Self {
        Self {
            word: u128::from(b'0'),
            len: 1,
            value: 0,
        }
    }
}

impl RankDigits {
    /// Sets the value to `rank` and returns (digits word, number of
    /// digits). The number of digits is at most 10.
    #[inline]
    pub fn set(&mut self, rank: u32) -> (u128, usize) {
        let last_shift = 8 * (self.len.saturating_sub(1) & 15);
        let last = (self.word >> last_shift) as u8;
        if self.value.checked_add(1) == Some(rank) && last != b'9' {
            self.word += 1 << last_shift;
            self.value = rank;
        } else if self.value != rank {
            self.value = rank;
            let text = rank.to_string();
            let mut bytes = [0u8; 16];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            self.word = u128::from_le_bytes(bytes);
            self.len = text.len();
        }
        (self.word, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_digits_match_format() {
        for id in [0, 7, 99_999_999, 100_000_000, 1_234_567_890_123_456, MAX_ID] {
            let [high, low] = sixteen_words(id);
            let text = [high.to_le_bytes(), low.to_le_bytes()].concat();
            assert_eq!(text, format!("{id:016}").as_bytes());
        }
    }

    #[test]
    fn rank_digits_count_and_jump() {
        let mut rank = RankDigits::default();
        for value in (1..=1_100).chain([7, 8, 4_294_967_295, 5, 6, 99, 100, 1_000_000]) {
            let (word, len) = rank.set(value);
            assert_eq!(&word.to_le_bytes()[..len], value.to_string().as_bytes());
            assert!(word.to_le_bytes()[len..].iter().all(|b| *b == 0));
        }
    }
}
