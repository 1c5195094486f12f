//! Random bundles written by the Rust side for the verifier to check:
//! thousands of candidates, every allocation kind, priors, caps, beacons,
//! families spanning strata, and v2 with its derivations.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use shared::selection::bundle::{BundleOf, Derivation, Registration};
use shared::selection::{
    Allocation, Candidate, CandidateV2, DrawCandidate, DrawParams, FamilyKey, Province, derive_pid,
    draw,
};
use uuid::Uuid;

/// How a random bundle is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Seats {
    National(u64),
    Proportional(u64),
    /// Every other present province listed, one absent province listed,
    /// and one quota larger than any stratum.
    Explicit,
}

/// One case: how many candidates, the allocation, the cap, whether there
/// are prior counts, and the beacon's length.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub seed: u64,
    pub count: usize,
    pub seats: Seats,
    pub kk_cap: u32,
    pub prior: bool,
    pub beacon_len: usize,
}

const PROVINCES: [u8; 9] = [11, 12, 13, 31, 32, 51, 64, 92, 96];

/// Registrations in families of 1 to 4 (a family may span provinces).
fn registrations(rng: &mut ChaCha20Rng, count: usize) -> Vec<Registration> {
    let mut out = Vec::with_capacity(count);
    let mut kks = HashSet::new();
    while out.len() < count {
        let kk = rng.random_range(1_000_000_000_000_000..=9_999_999_999_999_999u64);
        if !kks.insert(kk) {
            continue;
        }
        for _ in 0..rng.random_range(1..=4usize).min(count - out.len()) {
            let tier = if rng.random_range(0..50) == 0 {
                9
            } else {
                rng.random_range(1..=3)
            };
            out.push(Registration {
                registration_id: uuid::Builder::from_random_bytes(rng.random()).into_uuid(),
                kk,
                province: Province::new(PROVINCES[rng.random_range(0..PROVINCES.len())])
                    .expect("code"),
                tier,
            });
        }
    }
    out
}

fn params<F: Copy + Eq + std::hash::Hash>(
    rng: &mut ChaCha20Rng,
    case: &Case,
    families: &[F],
) -> DrawParams<F> {
    let allocation = match case.seats {
        Seats::National(k) => Allocation::National(k),
        Seats::Proportional(k) => Allocation::Proportional(k),
        Seats::Explicit => {
            let mut quotas = BTreeMap::new();
            for (i, code) in PROVINCES.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
                let quota = if i == 0 {
                    100_000
                } else {
                    rng.random_range(0..200)
                };
                quotas.insert(Province::new(*code).expect("code"), quota);
            }
            quotas.insert(Province::new(75).expect("75"), 10);
            Allocation::Explicit(quotas)
        }
    };
    let mut prior = HashMap::new();
    if case.prior {
        for family in families.iter().step_by(7) {
            prior.insert(*family, rng.random_range(0..=3u32));
        }
    }
    DrawParams {
        wave_id: rng.random(),
        secret: rng.random(),
        beacon: (0..case.beacon_len).map(|_| rng.random()).collect(),
        allocation,
        kk_cap: case.kk_cap,
        prior,
    }
}

fn with_result<C: DrawCandidate>(params: &DrawParams<C::Id>, candidates: Vec<C>) -> BundleOf<C> {
    let mut bundle = BundleOf::from_inputs(params, candidates.clone());
    bundle.set_result(&draw(params, candidates).expect("draw"));
    bundle
}

/// A v1 bundle; its prior counts include KKs that are not candidates.
pub fn v1(case: &Case) -> BundleOf<Candidate> {
    let mut rng = ChaCha20Rng::seed_from_u64(case.seed);
    let registrations = registrations(&mut rng, case.count);
    let mut niks = HashSet::new();
    let candidates: Vec<Candidate> = registrations
        .iter()
        .map(|r| {
            loop {
                let nik = rng.random_range(1_100_000_000_000_000..=9_999_999_999_999_999u64);
                if niks.insert(nik) {
                    break Candidate {
                        nik,
                        kk: r.kk,
                        province: r.province,
                        tier: r.tier,
                    };
                }
            }
        })
        .collect();
    let mut kks: Vec<u64> = candidates.iter().map(|c| c.kk).collect();
    kks.extend([1_234_567_890_123_456, 42]);
    let params = params(&mut rng, case, &kks);
    with_result(&params, candidates)
}

/// A v2 bundle with its derivation (family key and registrations).
pub fn v2(case: &Case) -> BundleOf<CandidateV2> {
    let mut rng = ChaCha20Rng::seed_from_u64(case.seed);
    let registrations = registrations(&mut rng, case.count);
    let key = FamilyKey::new(rng.random());
    let candidates: Vec<CandidateV2> = registrations
        .iter()
        .map(|r| CandidateV2 {
            pid: derive_pid(&r.registration_id),
            fid: key.fid(r.kk).expect("16 digits"),
            province: r.province,
            tier: r.tier,
        })
        .collect();
    let fids: Vec<u128> = candidates.iter().map(|c| c.fid).collect();
    let params = params(&mut rng, case, &fids);
    let mut bundle = with_result(&params, candidates);
    bundle.derivation = Some(Derivation {
        family_key: key,
        registrations_file: "registrations.csv".to_owned(),
        registrations,
    });
    bundle
}

/// Any registration id of a v2 bundle with a derivation.
pub fn some_registration(bundle: &BundleOf<CandidateV2>, index: usize) -> Uuid {
    let registrations = &bundle
        .derivation
        .as_ref()
        .expect("derivation")
        .registrations;
    registrations[index % registrations.len()].registration_id
}
