//! Weighted choice over small constant tables.

use rand::RngExt;

/// One item of `items`, chosen with probability proportional to its weight.
/// Panics if the weights sum to zero (the tables are constants).
pub fn pick<R: RngExt + ?Sized, T: Copy>(rng: &mut R, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    let mut ticket = rng.random_range(0..total);
    for (item, weight) in items {
        if ticket < *weight {
            return *item;
        }
        ticket -= weight;
    }
    unreachable!("ticket below the total weight")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn follows_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let items = [("rare", 1), ("never", 0), ("common", 9)];
        let common = (0..10_000)
            .filter(|_| pick(&mut rng, &items) == "common")
            .count();
        assert!((8_800..=9_200).contains(&common), "{common}");
    }
}
