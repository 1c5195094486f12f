//! The spec's rules: quotas, tiers, the KK cap, empty lists, input order.

use std::collections::{BTreeMap, HashMap};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;

use super::*;

#[test]
fn empty_candidate_lists() {
    let empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let cases = [
        (
            Allocation::National(7),
            BTreeMap::from([("00".to_owned(), 7)]),
        ),
        (Allocation::Proportional(7), BTreeMap::new()),
        (
            Allocation::Explicit(BTreeMap::from([(province(11), 3)])),
            BTreeMap::new(),
        ),
    ];
    for (allocation, quotas) in cases {
        let result =
            draw(&params(allocation, 2, &[]), Vec::<Candidate>::new()).expect("empty draw");
        assert!(result.rows.is_empty());
        assert_eq!(result.manifest.quotas, quotas);
        assert_eq!(
            (
                result.manifest.selected,
                result.manifest.waitlist,
                result.manifest.kk_cap
            ),
            (0, 0, 0)
        );
        assert_eq!(result.manifest.input_digest, empty_sha);
        assert_eq!(result.manifest.output_digest, empty_sha);
    }
}

#[test]
fn input_order_does_not_matter() {
    let candidates = synthetic(3_000);
    let p = params(
        Allocation::Proportional(700),
        2,
        &[(5_000_000_000_000_001, 1)],
    );
    let reference = draw(&p, candidates.clone()).expect("draw");
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    for _ in 0..3 {
        let mut shuffled = candidates.clone();
        shuffled.shuffle(&mut rng);
        assert_eq!(draw(&p, shuffled).expect("draw"), reference);
    }
}

#[test]
fn kk_cap_spans_strata_and_counts_prior() {
    let (a, b, c) = (
        1_000_000_000_000_001,
        1_000_000_000_000_002,
        1_000_000_000_000_003,
    );
    let candidates = vec![
        // Stratum 11 runs first: A reaches the cap of 2 (prior 1 + this).
        candidate(1_100_000_000_000_001, a, 11, 1),
        // Stratum 12: A is capped, which takes no seat, so B still gets one.
        candidate(1_200_000_000_000_001, a, 12, 1),
        candidate(1_200_000_000_000_002, b, 12, 2),
        // C had two beneficiaries already.
        candidate(1_200_000_000_000_003, c, 12, 1),
    ];
    let quotas = BTreeMap::from([(province(11), 5), (province(12), 5)]);
    let capped = params(Allocation::Explicit(quotas), 2, &[(a, 1), (c, 2)]);
    let result = draw(&capped, candidates.clone()).expect("draw");
    assert_eq!(status_of(&result, 1_100_000_000_000_001), Status::Selected);
    assert_eq!(status_of(&result, 1_200_000_000_000_001), Status::KkCap);
    assert_eq!(status_of(&result, 1_200_000_000_000_002), Status::Selected);
    assert_eq!(status_of(&result, 1_200_000_000_000_003), Status::KkCap);
    assert_eq!(
        (
            result.manifest.selected,
            result.manifest.kk_cap,
            result.manifest.waitlist
        ),
        (2, 2, 0)
    );

    // Without a cap the same input selects everyone.
    let uncapped = DrawParams {
        kk_cap: 0,
        ..capped
    };
    let result = draw(&uncapped, candidates).expect("draw");
    assert!(result.rows.iter().all(|r| r.status == Status::Selected));
}

#[test]
fn capped_candidate_takes_no_seat() {
    let capped_kk = 2_000_000_000_000_009;
    let candidates = vec![
        candidate(1_300_000_000_000_001, capped_kk, 13, 1),
        candidate(1_300_000_000_000_002, 7, 13, 1),
    ];
    let p = params(Allocation::National(1), 1, &[(capped_kk, 1)]);
    let result = draw(&p, candidates).expect("draw");
    assert_eq!(status_of(&result, 1_300_000_000_000_002), Status::Selected);
    assert_ne!(status_of(&result, 1_300_000_000_000_001), Status::Selected);
    assert_eq!(result.manifest.selected, 1);
}

#[test]
fn explicit_quota_larger_than_pool() {
    let candidates = synthetic(30);
    let quotas = BTreeMap::from([(province(11), 1_000), (province(96), 4)]);
    let result = draw(&params(Allocation::Explicit(quotas), 0, &[]), candidates).expect("draw");
    let in_11 = result.rows.iter().filter(|r| r.stratum.to_string() == "11");
    assert!(in_11.clone().count() > 0);
    assert!(in_11.clone().all(|r| r.status == Status::Selected));
    // Unfilled seats stay with 11; 12 and 31 are unlisted (0 seats); 96 has
    // no candidates, so no stratum.
    let quotas: Vec<(&str, u64)> = result
        .manifest
        .quotas
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(quotas, [("11", 1_000), ("12", 0), ("31", 0)]);
    assert_eq!(result.manifest.selected, in_11.count() as u64);
}

#[test]
fn proportional_k_at_least_n_selects_everyone() {
    let result = draw(&params(Allocation::Proportional(31), 0, &[]), synthetic(30)).expect("draw");
    assert!(result.rows.iter().all(|r| r.status == Status::Selected));
    assert_eq!(result.manifest.quotas.values().sum::<u64>(), 30);
}

#[test]
fn ranks_follow_tiers() {
    let result = draw(&params(Allocation::National(2), 0, &[]), synthetic(90)).expect("draw");
    let tier_of: HashMap<u64, u8> = synthetic(90).iter().map(|c| (c.nik, c.tier)).collect();
    let tiers: Vec<u8> = result.rows.iter().map(|r| tier_of[&r.nik]).collect();
    assert!(tiers.is_sorted(), "tier 1 ranks first, then 2, then 3");
    assert!(
        result
            .rows
            .iter()
            .enumerate()
            .all(|(i, r)| r.rank as usize == i + 1)
    );
}

#[test]
fn large_tiers_match_a_plain_reference_ranking() {
    // Tiers far larger than the pieces the draw hands to the output digest.
    let candidates: Vec<Candidate> = (0..50_000u64)
        .map(|i| {
            candidate(
                1_000_000_000_000_000 + i * 31,
                7_000_000_000_000_000 + i,
                [11, 12][(i % 2) as usize],
                1 + (i % 3 == 0) as u8,
            )
        })
        .collect();
    let p = params(Allocation::National(1_000), 0, &[]);
    let result = draw(&p, candidates.clone()).expect("draw");
    let seed = wave_seed(p.wave_id, &p.secret, &p.beacon).expect("seed");
    let mut rng = stratum_rng(&seed, Stratum::NATIONAL);
    let mut expected = Vec::new();
    for tier in 1..=2 {
        let mut niks: Vec<u64> = candidates
            .iter()
            .filter(|c| c.tier == tier)
            .map(|c| c.nik)
            .collect();
        niks.sort_unstable();
        shuffle(&mut rng, &mut niks);
        expected.extend(niks);
    }
    let got: Vec<u64> = result.rows.iter().map(|r| r.nik).collect();
    assert_eq!(got, expected);
}
