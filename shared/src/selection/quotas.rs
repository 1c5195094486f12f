//! Seats per stratum (SPEC.md step 3).

use super::params::Allocation;
use super::province::{Province, Stratum};

/// The quota of each stratum, given the strata in ascending key order with
/// their sizes. The result is parallel to `strata`.
///
/// - `national:K`: the one stratum gets `K`.
/// - `explicit`: the listed quota, 0 if unlisted.
/// - `proportional:K`: `floor(K * n_p / N)`, leftover seats one each to the
///   largest remainders `(K * n_p) mod N`, ties to the lower key; every
///   `n_p` if `K >= N`. Computed in `u128`, so `K * N` cannot overflow.
pub fn quotas(allocation: &Allocation, strata: &[(Stratum, u64)]) -> Vec<u64> {
    match allocation {
        Allocation::National(k) => strata.iter().map(|_| *k).collect(),
        Allocation::Explicit(listed) => strata
            .iter()
            .map(|(stratum, _)| {
                Province::new(stratum.code())
                    .and_then(|p| listed.get(&p).copied())
                    .unwrap_or(0)
            })
            .collect(),
        Allocation::Proportional(k) => proportional(*k, strata),
    }
}

fn proportional(k: u64, strata: &[(Stratum, u64)]) -> Vec<u64> {
    let total: u128 = strata.iter().map(|(_, n)| u128::from(*n)).sum();
    if u128::from(k) >= total {
        return strata.iter().map(|(_, n)| *n).collect();
    }
    let k = u128::from(k);
    let mut quotas = Vec::with_capacity(strata.len());
    let mut remainders = Vec::with_capacity(strata.len());
    for (index, (_, n)) in strata.iter().enumerate() {
        let product = k * u128::from(*n);
        // Each quota is at most K, which is a u64.
        quotas.push(u64::try_from(product / total).unwrap_or(u64::MAX));
        remainders.push((product % total, index));
    }
    let given: u128 = quotas.iter().map(|q| u128::from(*q)).sum();
    let left = usize::try_from(k - given).unwrap_or(usize::MAX);
    // Largest remainder first; equal remainders keep ascending key order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in remainders.iter().take(left) {
        quotas[index] += 1;
    }
    quotas
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn strata(sizes: &[(u8, u64)]) -> Vec<(Stratum, u64)> {
        sizes
            .iter()
            .map(|&(code, n)| (Stratum::from(Province::new(code).expect("code")), n))
            .collect()
    }

    #[test]
    fn proportional_uses_largest_remainder() {
        // K=7, N=9: shares 2.33 each, remainders tie: the leftover seat
        // goes to the lowest code.
        let s = strata(&[(11, 3), (12, 3), (13, 3)]);
        assert_eq!(quotas(&Allocation::Proportional(7), &s), [3, 2, 2]);
        // K=5, N=10 sizes 1,4,5: shares 0.5, 2, 2.5; 11 and 96 tie on the
        // remainder, 11 wins.
        let s = strata(&[(11, 1), (31, 4), (96, 5)]);
        assert_eq!(quotas(&Allocation::Proportional(5), &s), [1, 2, 2]);
        // K=5, N=7 sizes 1,2,4: 0.71, 1.43, 2.86 -> floors 0,1,2, remainders
        // 5,3,6 (mod 7): two seats go to 96 (6) then 11 (5).
        let s = strata(&[(11, 1), (12, 2), (96, 4)]);
        assert_eq!(quotas(&Allocation::Proportional(5), &s), [1, 1, 3]);
    }

    #[test]
    fn proportional_with_k_at_least_n_gives_everyone_a_seat() {
        let s = strata(&[(11, 2), (12, 5)]);
        assert_eq!(quotas(&Allocation::Proportional(7), &s), [2, 5]);
        assert_eq!(quotas(&Allocation::Proportional(u64::MAX), &s), [2, 5]);
        assert!(quotas(&Allocation::Proportional(3), &[]).is_empty());
    }

    #[test]
    fn proportional_does_not_overflow() {
        let s = strata(&[(11, u64::MAX / 2), (12, u64::MAX / 2)]);
        let q = quotas(&Allocation::Proportional(u64::MAX - 1), &s);
        assert_eq!(
            q.iter().map(|q| u128::from(*q)).sum::<u128>(),
            u128::from(u64::MAX - 1)
        );
    }

    #[test]
    fn explicit_and_national() {
        let s = strata(&[(11, 2), (12, 5)]);
        let listed = BTreeMap::from([
            (Province::new(12).expect("12"), 9),
            (Province::new(13).expect("13"), 4),
        ]);
        assert_eq!(quotas(&Allocation::Explicit(listed), &s), [0, 9]);
        assert_eq!(
            quotas(&Allocation::National(3), &[(Stratum::NATIONAL, 7)]),
            [3]
        );
    }
}
