//! v2's ids as text: 32 lower-case hex digits, formatted without `write!`
//! (the digests format 10 million of them) and parsed strictly.

/// The 8 lower-case hex digits of `x`, most significant first, as a
/// little-endian word ready for one 8-byte store.
#[inline]
fn hex8(x: u32) -> u64 {
    // Byte k of the text (lowest byte of the word first) is nibble 7 - k.
    let mut z = u64::from(x.swap_bytes());
    z = (z | (z << 16)) & 0x0000_ffff_0000_ffff;
    z = (z | (z << 8)) & 0x00ff_00ff_00ff_00ff;
    z = ((z & 0x00f0_00f0_00f0_00f0) >> 4) | ((z & 0x000f_000f_000f_000f) << 8);
    // Each byte is now a nibble 0..=15: add '0', and 39 more for a..=f.
    let letters = ((z + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    z + 0x3030_3030_3030_3030 + letters * 39
}

/// The 32 hex digits of `id` as four little-endian words.
#[inline]
pub fn hex32_words(id: u128) -> [u64; 4] {
    [
        hex8((id >> 96) as u32),
        hex8((id >> 64) as u32),
        hex8((id >> 32) as u32),
        hex8(id as u32),
    ]
}

/// The 32 lower-case hex digits of `id`.
pub fn hex32(id: u128) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(8).zip(hex32_words(id)) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Parses exactly 32 lower-case hex digits (no sign, no prefix, no
/// upper case: the text is hashed, so only one spelling is accepted).
pub fn parse_hex32(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != 32 {
        return None;
    }
    bytes.iter().try_fold(0u128, |n, &b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        Some(n << 4 | u128::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_matches_format_and_parses_back() {
        let mut x = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128;
        for _ in 0..1_000 {
            for id in [x, 0, u128::MAX, 1 << 127, 0xa, x >> 61] {
                let text = hex32(id);
                assert_eq!(text, format!("{id:032x}").as_bytes());
                assert_eq!(
                    parse_hex32(std::str::from_utf8(&text).expect("ascii")),
                    Some(id)
                );
            }
            x = x
                .wrapping_mul(0x2545_f491_4f6c_dd1d_9e37_79b9_7f4a_7c15)
                .rotate_left(17);
        }
        for bad in [
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "+123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdeg",
            "",
        ] {
            assert_eq!(parse_hex32(bad), None, "{bad}");
        }
    }
}
