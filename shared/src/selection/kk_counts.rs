//! Beneficiaries per family (KK in v1, `fid` in v2), shared by all strata
//! of a draw (SPEC.md step 7).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

/// Counts per family id, starting from the prior counts, with a cap.
#[derive(Debug)]
pub struct KkCounts<I = u64> {
    counts: HashMap<I, u32, KeyedMix>,
    cap: u32,
}

impl<I: Copy + Eq + Hash> KkCounts<I> {
    /// Counts starting at `prior`, capped at `cap` (> 0). `key` keys the
    /// hash function (the draw passes bits of the secret wave seed, so
    /// registrants cannot craft colliding KKs); `expected` sizes the table.
    pub fn new(prior: &HashMap<I, u32>, cap: u32, key: u64, expected: usize) -> Self {
        let mut counts = HashMap::with_capacity_and_hasher(expected + prior.len(), KeyedMix(key));
        counts.extend(prior.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (*k, *n)));
        Self { counts, cap }
    }

    /// If `kk` is below the cap, counts one more beneficiary for it and
    /// returns `true`; otherwise returns `false` and counts nothing.
    #[inline]
    pub fn try_take(&mut self, kk: I) -> bool {
        let count = self.counts.entry(kk).or_insert(0);
        if *count >= self.cap {
            return false;
        }
        *count += 1;
        true
    }
}

/// A keyed 64-bit mix (SplitMix64's finaliser): much faster than SipHash
/// for `u64` and `u128` keys, and unpredictable without the key.
#[derive(Clone, Copy, Debug)]
struct KeyedMix(u64);

impl BuildHasher for KeyedMix {
    type Hasher = MixHasher;

    fn build_hasher(&self) -> MixHasher {
        MixHasher(self.0)
    }
}

#[derive(Clone, Copy, Debug)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    #[inline]
    fn write_u64(&mut self, value: u64) {
        let mut x = self.0 ^ value;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = x ^ (x >> 31);
    }

    #[inline]
    fn write_u128(&mut self, value: u128) {
        self.write_u64(value as u64);
        self.write_u64((value >> 64) as u64);
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_counts_prior() {
        let prior = HashMap::from([(7, 1), (8, 2), (9, 0)]);
        let mut counts = KkCounts::new(&prior, 2, 12345, 4);
        assert!(counts.try_take(7));
        assert!(!counts.try_take(7));
        assert!(!counts.try_take(8));
        assert!(counts.try_take(9));
        assert!(counts.try_take(9));
        assert!(!counts.try_take(9));
        let wide = HashMap::from([(1u128 << 100, 1)]);
        let mut counts = KkCounts::new(&wide, 1, 7, 2);
        assert!(!counts.try_take(1 << 100));
        assert!(counts.try_take(1));
    }
}
