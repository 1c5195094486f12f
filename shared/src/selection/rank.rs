//! The bounded draw and the per-tier shuffle (SPEC.md steps 5 and 6).
//!
//! Deliberately not `rand`'s `random_range`/`shuffle`: those are not
//! value-stable across `rand` releases. Only `next_u64` is used.

use rand_chacha::rand_core::Rng;

/// `bounded(m)` for `m >= 1`: with `t = 2^64 mod m`, draw `x` until
/// `x >= t`, return `x mod m`.
///
/// `t < m`, so any `x >= m` is accepted without computing `t`: the common
/// case costs one `next_u64` and one `%`. `m == 0` is treated like `m == 1`.
#[inline]
pub fn bounded<R: Rng + ?Sized>(rng: &mut R, m: u64) -> u64 {
    let m = m.max(1);
    loop {
        let x = rng.next_u64();
        if x >= m {
            return x % m;
        }
        // x < m, so x mod m == x; accept unless x < t.
        let t = m.wrapping_neg() % m;
        if x >= t {
            return x;
        }
    }
}

/// Shuffles `items` (already sorted by NIK) in place: for `i` in
/// `0..n-1`, swap `items[i]` with `items[i + bounded(n - i)]`. No draw at
/// all when `n <= 1`.
pub fn shuffle<R: Rng + ?Sized, T>(rng: &mut R, items: &mut [T]) {
    shuffle_prefix(rng, items, items.len());
}

/// The first `steps` steps of [`shuffle`]: afterwards `items[..steps]` is
/// final (later steps only touch later positions), and finishing the
/// shuffle on `items[steps..]` gives exactly the result of [`shuffle`].
/// This lets the draw hand out finished rows while it is still shuffling.
///
/// The targets `j` depend only on the generator, so they are drawn in
/// batches ahead of the swaps: the swaps' scattered memory accesses then
/// overlap instead of waiting on the generator one by one.
pub fn shuffle_prefix<R: Rng + ?Sized, T>(rng: &mut R, items: &mut [T], steps: usize) {
    const BATCH: usize = 64;
    let n = items.len();
    let end = steps.min(n.saturating_sub(1));
    let mut targets = [0usize; BATCH];
    let mut i = 0;
    while i < end {
        let batch = (end - i).min(BATCH);
        for (k, j) in targets[..batch].iter_mut().enumerate() {
            // usize -> u64 is lossless on supported targets; the draw is
            // below n - i - k, so j stays in bounds.
            *j = i + k + bounded(rng, (n - i - k) as u64) as usize;
        }
        for (k, &j) in targets[..batch].iter().enumerate() {
            items.swap(i + k, j);
        }
        i += batch;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::{Infallible, TryRng};

    /// Replays a fixed list of `u64`s and counts how many were drawn.
    struct Replay(Vec<u64>, usize);

    impl TryRng for Replay {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(self.try_next_u64()? as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            let x = self.0[self.1];
            self.1 += 1;
            Ok(x)
        }
        fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), Infallible> {
            unreachable!("the draw only uses next_u64")
        }
    }

    fn draw(values: &[u64], m: u64) -> (u64, usize) {
        let mut rng = Replay(values.to_vec(), 0);
        let x = bounded(&mut rng, m);
        (x, rng.1)
    }

    #[test]
    fn rejection_edge() {
        // m = 2^63 + 1: t = 2^64 - m = 2^63 - 1.
        let m = (1u64 << 63) + 1;
        let t = (1u64 << 63) - 1;
        assert_eq!(draw(&[t - 1, t], m), (t, 2), "t - 1 rejected, t accepted");
        assert_eq!(draw(&[0, 0, m], m), (0, 3));
        assert_eq!(draw(&[u64::MAX], m), (u64::MAX - m, 1));
        // m = 3: 2^64 mod 3 = 1, so only x = 0 is rejected.
        assert_eq!(draw(&[0, 1], 3), (1, 2));
        assert_eq!(draw(&[2], 3), (2, 1));
        assert_eq!(draw(&[u64::MAX], 3), (0, 1));
        // Powers of two and m = 1 never reject, but always draw once.
        assert_eq!(draw(&[0], 1 << 20), (0, 1));
        assert_eq!(draw(&[0], 1), (0, 1));
        assert_eq!(draw(&[12345], 1), (0, 1));
    }

    #[test]
    fn batched_shuffle_matches_the_plain_loop() {
        use rand_chacha::ChaCha20Rng;
        use rand_chacha::rand_core::SeedableRng;
        for n in [0, 1, 2, 3, 63, 64, 65, 66, 200, 1000] {
            let mut batched: Vec<usize> = (0..n).collect();
            shuffle(&mut ChaCha20Rng::from_seed([n as u8; 32]), &mut batched);
            let mut plain: Vec<usize> = (0..n).collect();
            let mut rng = ChaCha20Rng::from_seed([n as u8; 32]);
            for i in 0..n.saturating_sub(1) {
                let j = i + bounded(&mut rng, (n - i) as u64) as usize;
                plain.swap(i, j);
            }
            assert_eq!(batched, plain, "n = {n}");
            let mut pieces: Vec<usize> = (0..n).collect();
            let mut rng = ChaCha20Rng::from_seed([n as u8; 32]);
            let mut rest = &mut pieces[..];
            while !rest.is_empty() {
                let steps = 7.min(rest.len());
                shuffle_prefix(&mut rng, rest, steps);
                rest = &mut rest[steps..];
            }
            assert_eq!(pieces, plain, "n = {n}, in pieces");
        }
    }

    #[test]
    fn shuffle_draws_n_minus_one_times() {
        let mut rng = Replay(vec![5, 0, 7, 3], 0);
        let mut items = [10, 20, 30, 40, 50];
        // i=0: m=4, j = 0 + 5 % 4 = 1; i=1: m=3, 0 is below t = 2^64 mod 3
        // = 1 and rejected, j = 1 + 7 % 3 = 2; i=2: m=2, j = 2 + 3 % 2 = 3.
        shuffle(&mut rng, &mut items[..4]);
        assert_eq!(items, [20, 30, 40, 10, 50]);
        assert_eq!(rng.1, 4);
        let mut one = [1];
        shuffle(&mut rng, &mut one);
        assert_eq!(rng.1, 4, "no draw for a single item");
    }
}
